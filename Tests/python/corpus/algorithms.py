def is_prime(n):
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True


print([n for n in range(30) if is_prime(n)])


def sieve(limit):
    flags = [True] * (limit + 1)
    flags[0] = flags[1] = False
    for p in range(2, int(limit ** 0.5) + 1):
        if flags[p]:
            for m in range(p * p, limit + 1, p):
                flags[m] = False
    return [i for i, f in enumerate(flags) if f]


print(sieve(50), len(sieve(10000)))


def bubble_sort(xs):
    xs = list(xs)
    n = len(xs)
    for i in range(n):
        swapped = False
        for j in range(n - 1 - i):
            if xs[j] > xs[j + 1]:
                xs[j], xs[j + 1] = xs[j + 1], xs[j]
                swapped = True
        if not swapped:
            break
    return xs


print(bubble_sort([5, 1, 4, 2, 8, 0]))


def binary_search(xs, target):
    lo, hi = 0, len(xs) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if xs[mid] == target:
            return mid
        elif xs[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


data = list(range(0, 100, 7))
print(binary_search(data, 49), binary_search(data, 50))


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


print(gcd(48, 18), gcd(17, 5), 48 * 18 // gcd(48, 18))
collatz, n = [], 27
while n != 1:
    n = n // 2 if n % 2 == 0 else 3 * n + 1
    collatz.append(n)
print(len(collatz), max(collatz))
