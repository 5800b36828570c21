def make_optimizer(lr):
    history = []

    def step(param, grad):
        new = param - lr * grad
        history.append(new)
        return new

    def report():
        return f"{len(history)} steps, last {history[-1]:.4f}"

    return step, report


step, report = make_optimizer(0.1)
p = 1.0
for _ in range(5):
    p = step(p, 2 * p)
print(report(), round(p, 10))


def apply_n(f, n):
    def g(x):
        for _ in range(n):
            x = f(x)
        return x
    return g


print(apply_n(lambda v: v * 2, 10)(1), apply_n(str.upper, 1)('ok'))


def outer():
    items = []

    def add(x):
        items.append(x)
        return len(items)
    add(1)
    add(2)
    return items


print(outer())


def counter_gen():
    count = 0

    def inc(by=1):
        nonlocal count
        count += by
        return count
    return inc


inc = counter_gen()
inc()
inc(5)
print(inc(0))
funcs = {}
for name in ['a', 'b']:
    def f(n=name):
        return n * 2
    funcs[name] = f
print({k: v() for k, v in funcs.items()})
