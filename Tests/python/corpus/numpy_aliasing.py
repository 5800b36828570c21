import numpy as np

a = np.array([1.0, 2.0, 3.0])
b = a
b[0] = 99
print(a)
c = a.copy()
c[1] = -1
print(a, c)
d = np.array(a)
d += 1
print(a, d)
arrays = [np.zeros(2) for _ in range(2)]
for arr in arrays:
    arr += 5
print(arrays[0], arrays[1])
grads = {'W': np.ones(3)}
params = {'W': np.array([1.0, 2.0, 3.0])}
snapshot = params['W'].copy()
for k in params:
    params[k] -= 0.5 * grads[k]
print(params['W'], snapshot)
m = np.zeros((2, 2))
row = m[0]
row2 = m[0].copy()
m[0, 0] = 7
print(m, row2)
x = np.array([1.0, 2.0])
y = x * 1
y[0] = 0
print(x, y)
