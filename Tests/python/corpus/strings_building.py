rows = [('loss', 0.25), ('accuracy', 0.9312), ('epochs', 10)]
for name, value in rows:
    print(f"{name:<10}{value:>10}")
header = ' | '.join(['col%d' % i for i in range(3)])
print(header)
print('-' * len(header))
sentence = 'the quick brown fox jumps over the lazy dog'
print(' '.join(w.capitalize() for w in sentence.split()))
print(''.join(c for c in sentence if c not in 'aeiou'))
print(sorted(set(sentence.replace(' ', ''))) == sorted('abcdefghijklmnopqrstuvwxyz'))
freq = {}
for ch in sentence.replace(' ', ''):
    freq[ch] = freq.get(ch, 0) + 1
top = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
print(top)
print(sentence.title(), sentence[::-1][:9], sentence.count('the'))
csv = "name,score\nann,3\nbob,5"
lines = csv.split('\n')
records = [dict(zip(lines[0].split(','), line.split(','))) for line in lines[1:]]
print(records, sum(int(r['score']) for r in records))
print('%s has %d chars' % (sentence[:9], len(sentence)), str(3) + '3', int('3') + 3)
