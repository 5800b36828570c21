# SoftmaxWithLoss, Dropout and a small network from "deep learning from scratch".
import numpy as np
from collections import OrderedDict


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


np.random.seed(1)
layers = OrderedDict()
layers['Affine1'] = Affine(0.1 * np.random.randn(3, 4), np.zeros(4))
layers['Dropout'] = Dropout(0.3)
layers['Affine2'] = Affine(0.1 * np.random.randn(4, 2), np.zeros(2))
last = SoftmaxWithLoss()
x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]])
t = np.array([1, 0])
for step in range(3):
    out = x
    for layer in layers.values():
        out = layer.forward(out)
    loss = last.forward(out, t)
    dout = last.backward()
    for layer in reversed(list(layers.values())):
        dout = layer.backward(dout)
    for name in ('Affine1', 'Affine2'):
        layers[name].W -= 0.5 * layers[name].dW
        layers[name].b -= 0.5 * layers[name].db
    print(step, f"{loss:.10f}", list(layers.keys()))
print(layers['Dropout'].mask.astype(int))
print(np.round(layers['Affine2'].W, 6))
print(layers['Dropout'].forward(np.ones(3), train_flg=False))
