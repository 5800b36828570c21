"""`import matplotlib.pyplot as plt` as Keras tutorials use it, in the kernel: figures drawn by
pyplot's calls come back as SVG at show() or at the end of the cell (as the inline backend shows
them), once; format strings, legends, log axes, limits, subplots and imshow draw what they
say; `%matplotlib inline` is accepted and other magics are clear errors."""
import re

from conftest import run


def figures(outputs):
    return [m["content"]["data"]["image/svg+xml"] for m in outputs
            if m["msg_type"] == "display_data" and "image/svg+xml" in m["content"]["data"]]


def ok(kc, code):
    reply, outputs = run(kc, code)
    assert reply["content"]["status"] == "ok", reply["content"]
    return outputs


def test_history_curves_show_at_the_end_of_the_cell(kernel):
    _, kc = kernel
    out = ok(kc, "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
                 "h = {'loss': [1.0, 0.6, 0.4], 'val_loss': [1.1, 0.8, 0.7]}\n"
                 "plt.plot(h['loss'])\nplt.plot(h['val_loss'], 'r--')\n"
                 "plt.title('model loss'); plt.ylabel('loss'); plt.xlabel('epoch')\n"
                 "plt.legend(['train', 'val'], loc='upper left')\nprint('drawn')")
    svgs = figures(out)
    assert len(svgs) == 1
    svg = svgs[0]
    assert "model loss" in svg and ">epoch<" in svg and ">train<" in svg and ">val<" in svg
    assert len(re.findall(r"<polyline", svg)) == 2
    assert 'stroke-dasharray="7,4"' in svg           # 'r--' is dashed
    # The figure was closed: the next cell shows nothing by itself.
    assert figures(ok(kc, "x = 1")) == []


def test_show_displays_once_and_a_legend_needs_legend(kernel):
    _, kc = kernel
    out = ok(kc, "import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4], label='a')\nplt.show()\nplt.plot([0, 1], 'bo')\nplt.yscale('log')\nplt.ylim(0.1, 10)")
    first, second = figures(out)
    assert ">a<" not in first                        # no legend() call, no legend
    assert "<polyline" not in second and "<circle" in second   # 'bo' draws markers only
    assert "nabla-frame" in second                   # limits clip the data to the frame


def test_subplots_and_imshow_make_one_figure(kernel):
    _, kc = kernel
    out = ok(kc, "import matplotlib.pyplot as plt\nimport numpy as np\nfig, axes = plt.subplots(2, 3)\n"
                 "for k in range(6):\n    ax = axes[k // 3][k % 3]\n    ax.imshow(np.arange(16).reshape(4, 4) * k, cmap='gray')\n    ax.set_title(f'digit {k}')\n    ax.axis('off')\n"
                 "plt.suptitle('samples')")
    (svg,) = figures(out)
    assert svg.count("data:image/png;base64,") == 6
    assert all(f"digit {k}" in svg for k in range(6)) and "samples" in svg


def test_bad_calls_and_magics_are_clear_errors(kernel):
    _, kc = kernel
    for code, message in [
        ("import matplotlib.pyplot as plt\nplt.plot([1, 2], [1, 2, 3])", "x and y must have same first dimension"),
        ("import matplotlib.pyplot as plt\nplt.plot([1, 2], 'q')", "not a valid format string"),
        ("import matplotlib.pyplot as plt\nplt.savefig('x.png')", "saves figures as SVG"),
        ("import matplotlib.pyplot as plt\nplt.imshow([1, 2, 3])", "Invalid shape"),
        ("%timeit 1 + 1", "the IPython magic %timeit is not available in Nabla"),
        ("!pip install tensorflow", "shell commands"),
    ]:
        reply, _ = run(kc, code)
        assert reply["content"]["status"] == "error", code
        assert message in reply["content"]["evalue"], (code, reply["content"]["evalue"])
    # Nothing half-drawn is left over from the failed cells.
    assert figures(ok(kc, "y = 2")) == []
