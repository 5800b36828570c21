import numpy as np
# Row normalisation the textbook way: each row is a view, written back through its array.
X = np.arange(1.0, 13.0).reshape(4, 3)
for i, row in enumerate(X):
    X[i] = row / row.sum()
print(X.sum(axis=1))
# Strided and reversed slices, views of views, and writes on either side.
A = np.arange(24.0).reshape(4, 6)
every_other = A[:, ::2]
back = A[::-1, 1::3]
corner = every_other[1:3, 1:]
print(every_other)
print(back)
print(corner)
A[1, 2] = -5
print(corner, every_other[1])
corner[0, 0] = 99
print(A[1])
corner += 1
print(A[1:3])
# Transposes in products and arithmetic.
W = np.arange(6.0).reshape(2, 3)
x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
print(W.T @ W)
print(x.T @ x.T.T)
print(W.T * 2 - x)
print((W.T + np.array([10.0, 20.0])).sum(axis=0))
print(A[:, 1:4].T @ A[:, :3])
# Column blocks and single columns in products.
print(A[:3, :3] @ A[:3, 3])
print(A[2, :4] @ A[:, :2])
# A copy is its own; a view kept across many writes sees each one.
keep = A[0].copy()
first = A[0]
for j in range(6):
    A[0, j] = j * j
print(keep, first)
batches = [A[i:i + 2] for i in range(0, 4, 2)]
A[:] = 1
print(batches[0].sum(), batches[1].shape)
