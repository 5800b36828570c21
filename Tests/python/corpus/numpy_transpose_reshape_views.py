import numpy as np
# x.T, transpose, reshape, ravel, squeeze and expand_dims are views in numpy: a change made
# through either name is seen through the other.
W = np.zeros((2, 3))
WT = W.T
W[0, 1] = 5.0
print(WT)
WT[2, 1] = -1.0
print(W)
WT *= 2
print(W)
img = np.arange(12.0).reshape(3, 4)
flat = img.reshape(-1)
flat[0] = 100.0
print(img[0])
r = np.ravel(img)
img[2, 3] = -7.0
print(r[-1])
col = np.expand_dims(img[:, 0], 1)
col[1, 0] = 55.0
print(img[:, 0])
sq = np.squeeze(img[None])
sq += 1
print(img[0, :2])
P = np.transpose(np.arange(24.0).reshape(2, 3, 4), (1, 0, 2))
P[0, 1, 2] = 0.5
print(P.shape, P[0, 1])
# Copies stay apart: flatten, copy, and a reshape of a transpose (numpy copies it).
A = np.arange(6.0).reshape(2, 3)
f = A.flatten()
c = A.T.reshape(-1)
k = A.T.copy()
A[0, 0] = 9.0
print(f[0], c[0], k[0, 0], A.T[0, 0])
# The transpose of a view of a view, written through to the start.
M = np.zeros((3, 3))
M[1:].T[0, 1] = 4.0
print(M)
