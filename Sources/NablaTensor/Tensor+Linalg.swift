import CBLAS

/// Matrix products through OpenBLAS, with numpy's `matmul` rules for 1-d and batched operands.
extension Tensor {
    /// `a @ b` as numpy defines it: 1-d·1-d is a dot product, a 1-d operand is promoted to a
    /// row (left) or column (right) and the added axis removed, leading axes broadcast as a batch.
    public static func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.rank >= 1, b.rank >= 1 else {
            throw TensorError.argument(op: "matmul", message: "operands must have at least one dimension, got \(formatShape(a.shape)) @ \(formatShape(b.shape))")
        }
        let a2 = a.rank == 1 ? a.reshapedUnchecked([1, a.shape[0]]) : a
        let b2 = b.rank == 1 ? b.reshapedUnchecked([b.shape[0], 1]) : b
        let (m, k) = (a2.shape[a2.rank - 2], a2.shape[a2.rank - 1])
        let (k2, n) = (b2.shape[b2.rank - 2], b2.shape[b2.rank - 1])
        guard k == k2 else { throw TensorError.matmul(lhs: a.shape, rhs: b.shape, inner: k, other: k2) }
        try checkBLASSize(m, n, k)

        var out: Tensor
        if a2.rank == 2 && b2.rank == 2 {
            out = try gemm(a2, b2, transA: false, transB: false)
        } else {
            let batchA = Array(a2.shape.dropLast(2)), batchB = Array(b2.shape.dropLast(2))
            let batch = try broadcastShape(batchA, batchB, op: "matmul")
            let A = try a2.broadcast(to: batch + [m, k]), B = try b2.broadcast(to: batch + [k, n])
            let nb = batch.reduce(1, *)
            var data = [Double](repeating: 0, count: try checkedCount(batch + [m, n], op: "matmul"))
            try A.data.withUnsafeBufferPointer { pa in
                try B.data.withUnsafeBufferPointer { pb in
                    try data.withUnsafeMutableBufferPointer { pc in
                        // Empty operands (a 0 in m, n or k) leave the zero-filled result as it is.
                        guard let a0 = pa.baseAddress, let b0 = pb.baseAddress, let c0 = pc.baseAddress else { return }
                        for i in 0..<nb {
                            try Cancellation.check()
                            gemm(a0 + i * m * k, b0 + i * k * n, into: c0 + i * m * n, m: m, n: n, k: k, transA: false, transB: false)
                        }
                    }
                }
            }
            out = Tensor(unchecked: batch + [m, n], data: data)
        }
        var s = out.shape
        if b.rank == 1 { s.removeLast() }
        if a.rank == 1 { s.remove(at: s.count - (b.rank == 1 ? 1 : 2)) }
        return out.reshapedUnchecked(s)
    }

    /// 2-d product `op(a) · op(b)` where op transposes when asked; BLAS reads the transposes
    /// in place, so backward passes never materialize `Wᵀ`. A view that BLAS can read where it
    /// lies (a transpose, a block of rows or columns) is read there, without a copy.
    public static func gemm(_ a: Tensor, _ b: Tensor, transA: Bool, transB: Bool) throws -> Tensor {
        guard a.rank == 2, b.rank == 2 else {
            throw TensorError.argument(op: "gemm", message: "needs 2-d operands, got \(formatShape(a.shape)) and \(formatShape(b.shape))")
        }
        let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
        let k2 = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1]
        guard k == k2 else { throw TensorError.matmul(lhs: a.shape, rhs: b.shape, inner: k, other: k2) }
        try checkBLASSize(m, n, k)
        let count = try checkedCount([m, n], op: "matmul")
        let A = a.blasOperand, B = b.blasOperand
        try checkBLASSize(A.ld, B.ld)
        let c = A.base.withUnsafeBufferPointer { pa in
            B.base.withUnsafeBufferPointer { pb in
                [Double](unsafeUninitializedCapacity: count) { pc, done in
                    done = count
                    guard let c0 = pc.baseAddress else { return }
                    guard let a0 = pa.baseAddress, let b0 = pb.baseAddress, k > 0 else { c0.initialize(repeating: 0, count: count); return }
                    gemm(a0 + A.offset, b0 + B.offset, into: c0, m: m, n: n, k: k,
                         transA: transA != A.transposed, transB: transB != B.transposed, lda: A.ld, ldb: B.ld, overwrite: true)
                }
            }
        }
        return Tensor(unchecked: [m, n], data: c)
    }

    /// How BLAS reads this 2-d tensor: its storage, where element [0, 0] is, the stored rows'
    /// stride, and whether the storage holds the transpose (a `.T` view reads its original
    /// in place). A view with no unit step along either axis (a broadcast, every other
    /// column, a reversed slice) is gathered into rows first.
    var blasOperand: (base: [Double], offset: Int, ld: Int, transposed: Bool) {
        let (r, c) = (shape[0], shape[1])
        if case .view(let v) = layout {
            let (s0, s1) = (v.strides[0], v.strides[1])
            if c == 1 || s1 == 1 {
                let ld = r == 1 ? Swift.max(1, c) : s0
                if ld >= Swift.max(1, c) { return (v.base, v.offset, ld, false) }
            }
            if r == 1 || s0 == 1 {
                let ld = c == 1 ? Swift.max(1, r) : s1
                if ld >= Swift.max(1, r) { return (v.base, v.offset, ld, true) }
            }
        }
        return (data, 0, Swift.max(1, c), false)
    }

    /// self ← self + alpha · other (an optimizer step), in place; shapes must match. The
    /// optimizers' traces keep only the old elements `explain` shows, so the storage is this
    /// tensor's alone unless a graph still holds the old value (then copy-on-write copies it).
    /// In place, the MLP benchmark's step fell by ~60 µs against a new 800 KB buffer per step.
    public mutating func addScaled(_ other: Tensor, _ alpha: Double) throws {
        guard other.shape == shape else { throw TensorError.broadcast(op: "axpy", lhs: shape, rhs: other.shape) }
        other.withUnsafeElements { x in
            data.withUnsafeMutableBufferPointer { y in
                guard let x0 = x.baseAddress, let y0 = y.baseAddress else { return }
                Parallel.chunks(y.count, elements: y.count) { r in
                    for i in r { y0[i] = y0[i] + alpha * x0[i] }
                }
            }
        }
    }

    /// Adds `row` to every row of a 2-d tensor, in place (a bias on a batch of outputs).
    public mutating func addRows(_ row: Tensor) throws {
        guard rank == 2, row.count == shape[1] else { throw TensorError.broadcast(op: "add", lhs: shape, rhs: row.shape) }
        let (m, n) = (shape[0], shape[1])
        row.data.withUnsafeBufferPointer { b in
            data.withUnsafeMutableBufferPointer { y in
                guard let b0 = b.baseAddress, let y0 = y.baseAddress else { return }
                for i in 0..<m { let r = y0 + i * n; for j in 0..<n { r[j] += b0[j] } }
            }
        }
    }

    /// BLAS takes 32-bit dimensions.
    private static func checkBLASSize(_ dims: Int...) throws {
        guard dims.allSatisfy({ $0 <= Int(Int32.max) }) else {
            throw TensorError.argument(op: "matmul", message: "a dimension exceeds BLAS's 32-bit limit")
        }
    }

    /// C(m×n) += op(A)·op(B) for row-major buffers (rows `lda` and `ldb` apart as stored), or
    /// C = op(A)·op(B) with `overwrite` (C's
    /// old contents, initialized or not, are not read); a 1-column or 1-row case uses dgemv. A
    /// large product is split over the cores (`Parallel`) by C's longer side, each part one
    /// single-threaded OpenBLAS call.
    public static func gemm(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>,
                            m: Int, n: Int, k: Int, transA: Bool, transB: Bool,
                            lda: Int? = nil, ldb: Int? = nil, overwrite: Bool = false) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else { if overwrite { c.initialize(repeating: 0, count: m * n) }; return }
        // Row strides of A and B as stored; by default each is stored whole, rows end to end.
        let lda = lda ?? (transA ? m : k), ldb = ldb ?? (transB ? k : n)
        if n == 1 || m == 1 {
            if overwrite { c.initialize(repeating: 0, count: m * n) }
            if n == 1 {
                // c = op(A) · b, with b a k-vector (a column of B, stride ldb when B is not transposed).
                cblas_dgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, Int32(transA ? k : m), Int32(transA ? m : k),
                            1, a, Int32(lda), b, Int32(transB ? 1 : ldb), 1, c, 1)
            } else {
                // c = a · op(B) = op(B)ᵀ · a, with a a k-vector.
                cblas_dgemv(CblasRowMajor, transB ? CblasNoTrans : CblasTrans, Int32(transB ? n : k), Int32(transB ? k : n),
                            1, b, Int32(ldb), a, Int32(transA ? lda : 1), 1, c, 1)
            }
            return
        }
        // Cut along C's longer side, along its rows when square: parts side by side in every
        // row of C share cache lines at their edges (a 1024² product by columns ran at 30.7
        // GFLOPS, by rows at 35.2, OpenBLAS's own two threads' rate).
        let work = Double(m) * Double(n) * Double(k) >= Double(parallelGemmWork)   // in Double: no overflow trap
        let byRows = m >= n
        let side = byRows ? m : n
        let parts = work ? Swift.max(1, Swift.min(Parallel.width, side / 8)) : 1
        Parallel.run(parts: parts) { p in
            // Part p's share of the side, cut at multiples of 8 (the kernels' unroll).
            let lo = side * p / parts / 8 * 8, hi = p == parts - 1 ? side : side * (p + 1) / parts / 8 * 8
            guard hi > lo else { return }
            // Each part zero-fills its own block of C, then dgemm adds into it (β = 1): OpenBLAS
            // 0.3.21's own β = 0 pass over C is slower than a memset (dW1 of the MLP
            // benchmark, 784×128: 504 → 468 µs), with the same bits.
            if !byRows {
                if overwrite { for i in 0..<m { (c + i * n + lo).initialize(repeating: 0, count: hi - lo) } }
                dgemm(m, hi - lo, k, a, lda, b + (transB ? lo * ldb : lo), ldb, c + lo, n, transA, transB)
            } else {
                if overwrite { (c + lo * n).initialize(repeating: 0, count: (hi - lo) * n) }
                dgemm(hi - lo, n, k, a + (transA ? lo : lo * lda), lda, b, ldb, c + lo * n, n, transA, transB)
            }
        }
    }

    /// m·n·k from which a GEMM is split over the cores (OpenBLAS's own threshold for threads).
    static let parallelGemmWork = 1 << 18

    /// C(m×n, row stride ldc) += op(A)·op(B), one OpenBLAS call.
    @inline(__always) private static func dgemm(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Double>, _ lda: Int,
                                                _ b: UnsafePointer<Double>, _ ldb: Int, _ c: UnsafeMutablePointer<Double>, _ ldc: Int,
                                                _ transA: Bool, _ transB: Bool) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 1, c, Int32(ldc))
    }
}
