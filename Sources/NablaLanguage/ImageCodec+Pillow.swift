import Foundation

// Pillow's pixel arithmetic, so `np.array(Image.open(f).resize((28, 28)))` gives PIL's numbers:
// its resampling filters (two separable passes with 22-bit fixed-point weights, each rounded to
// 8 bits), its nearest-neighbour scaling, its premultiplied alpha, and its mode conversions.

/// PIL's resampling filters, numbered as `Image.Resampling` numbers them.
enum PillowFilter: Int, CaseIterable {
    case nearest = 0, lanczos = 1, bilinear = 2, bicubic = 3, box = 4, hamming = 5

    var name: String { String(describing: self).uppercased() }

    /// How far (in source pixels, before downscaling widens it) the filter reaches.
    var support: Double {
        switch self {
        case .nearest, .box: return 0.5
        case .bilinear, .hamming: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    func weight(_ x: Double) -> Double {
        func sinc(_ x: Double) -> Double { x == 0 ? 1 : sin(x * .pi) / (x * .pi) }
        let ax = Swift.abs(x)
        switch self {
        case .nearest, .box: return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear: return ax < 1 ? 1 - ax : 0
        case .hamming:
            if ax == 0 { return 1 }
            if ax >= 1 { return 0 }
            // Pillow's constants are C floats.
            return sin(ax * .pi) / (ax * .pi) * (Double(Float(0.54)) + Double(Float(0.46)) * cos(ax * .pi))
        case .bicubic:
            let a = -0.5
            if ax < 1 { return ((a + 2) * ax - (a + 3)) * ax * ax + 1 }
            if ax < 2 { return (((ax - 5) * ax + 8) * ax - 4) * a }
            return 0
        case .lanczos: return x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0
        }
    }
}

extension ImageCodec {
    static let precisionBits = 22

    /// For each output position along an axis: the first source index and its fixed-point weights.
    static func pillowWeights(input: Int, output: Int, filter: PillowFilter) -> [(start: Int, weights: [Int32])] {
        let scale = Double(input) / Double(output)
        let filterScale = Swift.max(scale, 1)
        let support = filter.support * filterScale
        return (0..<output).map { xx in
            let center = (Double(xx) + 0.5) * scale
            let lo = Swift.max(Int(center - support + 0.5), 0)
            let hi = Swift.min(Int(center + support + 0.5), input)
            let ss = 1 / filterScale
            var w = (lo..<Swift.max(hi, lo)).map { filter.weight((Double($0) - center + 0.5) * ss) }
            let total = w.reduce(0, +)
            if total != 0 { w = w.map { $0 / total } }
            let one = Double(1 << precisionBits)
            return (lo, w.map { Int32($0 < 0 ? -0.5 + $0 * one : 0.5 + $0 * one) })
        }
    }

    /// One separable pass: along x (`horizontal`) or y, 8-bit in and out.
    static func pillowPass(_ img: Image8, size: Int, horizontal: Bool, filter: PillowFilter) -> Image8 {
        let c = img.channels
        let (w, h) = horizontal ? (size, img.height) : (img.width, size)
        let table = pillowWeights(input: horizontal ? img.width : img.height, output: size, filter: filter)
        var out = [UInt8](repeating: 0, count: w * h * c)
        let half = Int(1) << (precisionBits - 1)
        img.pixels.withUnsafeBufferPointer { src in
            for y in 0..<h {
                for x in 0..<w {
                    let (start, weights) = table[horizontal ? x : y]
                    for k in 0..<c {
                        var acc = half
                        for (j, wt) in weights.enumerated() {
                            let sx = horizontal ? start + j : x, sy = horizontal ? y : start + j
                            acc += Int(src[(sy * img.width + sx) * c + k]) * Int(wt)
                        }
                        out[(y * w + x) * c + k] = UInt8(Swift.min(Swift.max(acc >> precisionBits, 0), 255))
                    }
                }
            }
        }
        return Image8(width: w, height: h, channels: c, pixels: out)
    }

    /// PIL's `Image.resize((width, height), filter)`.
    static func pillowResized(_ img: Image8, width: Int, height: Int, filter: PillowFilter) -> Image8 {
        if width == img.width && height == img.height { return img }
        if filter == .nearest {
            // ImagingScaleAffine: source positions accumulated from the first pixel centre.
            func positions(_ n: Int, _ input: Int) -> [Int] {
                let step = Double(input) / Double(n)
                var p = step * 0.5, out = [Int]()
                for _ in 0..<n { out.append(Swift.min(p < 0 ? 0 : Int(p), input - 1)); p += step }
                return out
            }
            let xs = positions(width, img.width), ys = positions(height, img.height), c = img.channels
            var out = [UInt8](repeating: 0, count: width * height * c)
            for y in 0..<height { for x in 0..<width { for k in 0..<c { out[(y * width + x) * c + k] = img.pixels[(ys[y] * img.width + xs[x]) * c + k] } } }
            return Image8(width: width, height: height, channels: c, pixels: out)
        }
        let alpha = img.channels == 2 || img.channels == 4
        var im = alpha ? premultiplied(img) : img
        if width != im.width { im = pillowPass(im, size: width, horizontal: true, filter: filter) }
        if height != im.height { im = pillowPass(im, size: height, horizontal: false, filter: filter) }
        return alpha ? unpremultiplied(im) : im
    }

    /// RGBA → RGBa (LA → La): colour scaled by alpha, rounded as Pillow's MULDIV255.
    static func premultiplied(_ img: Image8) -> Image8 {
        var out = img
        let c = img.channels
        for p in stride(from: 0, to: img.pixels.count, by: c) {
            let a = Int(img.pixels[p + c - 1])
            for k in 0..<(c - 1) {
                let t = Int(img.pixels[p + k]) * a + 128
                out.pixels[p + k] = UInt8(((t >> 8) + t) >> 8)
            }
        }
        return out
    }

    /// RGBa → RGBA: colour divided by alpha (kept when alpha is 0 or 255).
    static func unpremultiplied(_ img: Image8) -> Image8 {
        var out = img
        let c = img.channels
        for p in stride(from: 0, to: img.pixels.count, by: c) {
            let a = Int(img.pixels[p + c - 1])
            guard a != 0, a != 255 else { continue }
            for k in 0..<(c - 1) { out.pixels[p + k] = UInt8(Swift.min(255 * Int(img.pixels[p + k]) / a, 255)) }
        }
        return out
    }

    /// PIL's `convert` between L, LA, RGB and RGBA (luma by ITU-R 601-2 in 16-bit fixed point).
    static func pillowConverted(_ img: Image8, channels: Int) -> Image8 {
        let c = img.channels
        if c == channels { return img }
        let n = img.width * img.height
        var out = [UInt8](repeating: 0, count: n * channels)
        for p in 0..<n {
            let s = p * c, d = p * channels
            let gray: UInt8, rgb: (UInt8, UInt8, UInt8), a: UInt8
            if c >= 3 {
                rgb = (img.pixels[s], img.pixels[s + 1], img.pixels[s + 2])
                let r: Int = Int(rgb.0) * 19595, g: Int = Int(rgb.1) * 38470, b: Int = Int(rgb.2) * 7471
                gray = UInt8((r + g + b + 0x8000) >> 16)
            } else {
                gray = img.pixels[s]; rgb = (gray, gray, gray)
            }
            a = c == 2 || c == 4 ? img.pixels[s + c - 1] : 255
            switch channels {
            case 1: out[d] = gray
            case 2: out[d] = gray; out[d + 1] = a
            case 3: out[d] = rgb.0; out[d + 1] = rgb.1; out[d + 2] = rgb.2
            default: out[d] = rgb.0; out[d + 1] = rgb.1; out[d + 2] = rgb.2; out[d + 3] = a
            }
        }
        return Image8(width: img.width, height: img.height, channels: channels, pixels: out)
    }
}
