import numpy as np

losses = [np.float64(0.5), np.sum(np.array([0.25, 0.5])), np.mean(np.array([1.0, 2.0]))]
running = 0
history = []
for loss in losses:
    running += loss
    history.append(running)
print([float(h) for h in history])
best = np.max(np.array([1.0, 3.0]))
record = best
best += 10
print(record, best)
x = np.array([1.0, 2.0, 3.0])
first = x[0]
first += 100
print(x, first)
acc = np.zeros(2)
snapshots = []
for step in range(3):
    acc += 1
    snapshots.append(acc.copy())
print(snapshots[0], snapshots[2], acc)
total = np.sum(x)
totals = [total]
total *= 2
print(float(totals[0]), total)
