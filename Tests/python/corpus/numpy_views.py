import numpy as np
a = np.arange(10)
b = a[2:5]
b[0] = 100
print(a)
a[3] = -1
print(b)
b += 1000
print(a, b)
X = np.array([[1.0, 3.0], [2.0, 2.0]])
for row in X:
    row /= row.sum()
print(X)
col = X[:, 0]
col *= 10
print(X, col)
r = X[1]
r2 = X[1].copy()
X[1, 1] = 7
print(r, r2)
c = a[::2]
a[:] = 0
print(c)
def zero_first(v):
    v[0] = 0
m = np.ones((2, 3))
zero_first(m[1])
print(m)
t = np.zeros(3)
t_first = t[0]
t_first += 5
print(t, t_first)
import numpy as np
X = np.ones((2, 2))
for i, row in enumerate(X):
    row *= i + 2
print(X)
for a, b in zip(X, X):
    a += 1
print(X)
print(list(X)[0])
