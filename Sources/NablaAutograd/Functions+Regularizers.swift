import NablaTensor

/// Weight penalties added to a data loss.
extension F {
    /// L1 = Σ |w|  (its gradient sign(w) pushes weights to exactly 0).
    public static func l1(_ w: Variable) throws -> Variable { try w.abs().sum() }

    /// L2 = Σ w²  (its gradient 2w shrinks weights in proportion).
    public static func l2(_ w: Variable) throws -> Variable { try (w * w).sum() }

    /// Elastic net = λ₁ Σ |w| + λ₂ Σ w².
    public static func elasticNet(_ w: Variable, l1 a: Double, l2 b: Double) throws -> Variable {
        try l1(w) * a + l2(w) * b
    }
}
