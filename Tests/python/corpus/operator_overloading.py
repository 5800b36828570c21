class Vector:
    def __init__(self, *components):
        self.c = list(components)

    def __add__(self, other):
        return Vector(*[a + b for a, b in zip(self.c, other.c)])

    def __sub__(self, other):
        return Vector(*[a - b for a, b in zip(self.c, other.c)])

    def __mul__(self, k):
        return Vector(*[a * k for a in self.c])

    def __rmul__(self, k):
        return self * k

    def __neg__(self):
        return self * -1

    def __eq__(self, other):
        return isinstance(other, Vector) and self.c == other.c

    def __len__(self):
        return len(self.c)

    def __getitem__(self, i):
        return self.c[i]

    def __setitem__(self, i, v):
        self.c[i] = v

    def __iter__(self):
        return iter(self.c)

    def __contains__(self, v):
        return v in self.c

    def __abs__(self):
        return sum(a * a for a in self.c) ** 0.5

    def __lt__(self, other):
        return abs(self) < abs(other)

    def __repr__(self):
        return "Vector(" + ", ".join(str(a) for a in self.c) + ")"


u = Vector(1, 2)
v = Vector(3, 4)
print(u + v, v - u, u * 3, 2 * u, -u)
print(u == Vector(1, 2), u == v, u != v, len(u), u[1], abs(v))
u[0] = 10
print(u, list(v), 4 in v, 5 in v, sorted([v, Vector(1, 1), u]))
print(max([v, Vector(0, 1)]), [x * 2 for x in v])


class Money:
    def __init__(self, cents):
        self.cents = cents

    def __add__(self, other):
        if isinstance(other, int):
            return Money(self.cents + other)
        return Money(self.cents + other.cents)

    __radd__ = __add__

    def __str__(self):
        return f"${self.cents / 100:.2f}"

    def __bool__(self):
        return self.cents != 0


print(sum([Money(150), Money(275)], Money(0)), bool(Money(0)), bool(Money(1)))
