def factorial(n):
    return 1 if n <= 1 else n * factorial(n - 1)


print(factorial(10), factorial(20))
memo = {}


def fib(n):
    if n in memo:
        return memo[n]
    result = n if n < 2 else fib(n - 1) + fib(n - 2)
    memo[n] = result
    return result


print(fib(50), fib(90), len(memo))


def hanoi(n, src, dst, via, moves):
    if n == 0:
        return
    hanoi(n - 1, src, via, dst, moves)
    moves.append((src, dst))
    hanoi(n - 1, via, dst, src, moves)


moves = []
hanoi(4, 'A', 'C', 'B', moves)
print(len(moves), moves[:3])


def flatten(items):
    out = []
    for x in items:
        if isinstance(x, list):
            out.extend(flatten(x))
        else:
            out.append(x)
    return out


print(flatten([1, [2, [3, [4]], 5], []]))


def power_set(xs):
    if not xs:
        return [[]]
    rest = power_set(xs[1:])
    return rest + [[xs[0]] + r for r in rest]


print(sorted(power_set([1, 2, 3])))
