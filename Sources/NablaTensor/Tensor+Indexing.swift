/// One entry of an index expression, as in numpy: `x[1, 2:5, ::-1, None, [0, 2]]`.
public enum TensorIndex: Equatable, Sendable {
    /// A single position (negative counts from the end); the axis is dropped.
    case at(Int)
    /// Python slice `start:stop:step`; nil parts take their defaults.
    case slice(Int?, Int?, Int?)
    /// `:`, the whole axis.
    case all
    /// `None`, a new axis of length 1.
    case newAxis
    /// A list of positions along one axis (numpy integer-array indexing on that axis).
    case list([Int])
}

/// Basic and single-axis integer-array indexing, reading and writing.
extension Tensor {
    /// The element offsets an index expression selects: one list of offsets per output axis
    /// (their cartesian sums address the elements) and the result's shape.
    struct Selection {
        var axes: [[Int]]
        var shape: [Int]
    }

    /// Python's slice semantics: the first position, the number of positions, and the step.
    public static func resolveSlice(_ start: Int?, _ stop: Int?, _ step: Int?, size: Int) throws -> (Int, Int, Int) {
        let st = step ?? 1
        guard st != 0, st != Int.min else { throw TensorError.argument(op: "slice", message: st == 0 ? "slice step cannot be zero" : "slice step is too large") }
        func clamp(_ v: Int?, _ dflt: Int, lo: Int, hi: Int) -> Int {
            guard var v else { return dflt }
            if v < 0 { v = v < -size ? lo : v + size }
            return Swift.min(Swift.max(v, lo), hi)
        }
        if st > 0 {
            let a = clamp(start, 0, lo: 0, hi: size), b = clamp(stop, size, lo: 0, hi: size)
            return (a, b > a ? (b - a - 1) / st + 1 : 0, st)
        } else {
            let a = clamp(start, size - 1, lo: -1, hi: size - 1), b = clamp(stop, -1, lo: -1, hi: size - 1)
            // stop given as a negative beyond -size means "before the start": keep -1.
            return (a, a > b ? (a - b - 1) / (-st) + 1 : 0, st)
        }
    }

    func select(_ index: [TensorIndex], op: String = "index") throws -> Selection {
        let consumed = index.filter { $0 != .newAxis }.count
        guard consumed <= rank else {
            throw TensorError.argument(op: op, message: "too many indices (\(consumed)) for a tensor of rank \(rank) with shape \(formatShape(shape))")
        }
        guard index.filter({ if case .list = $0 { return true } else { return false } }).count <= 1 else {
            throw TensorError.argument(op: op, message: "only one axis may be indexed with a list")
        }
        let strides = Tensor.strides(of: shape)
        var sel = Selection(axes: [], shape: [])
        var base = 0
        var axis = 0
        for entry in index + [TensorIndex](repeating: .all, count: rank - consumed) {
            switch entry {
            case .newAxis:
                sel.axes.append([0]); sel.shape.append(1)
            case let .at(i):
                let n = shape[axis]
                guard i >= -n, i < n else { throw TensorError.index(op: op, index: i, axis: axis, size: n) }
                base += (i < 0 ? i + n : i) * strides[axis]
                axis += 1
            case .all, .slice:
                var (a, c, s) = (0, shape[axis], 1)
                if case let .slice(x, y, z) = entry { (a, c, s) = try Tensor.resolveSlice(x, y, z, size: shape[axis]) }
                let st = strides[axis]
                sel.axes.append((0..<c).map { (a + $0 * s) * st }); sel.shape.append(c)
                axis += 1
            case let .list(ids):
                let n = shape[axis], st = strides[axis]
                var offs = [Int]()
                offs.reserveCapacity(ids.count)
                for i in ids {
                    guard i >= -n, i < n else { throw TensorError.index(op: op, index: i, axis: axis, size: n) }
                    offs.append((i < 0 ? i + n : i) * st)
                }
                sel.axes.append(offs); sel.shape.append(ids.count)
                axis += 1
            }
        }
        if sel.axes.isEmpty { sel.axes = [[base]]; sel.shape = [] } else { sel.axes[0] = sel.axes[0].map { $0 + base } }
        return sel
    }

    /// Calls `body(k, offset)` for each selected element in row-major order of the result.
    private static func walk(_ sel: Selection, _ body: (Int, Int) -> Void) {
        let axes = sel.axes
        if axes.contains(where: \.isEmpty) { return }
        let r = axes.count
        var idx = [Int](repeating: 0, count: r)
        var k = 0
        while true {
            var base = 0
            for a in 0..<(r - 1) { base += axes[a][idx[a]] }
            for o in axes[r - 1] { body(k, base + o); k += 1 }
            var ax = r - 2
            while ax >= 0 {
                idx[ax] += 1
                if idx[ax] < axes[ax].count { break }
                idx[ax] = 0
                ax -= 1
            }
            if ax < 0 { return }
        }
    }

    /// `x[index]`: a view for basic indexing (positions, slices, new axes), as in numpy; a
    /// copy when an axis is indexed with a list.
    public subscript(_ index: [TensorIndex]) -> Tensor {
        get throws {
            if !index.contains(where: { if case .list = $0 { return true } else { return false } }) { return try basicView(index) }
            let sel = try select(index)
            let n = try Tensor.checkedCount(sel.shape, op: "index")
            var out = [Double](repeating: 0, count: n)
            withUnsafeElements { p in
                out.withUnsafeMutableBufferPointer { o in Tensor.walk(sel) { k, off in o[k] = p[off] } }
            }
            return Tensor(unchecked: sel.shape, data: out)
        }
    }

    /// The view `x[index]` selects when no entry is a list.
    private func basicView(_ index: [TensorIndex]) throws -> Tensor {
        let w = try withStrides { own, start in try window(index, strides: own, offset: start, op: "index") }
        return Tensor.view(of: storage, shape: w.shape, strides: w.strides, offset: w.offset)
    }

    /// Where a basic index (positions, slices, new axes; no lists) reaches in storage laid out
    /// with `strides` from `offset`: each slice scales its axis' stride, each position moves
    /// the offset and drops its axis.
    private func window(_ index: [TensorIndex], strides own: UnsafeBufferPointer<Int>, offset start: Int, op: String) throws
        -> (shape: [Int], strides: [Int], offset: Int) {
        let dims = shape, rank = dims.count   // read once: `shape` is computed from the layout
        var consumed = 0
        for entry in index where entry != .newAxis { consumed += 1 }
        guard consumed <= rank else {
            throw TensorError.argument(op: op, message: "too many indices (\(consumed)) for a tensor of rank \(rank) with shape \(formatShape(dims))")
        }
        var outShape = [Int](), outStrides = [Int](), offset = start, axis = 0
        outShape.reserveCapacity(rank + index.count)
        outStrides.reserveCapacity(rank + index.count)
        for entry in index {
            switch entry {
            case .newAxis:
                outShape.append(1); outStrides.append(0)
            case let .at(i):
                let n = dims[axis]
                guard i >= -n, i < n else { throw TensorError.index(op: op, index: i, axis: axis, size: n) }
                offset += (i < 0 ? i + n : i) * own[axis]
                axis += 1
            case .all:
                outShape.append(dims[axis]); outStrides.append(own[axis])
                axis += 1
            case let .slice(x, y, z):
                let (a, c, step) = try Tensor.resolveSlice(x, y, z, size: dims[axis])
                if c > 0 { offset += a * own[axis] }
                outShape.append(c); outStrides.append(c > 1 ? step * own[axis] : 0)   // c > 1: within storage, no overflow
                axis += 1
            case .list:
                preconditionFailure("a window is for indices without lists")
            }
        }
        while axis < rank {   // the axes not indexed, whole
            outShape.append(dims[axis]); outStrides.append(own[axis])
            axis += 1
        }
        return (outShape, outStrides, offset)
    }

    /// `x[index] = value`, with `value` broadcast to the selected shape.
    public mutating func assign(_ index: [TensorIndex], _ value: Tensor) throws {
        try update(index, value, op: "index assignment") { _, v in v }
    }

    /// `x[index] += value`, accumulating where a list repeats a position (the gradient of indexing).
    public mutating func add(at index: [TensorIndex], _ value: Tensor) throws {
        try update(index, value, op: "index add", +)
    }

    private mutating func update(_ index: [TensorIndex], _ value: Tensor, op: String, _ f: (Double, Double) -> Double) throws {
        if !index.contains(where: { if case .list = $0 { return true } else { return false } }) {
            // A basic index: write the window in place, reading the value through its own strides.
            if isView { self = copy() }   // written below through row-major strides, in elements of its own
            let w = try withStrides { own, _ in try window(index, strides: own, offset: 0, op: op) }
            // A value that is a view of this tensor (`X[0] = X[1]`) is copied first, as numpy does
            // with overlap: else writing would copy all of this tensor, the value still holding it.
            let v = try (value.sharesStorage(with: self) ? value.copy() : value).broadcast(to: w.shape)
            let (vStrides, vOffset) = v.withStrides { own, offset in (Array(own), offset) }
            v.storage.withUnsafeBufferPointer { src in
                data.withUnsafeMutableBufferPointer { d in
                    Tensor.forEachRun(shape: w.shape, strides: w.strides, vStrides, offsets: w.offset, vOffset) { i, j, len, di, dj in
                        var (i, j) = (i, j)
                        for _ in 0..<len { d[i] = f(d[i], src[j]); i += di; j += dj }
                    }
                }
            }
            return
        }
        let sel = try select(index, op: op)
        let v = try value.broadcast(to: sel.shape)
        v.withUnsafeElements { src in
            data.withUnsafeMutableBufferPointer { d in Tensor.walk(sel) { k, off in d[off] = f(d[off], src[k]) } }
        }
    }
}
