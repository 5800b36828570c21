import NablaTensor

/// Weight penalties added to a data loss.
extension F {
    /// L1 = Σ |w|  (its gradient sign(w) pushes weights to exactly 0).
    public static func l1(_ w: Variable) throws -> Variable { try Variable.composite(.l1, [w]) { try $0[0].abs().sum() } }

    /// L2 = Σ w²  (its gradient 2w shrinks weights in proportion).
    public static func l2(_ w: Variable) throws -> Variable { try Variable.composite(.l2, [w]) { try ($0[0] * $0[0]).sum() } }

    /// Elastic net = λ₁ Σ |w| + λ₂ Σ w².
    public static func elasticNet(_ w: Variable, l1 a: Double, l2 b: Double) throws -> Variable {
        try Variable.composite(.elasticNet(l1: a, l2: b), [w]) { v in
            try GradMode.with(.normal) { try v[0].abs().sum() * a + (v[0] * v[0]).sum() * b }
        }
    }
}
