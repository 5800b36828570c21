import numpy as np


def f(W):
    return np.sum(W ** 3) / 3.0


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    for i in range(x.size):
        idx = np.unravel_index(i, x.shape) if False else None
        row, col = divmod(i, x.shape[1])
        tmp = x[row, col]
        x[row, col] = tmp + h
        f1 = f(x)
        x[row, col] = tmp - h
        f2 = f(x)
        grad[row, col] = (f1 - f2) / (2 * h)
        x[row, col] = tmp
    return grad


W = np.array([[1.0, -2.0], [0.5, 3.0]])
num = numerical_gradient(f, W)
ana = W ** 2
print(np.round(num, 5))
print(ana)
rel = np.max(np.abs(num - ana) / np.maximum(np.abs(num), np.abs(ana)))
print(rel < 1e-6, np.allclose(num, ana, atol=1e-6))
