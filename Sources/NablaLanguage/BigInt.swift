import Foundation

/// Python's unbounded int beyond 64 bits: a sign and a magnitude in base-2³² limbs (least
/// significant first, no leading zero limbs). Values that fit in Int are always `.int`; a
/// result outside that range becomes `.bigint`, so `2 ** 70` prints every digit. Sizes are
/// bounded (a MemoryError beyond `maxLimbs`), so a runaway `x = x * x` cannot exhaust memory.
public struct BigInt: Equatable, Sendable {
    public var negative: Bool
    public var limbs: [UInt32]

    static let maxLimbs = 4096   // 131,072 bits, about 39,000 decimal digits

    init(negative: Bool, limbs: [UInt32]) {
        var l = limbs
        while l.last == 0 { l.removeLast() }
        self.negative = l.isEmpty ? false : negative
        self.limbs = l
    }

    public init(_ v: Int) {
        var m = v.magnitude
        var l = [UInt32]()
        while m > 0 { l.append(UInt32(truncatingIfNeeded: m)); m >>= 32 }
        self.init(negative: v < 0, limbs: l)
    }

    /// The exact integer value of a finite whole double.
    init?(exactly d: Double) {
        guard d.isFinite, d == d.rounded() else { return nil }
        if let i = Int(exactly: d) { self.init(i); return }
        let m = BigInt(Int(d.significandBitPattern | (1 << 52)))
        let shift = Int(d.exponent) - 52
        let v = shift >= 0 ? m.shiftedLeft(shift) : m
        self.init(negative: d < 0, limbs: v.limbs)
    }

    init?(_ text: String, radix: Int = 10) {
        var s = Substring(text), neg = false
        if s.hasPrefix("-") { neg = true; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        guard !s.isEmpty else { return nil }
        var v = BigInt(0)
        for c in s {
            guard let d = c.hexDigitValue, d < radix else { return nil }
            v = v.multipliedSmall(UInt32(radix)).addingSmall(UInt32(d))
        }
        self.init(negative: neg, limbs: v.limbs)
    }

    public var isZero: Bool { limbs.isEmpty }

    /// The value as Int when it fits.
    public var asInt: Int? {
        guard limbs.count <= 2 else { return nil }
        var m: UInt64 = 0
        for (k, l) in limbs.enumerated() { m |= UInt64(l) << (32 * UInt64(k)) }
        if negative { return m <= UInt64(Int.max) + 1 ? Int(truncatingIfNeeded: 0 &- m) : nil }
        return m <= UInt64(Int.max) ? Int(m) : nil
    }

    public var double: Double {
        var d = 0.0
        for l in limbs.reversed() { d = d * 4294967296.0 + Double(l) }
        return negative ? -d : d
    }

    // MARK: Magnitudes

    static func compareMagnitude(_ a: [UInt32], _ b: [UInt32]) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        for k in stride(from: a.count - 1, through: 0, by: -1) where a[k] != b[k] { return a[k] < b[k] ? -1 : 1 }
        return 0
    }

    static func addMagnitude(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out = [UInt32](), carry: UInt64 = 0
        for k in 0..<max(a.count, b.count) {
            let s = UInt64(k < a.count ? a[k] : 0) + UInt64(k < b.count ? b[k] : 0) + carry
            out.append(UInt32(truncatingIfNeeded: s)); carry = s >> 32
        }
        if carry > 0 { out.append(UInt32(carry)) }
        return out
    }

    /// a − b for |a| ≥ |b|.
    static func subMagnitude(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out = [UInt32](), borrow: Int64 = 0
        for k in 0..<a.count {
            var d = Int64(a[k]) - Int64(k < b.count ? b[k] : 0) - borrow
            borrow = 0
            if d < 0 { d += 1 << 32; borrow = 1 }
            out.append(UInt32(d))
        }
        return out
    }

    func multipliedSmall(_ m: UInt32) -> BigInt {
        var out = [UInt32](), carry: UInt64 = 0
        for l in limbs { let p = UInt64(l) * UInt64(m) + carry; out.append(UInt32(truncatingIfNeeded: p)); carry = p >> 32 }
        if carry > 0 { out.append(UInt32(carry)) }
        return BigInt(negative: negative, limbs: out)
    }

    func addingSmall(_ a: UInt32) -> BigInt { BigInt(negative: negative, limbs: BigInt.addMagnitude(limbs, [a])) }

    func shiftedLeft(_ n: Int) -> BigInt {
        guard n > 0, !isZero else { return self }
        let words = n / 32, bits = UInt32(n % 32)
        var out = [UInt32](repeating: 0, count: words)
        var carry: UInt32 = 0
        for l in limbs {
            out.append(bits == 0 ? l : (l << bits) | carry)
            carry = bits == 0 ? 0 : l >> (32 - bits)
        }
        if carry > 0 { out.append(carry) }
        return BigInt(negative: negative, limbs: out)
    }

    /// Quotient and remainder of magnitudes (schoolbook, bit by bit: ample for classroom sizes).
    static func divModMagnitude(_ a: [UInt32], _ b: [UInt32]) -> ([UInt32], [UInt32]) {
        if compareMagnitude(a, b) < 0 { return ([], a) }
        if b.count == 1 {
            var q = [UInt32](repeating: 0, count: a.count), r: UInt64 = 0
            for k in stride(from: a.count - 1, through: 0, by: -1) {
                let cur = (r << 32) | UInt64(a[k])
                q[k] = UInt32(cur / UInt64(b[0])); r = cur % UInt64(b[0])
            }
            return (q, r == 0 ? [] : [UInt32(r)])
        }
        var q = [UInt32](repeating: 0, count: a.count)
        var r = BigInt(0)
        let divisor = BigInt(negative: false, limbs: b)
        for bit in stride(from: a.count * 32 - 1, through: 0, by: -1) {
            r = r.shiftedLeft(1)
            if (a[bit / 32] >> UInt32(bit % 32)) & 1 == 1 { r = BigInt(negative: false, limbs: addMagnitude(r.limbs, [1])) }
            if compareMagnitude(r.limbs, divisor.limbs) >= 0 {
                r = BigInt(negative: false, limbs: subMagnitude(r.limbs, divisor.limbs))
                q[bit / 32] |= 1 << UInt32(bit % 32)
            }
        }
        return (q, r.limbs)
    }

    // MARK: Arithmetic (Python's semantics)

    static func + (a: BigInt, b: BigInt) -> BigInt {
        if a.negative == b.negative { return BigInt(negative: a.negative, limbs: addMagnitude(a.limbs, b.limbs)) }
        if compareMagnitude(a.limbs, b.limbs) >= 0 { return BigInt(negative: a.negative, limbs: subMagnitude(a.limbs, b.limbs)) }
        return BigInt(negative: b.negative, limbs: subMagnitude(b.limbs, a.limbs))
    }

    static prefix func - (a: BigInt) -> BigInt { BigInt(negative: !a.negative, limbs: a.limbs) }
    static func - (a: BigInt, b: BigInt) -> BigInt { a + (-b) }

    static func * (a: BigInt, b: BigInt) -> BigInt {
        if a.isZero || b.isZero { return BigInt(0) }
        var out = [UInt32](repeating: 0, count: a.limbs.count + b.limbs.count)
        for (i, x) in a.limbs.enumerated() {
            var carry: UInt64 = 0
            for (j, y) in b.limbs.enumerated() {
                let t = UInt64(x) * UInt64(y) + UInt64(out[i + j]) + carry
                out[i + j] = UInt32(truncatingIfNeeded: t); carry = t >> 32
            }
            var k = i + b.limbs.count
            while carry > 0 { let t = UInt64(out[k]) + carry; out[k] = UInt32(truncatingIfNeeded: t); carry = t >> 32; k += 1 }
        }
        return BigInt(negative: a.negative != b.negative, limbs: out)
    }

    /// Floor division and the remainder with the divisor's sign; nil for a zero divisor.
    static func floorDivMod(_ a: BigInt, _ b: BigInt) -> (BigInt, BigInt)? {
        guard !b.isZero else { return nil }
        let (qm, rm) = divModMagnitude(a.limbs, b.limbs)
        var q = BigInt(negative: a.negative != b.negative, limbs: qm)
        var r = BigInt(negative: a.negative, limbs: rm)
        if !r.isZero && (r.negative != b.negative) { q = q - BigInt(1); r = r + b }
        return (q, r)
    }

    static func compare(_ a: BigInt, _ b: BigInt) -> Int {
        if a.negative != b.negative { return a.negative ? -1 : 1 }
        let c = compareMagnitude(a.limbs, b.limbs)
        return a.negative ? -c : c
    }

    public var description: String {
        if isZero { return "0" }
        var parts = [String](), m = limbs
        while !m.isEmpty {
            let (q, r) = BigInt.divModMagnitude(m, [1_000_000_000])
            m = q; while m.last == 0 { m.removeLast() }
            parts.append(String(r.first ?? 0))
        }
        var s = parts.last ?? "0"
        for p in parts.dropLast().reversed() { s += String(repeating: "0", count: 9 - p.count) + p }
        return (negative ? "-" : "") + s
    }
}

extension BigInt {
    /// The decimal digits of the magnitude.
    var magnitudeDescription: String { BigInt(negative: false, limbs: limbs).description }
}
