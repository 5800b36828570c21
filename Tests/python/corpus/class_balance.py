# Checking a dataset's class balance before training, as students do after loading labels.
import numpy as np

labels = np.array([2, 0, 1, 2, 2, 0, 1, 2, 0, 2])
classes, counts = np.unique(labels, return_counts=True)
for c, n in zip(classes, counts):
    print(f"class {int(c)}: {int(n)} samples ({n / len(labels):.0%})")
values, first, inverse = np.unique([5, 3, 5, 1], return_index=True, return_inverse=True)
print(values, first, inverse)
print(np.bincount(labels))
print(np.bincount([1, 1, 3], minlength=6))
print(np.bincount([0, 1, 1], weights=[0.5, 0.25, 0.25]))
majority = np.argmax(np.bincount(labels))
print("majority class:", int(majority), "baseline accuracy:", np.mean(labels == majority))
