import Synchronization

/// A strided window onto a row-major element array that other tensors share: a transpose, a
/// basic slice, or a reshape of either, made without copying. Views are read-only; a tensor
/// that is written takes elements of its own (copy-on-write, as everywhere in `Tensor`).
@usableFromInline final class TensorView: Sendable {
    @usableFromInline let shape: [Int]
    /// Steps in `base` along each axis (0 for an inserted axis, negative for a reversed slice).
    @usableFromInline let strides: [Int]
    @usableFromInline let offset: Int
    @usableFromInline let count: Int
    @usableFromInline let base: [Double]
    /// Whether the elements lie in row-major order from `offset` (a run of whole rows): then
    /// readers get a pointer into `base` and nothing is copied.
    @usableFromInline let isContiguous: Bool
    /// A non-contiguous view's row-major elements, gathered on the first read that needs them
    /// and kept, so code reading `data` element by element pays for one gather, not one each.
    private let gathered = Mutex<[Double]?>(nil)

    init(base: [Double], shape: [Int], strides: [Int], offset: Int, count: Int, isContiguous: Bool) {
        self.base = base
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.count = count
        self.isContiguous = isContiguous
    }

    /// Whether `strides` are the row-major strides of `shape` (an axis of extent 1 may have any).
    static func isRowMajor(_ shape: [Int], _ strides: [Int]) -> Bool {
        var expected = 1
        for ax in stride(from: shape.count - 1, through: 0, by: -1) where shape[ax] != 1 {
            if strides[ax] != expected { return false }
            expected &*= shape[ax]
        }
        return true
    }

    /// Strides that read the elements of (`shape`, `strides`) in row order under `newShape`
    /// (same count, not 0), or nil when a copy is needed. numpy's rule: the axes are matched
    /// in groups of equal extent products, and within each group the old axes must step
    /// through storage as one (each stride the next one times its extent).
    static func stridesWithoutCopy(from shape: [Int], _ strides: [Int], to newShape: [Int]) -> [Int]? {
        let kept = shape.indices.filter { shape[$0] != 1 }
        let old = kept.map { shape[$0] }, oldStrides = kept.map { strides[$0] }
        var out = [Int](repeating: 0, count: newShape.count)
        var oi = 0, ni = 0
        while oi < old.count && ni < newShape.count {
            var oj = oi + 1, nj = ni + 1
            var op = old[oi], np = newShape[ni]
            while op != np {
                if np < op {
                    guard nj < newShape.count else { return nil }
                    np *= newShape[nj]; nj += 1
                } else {
                    guard oj < old.count else { return nil }
                    op *= old[oj]; oj += 1
                }
            }
            for k in oi..<(oj - 1) where oldStrides[k] != old[k + 1] * oldStrides[k + 1] { return nil }
            out[nj - 1] = oldStrides[oj - 1]
            var k = nj - 1
            while k > ni { out[k - 1] = out[k] * newShape[k]; k -= 1 }
            oi = oj; ni = nj
        }
        // Axes of length 1 left at the end take any stride.
        return oi == old.count ? out : nil
    }

    @usableFromInline func withUnsafeElements<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        if isContiguous {
            return try base.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[offset..<(offset + count)])) }
        }
        return try elements().withUnsafeBufferPointer(body)
    }

    /// The row-major elements as an array of their own, made on the first call and kept.
    @usableFromInline func elements() -> [Double] {
        gathered.withLock { kept in
            if let kept { return kept }
            let e = gather()
            kept = e
            return e
        }
    }

    /// The row-major elements for a tensor about to write to them: the kept copy if there is
    /// one (copy-on-write copies it again only if another tensor still shares this view), else
    /// a fresh gather that is not kept.
    func elementsToOwn() -> [Double] {
        gathered.withLock { $0 } ?? gather()
    }

    /// Where row-major element `i` lives in `base`.
    @usableFromInline func position(ofFlat i: Int) -> Int {
        var rest = i, pos = offset
        for ax in stride(from: shape.count - 1, through: 0, by: -1) {
            let d = shape[ax]
            pos += (rest % d) * strides[ax]
            rest /= d
        }
        return pos
    }

    private func gather() -> [Double] {
        if isContiguous { return Array(base[offset..<(offset + count)]) }
        return base.withUnsafeBufferPointer { s in
            [Double](unsafeUninitializedCapacity: count) { d, done in
                var k = 0
                Tensor.forEachRun(shape: shape, strides: strides, offset: offset) { start, len, step in
                    var o = start
                    for _ in 0..<len { d.initializeElement(at: k, to: s[o]); k += 1; o += step }
                }
                done = count
            }
        }
    }
}

extension Tensor {
    /// The element array this tensor reads (an array's own, a view's original's).
    var storage: [Double] {
        switch layout {
        case .scalar(let x): return [x]
        case .array(_, let e): return e
        case .view(let v): return v.base
        }
    }

    /// Calls `body` with the steps through `storage` along each axis and the offset of the
    /// first element: a view's own, an array's row-major strides made on the stack (a slice
    /// of an array allocates only what it returns).
    func withStrides<R>(_ body: (UnsafeBufferPointer<Int>, Int) throws -> R) rethrows -> R {
        if case .view(let v) = layout { return try v.strides.withUnsafeBufferPointer { try body($0, v.offset) } }
        let dims = shape
        return try withUnsafeTemporaryAllocation(of: Int.self, capacity: dims.count) { s in
            var acc = 1
            for ax in stride(from: dims.count - 1, through: 0, by: -1) {
                s.initializeElement(at: ax, to: acc)
                acc &*= dims[ax]
            }
            return try body(UnsafeBufferPointer(s), 0)
        }
    }

    /// A tensor reading `base` through `strides` from `offset` (callers have checked that every
    /// position it reaches lies in `base`). A window that is all of `base` in order is `base`
    /// itself, and a 0-d one is a scalar.
    static func view(of base: [Double], shape: [Int], strides: [Int], offset: Int) -> Tensor {
        if shape.isEmpty { return Tensor(base[offset]) }
        let n = shape.reduce(1, *)
        if n == 0 { return Tensor(unchecked: shape, data: []) }
        let rowMajor = TensorView.isRowMajor(shape, strides)
        if offset == 0, n == base.count, rowMajor { return Tensor(unchecked: shape, data: base) }
        var t = Tensor(0)
        t.layout = .view(TensorView(base: base, shape: shape, strides: strides, offset: offset, count: n, isContiguous: rowMajor))
        return t
    }

    /// A view whose elements are not in row-major order (a transpose, a strided slice, a
    /// broadcast): element loops read it through its strides rather than gathering it.
    @usableFromInline var isStrided: Bool {
        if case .view(let v) = layout { return !v.isContiguous }
        return false
    }

    /// Whether this tensor reads another's elements through strides (a transpose or a slice
    /// that has not been written to).
    public var isView: Bool {
        if case .view = layout { return true }
        return false
    }

    /// The same elements in storage of their own (numpy's `copy`): writes to either never
    /// copy for the other's sake, and a small copy does not keep a large original alive.
    public func copy() -> Tensor {
        if case .scalar = layout { return self }
        return Tensor(unchecked: shape, data: withUnsafeElements { Array($0) })
    }

    /// Whether this tensor shares its element storage with `other` (a view of it, or it of a
    /// view, or two views of one tensor).
    public func sharesStorage(with other: Tensor) -> Bool {
        guard !isScalar, !other.isScalar else { return false }
        let a = storage, b = other.storage
        guard !a.isEmpty, !b.isEmpty else { return false }
        return a.withUnsafeBufferPointer { p in b.withUnsafeBufferPointer { q in p.baseAddress == q.baseAddress } }
    }

    /// `self` under `newShape` (callers guarantee the same count): the same storage whenever
    /// strides can express it, as numpy's reshape (an array, a run of rows, a strided view
    /// gaining or losing axes of length 1 or splitting an axis), else a copy.
    @usableFromInline func reshapedUnchecked(_ newShape: [Int]) -> Tensor {
        guard case .view(let v) = layout else { return Tensor(unchecked: newShape, data: data) }
        if v.isContiguous {
            return Tensor.view(of: v.base, shape: newShape, strides: Tensor.strides(of: newShape), offset: v.offset)
        }
        if let strides = TensorView.stridesWithoutCopy(from: v.shape, v.strides, to: newShape) {
            return Tensor.view(of: v.base, shape: newShape, strides: strides, offset: v.offset)
        }
        return Tensor(unchecked: newShape, data: data)
    }
}

extension Tensor: Equatable {
    /// Same shape and the same elements (NaN equals nothing, as in Double).
    public static func == (a: Tensor, b: Tensor) -> Bool {
        if case .scalar(let x) = a.layout, case .scalar(let y) = b.layout { return x == y }
        guard a.shape == b.shape else { return false }
        return a.withUnsafeElements { p in b.withUnsafeElements { q in p.elementsEqual(q) } }
    }
}
