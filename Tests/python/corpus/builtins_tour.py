import math
print(math.sqrt(16), math.floor(2.7), math.ceil(2.1), math.log(math.e), math.exp(0), math.pi)
print(math.factorial(5), math.gcd(12, 18), math.isclose(0.1 + 0.2, 0.3), math.inf > 1e308, math.log(8, 2), math.log10(100))
print(abs(-2), 10 % 3, 2 ** 0.5, math.hypot(3, 4), math.fabs(-1), math.trunc(-2.5))
x = [3, 1, 2]
y = x.copy()
y.sort()
print(x, y, sorted(x, reverse=True), x[::-1], list(reversed(x)))
print(any([]), all([]), sum([]), len(''), min('bca'), max(1, 2, key=lambda v: -v))
print(list(range(10, 0, -3)), list(range(-5)), range(3)[1], len(range(0, 10, 3)))
print(str(None), str(True), repr(None), int(True), float(False))
s = 'x'
s += 'y'
s *= 2
print(s, s.upper().lower(), s * 0, s[1:100])
t = (1, 2, 3)
print(t + (4,), t * 2, t[1:], t.count(2), t.index(3), len(t), 2 in t, min(t), sum(t))
print(divmod(-9, 4), -9 // 4, -9 % 4, 9 // -4, 2 ** -2, 0.1 * 3, 1e3, 1.0e-3, 5e-324 > 0)
print(int(2.9999), int(-0.5), round(-2.5), round(0.1 + 0.2, 1), round(1.005, 2), round(7.5), round(-7.5))
print(f"{12345.6789:,.2f}", f"{0.000123:.2e}", f"{'left':<8}|", f"{3:>3}", f"{-3.14159:+.3f}")
print(chr(65) + chr(66), ord('z') - ord('a'), 'abc'.index('c'), 'a-b-c'.split('-', 1))
nested = {'a': [1, 2, {'b': (3, 4)}]}
print(nested, nested['a'][2]['b'][1])
print([i for i in range(3)] == list(range(3)), [1, 2] != [2, 1], (1, 2) < (1, 3), 'abc' < 'abd')
print(1 < 2 < 3, 3 > 2 > 2, 1 == 1.0 == True, None is None, [] is [])
a = b = []
a.append(1)
print(a, b, a is b)
