class Layer:
    def __init__(self, name):
        self.name = name
        self.params = {}

    def forward(self, x):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}({self.name})"


class Scale(Layer):
    def __init__(self, name, k):
        super().__init__(name)
        self.k = k

    def forward(self, x):
        return [self.k * v for v in x]


class Shift(Scale):
    def __init__(self, name, k, s):
        super().__init__(name, k)
        self.s = s

    def forward(self, x):
        return [v + self.s for v in super().forward(x)]


layers = [Scale("double", 2), Shift("affine", 3, 1)]
x = [1, 2, 3]
for layer in layers:
    x = layer.forward(x)
    print(layer, x)
print(isinstance(layers[1], Scale), isinstance(layers[0], Shift), issubclass(Shift, Layer))
try:
    Layer("base").forward([1])
except NotImplementedError:
    print("base layer has no forward")


class A:
    def who(self):
        return "A"


class B(A):
    def who(self):
        return "B" + super().who()


class C(A):
    def who(self):
        return "C" + super().who()


class D(B, C):
    def who(self):
        return "D" + super().who()


print(D().who(), [k.__name__ for k in D.__mro__])
