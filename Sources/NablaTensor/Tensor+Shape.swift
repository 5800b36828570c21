/// Shape manipulation: reshape, transpose, concatenate, stack, pad.
extension Tensor {
    /// The same elements under a new shape; one extent may be -1 and is inferred.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var s = newShape
        let unknown = s.indices.filter { s[$0] == -1 }
        guard unknown.count <= 1 else { throw TensorError.shape(op: "reshape", message: "only one dimension may be -1") }
        if let u = unknown.first {
            s[u] = 1
            let known = try Tensor.checkedCount(s, op: "reshape")
            guard known > 0, count % known == 0 else {
                throw TensorError.shape(op: "reshape", message: "cannot reshape \(formatShape(shape)) into \(formatShape(newShape))")
            }
            s[u] = count / known
        }
        guard try Tensor.checkedCount(s, op: "reshape") == count else {
            throw TensorError.shape(op: "reshape", message: "cannot reshape \(formatShape(shape)) (\(count) elements) into \(formatShape(newShape))")
        }
        return reshapedUnchecked(s)
    }

    /// A 1-d tensor of all elements.
    public func flattened() -> Tensor { reshapedUnchecked([count]) }

    /// Axes permuted; reverses them when `axes` is nil (so `.T` of a matrix is its transpose).
    /// A view: nothing is copied until something needs the elements in the new order.
    public func transposed(_ axes: [Int]? = nil) throws -> Tensor {
        guard let axes else {
            if rank < 2 { return self }
            return withStrides { own, offset in Tensor.view(of: storage, shape: shape.reversed(), strides: own.reversed(), offset: offset) }
        }
        let perm = try axes.map { try Tensor.normalizeAxis($0, rank: rank, op: "transpose") }
        var seen = [Bool](repeating: false, count: rank)
        if perm.count == rank { for a in perm { seen[a] = true } }
        guard perm.count == rank, !seen.contains(false) else {
            throw TensorError.argument(op: "transpose", message: "axes \(axes) are not a permutation of \(rank) axes")
        }
        if rank < 2 { return self }
        return withStrides { own, offset in Tensor.view(of: storage, shape: perm.map { shape[$0] }, strides: perm.map { own[$0] }, offset: offset) }
    }

    /// Swaps the last two axes (matrix transpose of each matrix in a batch).
    public func swapLastAxes() throws -> Tensor {
        guard rank >= 2 else { return self }
        var p = Array(0..<rank)
        p.swapAt(rank - 1, rank - 2)
        return try transposed(p)
    }

    /// Tensors joined along an existing axis; all other extents must agree.
    public static func concat(_ parts: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = parts.first else { throw TensorError.argument(op: "concat", message: "needs at least one tensor") }
        guard first.rank > 0 else { throw TensorError.argument(op: "concat", message: "cannot concatenate 0-d tensors; use stack") }
        let ax = try normalizeAxis(axis, rank: first.rank, op: "concat")
        var shape = first.shape
        shape[ax] = 0
        for p in parts {
            var a = p.shape, b = first.shape
            guard a.count == b.count else { throw TensorError.broadcast(op: "concat", lhs: first.shape, rhs: p.shape) }
            a[ax] = 0; b[ax] = 0
            guard a == b else { throw TensorError.broadcast(op: "concat", lhs: first.shape, rhs: p.shape) }
            shape[ax] += p.shape[ax]
        }
        let n = try checkedCount(shape, op: "concat")
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
        var out = [Double]()
        out.reserveCapacity(n)
        for o in 0..<outer {
            for p in parts {
                let run = p.shape[ax] * inner
                out.append(contentsOf: p.data[(o * run)..<((o + 1) * run)])
            }
        }
        return Tensor(unchecked: shape, data: out)
    }

    /// Tensors of one shape joined along a new axis.
    public static func stack(_ parts: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = parts.first else { throw TensorError.argument(op: "stack", message: "needs at least one tensor") }
        let ax = try normalizeAxis(axis, rank: first.rank + 1, op: "stack")
        for p in parts where p.shape != first.shape { throw TensorError.broadcast(op: "stack", lhs: first.shape, rhs: p.shape) }
        var s = first.shape
        s.insert(1, at: ax)
        return try concat(parts.map { $0.reshapedUnchecked(s) }, axis: ax)
    }

    /// Inserts an axis of length 1.
    public func expandingDims(_ axis: Int) throws -> Tensor {
        let ax = try Tensor.normalizeAxis(axis, rank: rank + 1, op: "expand_dims")
        var s = shape
        s.insert(1, at: ax)
        return reshapedUnchecked(s)
    }

    /// Zero padding of `width` on both sides of the last two axes (an image's height and width).
    public func padded(_ width: Int, value: Double = 0) throws -> Tensor {
        guard rank >= 2 else { throw TensorError.argument(op: "pad", message: "needs at least 2 dimensions, got \(formatShape(shape))") }
        guard width >= 0 else { throw TensorError.argument(op: "pad", message: "padding must be non-negative, got \(width)") }
        if width == 0 { return self }
        let h = shape[rank - 2], w = shape[rank - 1]
        var s = shape
        s[rank - 2] = h + 2 * width; s[rank - 1] = w + 2 * width
        let n = try Tensor.checkedCount(s, op: "pad")
        let planes = count / Swift.max(h * w, 1)
        let (H, W) = (s[rank - 2], s[rank - 1])
        var out = [Double](repeating: value, count: n)
        if h * w > 0 {
            for p in 0..<planes {
                for i in 0..<h {
                    let src = p * h * w + i * w, dst = p * H * W + (i + width) * W + width
                    out.replaceSubrange(dst..<(dst + w), with: data[src..<(src + w)])
                }
            }
        }
        return Tensor(unchecked: s, data: out)
    }

    /// Inverse of `padded`: drops `width` from both sides of the last two axes.
    public func unpadded(_ width: Int) throws -> Tensor {
        if width == 0 { return self }
        var idx = [TensorIndex](repeating: .all, count: rank)
        idx[rank - 2] = .slice(width, shape[rank - 2] - width, 1)
        idx[rank - 1] = .slice(width, shape[rank - 1] - width, 1)
        return try self[idx]
    }
}
