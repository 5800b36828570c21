import Foundation
import NablaAutograd
import NablaTensor

/// The lecture's functions: activations, losses, regularizers, information, probability, CNN.
extension Library {
    /// The `reduction` choice, declared `.choice("reduction", ["mean", "sum", "none"], …)`.
    static func reductionArg(_ a: Args) throws -> Reduction {
        let s = try a.string("reduction")
        guard let r = Reduction(rawValue: s) else { throw NablaError(.value, "reduction must be 'mean', 'sum' or 'none', got '\(s)'") }
        return r
    }

    static func functions(_ i: Interpreter) {
        // Activations
        unary(i, "sigmoid", Op.sigmoid.declaration.formulaText, "The logistic function, squashing scores into (0, 1).", example: "sigmoid([0, 2])") { F.sigmoid($0) }
        unary(i, "relu", Op.relu.declaration.formulaText, "Rectified linear unit.", example: "relu([-1, 0, 2])") { F.relu($0) }
        unary(i, "tanh", Op.tanh.declaration.formulaText, "Hyperbolic tangent, zero-centred in (−1, 1).", example: "tanh(0)") { $0.tanh() }
        unary(i, "softplus", Op.softplus.declaration.formulaText, "A smooth relu.", example: "softplus([0, 10])") { F.softplus($0) }
        i.register(Builtin("leaky_relu", [.tensor("x"), .number("alpha", default: 0.1)], formula: Op.leakyRelu(alpha: 0.1).declaration.formulaText, doc: "relu with a small slope for negative inputs, so they still learn; the slope is the notes' 0.1 (max(0.1x, x)) unless alpha says otherwise.", example: "leaky_relu([-10, 5], alpha=0.1)") { a in
            t(F.leakyRelu(try a.tensor("x"), alpha: try a.double("alpha")))
        })
        i.register(Builtin("elu", [.tensor("x"), .number("alpha", default: 1)], formula: Op.elu(alpha: 1).declaration.formulaText, doc: "Exponential linear unit.", example: "elu([-1, 0, 2])") { a in
            t(F.elu(try a.tensor("x"), alpha: try a.double("alpha")))
        })
        i.register(Builtin("softmax", [.tensor("x"), .int("axis", default: -1)], formula: Op.softmax(axis: -1).declaration.formulaText, doc: "Scores to probabilities along `axis` (computed with the max subtracted, so large scores do not overflow).", example: "softmax([3.2, 5.1, -1.7])") { a in
            t(try F.softmax(try a.tensor("x"), axis: try a.int("axis")))
        })
        i.register(Builtin("log_softmax", [.tensor("x"), .int("axis", default: -1)], formula: Op.logSoftmax(axis: -1).declaration.formulaText, doc: "The log of softmax, computed stably.", example: "log_softmax([1, 2, 3])") { a in
            t(try F.logSoftmax(try a.tensor("x"), axis: try a.int("axis")))
        })
        i.register(Builtin("maxout", [.args("pieces")], formula: "maxout(z₁, …, z_k) = max(z₁, …, z_k), e.g. max(w₁ᵀx + b₁, w₂ᵀx + b₂)", doc: "Elementwise maximum of several linear units.", example: "maxout([1, -2], [0, 3])") { a in
            t(try F.maxout(try a.rest.map { try a.interpreter.toVariable($0, span: a.span, what: "maxout(): a piece") }))
        })

        // Losses
        i.register(Builtin("mse", [.tensor("y"), .tensor("t"), .choice("reduction", ["mean", "sum", "none"], default: "mean")], formula: Op.mse(.mean).declaration.formulaText, doc: "Mean squared error between predictions y and targets t.", example: "mse([1, 2, 3], [1, 2, 5])") { a in
            t(try F.mse(try a.tensor("y"), try a.tensor("t"), reduction: try reductionArg(a)))
        })
        i.register(Builtin("mae", [.tensor("y"), .tensor("t"), .choice("reduction", ["mean", "sum", "none"], default: "mean")], formula: Op.mae(.mean).declaration.formulaText, doc: "Mean absolute error.", example: "mae([1, 2], [2, 4])") { a in
            t(try F.mae(try a.tensor("y"), try a.tensor("t"), reduction: try reductionArg(a)))
        })
        i.register(Builtin("bce", [.tensor("p"), .tensor("t"), .choice("reduction", ["mean", "sum", "none"], default: "mean")], formula: Op.bce(.mean).declaration.formulaText, doc: "Binary cross entropy of probabilities p (clamped to [1e-12, 1 − 1e-12]) against 0/1 targets.", example: "bce([0.9, 0.2], [1, 0])") { a in
            t(try F.bce(try a.tensor("p"), try a.tensor("t"), reduction: try reductionArg(a)))
        })
        i.register(Builtin("bce_logits", [.tensor("z"), .tensor("t"), .choice("reduction", ["mean", "sum", "none"], default: "mean")], formula: Op.bceLogits.declaration.formulaText, doc: "Binary cross entropy from raw scores z, stable for any z.", example: "bce_logits([2.0, -1.0], [1, 0])") { a in
            t(try F.bceLogits(try a.tensor("z"), try a.tensor("t"), reduction: try reductionArg(a)))
        })
        i.register(Builtin("cross_entropy", [.tensor("p"), .tensor("target"), .number("base", default: .constant("e", M_E)), .choice("reduction", ["mean", "sum", "none"], default: "mean")], formula: Op.crossEntropy(base: M_E, .mean).declaration.formulaText, doc: "Cross entropy of predicted probabilities p against a target given as class indices or as one-hot/probability rows. With two distributions, cross_entropy(q, p) is H(p, q). Probabilities are floored at 1e-12, so a 0 gives a large finite loss. Averages over samples unless reduction says otherwise.", example: "cross_entropy([0.13, 0.87, 0.001], 0)") { a in
            t(try F.crossEntropy(try a.tensor("p"), try a.tensor("target"), base: try a.double("base"), reduction: try reductionArg(a)))
        })
        i.register(Builtin("softmax_cross_entropy", [.tensor("scores"), .tensor("target"), .choice("reduction", ["mean", "sum", "none"], default: "mean")], formula: Op.softmaxCrossEntropy(.mean).declaration.formulaText, doc: "Cross entropy of softmax(scores), computed from the raw scores through log-sum-exp.", example: "softmax_cross_entropy([3.2, 5.1, -1.7], 0)") { a in
            t(try F.softmaxCrossEntropy(try a.tensor("scores"), try a.tensor("target"), reduction: try reductionArg(a)))
        })
        // The reference writes the margin as Δ: the declaration shows the number only for Δ = 1.
        i.register(Builtin("hinge", [.tensor("scores"), .tensor("labels"), .number("margin", default: 1), .choice("reduction", ["mean", "sum", "none"], default: "none"), .int("axis", default: -1)], formula: Op.hinge(margin: .nan).declaration.formulaText, doc: "Multiclass SVM loss for scores (N, C) and labels (N) (or one sample: scores (C) and a label); returns the N per-sample losses. The classes run along `axis`: axis=0 takes the notes' layout, one column of scores per example (C, N). Exactly at the margin the gradient is 0.", example: "hinge([3.2, 5.1, -1.7], 0)") { a in
            var scores = try a.tensor("scores")
            let axis = try a.int("axis")
            guard scores.value.rank <= 1 || axis == -1 || axis == scores.value.rank - 1 || (axis == 0 && scores.value.rank == 2) else {
                throw NablaError(.value, "hinge(): axis must be the axis of the classes: -1 (scores (N, C)) or 0 (one column per example, (C, N))", at: a.span)
            }
            if axis == 0 && scores.value.rank == 2 { scores = try scores.transposed() }
            return t(try F.hinge(scores, try a.tensor("labels"), margin: try a.double("margin"), reduction: try reductionArg(a)))
        })

        // Regularizers
        unary(i, "l1", Op.l1.declaration.formulaText, "L1 penalty: drives weights to exactly zero (sparse).", parameter: "W", example: "l1([0.25, -0.25, 0.25, 0.25])") { try F.l1($0) }
        unary(i, "l2", Op.l2.declaration.formulaText, "L2 penalty (sum of squares): shrinks weights, prefers spreading them out.", parameter: "W", example: "l2([0.25, 0.25, 0.25, 0.25])") { try F.l2($0) }
        i.register(Builtin("elastic_net", [.tensor("W"), .number("l1"), .number("l2")], formula: Op.elasticNet(l1: .nan, l2: .nan).declaration.formulaText, doc: "A mix of the L1 and L2 penalties: l1 weighs Σ|w| and l2 weighs Σw², by position or by keyword (elastic_net(W, l1=0.1, l2=0.01)). The notes write λ₁ on the squares; here each weight is named after its penalty.", example: "elastic_net([1, -2], 0.5, 0.1)") { a in
            t(try F.elasticNet(try a.tensor("W"), l1: try a.double("l1"), l2: try a.double("l2")))
        })

        // Information
        i.register(Builtin("entropy", [.tensor("p"), .number("base", default: .constant("e", M_E))], formula: Op.entropy(base: M_E).declaration.formulaText, doc: "Entropy of a distribution (over the last axis); base 2 gives bits, e gives nats.", example: "entropy([0.5, 0.5], base=2)") { a in
            t(try F.entropy(try a.tensor("p"), base: try a.double("base")))
        })
        i.register(Builtin("kl", [.tensor("p"), .tensor("q"), .number("base", default: .constant("e", M_E))], formula: Op.kl(base: M_E).declaration.formulaText, doc: "Kullback–Leibler divergence of q from p (over the last axis).", example: "kl([0.5, 0.5], [0.9, 0.1])") { a in
            t(try F.kl(try a.tensor("p"), try a.tensor("q"), base: try a.double("base")))
        })

        // Probability
        func normal(_ name: String, _ formula: String?, _ doc: String, example: String? = nil, _ f: @escaping (Variable, Variable, Variable) throws -> Variable) {
            i.register(Builtin(name, [.tensor("x"), .tensor("mean"), .tensor("std")], formula: formula, doc: doc, example: example) { a in
                t(try f(try a.tensor("x"), try a.tensor("mean"), try a.tensor("std")))
            })
        }
        normal("normal_pdf", Op.normalPdf.declaration.formulaText, "Density of the normal distribution N(μ, σ²) at x.", example: "normal_pdf(5, 4, 0.5)") { try F.normalPdf($0, mean: $1, std: $2) }
        normal("normal_logpdf", Op.normalLogpdf.declaration.formulaText, "Log density of N(μ, σ²) at x.", example: "normal_logpdf(5, 4, 0.5)") { try F.normalLogpdf($0, mean: $1, std: $2) }
        normal("normal_cdf", Op.normalCdf.declaration.formulaText, "Probability that a N(μ, σ²) sample is at most x; P(a < X ≤ b) = normal_cdf(b) − normal_cdf(a).", example: "normal_cdf(5, 4, 0.5) - normal_cdf(4, 4, 0.5)") { try F.normalCdf($0, mean: $1, std: $2) }
        i.register(Builtin("likelihood", [.tensor("data"), .tensor("mean"), .tensor("std")], formula: Op.likelihood.declaration.formulaText, doc: "Likelihood of independent samples under N(μ, σ²): the product of their densities (it underflows for large samples; use log_likelihood).", example: "likelihood([4.8, 5.1], 5, 0.5)") { a in
            t(try F.likelihood(try a.tensor("data"), mean: try a.tensor("mean"), std: try a.tensor("std")))
        })
        i.register(Builtin("log_likelihood", [.tensor("data"), .tensor("mean"), .tensor("std")], formula: Op.logLikelihood.declaration.formulaText, doc: "Log likelihood of independent samples under N(μ, σ²); maximize it (or minimize its negative) to estimate μ and σ.", example: "log_likelihood([4.1, 5.2, 3.9], 4.4, 0.7)") { a in
            t(try F.logLikelihood(try a.tensor("data"), mean: try a.tensor("mean"), std: try a.tensor("std")))
        })

        // CNN
        i.register(Builtin("conv2d", [.tensor("x"), .tensor("k"), .tensor("bias", default: nil), .int("stride", default: 1), .int("padding", default: 0)], formula: "out[n,f,i,j] = Σ_{c,u,v} x[n,c,i·s+u,j·s+v] k[f,c,u,v] + b[f],  OH = (H + 2p − KH)/s + 1", doc: "2-d convolution (cross-correlation, as deep learning defines it) of x (N, C, H, W) with kernels (F, C, KH, KW), or of an image (H, W) with a kernel (KH, KW).", example: "conv2d(reshape(arange(16), 4, 4), ones(3, 3))") { a in
            t(try F.conv2d(try a.tensor("x"), try a.tensor("k"), bias: try a.optionalTensor("bias"), stride: try a.int("stride"), padding: try a.int("padding")))
        })
        i.register(Builtin("maxpool", [.tensor("x"), .int("size"), .int("stride", default: nil)], formula: "out[i,j] = max of the size×size window at (i·s, j·s)", doc: "Max pooling over the last two axes (stride defaults to size); the gradient goes to the first maximum of each window.", example: "maxpool(reshape(arange(16), 4, 4), 2)") { a in
            t(try F.maxpool(try a.tensor("x"), size: try a.int("size"), stride: try a.optionalInt("stride")))
        })
        i.register(Builtin("avgpool", [.tensor("x"), .int("size"), .int("stride", default: nil)], formula: "out[i,j] = mean of the size×size window at (i·s, j·s)", doc: "Average pooling over the last two axes.", example: "avgpool([[1, 2], [3, 4]], 2)") { a in
            t(try F.avgpool(try a.tensor("x"), size: try a.int("size"), stride: try a.optionalInt("stride")))
        })
        i.register(Builtin("dropout", [.tensor("x"), .number("p"), .bool("train", default: true)], formula: "x · m / (1 − p),  m ~ Bernoulli(1 − p)", doc: "Inverted dropout (seeded by seed()); identity when train is False.", example: "seed(0)\ndropout(ones(6), 0.5)") { a in
            t(try F.dropout(try a.tensor("x"), p: try a.double("p"), train: try a.bool("train")))
        })
        i.register(Builtin("batchnorm", [.tensor("x"), .tensor("gamma"), .tensor("beta"), .number("eps", default: 1e-5)], formula: "x̂ = (x − μ_B)/√(σ²_B + ε),  y = γx̂ + β", doc: "Batch normalization with batch statistics, per feature of (N, D) or per channel of (N, C, H, W).", example: "batchnorm([[1.0], [3.0]], [1.0], [0.0])") { a in
            t(try F.batchnorm(try a.tensor("x"), gamma: try a.tensor("gamma"), beta: try a.tensor("beta"), eps: try a.double("eps")))
        })
    }
}
