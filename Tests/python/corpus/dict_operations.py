text = "the cat and the hat and the bat"
counts = {}
for w in text.split():
    counts[w] = counts.get(w, 0) + 1
print(counts)
print(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
d = {'b': 2, 'a': 1}
d['c'] = 3
d.update({'a': 10, 'd': 4})
print(d, len(d), list(d), list(d.keys()), list(d.values()))
print(d.pop('b'), d.pop('zz', 'missing'), d)
print(d.setdefault('e', 5), d.setdefault('a', 0), d)
del d['e']
print('e' in d, 'a' in d, d.get('q'), d.get('q', -1))
squares = {k: k * k for k in range(5)}
print(squares, {v: k for k, v in squares.items() if v > 4})
groups = {}
for name, team in [('ann', 'red'), ('bob', 'blue'), ('cy', 'red')]:
    groups.setdefault(team, []).append(name)
print(groups)
for key, value in sorted(groups.items()):
    print(key, '->', value)
merged = {**d, 'z': 26}
print(merged, dict(a=1, b=2), dict([('x', 1), ('y', 2)]))
nested = {'layer1': {'W': [1, 2]}, 'layer2': {'W': [3]}}
print(nested['layer1']['W'][1], len(nested))
try:
    d['missing']
except KeyError as e:
    print('KeyError', e)
print({1: 'one', 1.0: 'float one', True: 'true'}, {(1, 2): 'pair'}[(1, 2)])
copy = dict(d)
copy['new'] = 1
print('new' in d, 'new' in copy, d == {'a': 10, 'c': 3, 'd': 4})
