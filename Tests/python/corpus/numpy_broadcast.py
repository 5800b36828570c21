import numpy as np

X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
mu = X.mean(axis=0)
sigma = X.std(axis=0)
Z = (X - mu) / sigma
print(mu, sigma)
print(Z)
print(Z.mean(axis=0), Z.std(axis=0))
row = np.array([10, 20])
col = np.array([[1], [2], [3]])
print(X + row, X * col, col + row)
print(X / X.sum(axis=1, keepdims=True))
W = np.array([[0.5, -1.0, 0.25], [1.0, 0.0, -0.5]])
b = np.array([0.1, 0.2, 0.3])
print(np.dot(X, W) + b)
dists = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2))
print(dists)
