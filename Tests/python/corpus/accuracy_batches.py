import numpy as np

x = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7], [0.55, 0.45]])
t = np.array([0, 1, 1, 1, 0])
batch_size = 2
accuracy_cnt = 0
for i in range(0, len(x), batch_size):
    x_batch = x[i:i + batch_size]
    p = np.argmax(x_batch, axis=1)
    accuracy_cnt += np.sum(p == t[i:i + batch_size])
print("Accuracy:" + str(float(accuracy_cnt) / len(x)))
print(accuracy_cnt, type(accuracy_cnt) is int or True)
train_size = x.shape[0]
iters = 3
for it in range(iters):
    start = (it * batch_size) % train_size
    batch = x[start:start + batch_size]
    print(it, batch.shape, np.round(batch.sum(), 6))
