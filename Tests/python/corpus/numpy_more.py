import numpy as np

X = np.array([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0]])
y = np.array([3.1, 4.9, 7.2, 8.8])
theta = np.linalg.inv(X.T @ X) @ X.T @ y
print(np.round(theta, 6))
print(np.round(np.linalg.solve(X.T @ X, X.T @ y), 6))
A = np.array([[2.0, 1.0], [1.0, 3.0]])
print(round(float(np.linalg.det(A)), 10), np.round(np.linalg.inv(A) @ A, 10))
img = np.arange(9.0).reshape(3, 3)
print(np.pad(img, 1))
print(np.pad(np.array([1.0, 2.0]), (2, 1)))
print(np.tile(np.array([1, 2]), 3), np.tile(np.array([1, 2]), (2, 2)))
print(np.repeat(np.array([1, 2, 3]), 2), np.repeat(np.array([[1, 2], [3, 4]]), 2, axis=0))
print(np.median(np.array([3.0, 1.0, 2.0, 10.0])), np.median(img, axis=0), np.percentile(np.arange(11.0), 25))
print(np.diff(np.array([1.0, 4.0, 9.0, 16.0])), np.flip(np.arange(4)), np.flip(img, axis=1))
xx, yy = np.meshgrid(np.array([0.0, 1.0, 2.0]), np.array([10.0, 20.0]))
print(xx, yy)
print(np.column_stack((np.ones(3), np.arange(3))))
