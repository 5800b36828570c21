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

    /// The unpadded correlation op itself, with its im2col forward and col2im backward.
    static func correlate(_ x: Variable, _ k: Variable, stride s: Int) throws -> Variable {
        let (xv, kv) = (x.value, k.value)
        let (n, c, h, w) = (xv.shape[0], xv.shape[1], xv.shape[2], xv.shape[3])
        let (f, kh, kw) = (kv.shape[0], kv.shape[2], kv.shape[3])
        let oh = try windows(h, kh, s, op: "conv2d"), ow = try windows(w, kw, s, op: "conv2d")
        let rows = c * kh * kw, cols = n * oh * ow
        _ = try Tensor.checkedCount([rows, cols], op: "conv2d")

        // cols[(c, u, v), (n, i, j)] = x[n, c, i·s + u, j·s + v]
        var colData = [Double](repeating: 0, count: rows * cols)
        try xv.data.withUnsafeBufferPointer { px in
            try colData.withUnsafeMutableBufferPointer { pc in
                for b in 0..<n {
                    try Cancellation.check()
                    for ch in 0..<c { for u in 0..<kh { for v in 0..<kw {
                        let r = (ch * kh + u) * kw + v
                        for i in 0..<oh {
                            let src = ((b * c + ch) * h + i * s + u) * w + v
                            let dst = r * cols + (b * oh + i) * ow
                            for j in 0..<ow { pc[dst + j] = px[src + j * s] }
                        }
                    } } }
                }
            }
        }
        let colT = try Tensor(shape: [rows, cols], data: colData)
        let k2 = try kv.reshaped([f, rows])
        let y = try Tensor.gemm(k2, colT, transA: false, transB: false)         // (F, N·OH·OW)
            .reshaped([f, n, oh, ow]).transposed([1, 0, 2, 3])
        return Variable.make(.correlate(stride: s), y, [x, k]) { [needX = x.requiresGrad] g in
            let g2 = try g.transposed([1, 0, 2, 3]).reshaped([f, cols])
            let dk = try Tensor.gemm(g2, colT, transA: false, transB: true).reshaped(kv.shape)
            guard needX else { return [nil, dk] }
            let dcols = try Tensor.gemm(k2, g2, transA: true, transB: false)  // (C·KH·KW, N·OH·OW)
            var dx = [Double](repeating: 0, count: xv.count)
            dcols.data.withUnsafeBufferPointer { pc in
                for b in 0..<n { for ch in 0..<c { for u in 0..<kh { for v in 0..<kw {
                    let r = (ch * kh + u) * kw + v
                    for i in 0..<oh {
                        let dst = ((b * c + ch) * h + i * s + u) * w + v
                        let src = r * cols + (b * oh + i) * ow
                        for j in 0..<ow { dx[dst + j * s] += pc[src + j] }
                    }
                } } } }
            }
            return [try Tensor(shape: xv.shape, data: dx), dk]
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

    static func pool(_ x: Variable, size k: Int, stride s: Int, max: Bool) throws -> Variable {
        let op = max ? "maxpool" : "avgpool"
        let v = x.value
        guard v.rank >= 2 else { throw TensorError.shape(op: op, message: "needs at least (H, W), got \(formatShape(v.shape))") }
        let (h, w) = (v.shape[v.rank - 2], v.shape[v.rank - 1])
        let oh = try windows(h, k, s, op: op), ow = try windows(w, k, s, op: op)
        let planes = v.count / (h * w)
        let outShape = Array(v.shape.dropLast(2)) + [oh, ow]
        let m = try Tensor.checkedCount(outShape, op: op)
        var out = [Double](repeating: 0, count: m)
        var source = [Int](repeating: 0, count: max ? m : 0)  // flat input index of each window's max
        let area = Double(k * k)
        for p in 0..<planes {
            try Cancellation.check()
            for i in 0..<oh { for j in 0..<ow {
                let o = (p * oh + i) * ow + j
                var best = -Double.infinity, at = (p * h + i * s) * w + j * s, total = 0.0
                for u in 0..<k { for t in 0..<k {
                    let idx = (p * h + i * s + u) * w + j * s + t
                    let val = v.data[idx]
                    if val > best || val.isNaN && !best.isNaN { best = val; at = idx }
                    total += val
                } }
                if max { out[o] = best; source[o] = at } else { out[o] = total / area }
            } }
        }
        let y = try Tensor(shape: outShape, data: out)
        return Variable.make(max ? .maxpool(size: k, stride: s) : .avgpool(size: k, stride: s), y, [x]) { g in
            var dx = [Double](repeating: 0, count: v.count)
            if max {
                for o in 0..<m { dx[source[o]] += g.data[o] }
            } else {
                for p in 0..<planes { for i in 0..<oh { for j in 0..<ow {
                    let share = g.data[(p * oh + i) * ow + j] / area
                    for u in 0..<k { for t in 0..<k { dx[(p * h + i * s + u) * w + j * s + t] += share } }
                } } }
            }
            return [try Tensor(shape: v.shape, data: dx)]
        }
    }
}
