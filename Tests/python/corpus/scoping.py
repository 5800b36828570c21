counter = 0


def increment():
    global counter
    counter += 1
    return counter


increment()
increment()
print(counter)


def make_counter():
    count = 0

    def step():
        nonlocal count
        count += 1
        return count
    return step


c1 = make_counter()
c2 = make_counter()
print(c1(), c1(), c1(), c2())


def make_multipliers():
    return [lambda x, k=k: x * k for k in range(3)]


print([f(10) for f in make_multipliers()])
x = 'global'


def show():
    x = 'local'
    def inner():
        return x
    return inner()


print(show(), x)


def broken():
    try:
        total = total + 1
    except UnboundLocalError:
        return "UnboundLocalError"
    return total


total = 5
print(broken())


def read_global():
    return total * 2


print(read_global())
squares = [i * i for i in range(4)]
print(squares, 'i' in dir())


def defaults(a, b=2, *args, c=3, **kw):
    return a, b, args, c, sorted(kw.items())


print(defaults(1), defaults(1, 5, 6, 7, c=8, d=9))


def append_to(item, target=None):
    if target is None:
        target = []
    target.append(item)
    return target


print(append_to(1), append_to(2))
