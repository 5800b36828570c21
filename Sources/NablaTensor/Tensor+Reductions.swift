import Foundation

/// Reductions over all elements or along one axis, with numpy's `keepdims`.
extension Tensor {
    /// Splits the shape around `axis` into (outer, length, inner) for a row-major walk.
    private func split(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }

    private func reducedShape(_ axis: Int, keepdims: Bool) -> [Int] {
        var s = shape
        if keepdims { s[axis] = 1 } else { s.remove(at: axis) }
        return s
    }

    /// Folds along `axis` (or everything when nil): `initial`, then `combine(acc, x)` per element.
    private func fold(axis: Int?, keepdims: Bool, op: String, initial: Double,
                      _ combine: (Double, Double) -> Double) throws -> Tensor {
        guard let axis else {
            var acc = initial
            withUnsafeElements { p in for x in p { acc = combine(acc, x) } }
            return keepdims && rank > 0 ? Tensor(unchecked: [Int](repeating: 1, count: rank), data: [acc]) : Tensor(acc)
        }
        let ax = try Tensor.normalizeAxis(axis, rank: rank, op: op)
        let (outer, n, inner) = split(ax)
        var out = [Double](repeating: initial, count: outer * inner)
        data.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                guard let p0 = p.baseAddress, let o0 = o.baseAddress else { return }
                for a in 0..<outer {
                    let dst = o0 + a * inner
                    for k in 0..<n {
                        let src = p0 + (a * n + k) * inner
                        for i in 0..<inner { dst[i] = combine(dst[i], src[i]) }
                    }
                }
            }
        }
        return Tensor(unchecked: reducedShape(ax, keepdims: keepdims), data: out)
    }

    /// Index of the first extreme element along `axis`, by `better(candidate, best)`.
    private func argExtreme(axis: Int?, keepdims: Bool, op: String,
                            _ better: (Double, Double) -> Bool) throws -> Tensor {
        guard count > 0 else { throw TensorError.argument(op: op, message: "empty tensor has no \(op)") }
        guard let axis else {
            var best = 0
            withUnsafeElements { p in
                for i in 1..<p.count where better(p[i], p[best]) || (p[i].isNaN && !p[best].isNaN) { best = i }
            }
            return keepdims && rank > 0 ? Tensor(unchecked: [Int](repeating: 1, count: rank), data: [Double(best)]) : Tensor(Double(best))
        }
        let ax = try Tensor.normalizeAxis(axis, rank: rank, op: op)
        let (outer, n, inner) = split(ax)
        guard n > 0 else { throw TensorError.argument(op: op, message: "axis \(axis) has length 0") }
        var out = [Double](repeating: 0, count: outer * inner)
        data.withUnsafeBufferPointer { p in
            for a in 0..<outer {
                for i in 0..<inner {
                    var best = 0
                    for k in 1..<Swift.max(n, 1) {
                        let x = p[(a * n + k) * inner + i], y = p[(a * n + best) * inner + i]
                        if better(x, y) || (x.isNaN && !y.isNaN) { best = k }
                    }
                    out[a * inner + i] = Double(best)
                }
            }
        }
        return Tensor(unchecked: reducedShape(ax, keepdims: keepdims), data: out)
    }

    private func length(axis: Int?, op: String) throws -> Int {
        guard let axis else { return count }
        return shape[try Tensor.normalizeAxis(axis, rank: rank, op: op)]
    }

    public func sum(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        try fold(axis: axis, keepdims: keepdims, op: "sum", initial: 0, +)
    }

    public func prod(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        try fold(axis: axis, keepdims: keepdims, op: "prod", initial: 1, *)
    }

    public func mean(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        let n = try length(axis: axis, op: "mean")
        return try sum(axis: axis, keepdims: keepdims) / Double(n)
    }

    /// Largest element; NaN if any element is NaN. An empty reduction is an error.
    public func max(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        guard try length(axis: axis, op: "max") > 0 else { throw TensorError.argument(op: "max", message: "empty reduction has no maximum") }
        return try fold(axis: axis, keepdims: keepdims, op: "max", initial: -.infinity) { a, x in a.isNaN || x.isNaN ? .nan : Swift.max(a, x) }
    }

    public func min(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        guard try length(axis: axis, op: "min") > 0 else { throw TensorError.argument(op: "min", message: "empty reduction has no minimum") }
        return try fold(axis: axis, keepdims: keepdims, op: "min", initial: .infinity) { a, x in a.isNaN || x.isNaN ? .nan : Swift.min(a, x) }
    }

    /// Index of the first maximum (over the flattened tensor when `axis` is nil).
    public func argmax(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        try argExtreme(axis: axis, keepdims: keepdims, op: "argmax", >)
    }

    public func argmin(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        try argExtreme(axis: axis, keepdims: keepdims, op: "argmin", <)
    }

    /// Population variance (numpy's default, ddof = 0).
    public func variance(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        let m = try mean(axis: axis, keepdims: true)
        let d = try self - m
        return try (d * d).mean(axis: axis, keepdims: keepdims)
    }

    public func std(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        try variance(axis: axis, keepdims: keepdims).sqrt()
    }

    /// Vector p-norm (`ord` 1, 2 or infinity); for matrices over all elements it is Frobenius.
    public func norm(ord: Double = 2, axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
        switch ord {
        case 1: return try abs().sum(axis: axis, keepdims: keepdims)
        case 2: return try (self * self).sum(axis: axis, keepdims: keepdims).sqrt()
        case .infinity: return try abs().max(axis: axis, keepdims: keepdims)
        default:
            guard ord > 0, ord.isFinite else { throw TensorError.argument(op: "norm", message: "ord must be positive, got \(ord)") }
            return try Tensor.pow(abs().map { Foundation.pow($0, ord) }.sum(axis: axis, keepdims: keepdims), Tensor(1 / ord))
        }
    }
}
