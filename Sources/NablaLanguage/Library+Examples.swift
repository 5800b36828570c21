/// One short example per builtin. docs/language.md shows each with the output it produces
/// (`nabla reference` regenerates the section; a test checks it is current), so every
/// example is executed.
extension Library {
    static let examples: [String: String] = kerasExamples.merging([
        "abs": "abs([-2, 0, 3])", "adam": "w = param([1.0])\nopt = adam([w], lr=0.1)\nbackward(w * w); opt.step(); w",
        "all": "all([1, 2, 0])", "any": "any([0, 0, 1])", "arange": "arange(0, 1, 0.25)", "argmax": "argmax([[1, 5, 2], [7, 0, 1]], axis=1)",
        "argmin": "argmin([3, 1, 2])", "avgpool": "avgpool([[1, 2], [3, 4]], 2)",
        "backward": "w = param([1.0, 2.0])\nbackward(sum(w ** 2))\nw.grad",
        "batchnorm": "batchnorm([[1.0], [3.0]], [1.0], [0.0])", "bce": "bce([0.9, 0.2], [1, 0])", "bce_logits": "bce_logits([2.0, -1.0], [1, 0])",
        "clear_output": "clear_output(wait=True)", "clip": "clip([-2, 0.5, 3], 0, 1)", "concat": "concat([ones(2), zeros(1)])",
        "conv2d": "conv2d(reshape(arange(16), 4, 4), ones(3, 3))", "cos": "cos(0)", "cross_entropy": "cross_entropy([0.13, 0.87, 0.001], 0)",
        "detach": "detach(param(2.0) * 3).requires_grad", "display": "display([1, 2])", "dot": "dot([1, 2, 3], [4, 5, 6])",
        "dropout": "seed(0)\ndropout(ones(6), 0.5)", "elastic_net": "elastic_net([1, -2], 0.5, 0.1)", "elu": "elu([-1, 0, 2])",
        "entropy": "entropy([0.5, 0.5], base=2)", "exp": "exp(1)", "eye": "eye(2)", "exit": "exit()", "quit": "quit()", "flatten": "flatten([[1, 2], [3, 4]])",
        "float": "float('2.5')", "full": "full((2, 2), 7)", "grad": "x = param(3.0)\ngrad(x ** 2, x)",
        "gradcheck": "gradcheck(lambda v: sum(sigmoid(v)), [0.0, 1.0])", "help": "help(relu)", "hinge": "hinge([3.2, 5.1, -1.7], 0)",
        "input": "# input('Your guess: ') asks the notebook user for a line\nprecision(4)", "int": "int(-2.7)", "isclose": "isclose(0.1 + 0.2, 0.3)",
        "item": "item([[5]])", "kl": "kl([0.5, 0.5], [0.9, 0.1])", "leaky_relu": "leaky_relu([-10, 5], alpha=0.1)", "len": "len([[1, 2], [3, 4], [5, 6]])",
        "linspace": "linspace(0, 1, 5)", "list": "list(range(3))", "log": "log(exp(2))", "log10": "log10(1000)", "log2": "log2(40)",
        "likelihood": "likelihood([4.8, 5.1], 5, 0.5)", "log_likelihood": "log_likelihood([4.1, 5.2, 3.9], 4.4, 0.7)", "log_softmax": "log_softmax([1, 2, 3])", "mae": "mae([1, 2], [2, 4])",
        "matmul": "matmul([[1, 2], [3, 4]], [1, 1])", "max": "max([[1, 5], [7, 0]], axis=0)", "maximum": "maximum([1, 5], [3, 2])",
        "maxout": "maxout([1, -2], [0, 3])", "maxpool": "maxpool(reshape(arange(16), 4, 4), 2)", "mean": "mean([[1, 2], [3, 4]], axis=1)",
        "min": "min([4, 2, 8])", "minimum": "minimum([1, 5], [3, 2])", "momentum": "w = param([1.0])\nopt = momentum([w], lr=0.1)\nbackward(w * w); opt.step(); w",
        "mse": "mse([1, 2, 3], [1, 2, 5])", "no_grad": "w = param(1.0)\nwith no_grad():\n    y = w * 2\ny.requires_grad", "norm": "norm([3, 4])",
        "normal_cdf": "normal_cdf(5, 4, 0.5) - normal_cdf(4, 4, 0.5)", "normal_logpdf": "normal_logpdf(5, 4, 0.5)", "normal_pdf": "normal_pdf(5, 4, 0.5)",
        "onehot": "onehot([2, 0], 3)", "ones": "ones(2, 3)", "pad": "pad([[1, 2], [3, 4]], 1)", "param": "W = param([[0.1, 0.2], [0.3, 0.4]])\nW",
        "precision": "precision(2)\npi = 3.14159\npi", "print": "print('loss', 0.25, sep=' = ')", "prod": "prod([1, 2, 3, 4])",
        "rand": "seed(1)\nrand(3)", "randn": "seed(1)\nrandn(2, 2)", "range": "list(range(2, 10, 3))", "relu": "relu([-1, 0, 2])",
        "reshape": "reshape(arange(6), 2, -1)", "round": "round(2.71828, 2)", "seed": "seed(42)\nrand(2)", "sgd": "w = param([1.0])\nopt = sgd([w], lr=0.1)\nbackward(w * w); opt.step(); w",
        "shape": "shape(zeros(2, 3))", "sigmoid": "sigmoid([0, 2])", "sign": "sign([-3, 0, 2])", "sin": "sin(0)",
        "softmax": "softmax([3.2, 5.1, -1.7])", "softmax_cross_entropy": "softmax_cross_entropy([3.2, 5.1, -1.7], 0)", "softplus": "softplus([0, 10])",
        "sqrt": "sqrt([4, 9])", "stack": "stack([[1, 2], [3, 4]], axis=1)", "std": "std([1, 2, 3, 4])", "str": "str(1.5) + '!'",
        "sum": "sum([[1, 2], [3, 4]], axis=0)", "tanh": "tanh(0)", "tensor": "tensor([[1, 2], [3, 4]])", "tolist": "tolist([1, 2])",
        "transpose": "transpose([[1, 2, 3]])", "tuple": "tuple([1, 2])", "type": "type(param(1.0))", "update": "display(0, id='loss')\nupdate('loss', 0.5)",
        "var": "var([1, 2, 3, 4])", "warn": "warn('the learning rate is large')", "zero_grad": "w = param([1.0])\nbackward(w * 3)\nzero_grad(w)\nw.grad is None", "zeros": "zeros(2, 2)",
        "l1": "l1([0.25, -0.25, 0.25, 0.25])", "l2": "l2([0.25, 0.25, 0.25, 0.25])",
    ]) { keras, _ in keras }
}
