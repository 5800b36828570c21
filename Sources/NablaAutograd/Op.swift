import NablaTensor

/// What made a value: one case per op, with its parameters typed. Everything that shows or
/// documents an op (explain, graph, the reference, the gradient checker's names) reads the
/// declaration of its case in `Op+Declaration.swift`; the forward value and the backward rule
/// sit side by side in the function that records it (`F.entropy`, `Variable.matmul`, …).
public enum Op: Equatable, Sendable {
    // Leaves
    case param, constant
    /// `grad(L, x)` kept with its inputs [L, x] while `explain` records, so it can derive the chain rule.
    case gradient

    // Arithmetic
    case add, sub, mul, div, neg
    case addScalar(Double), mulScalar(Double), powScalar(Double)
    case pow, mod, matmul

    // Elementwise functions
    case exp, log, log2, log10, sqrt, abs, sign, sin, cos, erf
    case clip(lo: Double, hi: Double)
    case maximum, minimum
    /// numpy's where(cond, x, y), over the two value inputs.
    case `where`

    // Activations
    case sigmoid, tanh, relu, softplus
    case leakyRelu(alpha: Double), elu(alpha: Double)
    case softmax(axis: Int), logSoftmax(axis: Int)

    // Reductions
    case sum(axis: Int?), mean(axis: Int?), max(axis: Int?), min(axis: Int?), prod(axis: Int?)
    case norm(axis: Int?), variance(axis: Int?), std(axis: Int?)

    // Shape
    case reshape, transpose, expandDims, broadcast, concat, index, setitem, pick
    case pad(width: Int)

    // Losses (composites unless noted: their gradient is the gradient of their recorded body)
    case mse(Reduction), mae(Reduction), bce(Reduction)
    case bceLogits
    case crossEntropy(base: Double, Reduction)
    case softmaxCrossEntropy(Reduction)
    /// Per-sample multiclass SVM loss (a primitive with its own rule).
    case hinge(margin: Double)
    case hingeReduced(margin: Double, Reduction)

    // Regularizers and information
    case l1, l2
    case elasticNet(l1: Double, l2: Double)
    case entropy(base: Double)
    case kl(base: Double)

    // Probability
    case normalPdf, normalLogpdf, normalCdf, logLikelihood, likelihood

    // CNN
    case conv2d(stride: Int, padding: Int)
    /// Keras' layers on channels-last images (N, H, W, C); kernels (KH, KW, C, F).
    case conv2dChannelsLast(stride: Int, pads: Pads)
    case maxpool(size: Int, stride: Int), avgpool(size: Int, stride: Int)
    case maxpoolChannelsLast(size: Int, stride: Int, pads: Pads), avgpoolChannelsLast(size: Int, stride: Int, pads: Pads)
    case dropout(p: Double)
    case batchnorm(eps: Double)
}

extension Op {
    /// `x + c` for a constant c.
    public var isAddScalar: Bool { if case .addScalar = self { return true }; return false }
}

/// How a loss combines its per-sample values.
public enum Reduction: String, Sendable {
    case mean, sum, none
}
