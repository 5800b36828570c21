def countdown(n):
    while n > 0:
        yield n
        n -= 1


print(list(countdown(5)))
for v in countdown(3):
    print('tick', v)


def batches(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


print(list(batches(list(range(7)), 3)))


def fib(limit):
    a, b = 0, 1
    while a < limit:
        yield a
        a, b = b, a + b


print(list(fib(100)), sum(fib(1000)))
gen = (x * x for x in range(5))
print(next(gen), next(gen), list(gen))
print(sum(x for x in range(101)), any(x > 3 for x in [1, 5]), all(x > 0 for x in [1, -1]))
print(max(len(w) for w in ['a', 'abc', 'ab']), sorted(x % 3 for x in range(6)))
it = iter([10, 20])
print(next(it), next(it), next(it, 'end'))


def pairs(xs):
    yield from zip(xs, xs[1:])


print(list(pairs([1, 2, 3, 4])))
evens = [n for n in range(20) if n % 2 == 0 if n % 3 == 0]
print(evens, [(i, j) for i in range(3) for j in range(i)])
print(dict((k, len(k)) for k in ['ab', 'c']))
