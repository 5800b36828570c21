a = {1, 2, 3, 4}
b = {3, 4, 5}
print(sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b))
print(sorted(a.union(b)), sorted(a.intersection(b)), sorted(a.difference(b)))
a.add(10)
a.discard(1)
a.remove(2)
print(sorted(a), 3 in a, 1 in a, len(a))
print({1, 2} <= {1, 2, 3} if False else {1, 2}.issubset({1, 2, 3}), {1, 2, 3}.issuperset({2}))
seen = set()
dups = []
for x in [3, 1, 3, 2, 1, 5]:
    if x in seen:
        dups.append(x)
    seen.add(x)
print(dups, sorted(seen), set(), len(set("mississippi")))
evens = {x for x in range(10) if x % 2 == 0}
print(sorted(evens), {1, 2} == {2, 1})
try:
    a.remove(99)
except KeyError:
    print("KeyError for 99")
