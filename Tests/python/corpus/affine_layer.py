import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        out = np.dot(x, self.W) + self.b
        return out

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx


W = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
b = np.array([0.01, 0.02, 0.03])
layer = Affine(W, b)
x = np.array([[1.0, 2.0], [3.0, 4.0]])
out = layer.forward(x)
print(out.shape)
print(out)
dx = layer.backward(np.ones_like(out))
print(dx)
print(layer.dW)
print(layer.db)
