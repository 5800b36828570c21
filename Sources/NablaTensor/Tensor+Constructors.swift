import Foundation

/// zeros, ones, full, eye, arange, linspace, onehot, and seeded random tensors.
extension Tensor {
    public static func full(_ shape: [Int], _ value: Double) throws -> Tensor {
        if shape.isEmpty { return Tensor(value) }
        return Tensor(unchecked: shape, data: [Double](repeating: value, count: try checkedCount(shape, op: "full")))
    }

    public static func zeros(_ shape: [Int]) throws -> Tensor { try full(shape, 0) }
    public static func ones(_ shape: [Int]) throws -> Tensor { try full(shape, 1) }

    /// The n×m identity (m defaults to n).
    public static func eye(_ n: Int, _ m: Int? = nil) throws -> Tensor {
        let m = m ?? n
        var t = try zeros([n, m])
        for i in 0..<Swift.min(n, m) { t.data[i * m + i] = 1 }
        return t
    }

    /// Evenly spaced values in `[start, stop)` by `step`, as numpy's arange.
    public static func arange(_ start: Double, _ stop: Double, _ step: Double = 1) throws -> Tensor {
        guard step != 0, start.isFinite, stop.isFinite, step.isFinite else {
            throw TensorError.argument(op: "arange", message: "start, stop and step must be finite and step non-zero")
        }
        let n = Swift.max(0, (stop - start) / step).rounded(.up)
        guard n < Double(Int.max / 8) else { throw TensorError.tooLarge(op: "arange", shape: [Int.max], limitBytes: TensorLimits.maxBytes) }
        let count = try checkedCount([Int(n)], op: "arange")
        return Tensor(unchecked: [count], data: (0..<count).map { start + Double($0) * step })
    }

    /// `num` evenly spaced values from `start` to `stop` inclusive.
    public static func linspace(_ start: Double, _ stop: Double, _ num: Int = 50) throws -> Tensor {
        guard num >= 0 else { throw TensorError.argument(op: "linspace", message: "num must be non-negative, got \(num)") }
        let count = try checkedCount([num], op: "linspace")
        if count == 1 { return Tensor([start]) }
        let step = (stop - start) / Double(Swift.max(count - 1, 1))
        return Tensor(unchecked: [count], data: (0..<count).map { $0 == count - 1 ? stop : start + Double($0) * step })
    }

    /// One-hot rows: `onehot([2, 0], 3)` is `[[0, 0, 1], [1, 0, 0]]`.
    public static func onehot(_ labels: Tensor, classes: Int) throws -> Tensor {
        guard classes > 0 else { throw TensorError.argument(op: "onehot", message: "classes must be positive, got \(classes)") }
        let ids = try labels.indices(op: "onehot")
        var out = try zeros(labels.shape + [classes])
        for (i, c) in ids.enumerated() {
            guard c >= 0, c < classes else { throw TensorError.index(op: "onehot", index: c, axis: labels.rank, size: classes) }
            out.data[i * classes + c] = 1
        }
        return out
    }

    /// Elements as whole numbers, or an error naming the first that is not one.
    public func indices(op: String) throws -> [Int] {
        try data.map { x in
            guard x.isFinite, x == x.rounded(), Swift.abs(x) < 9.0e15 else {
                throw TensorError.argument(op: op, message: "expected whole-number indices, got \(x)")
            }
            return Int(x)
        }
    }

    /// Uniform samples in [0, 1) from `rng`.
    public static func rand(_ shape: [Int], using rng: inout Xoshiro256) throws -> Tensor {
        let n = try checkedCount(shape, op: "rand")
        return Tensor(unchecked: shape, data: (0..<n).map { _ in rng.nextDouble() })
    }

    /// Standard normal samples from `rng` (Box–Muller).
    public static func randn(_ shape: [Int], using rng: inout Xoshiro256) throws -> Tensor {
        let n = try checkedCount(shape, op: "randn")
        return Tensor(unchecked: shape, data: (0..<n).map { _ in rng.nextGaussian() })
    }
}

/// xoshiro256** (Blackman & Vigna), seeded through splitmix64: the same seed gives the same
/// numbers on every machine, unlike the system generator.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    private var spare: Double?

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal, two at a time by Box–Muller.
    public mutating func nextGaussian() -> Double {
        if let z = spare { spare = nil; return z }
        let u1 = 1 - nextDouble(), u2 = nextDouble()
        let r = (-2 * Foundation.log(u1)).squareRoot()
        spare = r * Foundation.sin(2 * .pi * u2)
        return r * Foundation.cos(2 * .pi * u2)
    }
}
