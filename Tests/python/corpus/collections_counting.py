from collections import defaultdict, Counter
words = "a b a c b a".split()
counts = Counter(words)
print(counts.most_common(2), counts['a'], counts['z'])
dd = defaultdict(list)
for i, w in enumerate(words):
    dd[w].append(i)
print(dict(dd), dd['q'])
dd2 = defaultdict(int)
for w in words:
    dd2[w] += 1
print(sorted(dd2.items()))
from collections import OrderedDict
od = OrderedDict()
od['z'] = 1
od['a'] = 2
print(od, list(od.keys()), Counter('mississippi'))
c = Counter()
c.update(['x', 'y', 'x'])
print(c, c.total(), sorted(c.elements()))
graph = defaultdict(set)
for u, v in [(1, 2), (1, 3), (2, 3)]:
    graph[u].add(v)
    graph[v].add(u)
print({k: sorted(vs) for k, vs in sorted(graph.items())})
print(str(None), int('7'), float(' 2.5 '), list(()), type(None).__name__)
