import numpy as np


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]


class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {}
            for key, val in params.items():
                self.v[key] = np.zeros_like(val)
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


def grad_f(p):
    return {'x': p['x'] / 10.0, 'y': 2.0 * p['y']}


for opt in [SGD(lr=0.9), Momentum(lr=0.1)]:
    params = {'x': np.array(-7.0), 'y': np.array(2.0)}
    path = []
    for i in range(30):
        path.append((float(params['x']), float(params['y'])))
        opt.update(params, grad_f(params))
    print(type(opt).__name__, f"{float(params['x']):.6f} {float(params['y']):.6f}", len(path))
    print([f"{px:.3f}" for px, _ in path[:4]])
