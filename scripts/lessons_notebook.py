#!/usr/bin/env python3
"""Writes notebooks/07-lessons.ipynb (the interactive lessons): edit the cells here, then run it."""
import nbformat
from nbformat.v4 import new_notebook, new_markdown_cell as md, new_code_cell as code

cells = [
md("""# 07 · Interactive lessons (인터랙티브 실습)

Drag a slider and watch the curve and the derivation change together. Each lesson first shows one setting as the notes do (a plot and its `explain`), then the same computation under sliders: `interact` builds the controls from the arguments' abbreviations, as ipywidgets does — a `(min, max, step)` tuple gives a slider, a list a dropdown — and re-runs the function into its output area on every change.

The widgets are the stock Jupyter widgets (ipywidgets' protocol, rendered by JupyterLab, Notebook 7 and Voilà with no extension of Nabla's own). Run the notebook with the Nabla kernel; in a static export (HTML, PDF) each control shows the last state it had."""),
md("""## 1. Gradient descent and the learning rate (학습률)

On $f(x) = x^2$ one step is $x \\leftarrow x - \\alpha f'(x) = (1 - 2\\alpha)\\,x$. The iterates shrink when $|1 - 2\\alpha| < 1$, i.e. $0 < \\alpha < 1$; at $\\alpha = 1$ they jump between $x_0$ and $-x_0$; beyond it they grow without bound.

> **From the note:**
>
> “가장 빠르게 손실함수 줄어드는 방향으로 : 가장 가파르게 감소” — *step where the loss falls fastest: steepest descent.*"""),
code("""f = lambda x: x ** 2

def descend(alpha, x0=4.0, steps=12):
    xs = [x0]
    for k in range(steps):
        xs.append(xs[-1] - alpha * 2 * xs[-1])
    return xs

def verdict(alpha):
    r = abs(1 - 2 * alpha)
    if abs(r - 1) < 1e-9:
        return 'oscillates'
    return 'converges' if r < 1 else 'diverges'

xs = descend(0.1)
assert abs(xs[1] - 3.2) < 1e-12 and verdict(0.1) == 'converges' and verdict(1.0) == 'oscillates' and verdict(1.2) == 'diverges'
plot(arange(13), xs, title='x_k for α = 0.1: converges', xlabel='step k', ylabel='x_k')"""),
code("""table(step=arange(5), x=xs[:5], loss=[f(x) for x in xs[:5]])"""),
code("""# One step from x0 = 4 with α = 0.1, derived:
x0 = param(4.0)
explain(x0 - 0.1 * grad(f(x0), x0))"""),
code("""@interact(alpha=(0.05, 1.2, 0.05))
def gd_lesson(alpha=0.1):
    xs = descend(alpha)
    print(f'α = {alpha:.2f}: |1 − 2α| = {abs(1 - 2 * alpha):.2f} → {verdict(alpha)}')
    display(plot(arange(13), xs, title=f'x_k on f(x) = x², α = {alpha:.2f}', xlabel='step k', ylabel='x_k'))
    x0 = param(4.0)
    display(explain(x0 - alpha * grad(f(x0), x0)))"""),
md("""## 2. Momentum β (관성)

Momentum keeps a velocity $v \\leftarrow \\beta v - \\alpha \\nabla L$ and steps $w \\leftarrow w + v$. On a long, narrow valley plain gradient descent zig-zags; with β near 0.8 the path runs along the valley; with β too close to 1 it overshoots and circles.

> **From the note:**
>
> “Momentum(관성): 이전 단계의 업데이트 방향을 고려하여 현재 업데이트에 반영” — *momentum: the previous step's direction is carried into the current update.*"""),
code("""valley = lambda v: 0.5 * v[0] ** 2 + 10 * v[1] ** 2

def momentum_path(beta, lr=0.02, steps=25):
    v = param([-4.0, 1.0])
    opt = momentum([v], lr=lr, momentum=beta)
    pts = [tolist(v)]
    for i in range(steps):
        opt.zero_grad(); backward(valley(v)); opt.step(); pts.append(tolist(v))
    return pts, opt

@interact(beta=(0.0, 0.95, 0.05))
def momentum_lesson(beta=0.8):
    pts, opt = momentum_path(beta)
    print(f'β = {beta:.2f}: loss after 25 steps = {valley(tensor(pts[-1])):.4f}')
    display(contour(valley, (-5, 5), (-2, 2), path=pts, levels=10, title=f'momentum on a narrow valley, β = {beta:.2f}'))
    display(explain(opt))"""),
md("""## 3. The hinge loss and its margin Δ (safety margin)

$L_i = \\sum_{j \\neq y_i} \\max(0, s_j - s_{y_i} + \\Delta)$ for the cat image's scores (3.2, 5.1, −1.7): the frog's term switches on once Δ exceeds 4.9, the car's is on for every Δ ≥ 0 since 5.1 > 3.2.

> **From the note:**
>
> “safety margin을 두고 정답 클래스 점수와 예측 클래스 점수의 대소 비교” — *it compares the correct class's score with the others', with a safety margin.*"""),
code("""s = [3.2, 5.1, -1.7]
assert abs(hinge(s, 0) - 2.9) < 1e-12

@interact(delta=(0.0, 8.0, 0.5))
def hinge_lesson(delta=1.0):
    L = hinge(s, 0, margin=delta)
    print(f'Δ = {delta}: L = {float(L):.2f}')
    display(plot(lambda d: hinge(s, 0, margin=d), 0, 8, marks=[delta], title='hinge loss of the cat image against Δ', xlabel='Δ', ylabel='L', points=81))
    display(explain(hinge(s, 0, margin=delta)))"""),
md("""## 4. The normal density and the cat's weight (가능도)

The likelihood of a cat weighing $w$ under $N(\\mu, \\sigma)$ is the density $f(w) = \\frac{1}{\\sigma\\sqrt{2\\pi}} e^{-(w-\\mu)^2 / 2\\sigma^2}$: largest when μ sits on the weight, and the narrower σ, the higher its peak.

> **From the note:**
>
> “우리 집 고양이가 5kg라고 해보자” — *say our cat weighs 5 kg:* “f(N(4, 0.5) | x = 5) = 0.108”, and for mean 5: “f(N(5, 0.5) | x = 5) = 0.7979”."""),
code("""assert abs(normal_pdf(5, 4, 0.5) - 0.108) < 1e-3 and abs(normal_pdf(5, 5, 0.5) - 0.7979) < 1e-4

@interact(mu=(2.0, 8.0, 0.1), sigma=(0.2, 2.0, 0.1), weight=(2.0, 8.0, 0.1))
def likelihood_lesson(mu=4.0, sigma=0.5, weight=5.0):
    print(f'f(N({mu:.1f}, {sigma:.1f}) | x = {weight:.1f}) = {float(normal_pdf(weight, mu, sigma)):.4f}')
    display(plot(lambda x: normal_pdf(x, mu, sigma), 1, 9, marks=[weight], title=f'N({mu:.1f}, {sigma:.1f}) and the cat ({weight:.1f} kg)', xlabel='weight (kg)', ylabel='density', points=121))
    display(explain(normal_pdf(weight, mu, sigma)))"""),
md("""## 5. Convolution: stride and padding (스트라이드와 패딩)

An $n \\times n$ image, an $f \\times f$ kernel, padding $p$ and stride $s$ give an output of side $\\lfloor (n + 2p - f)/s \\rfloor + 1$. The formula is worked out with the sliders' numbers, then checked against `conv2d`'s output shape and derived by `explain`.

> **From the note:**
>
> “합성곱 연산 이후에도 특성 맵의 크기가 입력의 크기와 동일하게 유지되도록 하고 싶다면 패딩(padding)을 사용하면 됩니다.” — *to keep the feature map as large as the input after convolution, use padding.*"""),
code("""@interact(n=(3, 9), f=(1, 5), padding=(0, 3), stride=(1, 4))
def conv_lesson(n=5, f=3, padding=0, stride=1):
    image = reshape(arange(n * n), n, n)
    kernel = ones(f, f)
    side = (n + 2 * padding - f) // stride + 1
    print(f'output side = ⌊(n + 2p − f)/s⌋ + 1 = ⌊({n} + 2·{padding} − {f})/{stride}⌋ + 1 = {side}')
    out = conv2d(image, kernel, padding=padding, stride=stride)
    assert out.shape == (side, side)
    sides = [(n + 2 * q - f) // stride + 1 for q in range(4)]
    display(plot(arange(4), sides, scatter=True, marks=[padding], title=f'output side against padding (n = {n}, f = {f}, s = {stride})', xlabel='padding p', ylabel='output side'))
    display(explain(out))"""),
md("""## Controls you lay out yourself

`interactive_output` runs a function on the values of controls placed as you like; `jslink` ties a `Play` button to the steps slider in the browser, so pressing ▶ draws the descent step by step."""),
code("""alpha = FloatSlider(value=0.3, min=0.05, max=1.2, step=0.05, description='α')
k = IntSlider(value=12, min=1, max=12, description='steps')
play = Play(value=12, min=1, max=12, interval=500, description='play')
jslink((play, 'value'), (k, 'value'))
def show_path(a, k):
    xs = descend(a)[:k + 1]
    display(plot(arange(len(xs)), xs, title=f'the first {k} steps for α = {a:.2f}: {verdict(a)}', xlabel='step k', ylabel='x_k'))
out = interactive_output(show_path, {'a': alpha, 'k': k})
VBox([HBox([alpha, play, k]), out])"""),
]
nb = new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"display_name": "Nabla", "language": "nabla", "name": "nabla"}
nb.metadata["language_info"] = {"codemirror_mode": "python", "file_extension": ".nabla", "mimetype": "text/x-nabla", "name": "nabla", "pygments_lexer": "python"}
from pathlib import Path
nbformat.write(nb, str(Path(__file__).resolve().parents[1] / "notebooks" / "07-lessons.ipynb"))
