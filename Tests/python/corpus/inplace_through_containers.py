# numpy's -= updates the array itself, so every alias sees it.
import numpy as np

W = np.array([[1.0, 2.0], [3.0, 4.0]])
b = np.array([0.5, -0.5])
params = [W, b]
grads = [np.ones((2, 2)), np.array([1.0, 1.0])]
lr = 0.1
for i in range(len(params)):
    params[i] -= lr * grads[i]
print(W)
print(b)
print(params[0] is W)

net = {'W1': np.zeros(3), 'b1': np.zeros(1)}
grad = {'W1': np.array([1.0, 2.0, 3.0]), 'b1': np.array([4.0])}
alias = net['W1']
for key in ('W1', 'b1'):
    net[key] -= 0.5 * grad[key]
print(alias, net['b1'])

a = np.arange(4.0)
c = a
c += 10
print(a)
d = a.copy()
d *= 2
print(a, d)
e = a
e = e + 1   # a new array: a keeps its values
print(a, e)


class Layer:
    def __init__(self):
        self.W = np.ones(2)
        self.dW = np.array([0.25, 0.5])


layer = Layer()
weights = layer.W
layer.W -= layer.dW
print(weights)
