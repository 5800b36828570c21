import Foundation
import NablaTensor

/// The lecture's functions, as differentiable ops over Variables (like torch.nn.functional).
public enum F {}

/// Activations.
extension F {
    /// σ(x) = 1 / (1 + e^−x);  σ'(x) = σ(x)(1 − σ(x)).
    public static func sigmoid(_ x: Variable) -> Variable {
        let y = x.value.sigmoid()
        return Variable.make(.sigmoid, y, [x]) { g in [try g * y.map { $0 * (1 - $0) }] }
    }

    /// relu(x) = max(0, x);  relu'(x) = 1 if x > 0 else 0 (so relu'(0) = 0, as PyTorch).
    public static func relu(_ x: Variable) -> Variable {
        let v = x.value
        // Backward in one pass: g where x > 0, else 0 (PyTorch's threshold_backward; no mask tensor).
        // Both passes are vector loops; large tensors are split over the cores.
        let y = v.withUnsafeElements { p in
            [Double](unsafeUninitializedCapacity: p.count) { o, done in
                done = p.count
                guard let p0 = p.baseAddress, let o0 = o.baseAddress else { return }
                Parallel.chunks(p.count, elements: p.count) { r in reluForward(p0, o0, r) }
            }
        }
        return Variable.make(.relu, Tensor(shapeOf: v, data: y), [x]) { g in
            guard g.shape == v.shape else { return [try Tensor.zip(g, v, op: "relu") { $1 > 0 ? $0 : 0 }] }
            let d = g.withUnsafeElements { pg in
                v.withUnsafeElements { pv in
                    [Double](unsafeUninitializedCapacity: pv.count) { o, done in
                        done = pv.count
                        guard let g0 = pg.baseAddress, let v0 = pv.baseAddress, let o0 = o.baseAddress else { return }
                        Parallel.chunks(pv.count, elements: pv.count) { r in reluBackward(g0, v0, o0, r) }
                    }
                }
            }
            return [Tensor(shapeOf: v, data: d)]
        }
    }

    /// relu over part of a buffer. The pointers are arguments, not a closure's captures, so
    /// they stay in registers and the loop vectorizes.
    static func reluForward(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ r: Range<Int>) {
        for i in r { (out + i).initialize(to: x[i] > 0 ? x[i] : 0) }
    }

    /// relu's backward over part of a buffer: g where x > 0, else 0. Both loads come before
    /// the comparison, so it compiles to a select (vectorized), not a branch on the sign.
    static func reluBackward(_ g: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ r: Range<Int>) {
        for i in r {
            let (gi, xi) = (g[i], x[i])
            (out + i).initialize(to: xi > 0 ? gi : 0)
        }
    }

    /// leaky_relu(x) = x if x > 0 else αx (the notes' α = 0.1);  derivative 1 or α (α at 0).
    public static func leakyRelu(_ x: Variable, alpha: Double = 0.1) -> Variable {
        let v = x.value
        return Variable.make(.leakyRelu(alpha: alpha), v.map { $0 > 0 ? $0 : alpha * $0 }, [x]) { g in
            [try g * v.map { $0 > 0 ? 1 : alpha }]
        }
    }

    /// elu(x) = x if x > 0 else α(eˣ − 1);  derivative 1 or elu(x) + α.
    public static func elu(_ x: Variable, alpha: Double = 1) -> Variable {
        let v = x.value
        let y = v.map { $0 > 0 ? $0 : alpha * Foundation.expm1($0) }
        return Variable.make(.elu(alpha: alpha), y, [x]) { g in
            [try g * Tensor.zip(v, y, op: "elu") { $0 > 0 ? 1 : $1 + alpha }]
        }
    }

    public static func tanh(_ x: Variable) -> Variable { x.tanh() }

    /// softplus(x) = ln(1 + eˣ), computed stably;  derivative σ(x).
    public static func softplus(_ x: Variable) -> Variable {
        let v = x.value
        return Variable.make(.softplus, v.map { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }, [x]) { g in
            [try g * v.sigmoid()]
        }
    }

    /// softmax(x)_i = e^(x_i − max x) / Σ_j e^(x_j − max x) along `axis`;
    /// the Jacobian-vector product is y ⊙ (g − Σ g ⊙ y).
    public static func softmax(_ x: Variable, axis: Int = -1) throws -> Variable {
        let y = try softmaxValue(x.value, axis: axis)
        return Variable.make(.softmax(axis: axis), y, [x]) { g in
            [try y * (g - (g * y).sum(axis: axis, keepdims: true))]
        }
    }

    static func softmaxValue(_ x: Tensor, axis: Int) throws -> Tensor {
        if x.rank == 0 { return Tensor(1) }
        _ = try Tensor.normalizeAxis(axis, rank: x.rank, op: "softmax")
        let e = try (x - x.max(axis: axis, keepdims: true)).exp()
        return try e / e.sum(axis: axis, keepdims: true)
    }

    /// log_softmax(x) = x − max − ln Σ e^(x − max);  gradient g − softmax(x) Σ g.
    public static func logSoftmax(_ x: Variable, axis: Int = -1) throws -> Variable {
        let v = x.value
        if v.rank == 0 { return Variable.make(.logSoftmax(axis: axis), Tensor(0), [x]) { _ in [nil] } }
        let y = try logSoftmaxValue(v, axis: axis)
        return Variable.make(.logSoftmax(axis: axis), y, [x]) { g in
            [try g - y.exp() * g.sum(axis: axis, keepdims: true)]
        }
    }

    /// log_softmax of a tensor of rank ≥ 1: (x − max) − ln Σ e^(x − max) along `axis`.
    static func logSoftmaxValue(_ v: Tensor, axis: Int) throws -> Tensor {
        let ax = try Tensor.normalizeAxis(axis, rank: v.rank, op: "log_softmax")
        if ax == v.rank - 1, let width = v.shape.last, width > 0 { return try logSoftmaxRows(v, width: width) }
        let shifted = try v - v.max(axis: axis, keepdims: true)
        return try shifted - shifted.exp().sum(axis: axis, keepdims: true).log()
    }

    /// log_softmax along the last axis (rows of class scores), one row at a time: the general
    /// path's max, shift, exp, sum, log and subtraction in the same order (the same bits),
    /// without its five intermediate tensors.
    static func logSoftmaxRows(_ v: Tensor, width: Int) throws -> Tensor {
        let n = v.count
        let out = v.withUnsafeElements { p in
            [Double](unsafeUninitializedCapacity: n) { o, done in
                var row = 0
                while row < n {
                    var m = -Double.infinity
                    for k in row..<(row + width) { let x = p[k]; m = m.isNaN || x.isNaN ? .nan : Swift.max(m, x) }
                    var total = 0.0
                    for k in row..<(row + width) {
                        let shifted = p[k] - m
                        o.initializeElement(at: k, to: shifted)
                        total += Foundation.exp(shifted)
                    }
                    let lse = Foundation.log(total)
                    for k in row..<(row + width) { o[k] -= lse }
                    row += width
                }
                done = n
            }
        }
        return try Tensor(shape: v.shape, data: out)
    }

    /// maxout(z₁, …, z_k) = elementwise max of the pieces (each a linear unit wᵢᵀx + bᵢ).
    public static func maxout(_ pieces: [Variable]) throws -> Variable {
        guard var acc = pieces.first else { throw TensorError.argument(op: "maxout", message: "needs at least one piece") }
        for p in pieces.dropFirst() { acc = try Variable.maximum(acc, p) }
        return acc
    }
}
