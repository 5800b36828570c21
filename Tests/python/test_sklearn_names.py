"""The scikit-learn names data-preparation cells import, run by `nabla run`: train_test_split
with random_state splits as scikit-learn's ShuffleSplit does (numpy's
RandomState(random_state).permutation, the test rows first), load_digits is scikit-learn's
digits, and accuracy_score / confusion_matrix count as scikit-learn counts. The expectations
are computed here with numpy."""
import json
import subprocess

import numpy as np
import pytest

from test_corpus import NABLA


def nabla(tmp_path, code):
    program = tmp_path / "p.py"
    program.write_text(code)
    r = subprocess.run([str(NABLA), "run", str(program)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.mark.parametrize("n, test_size, seed", [(25, 0.2, 0), (25, 0.33, 42), (10, 3, 7), (1797, 0.25, 2**32 - 1)])
def test_train_test_split_takes_scikit_learns_rows(tmp_path, n, test_size, seed):
    out = nabla(tmp_path, "from sklearn.model_selection import train_test_split\nimport numpy as np\n"
                          f"x = np.arange({n})\na, b, c, d = train_test_split(x, x * 10, test_size={test_size}, random_state={seed})\n"
                          "print([int(v) for v in a]); print([int(v) for v in b]); print([int(v) for v in d])")
    train, test, ytest = (json.loads(line) for line in out.strip().splitlines())
    perm = np.random.RandomState(seed).permutation(n)
    n_test = int(np.ceil(test_size * n)) if test_size < 1 else int(test_size)
    assert test == perm[:n_test].tolist() and train == perm[n_test:].tolist()
    assert ytest == [10 * v for v in test]


def test_digits_and_metrics(tmp_path):
    out = nabla(tmp_path, "from sklearn.datasets import load_digits\nfrom sklearn.metrics import accuracy_score, confusion_matrix\n"
                          "d = load_digits()\nprint(list(d.data.shape), list(d.images.shape), int(d.target.sum()), float(d.images[5, 3, 4]) == float(d.data[5, 28]))\n"
                          "t, p = [0, 1, 2, 2, 1, 3], [0, 2, 2, 2, 1, 0]\n"
                          "print(accuracy_score(t, p), accuracy_score(t, p, normalize=False))\nprint(confusion_matrix(t, p).tolist())")
    lines = out.strip().splitlines()
    # 8070: the sum of scikit-learn's digits.target.
    assert lines[0] == "[1797, 64] [1797, 8, 8] 8070 True"
    assert lines[1] == f"{4 / 6} 4.0"
    t, p = [0, 1, 2, 2, 1, 3], [0, 2, 2, 2, 1, 0]
    expected = np.zeros((4, 4), int)
    for a, b in zip(t, p):
        expected[a, b] += 1
    assert json.loads(lines[2]) == expected.tolist()
