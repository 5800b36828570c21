import numpy as np


def softmax(a):
    c = np.max(a)
    exp_a = np.exp(a - c)
    return exp_a / np.sum(exp_a)


def softmax_batch(x):
    x = x - np.max(x, axis=1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)


a = np.array([1010, 1000, 990])
y = softmax(a)
print(y)
print(np.sum(y))
s = np.array([0.3, 2.9, 4.0])
p = softmax(s)
for k in range(3):
    print(f"class {k}: {p[k]:.6f}")
print(softmax_batch(np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])))
print(np.argmax(p), float(np.max(p)))
