import Foundation
import NablaTensor

/// Reductions; the gradient of a reduced axis is spread back over it.
extension Variable {
    /// A gradient of a reduced shape, stretched back to `shape` (re-inserting a dropped axis).
    static func unreduce(_ g: Tensor, axis: Int?, keepdims: Bool, to shape: [Int]) throws -> Tensor {
        var g = g
        if let axis, !keepdims { g = try g.expandingDims(try Tensor.normalizeAxis(axis, rank: shape.count, op: "reduce")) }
        if axis == nil && !keepdims { g = try g.reshaped([Int](repeating: 1, count: shape.count)) }
        return try g.broadcast(to: shape)
    }

    public func sum(axis: Int? = nil, keepdims: Bool = false) throws -> Variable {
        let shape = value.shape
        return Variable.make(.sum(axis: axis), try value.sum(axis: axis, keepdims: keepdims), [self]) { g in
            [try Variable.unreduce(g, axis: axis, keepdims: keepdims, to: shape)]
        }
    }

    public func mean(axis: Int? = nil, keepdims: Bool = false) throws -> Variable {
        let shape = value.shape
        let out = try value.mean(axis: axis, keepdims: keepdims)
        let n = Double(Swift.max(value.count / Swift.max(out.count, 1), 1))
        return Variable.make(.mean(axis: axis), out, [self]) { g in
            [try Variable.unreduce(g / n, axis: axis, keepdims: keepdims, to: shape)]
        }
    }

    /// Largest element(s); tied maxima share the gradient equally.
    public func max(axis: Int? = nil, keepdims: Bool = false) throws -> Variable {
        try extreme(axis: axis, keepdims: keepdims, op: .max(axis: axis), value.max(axis: axis, keepdims: true))
    }

    /// Smallest element(s); tied minima share the gradient equally.
    public func min(axis: Int? = nil, keepdims: Bool = false) throws -> Variable {
        try extreme(axis: axis, keepdims: keepdims, op: .min(axis: axis), value.min(axis: axis, keepdims: true))
    }

    private func extreme(axis: Int?, keepdims: Bool, op: Op, _ kept: Tensor) throws -> Variable {
        let x = value
        let out = try kept.reshaped(Variable.reducedShape(x.shape, axis: axis, keepdims: keepdims))
        return Variable.make(op, out, [self]) { g in
            let mask = try Tensor.eq(x, kept)
            let ties = try mask.sum(axis: axis, keepdims: true)
            let share = try Variable.unreduce(g, axis: axis, keepdims: keepdims, to: x.shape)
            return [try share * mask / ties]
        }
    }

    /// The shape a reduction over `axis` (all axes when nil) leaves.
    static func reducedShape(_ shape: [Int], axis: Int?, keepdims: Bool) throws -> [Int] {
        guard let axis else { return keepdims ? [Int](repeating: 1, count: shape.count) : [] }
        var s = shape
        let a = try Tensor.normalizeAxis(axis, rank: shape.count, op: "reduce")
        if keepdims { s[a] = 1 } else { s.remove(at: a) }
        return s
    }

    /// Product; d/dx_i is the product of the other elements (exact even with zeros).
    public func prod(axis: Int? = nil, keepdims: Bool = false) throws -> Variable {
        let x = value
        return Variable.make(.prod(axis: axis), try x.prod(axis: axis, keepdims: keepdims), [self]) { g in
            let others = try Variable.productOfOthers(x, axis: axis)
            return [try Variable.unreduce(g, axis: axis, keepdims: keepdims, to: x.shape) * others]
        }
    }

    /// For each element, the product of the other elements of its reduction group.
    static func productOfOthers(_ x: Tensor, axis: Int?) throws -> Tensor {
        let t = axis == nil ? x.flattened() : x
        let ax = try axis.map { try Tensor.normalizeAxis($0, rank: x.rank, op: "prod") } ?? 0
        let outer = t.shape[..<ax].reduce(1, *), n = t.shape[ax], inner = t.shape[(ax + 1)...].reduce(1, *)
        var out = t.data
        for o in 0..<outer {
            for i in 0..<inner {
                var prefix = 1.0
                for k in 0..<n { out[(o * n + k) * inner + i] = prefix; prefix *= t.data[(o * n + k) * inner + i] }
                var suffix = 1.0
                for k in stride(from: n - 1, through: 0, by: -1) {
                    out[(o * n + k) * inner + i] *= suffix; suffix *= t.data[(o * n + k) * inner + i]
                }
            }
        }
        return try Tensor(shape: x.shape, data: out)
    }

    /// Population variance (ddof = 0), built from differentiable pieces.
    public func variance(axis: Int? = nil, keepdims: Bool = false) throws -> Variable {
        try Variable.composite(.variance(axis: axis), [self]) { v in
            let d = try v[0] - v[0].mean(axis: axis, keepdims: true)
            return try (d * d).mean(axis: axis, keepdims: keepdims)
        }
    }

    /// Population standard deviation √variance (the MLE of σ).
    public func std(axis: Int? = nil, keepdims: Bool = false) throws -> Variable {
        try Variable.composite(.std(axis: axis), [self]) { v in try v[0].variance(axis: axis, keepdims: keepdims).sqrt() }
    }

    /// p-norm for ord 1, 2 or ∞; the 2-norm's gradient x/‖x‖ is taken as 0 at x = 0.
    public func norm(ord: Double = 2, axis: Int? = nil, keepdims: Bool = false) throws -> Variable {
        switch ord {
        case 1: return try abs().sum(axis: axis, keepdims: keepdims)
        case .infinity: return try abs().max(axis: axis, keepdims: keepdims)
        case 2:
            let x = value
            let kept = try x.norm(ord: 2, axis: axis, keepdims: true)
            let out = try kept.reshaped(Variable.reducedShape(x.shape, axis: axis, keepdims: keepdims))
            return Variable.make(.norm(axis: axis), out, [self]) { g in
                let share = try Variable.unreduce(g, axis: axis, keepdims: keepdims, to: x.shape)
                return [try share * Tensor.zip(x, kept, op: "norm") { $1 == 0 ? 0 : $0 / $1 }]
            }
        default:
            guard ord > 0, ord.isFinite else { throw TensorError.argument(op: "norm", message: "ord must be positive, got \(ord)") }
            return Variable.pow(try Variable.pow(abs(), ord).sum(axis: axis, keepdims: keepdims), 1 / ord)
        }
    }

    /// Index of the first maximum; an integer result, so not differentiable.
    public func argmax(axis: Int? = nil, keepdims: Bool = false) throws -> Variable {
        Variable(try value.argmax(axis: axis, keepdims: keepdims))
    }

    public func argmin(axis: Int? = nil, keepdims: Bool = false) throws -> Variable {
        Variable(try value.argmin(axis: axis, keepdims: keepdims))
    }
}
