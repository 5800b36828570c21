/// numpy broadcasting: shapes are aligned at their trailing axes; an axis of size 1 stretches.
extension Tensor {
    /// The broadcast shape of `a` and `b`, or an error naming both.
    public static func broadcastShape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        if a == b { return a }
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
                throw TensorError.broadcast(op: op, lhs: a, rhs: b)
            }
        }
        return out
    }

    /// Strides for reading this tensor's storage, whose own strides are `own`, as if it had
    /// `target` shape (0 on stretched axes). `target` must be a broadcast of `shape`.
    func broadcastStrides(_ own: UnsafeBufferPointer<Int>, to target: [Int]) -> [Int] {
        let dims = shape
        let lead = target.count - dims.count
        var s = [Int](repeating: 0, count: target.count)
        for i in 0..<dims.count where dims[i] != 1 {
            s[i + lead] = own[i]
        }
        return s
    }

    /// This tensor stretched to `target` (a broadcast of its shape): a view, as numpy's
    /// `broadcast_to` is, whose stretched axes read the same elements again.
    public func broadcast(to target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let out = try Tensor.broadcastShape(shape, target, op: "broadcast_to")
        guard out == target else { throw TensorError.broadcast(op: "broadcast_to", lhs: shape, rhs: target) }
        _ = try Tensor.checkedCount(target, op: "broadcast_to")
        return withStrides { own, offset in Tensor.view(of: storage, shape: target, strides: broadcastStrides(own, to: target), offset: offset) }
    }

    /// Sums a gradient of a broadcast shape back down to `target`, the shape the input had
    /// before broadcasting. The autograd engine calls this in one place for every op.
    public func sumToShape(_ target: [Int]) throws -> Tensor {
        if shape == target { return self }
        guard shape.count >= target.count else {
            throw TensorError.shape(op: "sum_to_shape", message: "cannot reduce \(formatShape(shape)) to \(formatShape(target))")
        }
        var t = self
        while t.rank > target.count { t = try t.sum(axis: 0) }
        for i in 0..<target.count where target[i] == 1 && t.shape[i] != 1 {
            t = try t.sum(axis: i, keepdims: true)
        }
        guard t.shape == target else {
            throw TensorError.shape(op: "sum_to_shape", message: "cannot reduce \(formatShape(shape)) to \(formatShape(target))")
        }
        return t
    }

    /// Visits a strided n-d index space as runs along its last axis, for one operand.
    @inline(__always)
    static func forEachRun(shape: [Int], strides: [Int], offset: Int, _ body: (Int, Int, Int) -> Void) {
        forEachRun(shape: shape, strides: strides, strides, offsets: offset, 0) { a, _, len, sa, _ in body(a, len, sa) }
    }

    /// Visits a strided n-d index space as runs along its last axis, for two operands read
    /// with their own strides: `body(startA, startB, length, stepA, stepB)`.
    @inline(__always)
    static func forEachRun(shape: [Int], strides sa: [Int], _ sb: [Int], offsets oa: Int, _ ob: Int,
                           _ body: (Int, Int, Int, Int, Int) -> Void) {
        let r = shape.count
        if r == 0 { body(oa, ob, 1, 1, 1); return }
        if shape.contains(0) { return }
        let len = shape[r - 1]
        var idx = [Int](repeating: 0, count: r)
        var a = oa, b = ob
        while true {
            body(a, b, len, sa[r - 1], sb[r - 1])
            var ax = r - 2
            while ax >= 0 {
                idx[ax] += 1
                a += sa[ax]; b += sb[ax]
                if idx[ax] < shape[ax] { break }
                a -= sa[ax] * shape[ax]; b -= sb[ax] * shape[ax]
                idx[ax] = 0
                ax -= 1
            }
            if ax < 0 { return }
        }
    }
}
