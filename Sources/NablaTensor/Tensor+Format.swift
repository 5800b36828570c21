import Foundation

/// numpy-like text for tensors: aligned columns, a set number of significant digits, tiny and
/// huge magnitudes in scientific form, long axes summarized with "...". Output uses commas so
/// it reads back as a list literal.
extension Tensor {
    /// One number: whole numbers without a decimal point, otherwise `precision` significant
    /// digits with trailing zeros trimmed; scientific below 1e-3 (9.9e-04) or from 1e16.
    public static func formatNumber(_ x: Double, precision: Int = 4) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == 0 { return "0" }
        let p = Swift.max(1, Swift.min(precision, 17))
        let mag = Swift.abs(x)
        if x == x.rounded(), mag < 1e16 { return String(Int64(x)) }
        if mag < 1e-3 || mag >= 1e16 {
            var s = String(format: "%.\(p - 1)e", x)
            // Trim zeros of the mantissa: 9.900e-04 → 9.9e-04.
            if let e = s.firstIndex(of: "e") {
                var mant = String(s[..<e]), exp = String(s[e...])
                if mant.contains(".") { while mant.hasSuffix("0") { mant.removeLast() }; if mant.hasSuffix(".") { mant.removeLast() } }
                if exp.count == 3 { exp.insert("0", at: exp.index(exp.startIndex, offsetBy: 2)) }
                s = mant + exp
            }
            return s
        }
        let intDigits = Int(Foundation.floor(Foundation.log10(mag))) + 1
        let decimals = Swift.max(p - intDigits, 0)
        var s = String(format: "%.\(decimals)f", x)
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s == "-0" ? "0" : s
    }

    /// The whole tensor as text; axes longer than `2 × edge` are summarized when the tensor has
    /// more than `threshold` elements.
    public func formatted(precision: Int = 4, threshold: Int = 1000, edge: Int = 3) -> String {
        if rank == 0 { return Tensor.formatNumber(data[0], precision: precision) }
        let summarize = count > threshold
        // Format every element that will be shown, so columns align across the whole tensor.
        let strides = Tensor.strides(of: shape)
        func shown(_ axis: Int) -> [Int?] {
            let n = shape[axis]
            if summarize && n > 2 * edge { return Array(0..<edge) + [nil] + Array((n - edge)..<n) }
            return Array(0..<n)
        }
        var width = 0
        var cache = [Int: String]()
        func visit(_ axis: Int, _ offset: Int) {
            for i in shown(axis) {
                guard let i else { continue }
                let o = offset + i * strides[axis]
                if axis == rank - 1 {
                    let s = Tensor.formatNumber(data[o], precision: precision)
                    cache[o] = s
                    width = Swift.max(width, s.count)
                } else { visit(axis + 1, o) }
            }
        }
        if count > 0 { visit(0, 0) }
        func render(_ axis: Int, _ offset: Int, indent: Int) -> String {
            if shape[axis] == 0 { return "[]" }
            if axis == rank - 1 {
                let items = shown(axis).map { i -> String in
                    guard let i else { return "..." }
                    let s = cache[offset + i * strides[axis]] ?? ""
                    return String(repeating: " ", count: width - s.count) + s
                }
                return "[" + items.joined(separator: ", ") + "]"
            }
            let sep = ",\n" + String(repeating: "\n", count: rank - axis - 2) + String(repeating: " ", count: indent + 1)
            let rows = shown(axis).map { i -> String in
                guard let i else { return "..." }
                return render(axis + 1, offset + i * strides[axis], indent: indent + 1)
            }
            return "[" + rows.joined(separator: sep) + "]"
        }
        return render(0, 0, indent: 0)
    }
}
