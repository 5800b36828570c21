import NablaTensor

/// The seeded generator behind rand, randn and dropout (one per thread); `seed(n)` resets it.
public enum RandomSource {
    private static let local = ThreadLocal { Xoshiro256(seed: 0) }

    public static var generator: Xoshiro256 {
        get { local.value }
        set { local.value = newValue }
    }

    public static func seed(_ s: UInt64) { generator = Xoshiro256(seed: s) }
}

/// Dropout and batch normalization.
extension F {
    /// Inverted dropout: in training, zero each element with probability p and scale the
    /// survivors by 1/(1 − p) so the expectation is unchanged; identity when not training.
    public static func dropout(_ x: Variable, p: Double, train: Bool = true) throws -> Variable {
        guard p >= 0, p < 1 else { throw TensorError.argument(op: "dropout", message: "p must be in [0, 1), got \(p)") }
        guard train, p > 0 else { return x }
        let keep = 1 - p
        let mask = try Tensor.rand(x.value.shape, using: &RandomSource.generator).map { $0 < keep ? 1 / keep : 0 }
        return Variable.make(.dropout(p: p), try x.value * mask, [x]) { g in [try g * mask] }
    }

    /// Batch normalization with batch statistics: x̂ = (x − μ_B) / √(σ²_B + ε), y = γ x̂ + β.
    /// Statistics are per feature over the batch for (N, D), per channel over (N, H, W) for
    /// (N, C, H, W). Built from differentiable pieces, so its gradient is exact.
    public static func batchnorm(_ x: Variable, gamma: Variable, beta: Variable, eps: Double = 1e-5) throws -> Variable {
        try Variable.composite(.batchnorm(eps: eps), [x, gamma, beta]) { v in try batchnormBody(v[0], gamma: v[1], beta: v[2], eps: eps) }
    }

    static func batchnormBody(_ x: Variable, gamma: Variable, beta: Variable, eps: Double) throws -> Variable {
        let shape = x.value.shape
        switch shape.count {
        case 2:
            let mu = try x.mean(axis: 0, keepdims: true)
            let d = try x - mu
            let variance = try (d * d).mean(axis: 0, keepdims: true)
            return try gamma * (d / (variance + eps).sqrt()) + beta
        case 4:
            let c = shape[1]
            let flat = try x.transposed([0, 2, 3, 1]).reshaped([-1, c])            // (N·H·W, C)
            let y = try batchnormBody(flat, gamma: gamma.reshaped([c]), beta: beta.reshaped([c]), eps: eps)
            return try y.reshaped([shape[0], shape[2], shape[3], c]).transposed([0, 3, 1, 2])
        default:
            throw TensorError.shape(op: "batchnorm", message: "expected (N, D) or (N, C, H, W), got \(formatShape(shape))")
        }
    }
}
