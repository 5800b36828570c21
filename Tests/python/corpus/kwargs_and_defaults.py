def describe(name, *, unit='kg', precision=2, **extra):
    parts = [f"{name}: unit={unit} precision={precision}"]
    for key in sorted(extra):
        parts.append(f"{key}={extra[key]}")
    return '; '.join(parts)


print(describe('mass'))
print(describe('temp', unit='C', precision=1, source='sensor', valid=True))
try:
    describe('x', 'y')
except TypeError:
    print('TypeError: positional argument refused')


def config(**kwargs):
    defaults = {'lr': 0.01, 'epochs': 10}
    defaults.update(kwargs)
    return defaults


print(config(), config(lr=0.1), config(**{'epochs': 3, 'batch': 32}))


def f(a, b=2, *rest, **kw):
    return (a, b, rest, kw)


print(f(1), f(1, 3), f(1, 3, 5, 7), f(a=9, b=8), f(1, c=3))
args = (10, 20)
kwargs = {'z': 1}
print(f(*args, **kwargs))
try:
    f()
except TypeError:
    print('TypeError: missing argument')
try:
    f(1, a=2)
except TypeError:
    print('TypeError: multiple values')
