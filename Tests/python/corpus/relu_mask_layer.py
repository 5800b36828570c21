# "Deep learning from scratch" style ReLU layer: the mask remembers where x <= 0.
import numpy as np


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout
        return dx


x = np.array([[1.0, -0.5], [-2.0, 3.0]])
relu = Relu()
out = relu.forward(x)
print(out)
print(relu.mask)
dx = relu.backward(np.array([[10.0, 20.0], [30.0, 40.0]]))
print(dx)
print(x)  # the input is untouched: forward worked on a copy
