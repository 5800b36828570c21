import numpy as np


def step_function(x):
    y = x > 0
    return y.astype(int)


def step_function2(x):
    return np.array(x > 0, dtype=int)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


x = np.array([-1.0, 1.0, 2.0])
print(step_function(x), step_function2(x))
print(sigmoid(x))
print(relu(x))
print(sigmoid(np.array([0.0])), sigmoid(0.0))
X = np.arange(-2.0, 2.5, 1.0)
print(X, step_function(X))


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = sigmoid(x)
        self.out = out
        return out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


s = Sigmoid()
print(s.forward(np.array([0.0, 2.0])))
print(s.backward(np.array([1.0, 1.0])))
