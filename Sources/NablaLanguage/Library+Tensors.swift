import Foundation
import NablaAutograd
import NablaTensor

/// Constructors, elementwise math, reductions and shape functions.
extension Library {
    /// A builtin of one tensor parameter (`x` unless named otherwise).
    static func unary(_ i: Interpreter, _ name: String, _ formula: String?, _ doc: String, parameter: String = "x", example: String? = nil,
                      _ f: @escaping (Variable) throws -> Variable) {
        i.register(Builtin(name, [.tensor(parameter)], formula: formula, doc: doc, example: example) { a in t(try f(a.tensor(parameter))) })
    }

    static func reduction(_ i: Interpreter, _ name: String, _ formula: String?, _ doc: String, example: String? = nil,
                          _ f: @escaping (Variable, Int?, Bool) throws -> Variable) {
        i.register(Builtin(name, [.tensor("x"), .int("axis", default: nil), .bool("keepdims", default: false)], formula: formula, doc: doc + " Over all elements, or along `axis`; `keepdims` keeps the reduced axis with length 1.", example: example) { a in
            t(try f(a.tensor("x"), try a.optionalInt("axis"), try a.bool("keepdims")))
        })
    }

    static func tensors(_ i: Interpreter) {
        // Constructors
        i.register(Builtin("tensor", [.any("x")], doc: "A constant tensor from a number or (nested) list of numbers (a boolean mask from a list of bools, as np.array).", example: "tensor([[1, 2], [3, 4]])") { a in
            if let m = a.interpreter.maskTensor(a.value("x") ?? .none) { return .mask(m) }
            return t(Variable(try a.tensor("x").value))
        })
        i.register(Builtin("zeros", [.args("shape", .shape)], doc: "A tensor of zeros: zeros(2, 3) or zeros((2, 3)).", example: "zeros(2, 2)") { a in t(Variable(try Tensor.zeros(a.shape("shape")))) })
        i.register(Builtin("ones", [.args("shape", .shape)], doc: "A tensor of ones: ones(2, 3) or ones((2, 3)).", example: "ones(2, 3)") { a in t(Variable(try Tensor.ones(a.shape("shape")))) })
        i.register(Builtin("full", [.any("shape"), .number("value")], doc: "A tensor of `shape` filled with `value`.", example: "full((2, 2), 7)") { a in
            let shape = try a.interpreter.elements(a.value("shape") ?? .none, span: a.span).map { try a.interpreter.toInt($0, span: a.span, what: "a dimension") }
            return t(Variable(try Tensor.full(shape, try a.double("value"))))
        })
        i.register(Builtin("eye", [.int("n"), .int("m", default: nil)], doc: "The n×m identity matrix (square when m is omitted).", example: "eye(2)") { a in
            t(Variable(try Tensor.eye(try a.int("n"), try a.optionalInt("m"))))
        })
        i.register(Builtin("arange", [.number("start"), .number("stop", default: nil), .number("step", default: 1)], doc: "Evenly spaced numbers from start up to (not including) stop, as numpy's arange.", example: "arange(0, 1, 0.25)") { a in
            var start = try a.double("start"), stop = 0.0
            if a.has("stop") { stop = try a.double("stop") } else { stop = start; start = 0 }
            return t(Variable(try Tensor.arange(start, stop, try a.double("step"))))
        })
        i.register(Builtin("linspace", [.number("start"), .number("stop"), .int("num", default: 50)], doc: "`num` evenly spaced numbers from start to stop, both included.", example: "linspace(0, 1, 5)") { a in
            t(Variable(try Tensor.linspace(try a.double("start"), try a.double("stop"), try a.int("num"))))
        })
        i.register(Builtin("onehot", [.tensor("labels"), .int("classes")], formula: "onehot(y)_k = 1 if k = y else 0", doc: "One-hot rows for class labels: onehot([2, 0], 3) = [[0, 0, 1], [1, 0, 0]].", example: "onehot([2, 0], 3)") { a in
            t(Variable(try Tensor.onehot(try a.tensor("labels").value, classes: try a.int("classes"))))
        })
        i.register(Builtin("seed", [.int("n")], doc: "Restarts the random generator, so rand, randn and dropout repeat their numbers on every machine.", example: "seed(42)\nrand(2)") { a in
            let n = try a.int("n")
            RandomSource.seed(UInt64(bitPattern: Int64(n)))
            return .none
        })
        i.register(Builtin("rand", [.args("shape", .shape)], doc: "Uniform random numbers in [0, 1) (xoshiro256**; see seed).", example: "seed(1)\nrand(3)") { a in
            t(Variable(try Tensor.rand(try a.shape("shape"), using: &RandomSource.generator)))
        })
        i.register(Builtin("randn", [.args("shape", .shape)], formula: "x ~ N(0, 1)", doc: "Standard normal random numbers (see seed).", example: "seed(1)\nrandn(2, 2)") { a in
            t(Variable(try Tensor.randn(try a.shape("shape"), using: &RandomSource.generator)))
        })

        // Elementwise math
        unary(i, "exp", "d/dx eˣ = eˣ", "e to the power x, elementwise.", example: "exp(1)") { $0.exp() }
        unary(i, "log", "d/dx ln x = 1/x", "Natural logarithm, elementwise (log(0) = -inf).", example: "log(exp(2))") { $0.log() }
        unary(i, "log2", "d/dx log₂ x = 1/(x ln 2)", "Base-2 logarithm, elementwise.", example: "log2(40)") { $0.log2() }
        unary(i, "log10", "d/dx log₁₀ x = 1/(x ln 10)", "Base-10 logarithm, elementwise.", example: "log10(1000)") { $0.log10() }
        unary(i, "sqrt", "d/dx √x = 1/(2√x)", "Square root, elementwise.", example: "sqrt([4, 9])") { $0.sqrt() }
        unary(i, "abs", "d/dx |x| = sign(x), taken as 0 at 0", "Absolute value, elementwise.", example: "abs([-2, 0, 3])") { $0.abs() }
        unary(i, "sign", "sign(x) ∈ {−1, 0, 1}", "The sign of each element (no gradient).", example: "sign([-3, 0, 2])") { $0.sign() }
        unary(i, "sin", "d/dx sin x = cos x", "Sine, elementwise.", example: "sin(0)") { $0.sin() }
        unary(i, "cos", "d/dx cos x = −sin x", "Cosine, elementwise.", example: "cos(0)") { $0.cos() }
        i.register(Builtin("clip", [.tensor("x"), .number("lo"), .number("hi")], formula: "clip(x) = min(max(x, lo), hi); gradient 1 where lo ≤ x ≤ hi", doc: "Limits every element to [lo, hi].", example: "clip([-2, 0.5, 3], 0, 1)") { a in
            t(try a.tensor("x").clip(try a.double("lo"), try a.double("hi")))
        })
        i.register(Builtin("maximum", [.tensor("a"), .tensor("b")], formula: "gradient 1 to the larger, ½ each at a tie", doc: "Elementwise larger of a and b (broadcasting).", example: "maximum([1, 5], [3, 2])") { a in
            t(try Variable.maximum(try a.tensor("a"), try a.tensor("b")))
        })
        i.register(Builtin("minimum", [.tensor("a"), .tensor("b")], formula: "gradient 1 to the smaller, ½ each at a tie", doc: "Elementwise smaller of a and b (broadcasting).", example: "minimum([1, 5], [3, 2])") { a in
            t(try Variable.minimum(try a.tensor("a"), try a.tensor("b")))
        })
        i.register(Builtin("dot", [.tensor("a"), .tensor("b")], formula: "a · b = Σ aᵢ bᵢ (matrix product for 2-d)", doc: "Same as a @ b.", example: "dot([1, 2, 3], [4, 5, 6])") { a in
            t(try Variable.matmul(try a.tensor("a"), try a.tensor("b")))
        })
        i.register(Builtin("matmul", [.tensor("a"), .tensor("b")], formula: "(AB)ᵢⱼ = Σₖ Aᵢₖ Bₖⱼ", doc: "Matrix product with numpy's rules, same as a @ b.", example: "matmul([[1, 2], [3, 4]], [1, 1])") { a in
            t(try Variable.matmul(try a.tensor("a"), try a.tensor("b")))
        })

        // Reductions
        reduction(i, "sum", "Σᵢ xᵢ", "Sum.", example: "sum([1, 2, 3]), sum(tensor([[1, 2], [3, 4]])), sum(tensor([[1, 2], [3, 4]]), axis=1)") { try $0.sum(axis: $1, keepdims: $2) }
        reduction(i, "mean", "(1/n) Σᵢ xᵢ", "Mean.", example: "mean([[1, 2], [3, 4]], axis=1)") { try $0.mean(axis: $1, keepdims: $2) }
        reduction(i, "max", "gradient shared equally by tied maxima", "Largest element.", example: "max(0, -2), max([3, 9, 4]), max(tensor([[1, 5], [7, 0]]), axis=0)") { try $0.max(axis: $1, keepdims: $2) }
        reduction(i, "min", "gradient shared equally by tied minima", "Smallest element.", example: "min(4, 2, 8), min(['pear', 'fig'], key=len)") { try $0.min(axis: $1, keepdims: $2) }
        reduction(i, "prod", "Πᵢ xᵢ", "Product.", example: "prod([1, 2, 3, 4])") { try $0.prod(axis: $1, keepdims: $2) }
        reduction(i, "var", "(1/n) Σᵢ (xᵢ − x̄)²", "Population variance (ddof = 0, as numpy).", example: "var([1, 2, 3, 4])") { try $0.variance(axis: $1, keepdims: $2) }
        reduction(i, "std", "√var(x)", "Population standard deviation.", example: "std([1, 2, 3, 4])") { try $0.std(axis: $1, keepdims: $2) }
        reduction(i, "argmax", nil, "Index of the first largest element (over the flattened tensor when axis is None).", example: "argmax([[1, 5, 2], [7, 0, 1]], axis=1)") { try $0.argmax(axis: $1, keepdims: $2) }
        reduction(i, "argmin", nil, "Index of the first smallest element.", example: "argmin([3, 1, 2])") { try $0.argmin(axis: $1, keepdims: $2) }
        i.register(Builtin("norm", [.tensor("x"), .number("ord", default: 2), .int("axis", default: nil), .bool("keepdims", default: false)], formula: "‖x‖₂ = √(Σ xᵢ²), ‖x‖₁ = Σ |xᵢ|, ‖x‖∞ = max |xᵢ|", doc: "Vector norm (Frobenius for a matrix over all elements).", example: "norm([3, 4])") { a in
            t(try a.tensor("x").norm(ord: try a.double("ord"), axis: try a.optionalInt("axis"), keepdims: try a.bool("keepdims")))
        })

        // Shape
        i.register(Builtin("reshape", [.tensor("x"), .args("shape", .shape)], doc: "The same elements in a new shape; one dimension may be -1 and is inferred.", example: "reshape(arange(6), 2, -1)") { a in
            let x = try a.tensor("x"); return a.interpreter.view(try x.reshaped(try a.shape("shape")), of: x, as: .reshaped)
        })
        i.register(Builtin("transpose", [.tensor("x"), .sequence("axes", default: nil)], doc: "Axes reversed (x.T for a matrix), or permuted by `axes`.", example: "transpose([[1, 2, 3]])") { a in
            let axes = a.has("axes") ? try a.sequence("axes").map { try a.interpreter.toInt($0, span: a.span, what: "an axis") } : nil
            return try a.interpreter.transposedView(try a.tensor("x"), axes)
        })
        i.register(Builtin("flatten", [.tensor("x")], doc: "All elements as a 1-d tensor.", example: "flatten([[1, 2], [3, 4]])") { a in t(try a.tensor("x").flattened()) })
        i.register(Builtin("concat", [.sequence("tensors"), .int("axis", default: 0)], doc: "Tensors joined along an existing axis.", example: "concat([ones(2), zeros(1)])") { a in
            let parts = try a.sequence("tensors").map { try a.interpreter.toVariable($0, span: a.span, what: "concat(): each part") }
            return t(try Variable.concat(parts, axis: try a.int("axis")))
        })
        i.register(Builtin("stack", [.sequence("tensors"), .int("axis", default: 0)], doc: "Tensors of one shape joined along a new axis.", example: "stack([[1, 2], [3, 4]], axis=1)") { a in
            let parts = try a.sequence("tensors").map { try a.interpreter.toVariable($0, span: a.span, what: "stack(): each part") }
            return t(try Variable.stack(parts, axis: try a.int("axis")))
        })
        i.register(Builtin("pad", [.tensor("x"), .int("width")], formula: "out[..., i + w, j + w] = x[..., i, j], zeros around", doc: "Zero padding of `width` around the last two axes (an image's height and width).", example: "pad([[1, 2], [3, 4]], 1)") { a in
            t(try F.pad(try a.tensor("x"), try a.int("width")))
        })
    }
}
