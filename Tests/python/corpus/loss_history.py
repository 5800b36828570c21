import numpy as np

X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
y = np.array([1.0, 1.0, 0.0, 0.0])
w = np.array([0.1, -0.2])
b = 0.0
lr = 0.5
history = []
for epoch in range(5):
    z = X @ w + b
    p = 1 / (1 + np.exp(-z))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    history.append(loss)
    dz = (p - y) / len(y)
    w -= lr * (X.T @ dz)
    b -= lr * dz.sum()
print(history)
print(history[-1] < history[0], min(history) == history[-1], len(history))
print([round(float(h), 4) for h in history])
print(w, b)
best_epoch = int(np.argmin(history))
print(best_epoch, history[best_epoch])
