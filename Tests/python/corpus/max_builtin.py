# Python's builtin max compares its arguments; it never takes the second as an axis.
import numpy as np

x = np.array(3.5)
print(max(0, 2), max(0, -2), min(5, 1, 3))
print(max(0.0, -1.5), max([4, 9, 2]), min((7, 3, 8)))
print(max(0, float(x)), max(0, -float(x)))
scores = {'alice': 91, 'bob': 78, 'carol': 85}
print(max(scores, key=scores.get), min(scores, key=lambda k: scores[k]))
words = ['pear', 'fig', 'banana']
print(max(words, key=len), min(words), max(words))
print(max([], default=-1), max(3, 3.0), max([1, 2], [1, 3]))
losses = [0.9, 0.4, 0.7]
best = min(range(len(losses)), key=lambda i: losses[i])
print(best, losses[best])
v = np.array([1.0, 5.0, 2.0])
print(max(v), np.max(v), v.max())
print(max(abs(t) for t in [-7, 3, 5]))
try:
    max(0, v)
except ValueError as e:
    print("ValueError")
