"""Every Keras layer's forward in the installed kernel against a reference computed here with
numpy, from the same weights and inputs (set with set_weights): Dense, Conv2D ('valid' and
'same', strides), MaxPooling2D / AveragePooling2D, Flatten, Dropout, BatchNormalization
(training and inference statistics), Activation, SimpleRNN and LSTM."""
import json

import numpy as np
import pytest

from conftest import run

RNG = np.random.default_rng(7)


def lit(a):
    return json.dumps(np.asarray(a, dtype=float).tolist())


def nabla_values(kc, code):
    """Runs code whose last line prints tolist(...) of a tensor; returns it as an array."""
    reply, outputs = run(kc, code, timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    text = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")
    return np.array(json.loads(text.strip().splitlines()[-1]))


def forward(kc, layer, input_shape, weights, x, training=False):
    code = (f"layer = {layer[:-1]}{', ' if layer[-2] != '(' else ''}input_shape={tuple(input_shape)})\n"
            f"model = Sequential([layer])\n"
            + (f"layer.set_weights([{', '.join(lit(w) for w in weights)}])\n" if weights else "")
            + f"print(tolist(model({lit(x)}, training={training})))")
    return nabla_values(kc, code)


def pads(n, k, s, same):
    if not same:
        return (n - k) // s + 1, 0
    out = -(-n // s)
    return out, max((out - 1) * s + k - n, 0) // 2


def conv_ref(x, K, b, s, same):
    n, h, w, c = x.shape
    kh, kw, _, f = K.shape
    oh, pt = pads(h, kh, s, same)
    ow, pl = pads(w, kw, s, same)
    xp = np.zeros((n, h + 2 * kh, w + 2 * kw, c))
    xp[:, kh:kh + h, kw:kw + w] = x
    out = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            r, q = i * s - pt + kh, j * s - pl + kw
            out[:, i, j] = np.tensordot(xp[:, r:r + kh, q:q + kw], K, axes=([1, 2, 3], [0, 1, 2]))
    return out + b


def pool_ref(x, k, s, same, op):
    n, h, w, c = x.shape
    oh, pt = pads(h, k, s, same)
    ow, pl = pads(w, k, s, same)
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, q0 = max(i * s - pt, 0), max(j * s - pl, 0)
            win = x[:, r0:min(i * s - pt + k, h), q0:min(j * s - pl + k, w)]
            out[:, i, j] = op(win, axis=(1, 2))
    return out


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_dense_and_activation(kernel):
    _, kc = kernel
    x, W, b = RNG.normal(size=(4, 5)), RNG.normal(size=(5, 3)), RNG.normal(size=3)
    assert np.allclose(forward(kc, "Dense(3, activation='relu')", [5], [W, b], x), np.maximum(x @ W + b, 0), atol=1e-12)
    assert np.allclose(forward(kc, "Dense(3, activation='tanh', use_bias=False)", [5], [W], x), np.tanh(x @ W), atol=1e-12)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    assert np.allclose(forward(kc, "Activation('softmax')", [5], [], x), e / e.sum(axis=1, keepdims=True), atol=1e-12)


@pytest.mark.parametrize("stride,padding", [(1, "valid"), (1, "same"), (2, "same"), (2, "valid")])
def test_conv2d(kernel, stride, padding):
    _, kc = kernel
    x, K, b = RNG.normal(size=(2, 7, 6, 3)), RNG.normal(size=(3, 3, 3, 4)), RNG.normal(size=4)
    got = forward(kc, f"Conv2D(4, (3, 3), strides={stride}, padding='{padding}', activation='relu')", [7, 6, 3], [K, b], x)
    assert np.allclose(got, np.maximum(conv_ref(x, K, b, stride, padding == "same"), 0), atol=1e-12)


@pytest.mark.parametrize("kind,op", [("MaxPooling2D", np.max), ("AveragePooling2D", np.mean)])
@pytest.mark.parametrize("size,stride,padding", [(2, None, "valid"), (3, 2, "same"), (2, 1, "valid")])
def test_pooling(kernel, kind, op, size, stride, padding):
    _, kc = kernel
    x = RNG.normal(size=(2, 7, 5, 3))
    got = forward(kc, f"{kind}({size}, strides={stride}, padding='{padding}')", [7, 5, 3], [], x)
    assert np.allclose(got, pool_ref(x, size, stride or size, padding == "same", op), atol=1e-12)


def test_flatten_and_dropout(kernel):
    _, kc = kernel
    x = RNG.normal(size=(2, 3, 4, 2))
    assert np.allclose(forward(kc, "Flatten()", [3, 4, 2], [], x), x.reshape(2, -1))
    # Dropout passes inputs through outside training; in training each value is 0 or x / (1 − rate).
    assert np.allclose(forward(kc, "Dropout(0.25)", [3, 4, 2], [], x), x)
    y = forward(kc, "Dropout(0.25)", [3, 4, 2], [], x, training=True)
    kept = y != 0
    assert np.allclose(y[kept], x[kept] / 0.75) and 0 < kept.sum() < x.size


def test_batch_normalization(kernel):
    _, kc = kernel
    x = RNG.normal(size=(6, 3, 4)) * 3 + 1
    gamma, beta, mm, mv = RNG.normal(size=4), RNG.normal(size=4), RNG.normal(size=4), RNG.uniform(0.5, 2, size=4)
    weights = [gamma, beta, mm, mv]
    inference = gamma * (x - mm) / np.sqrt(mv + 1e-3) + beta
    assert np.allclose(forward(kc, "BatchNormalization()", [3, 4], weights, x), inference, atol=1e-12)
    m, v = x.mean(axis=(0, 1)), x.var(axis=(0, 1))
    training = gamma * (x - m) / np.sqrt(v + 1e-3) + beta
    assert np.allclose(forward(kc, "BatchNormalization()", [3, 4], weights, x, training=True), training, atol=1e-12)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_simple_rnn_and_lstm(kernel, return_sequences):
    _, kc = kernel
    n, t, d, u = 3, 4, 5, 2
    x = RNG.normal(size=(n, t, d))
    W, U, b = RNG.normal(size=(d, u)), RNG.normal(size=(u, u)), RNG.normal(size=u)
    h, hs = np.zeros((n, u)), []
    for s in range(t):
        h = np.tanh(x[:, s] @ W + h @ U + b)
        hs.append(h)
    want = np.stack(hs, axis=1) if return_sequences else h
    rs = "True" if return_sequences else "False"
    assert np.allclose(forward(kc, f"SimpleRNN({u}, return_sequences={rs})", [t, d], [W, U, b], x), want, atol=1e-12)

    W, U, b = RNG.normal(size=(d, 4 * u)), RNG.normal(size=(u, 4 * u)), RNG.normal(size=4 * u)
    h, c, hs = np.zeros((n, u)), np.zeros((n, u)), []
    for s in range(t):
        z = x[:, s] @ W + h @ U + b
        i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    want = np.stack(hs, axis=1) if return_sequences else h
    assert np.allclose(forward(kc, f"LSTM({u}, return_sequences={rs})", [t, d], [W, U, b], x), want, atol=1e-12)
