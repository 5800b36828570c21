s = 0
for i in range(1000000):
    s += i * i
print(s)
print(7 // 2, -7 // 2, 7 // -2, 7 % 3, -7 % 3, 7 % -3, -7 % -3)
print(1 / 2, 6 / 3, 2 ** 10, 2 ** -1, 2 ** 62, -2 ** 2, (-2) ** 3)
print(divmod(17, 5), divmod(-17, 5), divmod(7.5, 2))
print(10 ** 18, 9223372036854775807, -9223372036854775807 - 1)
print(7.0 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2, 5 % 2.5)
print(abs(-3), abs(-3.5), int(3.99), int(-3.99), int("42"), int(" -17 "), int("ff", 16))
print(round(2.5), round(3.5), round(-0.5), round(0.125, 2), round(2.675, 2), round(1234, -2), round(1250, -2))
print(float(7), float("2.5"), float("inf"), float("-inf"), 3 * 1.0)
print(bool(0), bool(1), bool(0.0), bool(""), bool("a"), bool([]), bool([0]))
print(True + True, True * 3, 1 == 1.0, 0.1 + 0.2 == 0.3, abs(0.1 + 0.2 - 0.3) < 1e-9)
print(type(3).__name__, type(3.0).__name__, type(3 / 1).__name__, type(3 // 1).__name__, type(True).__name__)
print(isinstance(3, int), isinstance(3.0, int), isinstance(True, int), isinstance(3, (int, float)))
print(1 << 10, 1024 >> 3, 6 & 3, 6 | 3, 6 ^ 3, ~5)
n = 1
for k in range(1, 21):
    n *= k
print(n)
print(pow(2, 10), pow(3, 4, 5), pow(2.0, 0.5))
big = 2 ** 40
print(big * 1000 // big, big % 1000)
