import NablaTensor

/// Rows and columns added around an image: zeros for convolution, left out of pooling
/// windows. Keras' 'same' may put one more after than before.
public struct Pads: Equatable, Sendable {
    public var top, bottom, left, right: Int
    public init(top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0) {
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }
    public var isZero: Bool { top == 0 && bottom == 0 && left == 0 && right == 0 }
}

/// Convolution and pooling over images laid out (N, C, H, W), the last two axes being
/// height and width (a plain (H, W) image with an (KH, KW) kernel works too), and the
/// channels-last (N, H, W, C) versions the Keras layers run, with no transposes.
extension F {
    /// Output extent of a window of `k` sliding by `stride` over `n` positions.
    static func windows(_ n: Int, _ k: Int, _ stride: Int, op: String) throws -> Int {
        guard k >= 1, stride >= 1 else { throw TensorError.argument(op: op, message: "window size and stride must be at least 1") }
        guard n >= k else { throw TensorError.shape(op: op, message: "window \(k) is larger than the (padded) input extent \(n)") }
        return (n - k) / stride + 1
    }

    /// 2-d cross-correlation (what deep learning calls convolution):
    /// out[n, f, i, j] = Σ_{c,u,v} x[n, c, i·s + u, j·s + v] · k[f, c, u, v] (+ b[f]),
    /// computed image by image as im2col followed by one GEMM written straight into the
    /// output (started from the bias), the images split over the cores (`Parallel`).
    /// Shapes: x (N, C, H, W), k (F, C, KH, KW), out (N, F, OH, OW) with
    /// OH = (H + 2p − KH) / s + 1. Also x (H, W) with k (KH, KW). Backward is two GEMMs
    /// and col2im per image (the one for x only when x needs a gradient).
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
        let (kv, f) = (k.value, k.value.shape[0])
        let bv = bias?.value
        if let bv, bv.count != f {
            throw TensorError.shape(op: "conv2d", message: "bias of shape \(formatShape(bv.shape)) for \(f) kernels")
        }
        let xv = try x.value.padded(padding)
        let (n, c, h, w) = (xv.shape[0], xv.shape[1], xv.shape[2], xv.shape[3])
        let (kh, kw, s) = (kv.shape[2], kv.shape[3], stride)
        let oh = try windows(h, kh, s, op: "conv2d"), ow = try windows(w, kw, s, op: "conv2d")
        let g = Im2Col(c: c, h: h, w: w, kh: kh, kw: kw, stride: s, oh: oh, ow: ow)
        _ = try Tensor.checkedCount([n, g.rows, g.plane], op: "conv2d")
        _ = try Tensor.checkedCount([n, f, oh, ow], op: "conv2d")
        try Cancellation.check()

        // cols: image b's (C·KH·KW) × (OH·OW) column matrix at b·rows·plane, kept for backward.
        let kernels = try kv.reshaped([f, g.rows])
        var cols = [Double](), out = [Double]()
        try withBuffers(xv, kernels, bv) { x0, k0, b0 in
            cols = g.newBuffer(count: n * g.rows * g.plane) { c0 in
                out = g.newBuffer(count: n * f * g.plane) { y0 in
                    // One image per part: the threads finish within an image of each other.
                    Parallel.run(parts: n) { b in
                        let col = c0 + b * g.rows * g.plane, y = y0 + b * f * g.plane
                        for i in 0..<f { (y + i * g.plane).initialize(repeating: b0?[i] ?? 0, count: g.plane) }
                        guard let x0, let k0 else { return }   // empty: the output is the bias
                        g.columns(of: x0 + b * c * h * w, into: col)
                        Tensor.gemm(k0, col, into: y, m: f, n: g.plane, k: g.rows, transA: false, transB: false)
                    }
                }
            }
        }
        let y = try Tensor(shape: [n, f, oh, ow], data: out)
        let colT = try Tensor(shape: [n, g.rows, g.plane], data: cols)
        let inputs = [x, k] + (bias.map { [$0] } ?? [])
        return Variable.make(.conv2d(stride: s, padding: padding), y, inputs) { [needX = x.requiresGrad, hasBias = bias != nil] gy in
            try Cancellation.check()
            // dk and db sum over the images: each of a fixed number of groups sums its own, then
            // the groups are added in order, so the bits do not depend on the thread count.
            let groups = Swift.max(1, Swift.min(n, 8)), (fr, ff) = (f * g.rows, hasBias ? f : 0)
            var partial = [Double](repeating: 0, count: groups * (fr + ff))
            var dx = [Double](repeating: 0, count: needX ? n * c * h * w : 0)
            try withBuffers(gy, kernels, colT) { g0, k0, col0 in
                guard let g0, let k0, let col0 else { return }
                partial.withUnsafeMutableBufferPointer { pp in
                    dx.withUnsafeMutableBufferPointer { pdx in
                        guard let p0 = pp.baseAddress else { return }
                        let dx0 = needX ? pdx.baseAddress : nil   // an empty array may still have an address
                        Parallel.run(parts: groups) { group in
                            let dk = p0 + group * (fr + ff), db = dk + fr
                            // This group's dcols for one image at a time, col2im'ed into dx while in cache.
                            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: needX ? g.rows * g.plane : 0)
                            defer { scratch.deallocate() }
                            // The first n % groups groups take one image more: parts are taken in
                            // order, so the last ones taken are the short ones.
                            let (base, extra) = (n / groups, n % groups)
                            let first = group * base + Swift.min(group, extra)
                            for b in first..<(first + base + (group < extra ? 1 : 0)) {
                                let gb = g0 + b * f * g.plane, col = col0 + b * g.rows * g.plane
                                Tensor.gemm(gb, col, into: dk, m: f, n: g.rows, k: g.plane, transA: false, transB: true)
                                for i in 0..<ff { db[i] += sum(gb + i * g.plane, g.plane) }
                                if let dx0 {
                                    Tensor.gemm(k0, gb, into: scratch, m: g.rows, n: g.plane, k: f, transA: true, transB: false, overwrite: true)
                                    g.image(from: scratch, into: dx0 + b * c * h * w)
                                }
                            }
                        }
                    }
                }
            }
            var dk = Array(partial[0..<fr]), db = Array(partial[fr..<(fr + ff)])
            for group in 1..<Swift.max(groups, 1) {
                let at = group * (fr + ff)
                for i in 0..<fr { dk[i] += partial[at + i] }
                for i in 0..<ff { db[i] += partial[at + fr + i] }
            }
            var grads: [Tensor?] = [nil, try Tensor(shape: kv.shape, data: dk)]
            if needX { grads[0] = try Tensor(shape: xv.shape, data: dx).unpadded(padding) }
            if hasBias { grads.append(try Tensor(shape: [f], data: db)) }
            return grads
        }
    }

    /// Runs `body` with base pointers to three tensors' elements (nil for an absent one, maybe for an empty one).
    static func withBuffers<R>(_ a: Tensor, _ b: Tensor, _ c: Tensor?,
                               _ body: (UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<Double>?) throws -> R) throws -> R {
        try a.data.withUnsafeBufferPointer { pa in
            try b.data.withUnsafeBufferPointer { pb in
                guard let c else { return try body(pa.baseAddress, pb.baseAddress, nil) }
                return try c.data.withUnsafeBufferPointer { pc in try body(pa.baseAddress, pb.baseAddress, pc.baseAddress) }
            }
        }
    }

    /// The sum of `count` contiguous values (four running sums, so the adds do not wait on each other).
    static func sum(_ p: UnsafePointer<Double>, _ count: Int) -> Double {
        var s = (0.0, 0.0, 0.0, 0.0)
        let quads = count / 4
        for q in 0..<quads {
            let at = 4 * q
            s.0 += p[at]; s.1 += p[at + 1]; s.2 += p[at + 2]; s.3 += p[at + 3]
        }
        var total = (s.0 + s.1) + (s.2 + s.3)
        for t in (4 * quads)..<count { total += p[t] }
        return total
    }

    /// The sum of each column of a rows × length row-major matrix, row after row (the
    /// additions across a row are independent, so the loop runs vectorized).
    static func columnSums(_ data: [Double], rows: Int, length: Int) -> [Double] {
        var out = [Double](repeating: 0, count: length)
        data.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                guard let p0 = p.baseAddress, let o0 = o.baseAddress else { return }
                for r in 0..<rows { let row = p0 + r * length; for j in 0..<length { o0[j] += row[j] } }
            }
        }
        return out
    }

    /// Where each column entry of im2col comes from: cols[(c, u, v), (i, j)] = x[c, i·s + u, j·s + v]
    /// for one image. Both directions copy whole output rows (a memcpy at stride 1, a strided run otherwise).
    struct Im2Col {
        let c, h, w, kh, kw, stride, oh, ow: Int
        var rows: Int { c * kh * kw }
        var plane: Int { oh * ow }

        /// A new array of `count` elements that `fill` initializes through its base pointer.
        func newBuffer(count: Int, _ fill: (UnsafeMutablePointer<Double>) -> Void) -> [Double] {
            [Double](unsafeUninitializedCapacity: count) { buf, initialized in
                if let p = buf.baseAddress { fill(p) }
                initialized = count
            }
        }

        /// Visits one image's column-matrix rows: for each (channel, u, v) and output row i, the
        /// offset of the row's OW entries in the column matrix and of its first source in the
        /// image (the others follow at `stride`).
        @inline(__always) func forEachRow(_ body: (_ column: Int, _ image: Int) -> Void) {
            for ch in 0..<c { for u in 0..<kh { for v in 0..<kw {
                var column = ((ch * kh + u) * kw + v) * plane, image = (ch * h + u) * w + v
                for _ in 0..<oh { body(column, image); column += ow; image += stride * w }
            } } }
        }

        /// One image's (C·KH·KW) × (OH·OW) column matrix.
        func columns(of x: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
            let s = stride
            forEachRow { column, image in
                let (dst, src) = (out + column, x + image)
                if s == 1 { dst.initialize(from: src, count: ow) } else { for j in 0..<ow { (dst + j).initialize(to: src[j * s]) } }
            }
        }

        /// col2im for one image: adds each column entry into the (zero-started) image at its source.
        func image(from cols: UnsafePointer<Double>, into dx: UnsafeMutablePointer<Double>) {
            let s = stride
            forEachRow { column, image in
                let (src, dst) = (cols + column, dx + image)
                if s == 1 { for j in 0..<ow { dst[j] += src[j] } } else { for j in 0..<ow { dst[j * s] += src[j] } }
            }
        }
    }

    /// Keras' convolution on channels-last images: x (N, H, W, C), kernel (KH, KW, C, F) as
    /// Keras stores it, bias (F), zero `pads` around each image; out (N, OH, OW, F).
    /// out[n, i, j, f] = Σ_{u,v,c} x[n, i·s + u − top, j·s + v − left, c] · k[u, v, c, f] + b[f].
    /// The (N·OH·OW) × (KH·KW·C) patch matrix times the kernel read as (KH·KW·C) × F gives
    /// the output in its layout: one GEMM and no transposes either way.
    public static func conv2dChannelsLast(_ x: Variable, _ k: Variable, bias: Variable?, stride s: Int, pads: Pads) throws -> Variable {
        let op = "conv2d"
        let (xv, kv) = (x.value, k.value)
        guard xv.rank == 4, kv.rank == 4 else {
            throw TensorError.shape(op: op, message: "expected x (N, H, W, C) and a kernel (KH, KW, C, F); got \(formatShape(xv.shape)) and \(formatShape(kv.shape))")
        }
        let (n, h, w, c) = (xv.shape[0], xv.shape[1], xv.shape[2], xv.shape[3])
        let (kh, kw, f) = (kv.shape[0], kv.shape[1], kv.shape[3])
        guard kv.shape[2] == c else { throw TensorError.shape(op: op, message: "input has \(c) channels but the kernel \(formatShape(kv.shape)) expects \(kv.shape[2])") }
        guard min(pads.top, pads.bottom, pads.left, pads.right) >= 0 else { throw TensorError.argument(op: op, message: "padding must be non-negative") }
        let bv = bias?.value
        if let bv, bv.count != f { throw TensorError.shape(op: op, message: "bias of shape \(formatShape(bv.shape)) for \(f) filters") }
        let oh = try windows(h + pads.top + pads.bottom, kh, s, op: op), ow = try windows(w + pads.left + pads.right, kw, s, op: op)
        let patches = Patches(n: n, h: h, w: w, c: c, kh: kh, kw: kw, stride: s, pads: pads, oh: oh, ow: ow)
        let m = n * oh * ow
        _ = try Tensor.checkedCount([m, patches.width], op: op)
        _ = try Tensor.checkedCount([m, f], op: op)
        let p = try Tensor(shape: [m, patches.width], data: try patches.matrix(xv.data))
        let k2 = try kv.reshaped([patches.width, f])
        var y = try Tensor.gemm(p, k2, transA: false, transB: false)              // (N·OH·OW, F)
        if let bv { try y.addRows(bv) }
        let inputs = [x, k] + (bias.map { [$0] } ?? [])
        return Variable.make(.conv2dChannelsLast(stride: s, pads: pads), try y.reshaped([n, oh, ow, f]), inputs) { [needX = x.requiresGrad, hasBias = bias != nil] g in
            let g2 = try g.reshaped([m, f])
            var grads: [Tensor?] = [nil, try Tensor.gemm(p, g2, transA: true, transB: false).reshaped(kv.shape)]
            if needX {
                let dp = try Tensor.gemm(g2, k2, transA: false, transB: true)          // (N·OH·OW, KH·KW·C)
                grads[0] = try Tensor(shape: xv.shape, data: patches.image(dp.data))
            }
            if hasBias { grads.append(Tensor(columnSums(g2.data, rows: m, length: f))) }
            return grads
        }
    }

    /// The patch matrix of channels-last images: row (n, i, j), column (u, v, c) holds
    /// x[n, i·s + u − top, j·s + v − left, c], zero outside the image. For each (row, u) the
    /// (v, c) entries are one contiguous run of x when the window lies inside the image.
    struct Patches {
        let n, h, w, c, kh, kw, stride: Int
        let pads: Pads
        let oh, ow: Int
        var width: Int { kh * kw * c }

        /// Visits each (patch row, u, v-run) of the images in `images` with the patch and image
        /// offsets of a run of `len` elements (nil image offset: outside the image, zeros).
        func forEachRun(_ images: Range<Int>, _ body: (_ patch: Int, _ image: Int?, _ len: Int) -> Void) {
            let run = kw * c
            for b in images { for i in 0..<oh { for j in 0..<ow {
                let row = ((b * oh + i) * ow + j) * width
                let c0 = j * stride - pads.left
                for u in 0..<kh {
                    let r = i * stride + u - pads.top, at = row + u * run
                    guard r >= 0, r < h else { body(at, nil, run); continue }
                    let base = (b * h + r) * w
                    if c0 >= 0 && c0 + kw <= w { body(at, (base + c0) * c, run); continue }
                    for v in 0..<kw {
                        let col = c0 + v
                        body(at + v * c, col >= 0 && col < w ? (base + col) * c : nil, c)
                    }
                }
            } } }
        }

        /// The (N·OH·OW) × (KH·KW·C) matrix.
        func matrix(_ x: [Double]) throws -> [Double] {
            try Cancellation.check()
            let count = n * oh * ow * width
            return [Double](unsafeUninitializedCapacity: count) { buf, done in
                x.withUnsafeBufferPointer { px in
                    guard let x0 = px.baseAddress, let p0 = buf.baseAddress else { return }
                    // Image by image over the cores: each image's patch rows are its own.
                    Parallel.chunks(n, elements: count) { images in
                        forEachRun(images) { at, src, len in
                            if let src { (p0 + at).initialize(from: x0 + src, count: len) } else { (p0 + at).initialize(repeating: 0, count: len) }
                        }
                    }
                }
                done = count
            }
        }

        /// The image-shaped sum of a patch-matrix gradient's entries at their sources.
        func image(_ dp: [Double]) -> [Double] {
            var dx = [Double](repeating: 0, count: n * h * w * c)
            dp.withUnsafeBufferPointer { pp in
                dx.withUnsafeMutableBufferPointer { pd in
                    guard let p0 = pp.baseAddress, let d0 = pd.baseAddress else { return }
                    // Image by image over the cores: an image's runs add only into that image.
                    Parallel.chunks(n, elements: dp.count) { images in
                        forEachRun(images) { at, dst, len in
                            guard let dst else { return }
                            let (s, d) = (p0 + at, d0 + dst)
                            for t in 0..<len { d[t] += s[t] }
                        }
                    }
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
        if max && k == 2 && s == 2 {
            return try PairPool(planes: planes, h: h, w: w, oh: oh, ow: ow).record(x, outShape: outShape)
        }
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
                                var run = RunningMax(start: corner)
                                for u in 0..<k {
                                    let row = corner + u * w
                                    for t in 0..<k { run.take(x0[row + t], at: row + t) }
                                }
                                (o0[o], ps[o]) = run.result(x0)
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

    /// A pooling window's running maximum and where it is, element by element in row-major
    /// order (so the first maximum wins). Selects, not branches: on real data each comparison
    /// is a coin toss. A NaN (rare, so its branch is predicted) wins from the first one on.
    struct RunningMax {
        var best = -Double.infinity, at: Int, nanAt = -1
        init(start: Int) { at = start }

        @inline(__always) mutating func take(_ val: Double, at k: Int) {
            let better = val > best
            best = better ? val : best
            at = better ? k : at
            if val.isNaN && nanAt < 0 { nanAt = k }
        }

        /// The window's max and its flat index in `x` (its first NaN when it holds one).
        @inline(__always) func result(_ x: UnsafePointer<Double>) -> (Double, Int) {
            nanAt >= 0 ? (x[nanAt], nanAt) : (best, at)
        }
    }

    /// Max pooling over 2×2 windows moved by 2 (nearly every CNN's), unrolled: no window
    /// loops, the four elements compared with selects, and backward writes every input
    /// element once (windows do not overlap), so its buffer needs no zero fill and no scatter.
    /// Same results as the general loop: the first maximum in row-major order, or the first NaN.
    struct PairPool {
        let planes, h, w, oh, ow: Int

        func record(_ x: Variable, outShape: [Int]) throws -> Variable {
            let v = x.value, m = planes * oh * ow
            var source = [Int](unsafeUninitializedCapacity: m) { _, done in done = m }  // flat input index of each max
            var out = [Double](unsafeUninitializedCapacity: m) { _, done in done = m }
            try v.data.withUnsafeBufferPointer { px in
                try out.withUnsafeMutableBufferPointer { po in
                    try source.withUnsafeMutableBufferPointer { ps in
                        guard let x0 = px.baseAddress, let o0 = po.baseAddress, let s0 = ps.baseAddress else { return }
                        try Cancellation.check()
                        Parallel.chunks(planes, elements: planes * h * w) { range in
                            for p in range {
                                for i in 0..<oh {
                                    let row = (p * h + 2 * i) * w, o = (p * oh + i) * ow
                                    if Self.rowMax(x0 + row, w, row, o0 + o, s0 + o, ow) {
                                        for j in 0..<ow { (o0[o + j], s0[o + j]) = Self.windowMax(x0, row + 2 * j, w) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let y = try Tensor(shape: outShape, data: out)
            return Variable.make(.maxpool(size: 2, stride: 2), y, [x]) { g in
                [try Tensor(shape: v.shape, data: gradient(g.data, source))]
            }
        }

        /// The maxima of the windows along one pair of rows (the top one at x, flat index `row`)
        /// and their flat indices, by `>` alone: right unless a window holds a NaN after its
        /// first element, so it reports any NaN (a NaN sum; inf − inf too) and the caller redoes
        /// the row with `windowMax`. No branches and wrapping index arithmetic (every index is
        /// below the input's checked count), so the compiler vectorizes it, two windows a step.
        @inline(__always) static func rowMax(_ x: UnsafePointer<Double>, _ w: Int, _ row: Int,
                                             _ out: UnsafeMutablePointer<Double>, _ source: UnsafeMutablePointer<Int>, _ ow: Int) -> Bool {
            let below = x + w
            var nan = 0
            for j in 0..<ow {
                let (a, b, c, d) = (x[2 &* j], x[2 &* j &+ 1], below[2 &* j], below[2 &* j &+ 1])
                let t = row &+ 2 &* j
                var best = a, at = t
                if b > best { best = b; at = t &+ 1 }
                if c > best { best = c; at = t &+ w }
                if d > best { best = d; at = t &+ w &+ 1 }
                nan |= (a + b + c + d).isNaN ? 1 : 0
                out[j] = best; source[j] = at
            }
            return nan != 0
        }

        /// The max of the window whose top-left element is x[i] (row length w), and its index.
        @inline(__always) static func windowMax(_ x: UnsafePointer<Double>, _ i: Int, _ w: Int) -> (Double, Int) {
            let (a, b, c, d) = (x[i], x[i + 1], x[i + w], x[i + w + 1])
            // Selects, not branches: on real data each comparison is a coin toss.
            var best = a, at = i
            if b > best { best = b; at = i + 1 }
            if c > best { best = c; at = i + w }
            if d > best { best = d; at = i + w + 1 }
            // A NaN never compares greater; the sum is NaN when the window holds one (rare, so
            // this branch is predicted), and then the first NaN is the max.
            if (a + b + c + d).isNaN {
                if a.isNaN { return (a, i) }
                if b.isNaN { return (b, i + 1) }
                if c.isNaN { return (c, i + w) }
                if d.isNaN { return (d, i + w + 1) }
            }
            return (best, at)
        }

        /// `v` when `on`, else +0, by masking its bits: a select the compiler kept as a branch,
        /// mispredicted at one in four window elements.
        @inline(__always) static func keep(_ v: Double, _ on: Bool) -> Double {
            Double(bitPattern: v.bitPattern & (0 &- UInt64(on ? 1 : 0)))
        }

        /// dL/dx: each window's g at its max, zero at its other elements and at the last row
        /// and column when h or w is odd (in no window).
        func gradient(_ g: [Double], _ source: [Int]) -> [Double] {
            let count = planes * h * w
            return [Double](unsafeUninitializedCapacity: count) { buf, done in
                g.withUnsafeBufferPointer { pg in
                    source.withUnsafeBufferPointer { ps in
                        guard let d0 = buf.baseAddress, let g0 = pg.baseAddress, let s0 = ps.baseAddress else { return }
                        Parallel.chunks(planes, elements: planes * h * w) { range in for p in range {
                            for i in 0..<oh {
                                let row = (p * h + 2 * i) * w, o = (p * oh + i) * ow
                                let (top, below, gs, at) = (d0 + row, d0 + row + w, g0 + o, s0 + o)
                                // Branch-free with wrapping index arithmetic (indices are below the
                                // checked count), so the compiler vectorizes it.
                                for j in 0..<ow {
                                    // 0 + g, as the general loop's scatter into zeros (−0 becomes +0).
                                    let k = at[j] &- (row &+ 2 &* j), gv = 0 + gs[j]
                                    (top + 2 &* j).initialize(to: Self.keep(gv, k == 0))
                                    (top + (2 &* j &+ 1)).initialize(to: Self.keep(gv, k == 1))
                                    (below + 2 &* j).initialize(to: Self.keep(gv, k == w))
                                    (below + (2 &* j &+ 1)).initialize(to: Self.keep(gv, k == w &+ 1))
                                }
                                for t in (2 * ow)..<w { (d0 + row + t).initialize(to: 0); (d0 + row + w + t).initialize(to: 0) }
                            }
                            if 2 * oh < h { (d0 + (p * h + h - 1) * w).initialize(repeating: 0, count: w) }
                        } }
                    }
                }
                done = count
            }
        }
    }

    /// Keras' pooling on channels-last images (N, H, W, C): windows of `size` moved by
    /// `stride`, `pads` around each image left out of every window (max of the real elements;
    /// mean over the real elements, as Keras' 'same' average pooling). The gradient of max goes
    /// to the first maximum of each window, that of mean is shared among its real elements.
    public static func pool2dChannelsLast(_ x: Variable, size k: Int, stride s: Int, pads: Pads, max: Bool) throws -> Variable {
        let op = max ? "max_pooling2d" : "average_pooling2d"
        let v = x.value
        guard v.rank == 4 else { throw TensorError.shape(op: op, message: "expects images (N, H, W, C), got \(formatShape(v.shape))") }
        guard pads.top < k, pads.bottom < k, pads.left < k, pads.right < k, Swift.min(pads.top, pads.bottom, pads.left, pads.right) >= 0 else {
            throw TensorError.argument(op: op, message: "padding must be smaller than the window")
        }
        let (n, h, w, c) = (v.shape[0], v.shape[1], v.shape[2], v.shape[3])
        let oh = try windows(h + pads.top + pads.bottom, k, s, op: op), ow = try windows(w + pads.left + pads.right, k, s, op: op)
        let window = Window(n: n, h: h, w: w, c: c, size: k, stride: s, pads: pads, oh: oh, ow: ow)
        return try window.record(x, outShape: [n, oh, ow, c], max: max,
                                 op: max ? .maxpoolChannelsLast(size: k, stride: s, pads: pads) : .avgpoolChannelsLast(size: k, stride: s, pads: pads))
    }

    /// Pooling windows over channels-last images (N, H, W, C). Each output is one window of
    /// one channel, its running max (and where) or sum kept in registers; a window's elements
    /// are visited in row-major order, so the first maximum gets the gradient.
    struct Window {
        let n, h, w, c, size, stride: Int
        let pads: Pads
        let oh, ow: Int

        /// The image rows and columns window (i, j) covers, its padding left out.
        func span(_ i: Int, _ j: Int) -> (rows: Range<Int>, cols: Range<Int>) {
            let r0 = i * stride - pads.top, c0 = j * stride - pads.left
            return (Swift.max(r0, 0)..<Swift.min(r0 + size, h), Swift.max(c0, 0)..<Swift.min(c0 + size, w))
        }

        func record(_ x: Variable, outShape: [Int], max: Bool, op: Op) throws -> Variable {
            let v = x.value
            let m = n * oh * ow * c
            _ = try Tensor.checkedCount(outShape, op: "pool")
            var source = [Int](repeating: 0, count: max ? m : 0)  // flat input index of each window's max
            var out = [Double](unsafeUninitializedCapacity: m) { _, done in done = m }
            try v.data.withUnsafeBufferPointer { px in
                try out.withUnsafeMutableBufferPointer { po in
                    try source.withUnsafeMutableBufferPointer { ps in
                        guard let x0 = px.baseAddress, let o0 = po.baseAddress else { return }
                        try Cancellation.check()
                        // Image by image over the cores: an image's windows are its own.
                        Parallel.chunks(n, elements: v.count) { images in for b in images {
                            for i in 0..<oh { for j in 0..<ow {
                                // Every window holds a real element (the pads are narrower than it).
                                let (rows, cols) = span(i, j)
                                let o = ((b * oh + i) * ow + j) * c
                                for ch in 0..<c {
                                    if max {
                                        var run = RunningMax(start: ((b * h + rows.lowerBound) * w + cols.lowerBound) * c + ch)
                                        for r in rows {
                                            let row = (b * h + r) * w
                                            for col in cols { let k = (row + col) * c + ch; run.take(x0[k], at: k) }
                                        }
                                        (o0[o + ch], ps[o + ch]) = run.result(x0)
                                    } else {
                                        var total = 0.0
                                        for r in rows { let row = (b * h + r) * w; for col in cols { total += x0[(row + col) * c + ch] } }
                                        o0[o + ch] = total / Double(rows.count * cols.count)
                                    }
                                }
                            } }
                        } }
                    }
                }
            }
            let y = try Tensor(shape: outShape, data: out)
            return Variable.make(op, y, [x]) { g in
                var dx = [Double](repeating: 0, count: v.count)
                dx.withUnsafeMutableBufferPointer { pd in
                    g.data.withUnsafeBufferPointer { pg in
                        guard let d0 = pd.baseAddress, let g0 = pg.baseAddress else { return }
                        let perImage = oh * ow * c
                        if max {
                            // An image's windows send their gradient into that image only.
                            source.withUnsafeBufferPointer { ps in
                                Parallel.chunks(n, elements: v.count) { images in
                                    for o in (images.lowerBound * perImage)..<(images.upperBound * perImage) { d0[ps[o]] += g0[o] }
                                }
                            }
                            return
                        }
                        Parallel.chunks(n, elements: v.count) { images in for b in images { for i in 0..<oh { for j in 0..<ow {
                            let (rows, cols) = span(i, j)
                            let o = ((b * oh + i) * ow + j) * c, count = Double(rows.count * cols.count)
                            for ch in 0..<c {
                                let share = g0[o + ch] / count
                                for r in rows { let row = (b * h + r) * w; for col in cols { d0[(row + col) * c + ch] += share } }
                            }
                        } } } }
                    }
                }
                return [try Tensor(shape: v.shape, data: dx)]
            }
        }
    }
}
