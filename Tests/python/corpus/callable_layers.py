import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W = np.array(W, dtype=float)
        self.b = np.array(b, dtype=float)

    def __call__(self, x):
        return x @ self.W + self.b


class ReLU:
    def __call__(self, x):
        return np.maximum(0, x)


class Sequential:
    def __init__(self, *layers):
        self.layers = list(layers)

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]


net = Sequential(Linear([[1, -1], [2, 0.5]], [0, -1]), ReLU(), Linear([[1], [1]], [0.5]))
x = np.array([[1.0, 2.0], [-1.0, 0.5]])
print(net(x))
print(len(net), type(net[1]).__name__, callable(net), callable(3))
hidden = net[0](x)
print(hidden, net[1](hidden))
