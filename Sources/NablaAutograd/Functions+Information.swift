import Foundation
import NablaTensor

/// Entropy and divergences of discrete distributions, over the last axis.
extension F {
    /// ln p with p floored at the smallest normal double, so 0·ln 0 counts as 0.
    static func safeLog(_ p: Variable) -> Variable { p.clip(Double.leastNormalMagnitude, .infinity).log() }

    static func checkBase(_ base: Double, op: String) throws {
        guard base > 0, base != 1, base.isFinite else { throw TensorError.argument(op: op, message: "base must be positive and not 1, got \(base)") }
    }

    /// H(p) = −Σ p ln p / ln(base)  (base e gives nats, 2 gives bits).
    public static func entropy(_ p: Variable, base: Double = M_E) throws -> Variable {
        try checkBase(base, op: "entropy")
        return try Variable.composite(.entropy(base: base), [p]) { v in try -(v[0] * safeLog(v[0])).sum(axis: -1) / Foundation.log(base) }
    }

    /// KL(p ‖ q) = Σ p (ln p − ln q) / ln(base) = H(p, q) − H(p).
    public static func kl(_ p: Variable, _ q: Variable, base: Double = M_E) throws -> Variable {
        try checkBase(base, op: "kl")
        return try Variable.composite(.kl(base: base), [p, q]) { v in
            try (v[0] * (safeLog(v[0]) - safeLog(v[1]))).sum(axis: -1) / Foundation.log(base)
        }
    }
}
