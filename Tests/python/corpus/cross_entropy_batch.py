import numpy as np


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


def mean_squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)


t = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]
print(f"{mean_squared_error(np.array(y), np.array(t)):.6f}")
print(f"{cross_entropy_error(np.array(y), np.array(t)):.6f}")
y2 = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]
print(f"{mean_squared_error(np.array(y2), np.array(t)):.6f}")
Y = np.array([[0.1, 0.8, 0.1], [0.7, 0.2, 0.1]])
labels = np.array([1, 0])
print(round(float(cross_entropy_error(Y, labels)), 8))
T = np.array([[0, 1, 0], [1, 0, 0]])
print(round(float(cross_entropy_error(Y, T)), 8))
