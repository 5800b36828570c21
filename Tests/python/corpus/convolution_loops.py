import numpy as np


def conv2d(x, w, stride=1, pad=0):
    if pad > 0:
        x = np.pad(x, pad) if False else np.concatenate([np.zeros((pad, x.shape[1])), x, np.zeros((pad, x.shape[1]))])
        x = np.concatenate([np.zeros((x.shape[0], pad)), x, np.zeros((x.shape[0], pad))], axis=1)
    H, W = x.shape
    kh, kw = w.shape
    out_h = (H - kh) // stride + 1
    out_w = (W - kw) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[i, j] = np.sum(patch * w)
    return out


def max_pool(x, size=2):
    H, W = x.shape
    out = np.zeros((H // size, W // size))
    for i in range(0, H - size + 1, size):
        for j in range(0, W - size + 1, size):
            out[i // size, j // size] = np.max(x[i:i + size, j:j + size])
    return out


image = np.arange(25).reshape(5, 5)
kernel = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
feature = conv2d(image, kernel)
print(feature)
print(conv2d(image, kernel, pad=1).shape, conv2d(image, kernel, stride=2, pad=1))
print(max_pool(np.array([[1, 3, 2, 1], [4, 6, 5, 0], [3, 1, 1, 2], [0, 2, 4, 8]])))
edges = np.array([[-1, 0, 1]] * 3)
print(conv2d(np.tile(np.arange(4.0), (4, 1)) if False else np.array([np.arange(4.0)] * 4), edges))
