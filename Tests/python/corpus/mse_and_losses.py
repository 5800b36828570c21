import numpy as np


def mse(y, t):
    return np.mean((y - t) ** 2)


def mae(y, t):
    return np.mean(np.abs(y - t))


def binary_cross_entropy(p, t, eps=1e-12):
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


def hinge(scores, y, delta=1.0):
    margins = np.maximum(0, scores - scores[y] + delta)
    margins[y] = 0
    return np.sum(margins)


y = np.array([2.5, 0.0, 2.0, 8.0])
t = np.array([3.0, -0.5, 2.0, 7.0])
print(mse(y, t), mae(y, t))
p = np.array([0.9, 0.2, 0.7])
labels = np.array([1, 0, 1])
print(f"{binary_cross_entropy(p, labels):.10f}")
scores = np.array([3.2, 5.1, -1.7])
print(round(float(hinge(scores, 0)), 10))
S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])
losses = [hinge(S[:, i], i) for i in range(3)]
print([round(float(l), 10) for l in losses], round(float(np.mean(losses)), 10))
