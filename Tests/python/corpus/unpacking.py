a, b = 1, 2
a, b = b, a
print(a, b)
first, *rest = [1, 2, 3, 4]
*init, last = (1, 2, 3)
head, *middle, tail = "abcde"
print(first, rest, init, last, head, middle, tail)
(x, y), z = (1, 2), 3
print(x, y, z)
for i, (name, score) in enumerate([('a', 90), ('b', 80)]):
    print(i, name, score)
point = {'x': 3, 'y': 4}
for k, v in point.items():
    print(k, v)


def stats(values):
    return min(values), max(values), sum(values) / len(values)


lo, hi, mean = stats([3, 1, 4, 1, 5])
print(lo, hi, mean)


def total(*args, **kwargs):
    return sum(args) + sum(kwargs.values())


print(total(1, 2, 3), total(1, x=10, y=20), total(*[1, 2], **{'z': 3}))
print(*[1, 2, 3], sep=', ')
print([*range(3), *'ab'], (*[1], 2))
try:
    p, q = [1, 2, 3]
except ValueError as e:
    print("ValueError:", e)
