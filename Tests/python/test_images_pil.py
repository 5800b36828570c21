"""`glob`, `os.path` and `from PIL import Image` as the notes' load_data cell uses them: the same
program run by `nabla run` and by CPython with Pillow over images Pillow wrote (PNG in modes L,
LA, RGB, RGBA and JPEG), compared as the corpus compares. Every resampling filter, mode
conversions, `np.array(img)`, crop, save and reopen must give Pillow's numbers exactly."""
import subprocess
import sys

import numpy as np
import pytest

from conftest import run
from test_corpus import NABLA, compare

Image = pytest.importorskip("PIL.Image")

PROGRAM = r'''
import glob, os
import numpy as np
from PIL import Image
root = ROOT
files = sorted(glob.glob(os.path.join(root, '*', '*.*'))) + sorted(glob.glob(root + '/*.png'))
print([os.path.relpath(f, root) if False else os.path.basename(f) for f in files])
print(sorted(os.path.basename(f) for f in glob.glob(root + '/**/*.png', recursive=True)))
print(sorted(os.path.basename(f) for f in glob.glob(root + '/[pr]*/[!1].*')))
print(sorted(os.listdir(root)), os.path.isdir(os.path.join(root, 'rock')), os.path.exists(root + '/nothing'))
for f in files:
    img = Image.open(f)
    print(os.path.splitext(os.path.basename(f)), img.mode, img.size, img.format, img.width, img.height)
    a = np.array(img)
    print(a.shape, int(a.sum()), img.getpixel((1, 2)))
    for r in [Image.NEAREST, Image.BILINEAR, Image.BICUBIC, Image.LANCZOS, Image.BOX, Image.HAMMING, None]:
        for size in [(28, 28), (60, 17), (5, 90)]:
            b = np.array(img.resize(size) if r is None else img.resize(size, r), dtype=np.int32)
            print(r, size, b.shape, int(b.sum()), int((b * np.arange(b.size).reshape(b.shape) % 7).sum()))
    for m in ['L', 'RGB', 'RGBA', 'LA']:
        c = np.array(img.convert(m))
        print(m, c.shape, int(c.sum()))
    print(int(np.array(img.crop((2, 3, 12, 9))).sum()))
    small = img.convert('RGB').resize((28, 28), Image.Resampling.LANCZOS)
    small.save(OUT)
    again = Image.open(OUT)
    print(again.size, again.mode, int(np.array(again).sum()))
    print(int(np.array(Image.fromarray(np.array(small))).sum()))
print(os.path.split('/a/b/c.txt'), os.path.splitext('x/.bashrc'), os.path.splitext('a.tar.gz'), os.path.dirname('a/b/'))
print(os.path.normpath('a/./b/../c//d'), os.path.join('a', 'b/', 'c'), os.path.join('a', '/b', 'c'), os.path.basename('a/b/'))
try:
    Image.open(os.path.join(root, 'nope.jpg'))
except FileNotFoundError as e:
    print('FileNotFoundError', str(e).replace(root, 'ROOT'))
try:
    os.makedirs(root)
except FileExistsError:
    print('exists')
os.makedirs(root, exist_ok=True)
'''


def test_pil_glob_and_os_give_pillows_numbers(tmp_path):
    program, out, root = tmp_path / "program.py", tmp_path / "out.png", tmp_path / "data"
    rng = np.random.default_rng(0)
    for cls in ("rock", "paper"):
        (root / cls).mkdir(parents=True)
    for i in range(2):
        Image.fromarray(rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)).save(root / "rock" / f"{i}.jpg", quality=90)
        Image.fromarray(rng.integers(0, 256, (41, 29, 4), dtype=np.uint8)).save(root / "paper" / f"{i}.png")
    Image.fromarray(rng.integers(0, 256, (20, 30), dtype=np.uint8)).save(root / "gray.png")
    Image.fromarray(rng.integers(0, 256, (20, 30, 2), dtype=np.uint8)).save(root / "ga.png")
    program.write_text(PROGRAM.replace("root = ROOT", f"root = {str(root)!r}").replace("OUT", repr(str(out))))
    py = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=120)
    assert py.returncode == 0, py.stderr
    nb = subprocess.run([str(NABLA), "run", str(program)], capture_output=True, text=True, timeout=120)
    assert nb.returncode == 0, nb.stdout + nb.stderr
    problem = compare(nb.stdout, py.stdout)
    assert problem is None, f"{problem}\n--- Nabla ---\n{nb.stdout}\n--- CPython ---\n{py.stdout}"


@pytest.mark.parametrize("code, error", [
    ("from PIL import Image\nImage.open('/nonexistent/x.jpg')", "FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/x.jpg'"),
    ("from PIL import Image\nopen_ = Image.open('/etc/hostname')", "OSError: cannot identify image file"),
    ("from PIL import Image\nImage.new('RGB', (4, 4)).resize((2, 2), 9)", "ValueError: Unknown resampling filter (9)"),
    ("from PIL import Image\nimport numpy as np\nImage.fromarray(np.ones((2, 2)) * 0.5)", "TypeError: fromarray(): pixel values must be whole numbers 0–255"),
    ("from PIL import Image\nImage.new('RGBA', (4, 4)).save('/tmp/nabla-x.jpg')", "OSError: cannot write mode RGBA as JPEG"),
    ("import os\nos.listdir('/nonexistent')", "FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent'"),
])
def test_bad_files_are_clear_errors(tmp_path, code, error):
    program = tmp_path / "bad.py"
    program.write_text(code + "\n")
    nb = subprocess.run([str(NABLA), "run", str(program)], capture_output=True, text=True, timeout=60)
    assert nb.returncode != 0
    assert error in nb.stdout + nb.stderr, nb.stdout + nb.stderr


def test_an_image_shows_as_a_png_in_the_notebook(kernel):
    _, kc = kernel
    import base64, io
    reply, outputs = run(kc, "from PIL import Image\nimg = Image.new('RGB', (3, 2), (255, 0, 0))\nimg.show()\nimg.resize((6, 4))")
    assert reply["content"]["status"] == "ok", reply["content"]
    shown = [m["content"]["data"] for m in outputs if m["msg_type"] in ("display_data", "execute_result")]
    assert len(shown) == 2
    sizes = [Image.open(io.BytesIO(base64.b64decode(d["image/png"]))).size for d in shown]
    assert sizes == [(3, 2), (6, 4)]
    assert shown[1]["text/plain"] == "<PIL.Image.Image image mode=RGB size=6x4>"
