import NablaTensor

/// Convolution and pooling over images laid out (N, C, H, W), the last two axes being
/// height and width. A plain (H, W) image with an (KH, KW) kernel works too.
extension F {
    /// Output extent of a window of `k` sliding by `stride` over `n` positions.
    static func windows(_ n: Int, _ k: Int, _ stride: Int, op: String) throws -> Int {
        guard k >= 1, stride >= 1 else { throw TensorError.argument(op: op, message: "window size and stride must be at least 1") }
        guard n >= k else { throw TensorError.shape(op: op, message: "window \(k) is larger than the (padded) input extent \(n)") }
        return (n - k) / stride + 1
    }

    /// 2-d cross-correlation (what deep learning calls convolution):
    /// out[n, f, i, j] = Σ_{c,u,v} x[n, c, i·s + u, j·s + v] · k[f, c, u, v] (+ b[f]),
    /// computed as im2col followed by one GEMM. Shapes: x (N, C, H, W), k (F, C, KH, KW),
    /// out (N, F, OH, OW) with OH = (H + 2p − KH) / s + 1. Also x (H, W) with k (KH, KW).
    public static func conv2d(_ x: Variable, _ k: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0) throws -> Variable {
        if x.value.rank == 2 && k.value.rank == 2 {
            let (h, w) = (x.value.shape[0], x.value.shape[1]), (kh, kw) = (k.value.shape[0], k.value.shape[1])
            let out = try conv2d(x.reshaped([1, 1, h, w]), k.reshaped([1, 1, kh, kw]), bias: bias, stride: stride, padding: padding)
            return try out.reshaped(Array(out.value.shape.suffix(2)))
        }
        guard x.value.rank == 4, k.value.rank == 4 else {
            throw TensorError.shape(op: "conv2d", message: "expected x (N, C, H, W) and kernels (F, C, KH, KW), or x (H, W) and a kernel (KH, KW); got \(formatShape(x.value.shape)) and \(formatShape(k.value.shape))")
        }
        guard x.value.shape[1] == k.value.shape[1] else {
            throw TensorError.shape(op: "conv2d", message: "input has \(x.value.shape[1]) channels but kernels \(formatShape(k.value.shape)) expect \(k.value.shape[1])")
        }
        guard padding >= 0 else { throw TensorError.argument(op: "conv2d", message: "padding must be non-negative, got \(padding)") }
        let f = k.value.shape[0]
        if let bias, bias.value.count != f {
            throw TensorError.shape(op: "conv2d", message: "bias of shape \(formatShape(bias.value.shape)) for \(f) kernels")
        }
        return try Variable.composite(.conv2d(stride: stride, padding: padding), [x, k] + (bias.map { [$0] } ?? [])) { v in
            let out = try correlate(padding > 0 ? v[0].padded(padding) : v[0], v[1], stride: stride)
            return v.count == 3 ? try out + v[2].reshaped([f, 1, 1]) : out
        }
    }

    /// The unpadded correlation op itself: im2col, one GEMM for the whole batch, and a
    /// run-wise permute to (N, F, OH, OW); backward is two GEMMs and col2im.
    static func correlate(_ x: Variable, _ k: Variable, stride s: Int) throws -> Variable {
        let (xv, kv) = (x.value, k.value)
        let (n, c, h, w) = (xv.shape[0], xv.shape[1], xv.shape[2], xv.shape[3])
        let (f, kh, kw) = (kv.shape[0], kv.shape[2], kv.shape[3])
        let oh = try windows(h, kh, s, op: "conv2d"), ow = try windows(w, kw, s, op: "conv2d")
        let rows = c * kh * kw, plane = oh * ow, cols = n * plane
        _ = try Tensor.checkedCount([rows, cols], op: "conv2d")
        _ = try Tensor.checkedCount([n, f, oh, ow], op: "conv2d")
        let geometry = Im2Col(n: n, c: c, h: h, w: w, kh: kh, kw: kw, stride: s, oh: oh, ow: ow)

        let colT = try Tensor(shape: [rows, cols], data: try geometry.columns(xv.data))
        let k2 = try kv.reshaped([f, rows])
        let yFirst = try Tensor.gemm(k2, colT, transA: false, transB: false)   // (F, N·OH·OW)
        let y = try Tensor(shape: [n, f, oh, ow], data: swapLeadingAxes(yFirst.data, f, n, plane))
        return Variable.make(.correlate(stride: s), y, [x, k]) { [needX = x.requiresGrad] g in
            let g2 = try Tensor(shape: [f, cols], data: swapLeadingAxes(g.data, n, f, plane))
            let dk = try Tensor.gemm(g2, colT, transA: false, transB: true).reshaped(kv.shape)
            guard needX else { return [nil, dk] }
            let dcols = try Tensor.gemm(k2, g2, transA: true, transB: false)  // (C·KH·KW, N·OH·OW)
            return [try Tensor(shape: xv.shape, data: geometry.image(dcols.data)), dk]
        }
    }

    /// (A, B, P) → (B, A, P) for row-major data: A·B copies of P contiguous elements.
    static func swapLeadingAxes(_ src: [Double], _ a: Int, _ b: Int, _ p: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: src.count) { out, count in
            src.withUnsafeBufferPointer { inp in
                if let i0 = inp.baseAddress, let o0 = out.baseAddress {
                    for i in 0..<a { for j in 0..<b {
                        (o0 + (j * a + i) * p).initialize(from: i0 + (i * b + j) * p, count: p)
                    } }
                }
            }
            count = src.count
        }
    }

    /// Where each column entry of im2col comes from: cols[(c, u, v), (n, i, j)] = x[n, c, i·s + u, j·s + v].
    /// Both directions copy whole output rows (a memcpy at stride 1, a strided run otherwise).
    struct Im2Col {
        let n, c, h, w, kh, kw, stride, oh, ow: Int

        /// The (C·KH·KW) × (N·OH·OW) column matrix of an image batch.
        func columns(_ x: [Double]) throws -> [Double] {
            let rows = c * kh * kw, cols = n * oh * ow, s = stride
            var failure: Error?
            let out = [Double](unsafeUninitializedCapacity: rows * cols) { buf, count in
                count = rows * cols
                x.withUnsafeBufferPointer { px in
                    guard let x0 = px.baseAddress, let c0 = buf.baseAddress else { return }
                    for b in 0..<n {
                        do { try Cancellation.check() } catch { failure = error; buf.initialize(repeating: 0); return }
                        for ch in 0..<c { for u in 0..<kh { for v in 0..<kw {
                            let r = (ch * kh + u) * kw + v
                            var dst = c0 + r * cols + b * oh * ow
                            var src = x0 + ((b * c + ch) * h + u) * w + v
                            for _ in 0..<oh {
                                if s == 1 {
                                    dst.initialize(from: src, count: ow)
                                } else {
                                    for j in 0..<ow { (dst + j).initialize(to: src[j * s]) }
                                }
                                dst += ow; src += s * w
                            }
                        } } }
                    }
                }
            }
            if let failure { throw failure }
            return out
        }

        /// col2im: the image-shaped sum of a column matrix's entries at their sources.
        func image(_ cols: [Double]) -> [Double] {
            var dx = [Double](repeating: 0, count: n * c * h * w)
            let ncols = n * oh * ow, s = stride
            cols.withUnsafeBufferPointer { pc in
                dx.withUnsafeMutableBufferPointer { pd in
                    guard let c0 = pc.baseAddress, let d0 = pd.baseAddress else { return }
                    for b in 0..<n { for ch in 0..<c { for u in 0..<kh { for v in 0..<kw {
                        let r = (ch * kh + u) * kw + v
                        var src = c0 + r * ncols + b * oh * ow
                        var dst = d0 + ((b * c + ch) * h + u) * w + v
                        for _ in 0..<oh {
                            if s == 1 {
                                for j in 0..<ow { dst[j] += src[j] }
                            } else {
                                for j in 0..<ow { dst[j * s] += src[j] }
                            }
                            src += ow; dst += s * w
                        }
                    } } } }
                }
            }
            return dx
        }
    }

    /// Zero padding of `width` around the last two axes.
    public static func pad(_ x: Variable, _ width: Int) throws -> Variable { try x.padded(width) }

    /// Max pooling over `size`×`size` windows moved by `stride` (default `size`) on the last
    /// two axes. The gradient goes to the first maximum of each window (as PyTorch).
    public static func maxpool(_ x: Variable, size: Int, stride: Int? = nil) throws -> Variable {
        try pool(x, size: size, stride: stride ?? size, max: true)
    }

    /// Average pooling; each input in a window receives g / size².
    public static func avgpool(_ x: Variable, size: Int, stride: Int? = nil) throws -> Variable {
        try pool(x, size: size, stride: stride ?? size, max: false)
    }

    /// Pooling with its window maxima's positions recorded in the same pass (max), so
    /// backward is one scatter; avg spreads g / size² over each window.
    static func pool(_ x: Variable, size k: Int, stride s: Int, max: Bool) throws -> Variable {
        let op = max ? "maxpool" : "avgpool"
        let v = x.value
        guard v.rank >= 2 else { throw TensorError.shape(op: op, message: "needs at least (H, W), got \(formatShape(v.shape))") }
        let (h, w) = (v.shape[v.rank - 2], v.shape[v.rank - 1])
        let oh = try windows(h, k, s, op: op), ow = try windows(w, k, s, op: op)
        let planes = v.count / Swift.max(h * w, 1)
        let outShape = Array(v.shape.dropLast(2)) + [oh, ow]
        let m = try Tensor.checkedCount(outShape, op: op)
        var source = [Int](repeating: 0, count: max ? m : 0)  // flat input index of each window's max
        let area = Double(k * k)
        var out = [Double](repeating: 0, count: m)
        try v.data.withUnsafeBufferPointer { px in
            try out.withUnsafeMutableBufferPointer { po in
                try source.withUnsafeMutableBufferPointer { ps in
                    guard let x0 = px.baseAddress, let o0 = po.baseAddress else { return }
                    for p in 0..<planes {
                        try Cancellation.check()
                        for i in 0..<oh { for j in 0..<ow {
                            let o = (p * oh + i) * ow + j
                            let corner = (p * h + i * s) * w + j * s
                            if max {
                                var best = -Double.infinity, at = corner
                                for u in 0..<k {
                                    let row = corner + u * w
                                    for t in 0..<k {
                                        // Selects, not branches: on real data the comparison is a coin toss.
                                        let val = x0[row + t]
                                        let better = val > best || (val.isNaN && !best.isNaN)
                                        best = better ? val : best
                                        at = better ? row + t : at
                                    }
                                }
                                o0[o] = best; ps[o] = at
                            } else {
                                var total = 0.0
                                for u in 0..<k { let row = x0 + corner + u * w; for t in 0..<k { total += row[t] } }
                                o0[o] = total / area
                            }
                        } }
                    }
                }
            }
        }
        let y = try Tensor(shape: outShape, data: out)
        return Variable.make(max ? .maxpool(size: k, stride: s) : .avgpool(size: k, stride: s), y, [x]) { g in
            var dx = [Double](repeating: 0, count: v.count)
            dx.withUnsafeMutableBufferPointer { pd in
                g.data.withUnsafeBufferPointer { pg in
                    guard let d0 = pd.baseAddress, let g0 = pg.baseAddress else { return }
                    if max {
                        source.withUnsafeBufferPointer { ps in for o in 0..<m { d0[ps[o]] += g0[o] } }
                    } else {
                        for p in 0..<planes { for i in 0..<oh { for j in 0..<ow {
                            let share = g0[(p * oh + i) * ow + j] / area
                            let corner = d0 + (p * h + i * s) * w + j * s
                            for u in 0..<k { let row = corner + u * w; for t in 0..<k { row[t] += share } }
                        } } }
                    }
                }
            }
            return [try Tensor(shape: v.shape, data: dx)]
        }
    }
}
