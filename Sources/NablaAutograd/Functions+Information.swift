import Foundation
import NablaTensor

/// Entropy and divergences of discrete distributions, over the last axis.
extension F {
    /// ln p with p floored at the smallest normal double, so 0·ln 0 counts as 0.
    static func safeLog(_ p: Variable) -> Variable { p.clip(Double.leastNormalMagnitude, .infinity).log() }

    /// H(p) = −Σ p ln p / ln(base)  (base e gives nats, 2 gives bits).
    public static func entropy(_ p: Variable, base: Double = M_E) throws -> Variable {
        try -(p * safeLog(p)).sum(axis: -1) / Foundation.log(base)
    }

    /// KL(p ‖ q) = Σ p (ln p − ln q) / ln(base) = H(p, q) − H(p).
    public static func kl(_ p: Variable, _ q: Variable, base: Double = M_E) throws -> Variable {
        try (p * (safeLog(p) - safeLog(q))).sum(axis: -1) / Foundation.log(base)
    }
}
