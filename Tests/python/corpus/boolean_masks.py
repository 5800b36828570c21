import numpy as np

v = np.array([-1, 2, -3, 4])
print(v[v > 0])
print(v > 0)
print((v > 0).sum(), np.sum(v < 0))
v[v < 0] = 0
print(v)
w = np.array([0.5, -1.5, 2.5, -3.5, 4.5])
big = np.abs(w) > 2
print(w[big], w[~big])
print(w[(w > 0) & (w < 3)], w[(w < -2) | (w > 4)])
m = np.array([[1, -2], [-3, 4]])
m[m < 0] *= 10
print(m)
print(m[m > 0].sum())
print(np.where(w > 0, w, 0.0))
print(np.count_nonzero(w > 0), len(w[w > 100]))
