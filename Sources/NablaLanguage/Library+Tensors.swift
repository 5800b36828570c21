import Foundation
import NablaAutograd
import NablaTensor

/// Constructors, elementwise math, reductions and shape functions.
extension Library {
    static func unary(_ i: Interpreter, _ sig: String, _ formula: String?, _ doc: String, _ f: @escaping (Variable) throws -> Variable) {
        i.register(Builtin(sig, formula: formula, doc: doc) { a in t(try f(a.tensor(a.builtin.parameters[0].name))) })
    }

    static func reduction(_ i: Interpreter, _ name: String, _ formula: String?, _ doc: String,
                          _ f: @escaping (Variable, Int?, Bool) throws -> Variable) {
        i.register(Builtin("\(name)(x, axis=None, keepdims=False)", formula: formula, doc: doc + " Over all elements, or along `axis`; `keepdims` keeps the reduced axis with length 1.") { a in
            t(try f(a.tensor("x"), try a.optionalInt("axis"), try a.bool("keepdims", default: false)))
        })
    }

    static func tensors(_ i: Interpreter) {
        // Constructors
        i.register(Builtin("tensor(x)", doc: "A constant tensor from a number or (nested) list of numbers (a boolean mask from a list of bools, as np.array).") { a in
            if let m = a.interpreter.maskTensor(a.value("x") ?? .none) { return .mask(m) }
            return t(Variable(try a.tensor("x").value))
        })
        i.register(Builtin("zeros(*shape)", doc: "A tensor of zeros: zeros(2, 3) or zeros((2, 3)).") { a in t(Variable(try Tensor.zeros(a.shape("shape")))) })
        i.register(Builtin("ones(*shape)", doc: "A tensor of ones: ones(2, 3) or ones((2, 3)).") { a in t(Variable(try Tensor.ones(a.shape("shape")))) })
        i.register(Builtin("full(shape, value)", doc: "A tensor of `shape` filled with `value`.") { a in
            let shape = try a.interpreter.elements(a.value("shape") ?? .none, span: a.span).map { try a.interpreter.toInt($0, span: a.span, what: "a dimension") }
            return t(Variable(try Tensor.full(shape, try a.double("value"))))
        })
        i.register(Builtin("eye(n, m=None)", doc: "The n×m identity matrix (square when m is omitted).") { a in
            t(Variable(try Tensor.eye(try a.int("n"), try a.optionalInt("m"))))
        })
        i.register(Builtin("arange(start, stop=None, step=1)", doc: "Evenly spaced numbers from start up to (not including) stop, as numpy's arange.") { a in
            var start = try a.double("start"), stop = 0.0
            if a.has("stop") { stop = try a.double("stop") } else { stop = start; start = 0 }
            return t(Variable(try Tensor.arange(start, stop, try a.double("step", default: 1))))
        })
        i.register(Builtin("linspace(start, stop, num=50)", doc: "`num` evenly spaced numbers from start to stop, both included.") { a in
            t(Variable(try Tensor.linspace(try a.double("start"), try a.double("stop"), try a.int("num", default: 50))))
        })
        i.register(Builtin("onehot(labels, classes)", formula: "onehot(y)_k = 1 if k = y else 0", doc: "One-hot rows for class labels: onehot([2, 0], 3) = [[0, 0, 1], [1, 0, 0]].") { a in
            t(Variable(try Tensor.onehot(try a.tensor("labels").value, classes: try a.int("classes"))))
        })
        i.register(Builtin("seed(n)", doc: "Restarts the random generator, so rand, randn and dropout repeat their numbers on every machine.") { a in
            let n = try a.int("n")
            RandomSource.seed(UInt64(bitPattern: Int64(n)))
            return .none
        })
        i.register(Builtin("rand(*shape)", doc: "Uniform random numbers in [0, 1) (xoshiro256**; see seed).") { a in
            t(Variable(try Tensor.rand(try a.shape("shape"), using: &RandomSource.generator)))
        })
        i.register(Builtin("randn(*shape)", formula: "x ~ N(0, 1)", doc: "Standard normal random numbers (see seed).") { a in
            t(Variable(try Tensor.randn(try a.shape("shape"), using: &RandomSource.generator)))
        })

        // Elementwise math
        unary(i, "exp(x)", "d/dx eˣ = eˣ", "e to the power x, elementwise.") { $0.exp() }
        unary(i, "log(x)", "d/dx ln x = 1/x", "Natural logarithm, elementwise (log(0) = -inf).") { $0.log() }
        unary(i, "log2(x)", "d/dx log₂ x = 1/(x ln 2)", "Base-2 logarithm, elementwise.") { $0.log2() }
        unary(i, "log10(x)", "d/dx log₁₀ x = 1/(x ln 10)", "Base-10 logarithm, elementwise.") { $0.log10() }
        unary(i, "sqrt(x)", "d/dx √x = 1/(2√x)", "Square root, elementwise.") { $0.sqrt() }
        unary(i, "abs(x)", "d/dx |x| = sign(x), taken as 0 at 0", "Absolute value, elementwise.") { $0.abs() }
        unary(i, "sign(x)", "sign(x) ∈ {−1, 0, 1}", "The sign of each element (no gradient).") { $0.sign() }
        unary(i, "sin(x)", "d/dx sin x = cos x", "Sine, elementwise.") { $0.sin() }
        unary(i, "cos(x)", "d/dx cos x = −sin x", "Cosine, elementwise.") { $0.cos() }
        i.register(Builtin("clip(x, lo, hi)", formula: "clip(x) = min(max(x, lo), hi); gradient 1 where lo ≤ x ≤ hi", doc: "Limits every element to [lo, hi].") { a in
            t(try a.tensor("x").clip(try a.double("lo"), try a.double("hi")))
        })
        i.register(Builtin("maximum(a, b)", formula: "gradient 1 to the larger, ½ each at a tie", doc: "Elementwise larger of a and b (broadcasting).") { a in
            t(try Variable.maximum(try a.tensor("a"), try a.tensor("b")))
        })
        i.register(Builtin("minimum(a, b)", formula: "gradient 1 to the smaller, ½ each at a tie", doc: "Elementwise smaller of a and b (broadcasting).") { a in
            t(try Variable.minimum(try a.tensor("a"), try a.tensor("b")))
        })
        i.register(Builtin("dot(a, b)", formula: "a · b = Σ aᵢ bᵢ (matrix product for 2-d)", doc: "Same as a @ b.") { a in
            t(try Variable.matmul(try a.tensor("a"), try a.tensor("b")))
        })
        i.register(Builtin("matmul(a, b)", formula: "(AB)ᵢⱼ = Σₖ Aᵢₖ Bₖⱼ", doc: "Matrix product with numpy's rules, same as a @ b.") { a in
            t(try Variable.matmul(try a.tensor("a"), try a.tensor("b")))
        })

        // Reductions
        reduction(i, "sum", "Σᵢ xᵢ", "Sum.") { try $0.sum(axis: $1, keepdims: $2) }
        reduction(i, "mean", "(1/n) Σᵢ xᵢ", "Mean.") { try $0.mean(axis: $1, keepdims: $2) }
        reduction(i, "max", "gradient shared equally by tied maxima", "Largest element.") { try $0.max(axis: $1, keepdims: $2) }
        reduction(i, "min", "gradient shared equally by tied minima", "Smallest element.") { try $0.min(axis: $1, keepdims: $2) }
        reduction(i, "prod", "Πᵢ xᵢ", "Product.") { try $0.prod(axis: $1, keepdims: $2) }
        reduction(i, "var", "(1/n) Σᵢ (xᵢ − x̄)²", "Population variance (ddof = 0, as numpy).") { try $0.variance(axis: $1, keepdims: $2) }
        reduction(i, "std", "√var(x)", "Population standard deviation.") { try $0.std(axis: $1, keepdims: $2) }
        reduction(i, "argmax", nil, "Index of the first largest element (over the flattened tensor when axis is None).") { try $0.argmax(axis: $1, keepdims: $2) }
        reduction(i, "argmin", nil, "Index of the first smallest element.") { try $0.argmin(axis: $1, keepdims: $2) }
        i.register(Builtin("norm(x, ord=2, axis=None, keepdims=False)", formula: "‖x‖₂ = √(Σ xᵢ²), ‖x‖₁ = Σ |xᵢ|, ‖x‖∞ = max |xᵢ|", doc: "Vector norm (Frobenius for a matrix over all elements).") { a in
            t(try a.tensor("x").norm(ord: try a.double("ord", default: 2), axis: try a.optionalInt("axis"), keepdims: try a.bool("keepdims", default: false)))
        })

        // Shape
        i.register(Builtin("reshape(x, *shape)", doc: "The same elements in a new shape; one dimension may be -1 and is inferred.") { a in
            t(try a.tensor("x").reshaped(try a.shape()))
        })
        i.register(Builtin("transpose(x, axes=None)", doc: "Axes reversed (x.T for a matrix), or permuted by `axes`.") { a in
            let axes = a.has("axes") ? try a.sequence("axes").map { try a.interpreter.toInt($0, span: a.span, what: "an axis") } : nil
            return t(try a.tensor("x").transposed(axes))
        })
        i.register(Builtin("flatten(x)", doc: "All elements as a 1-d tensor.") { a in t(try a.tensor("x").flattened()) })
        i.register(Builtin("concat(tensors, axis=0)", doc: "Tensors joined along an existing axis.") { a in
            let parts = try a.sequence("tensors").map { try a.interpreter.toVariable($0, span: a.span, what: "concat(): each part") }
            return t(try Variable.concat(parts, axis: try a.int("axis", default: 0)))
        })
        i.register(Builtin("stack(tensors, axis=0)", doc: "Tensors of one shape joined along a new axis.") { a in
            let parts = try a.sequence("tensors").map { try a.interpreter.toVariable($0, span: a.span, what: "stack(): each part") }
            return t(try Variable.stack(parts, axis: try a.int("axis", default: 0)))
        })
        i.register(Builtin("pad(x, width)", formula: "out[..., i + w, j + w] = x[..., i, j], zeros around", doc: "Zero padding of `width` around the last two axes (an image's height and width).") { a in
            t(try F.pad(try a.tensor("x"), try a.int("width")))
        })
    }
}
