def naturals():
    n = 0
    while True:
        yield n
        n += 1

g = naturals()
print(next(g), next(g), next(g))
for k, sq in zip(range(5), (x for x in [0, 1, 4, 9, 16, 25])):
    print(k, sq, end='; ')
print()
for i, v in enumerate(naturals()):
    if i > 3:
        break
    print(v, end=' ')
print()
print(list(zip('abc', naturals())))
def take(n, it):
    out = []
    for x in it:
        if len(out) >= n:
            break
        out.append(x)
    return out
print(take(4, map(lambda x: x * x, naturals())))
print(take(3, filter(lambda x: x % 2, naturals())))
def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
import itertools
print(list(itertools.islice(fib(), 10)))
def gen_err():
    yield 1
    raise ValueError("boom")
try:
    for x in gen_err():
        print("got", x)
except ValueError as e:
    print("caught", e)
def inner():
    yield 1
    yield 2
def outer():
    yield 0
    yield from inner()
    yield 3
print(list(outer()))
def countdown(n):
    print("start")
    while n > 0:
        yield n
        n -= 1
c = countdown(3)
print("made")
print(list(c), list(c))
print(sum(x for x in range(10)))
import random
random.seed(1)
def rnd():
    while True:
        yield random.random()
r = rnd()
print(next(r), random.random(), next(r))
evens = itertools.islice(itertools.count(0, 2), 2, 6)
print(list(evens), list(itertools.islice(itertools.cycle('ab'), 5)), list(itertools.chain([1], (x for x in [2, 3]))))
print(list(itertools.repeat('x', 3)), next(itertools.count(1.5, 0.5)))
def windows(xs, n):
    it = iter(xs)
    window = []
    for x in it:
        window.append(x)
        if len(window) == n:
            yield tuple(window)
            window.pop(0)
print(list(windows(range(5), 3)))
