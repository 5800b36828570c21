import NablaTensor

/// Shape ops move values around; their gradients move them back.
extension Variable {
    public func reshaped(_ shape: [Int]) throws -> Variable {
        let old = value.shape
        return Variable.make(.reshape, try value.reshaped(shape), [self]) { g in [try g.reshaped(old)] }
    }

    public func flattened() throws -> Variable { try reshaped([value.count]) }

    /// Axes permuted (reversed when nil, so `.T` transposes a matrix).
    public func transposed(_ axes: [Int]? = nil) throws -> Variable {
        let r = value.rank
        let perm = try axes.map { try $0.map { try Tensor.normalizeAxis($0, rank: r, op: "transpose") } } ?? Array((0..<r).reversed())
        var inverse = [Int](repeating: 0, count: perm.count)
        for (i, p) in perm.enumerated() where p < inverse.count { inverse[p] = i }
        return Variable.make(.transpose, try value.transposed(perm), [self]) { g in [try g.transposed(inverse)] }
    }

    public func expandingDims(_ axis: Int) throws -> Variable {
        let old = value.shape
        return Variable.make(.expandDims, try value.expandingDims(axis), [self]) { g in [try g.reshaped(old)] }
    }

    /// Materialized broadcast; the engine sums the gradient back to the old shape.
    public func broadcast(to shape: [Int]) throws -> Variable {
        Variable.make(.broadcast, try value.broadcast(to: shape), [self]) { g in [g] }
    }

    public static func concat(_ parts: [Variable], axis: Int = 0) throws -> Variable {
        let out = try Tensor.concat(parts.map(\.value), axis: axis)
        let ax = try Tensor.normalizeAxis(axis, rank: out.rank, op: "concat")
        let sizes = parts.map { $0.value.shape[ax] }
        return make(.concat, out, parts) { g in
            var start = 0
            return try sizes.map { n in
                var idx = [TensorIndex](repeating: .all, count: g.rank)
                idx[ax] = .slice(start, start + n, 1)
                start += n
                return try g[idx]
            }
        }
    }

    public static func stack(_ parts: [Variable], axis: Int = 0) throws -> Variable {
        guard let first = parts.first else { throw TensorError.argument(op: "stack", message: "needs at least one tensor") }
        let ax = try Tensor.normalizeAxis(axis, rank: first.value.rank + 1, op: "stack")
        return try concat(parts.map { try $0.expandingDims(ax) }, axis: ax)
    }

    /// `x[index]`; the gradient is scattered back (adding where a list repeats a position).
    public func indexed(_ index: [TensorIndex]) throws -> Variable {
        let shape = value.shape
        return Variable.make(.index, try value[index], [self]) { g in
            var d = try Tensor.zeros(shape)
            try d.add(at: index, g)
            return [d]
        }
    }

    /// A copy of `x` with `x[index] = v`: the gradient reaches `x` outside the index and `v` inside.
    public static func replacing(_ x: Variable, _ index: [TensorIndex], with v: Variable) throws -> Variable {
        var out = x.value
        try out.assign(index, v.value)
        let vShape = v.value.shape
        return make(.setitem, out, [x, v]) { g in
            var gx = g
            try gx.assign(index, Tensor(0))
            return [gx, try g[index].sumToShape(vShape)]
        }
    }

    /// Zero padding of the last two axes.
    public func padded(_ width: Int) throws -> Variable {
        Variable.make(.pad(width: width), try value.padded(width), [self]) { g in [try g.unpadded(width)] }
    }

    /// Scores picked per row: `out[i] = x[i, labels[i]]` over the last axis.
    public func pick(_ labels: [Int]) throws -> Variable {
        let x = value
        guard x.rank >= 1 else { throw TensorError.argument(op: "pick", message: "needs at least one axis") }
        let c = x.shape[x.rank - 1]
        let rows = x.count / Swift.max(c, 1)
        guard labels.count == rows else {
            throw TensorError.shape(op: "pick", message: "\(labels.count) labels for \(rows) rows of \(formatShape(x.shape))")
        }
        for l in labels where l < 0 || l >= c { throw TensorError.index(op: "pick", index: l, axis: x.rank - 1, size: c) }
        let out = try Tensor(shape: Array(x.shape.dropLast()), data: labels.enumerated().map { x.data[$0 * c + $1] })
        return Variable.make(.pick, out, [self]) { g in
            var d = [Double](repeating: 0, count: x.count)
            for (i, l) in labels.enumerated() { d[i * c + l] = g.data[i] }
            return [try Tensor(shape: x.shape, data: d)]
        }
    }
}

