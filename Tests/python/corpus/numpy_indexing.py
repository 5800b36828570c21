import numpy as np

x = np.arange(12).reshape(3, 4)
print(x)
print(x[0], x[-1], x[1, 2], x[1][2], x[:, 0], x[:, -1])
print(x[0:2, 1:3], x[::2, ::-1], x[:, 1:2].shape, x[None, 0].shape)
print(x[[0, 2]], x[[0, 2], [1, 3]], x[np.arange(3), np.array([0, 1, 2])])
x[0, 0] = 100
x[1] = -1
x[:, 3] = 0
print(x)
y = np.arange(5.0)
y[1:4] = 9
y[[0, 4]] = -1
print(y)
z = np.zeros((2, 3))
z[0, :] = [1, 2, 3]
z[1] += 10
print(z)
idx = np.array([2, 0, 1])
print(np.array([10, 20, 30])[idx])
t = np.array([2, 0, 1])
onehot = np.zeros((3, 3))
onehot[np.arange(3), t] = 1
print(onehot)
print(np.where(np.array([1, -2, 3]) > 0)[0])

# Ellipsis: every axis the other entries leave out.
cube = np.arange(24).reshape(2, 3, 4)
print(cube[..., 0])
print(cube[..., :1].shape, cube[0, ...].shape, cube[:, ..., 1].shape, cube[...].shape, cube[..., None].shape)
cube[..., 0] = -1
print(int(cube.sum()), ...)
