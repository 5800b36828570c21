import numpy as np


def numerical_diff(f, x):
    h = 1e-4
    return (f(x + h) - f(x - h)) / (2 * h)


def function_1(x):
    return 0.01 * x ** 2 + 0.1 * x


def _numerical_gradient_no_batch(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in range(x.size):
        tmp_val = x[idx]
        x[idx] = tmp_val + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
    return grad


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x
    for i in range(step_num):
        grad = _numerical_gradient_no_batch(f, x)
        x -= lr * grad
    return x


print(round(numerical_diff(function_1, 5), 6))
print(round(numerical_diff(function_1, 10), 6))
f2 = lambda x: x[0] ** 2 + x[1] ** 2
print(_numerical_gradient_no_batch(f2, np.array([3.0, 4.0])))
init_x = np.array([-3.0, 4.0])
result = gradient_descent(f2, init_x=init_x, lr=0.1, step_num=100)
print(f"{result[0]:.6e} {result[1]:.6e}")
print(init_x is result)
