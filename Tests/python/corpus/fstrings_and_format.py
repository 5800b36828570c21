x = 3.14159265
n = 42
name = 'Ada'
acc = 0.8734
print(f"{x:.3f} {x:.0f} {x:10.2f}| {x:<10.2f}| {x:^10.2f}| {x:+.2f}")
print(f"{acc:.1%} {acc:%} {0.5:.0%}")
print(f"{n:4d}|{n:<4d}|{n:^6d}|{n:04d}|{n:+d}|{-n:5d}|{n:x}|{n:X}|{n:o}|{n:b}|{n:#x}")
print(f"{1234567:,} {1234567.891:,.2f} {1234567:_}")
print(f"{x:e} {x:.2e} {123456.0:E} {x:g} {0.00001234:g} {123456789.0:g}")
print(f"{name!r} {name!s} {name:>6} {name:*^9} {name:.2}")
print(f"{n=} {x=:.2f} {name = }")
print(f"{'nested ' + name}{n * 2}{[1, 2][0]}{ {'a': 1}['a'] }")
width, prec = 8, 3
print(f"{x:{width}.{prec}f}|")
print(f"{{literal}} {n}")
print("{} + {} = {}".format(1, 2, 1 + 2))
print("{0} {1} {0}".format('a', 'b'), "{name} is {age}".format(name='Bo', age=7))
print("{:>8.3f}|{:<5}|{:^7}|".format(x, 'ab', 'mid'))
print("{0[0]} {0[1]}".format([5, 6]), "{p[k]}".format(p={'k': 'v'}))
print(format(0.5, '.2f'), format(255, 'x'), format(3, '03d'), format('s', '>3'))
print(f"{True} {None} {[1, 2]} {(1,)} {3.0}")
print(f"{1e-7:.2e}", f"{-0.0:.1f}", f"{2.5:.0f}", f"{3.5:.0f}")
