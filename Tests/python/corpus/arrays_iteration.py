import numpy as np

X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
y = np.array([0, 1, 1])
for i, (row, label) in enumerate(zip(X, y)):
    print(i, row, label, row.sum() * label)
total = 0.0
for value in X.flatten():
    total += value
print(total, float(X.sum()), X.sum() == total)
print([float(v) for v in X[:, 0]], y.tolist())
norms = [np.sqrt(np.sum(r ** 2)) for r in X]
print([round(float(n), 6) for n in norms])
print(sorted(X[:, 1].tolist(), reverse=True))
print(np.unique(np.array([3, 1, 3, 2, 1])), len(X), X.shape[0])
print(np.where(y == 1, X[:, 0], -X[:, 1]))
best = None
for r in X:
    if best is None or r[1] > best[1]:
        best = r
print(best, int(np.argmax(X[:, 1])))
