import numpy as np


class Timer:
    def __init__(self, label):
        self.label = label

    def __enter__(self):
        print('enter', self.label)
        return self

    def __exit__(self, exc_type, exc, tb):
        print('exit', self.label)
        return False


with Timer('block') as t:
    print('inside', t.label)
values = [1, 2.0, 'three', [4], (5,), {6: 6}, {7}, None, True, np.zeros(2)]
for v in values:
    print(type(v).__name__ if not isinstance(v, np.ndarray) else 'ndarray', isinstance(v, (int, float)), bool(v) if not isinstance(v, np.ndarray) else v.size)
print(type([]) == list, type({}) is dict, type(1) == int, type('') != str)
print(isinstance(np.ones(3), np.ndarray), isinstance([1], np.ndarray))
d = {'a': 1, 'b': 2}
print(d.keys(), d.values(), d.items())
print(len(d.keys()), 'a' in d.keys(), list(reversed([1, 2, 3])))
