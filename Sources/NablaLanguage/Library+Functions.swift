import Foundation
import NablaAutograd
import NablaTensor

/// The lecture's functions: activations, losses, regularizers, information, probability, CNN.
extension Library {
    static func reductionArg(_ a: Args, default d: Reduction) throws -> Reduction {
        let s = try a.string("reduction", default: d.rawValue)
        guard let r = Reduction(rawValue: s) else { throw NablaError(.value, "reduction must be 'mean', 'sum' or 'none', got '\(s)'") }
        return r
    }

    static func functions(_ i: Interpreter) {
        // Activations
        unary(i, "sigmoid(x)", Op.sigmoid.declaration.formulaText, "The logistic function, squashing scores into (0, 1).") { F.sigmoid($0) }
        unary(i, "relu(x)", Op.relu.declaration.formulaText, "Rectified linear unit.") { F.relu($0) }
        unary(i, "tanh(x)", Op.tanh.declaration.formulaText, "Hyperbolic tangent, zero-centred in (−1, 1).") { $0.tanh() }
        unary(i, "softplus(x)", Op.softplus.declaration.formulaText, "A smooth relu.") { F.softplus($0) }
        i.register(Builtin("leaky_relu(x, alpha=0.1)", formula: Op.leakyRelu(alpha: 0.1).declaration.formulaText, doc: "relu with a small slope for negative inputs, so they still learn; the slope is the notes' 0.1 (max(0.1x, x)) unless alpha says otherwise.") { a in
            t(F.leakyRelu(try a.tensor("x"), alpha: try a.double("alpha", default: 0.1)))
        })
        i.register(Builtin("elu(x, alpha=1)", formula: Op.elu(alpha: 1).declaration.formulaText, doc: "Exponential linear unit.") { a in
            t(F.elu(try a.tensor("x"), alpha: try a.double("alpha", default: 1)))
        })
        i.register(Builtin("softmax(x, axis=-1)", formula: Op.softmax(axis: -1).declaration.formulaText, doc: "Scores to probabilities along `axis` (computed with the max subtracted, so large scores do not overflow).") { a in
            t(try F.softmax(try a.tensor("x"), axis: try a.int("axis", default: -1)))
        })
        i.register(Builtin("log_softmax(x, axis=-1)", formula: Op.logSoftmax(axis: -1).declaration.formulaText, doc: "The log of softmax, computed stably.") { a in
            t(try F.logSoftmax(try a.tensor("x"), axis: try a.int("axis", default: -1)))
        })
        i.register(Builtin("maxout(*pieces)", formula: "maxout(z₁, …, z_k) = max(z₁, …, z_k), e.g. max(w₁ᵀx + b₁, w₂ᵀx + b₂)", doc: "Elementwise maximum of several linear units.") { a in
            t(try F.maxout(try a.rest.map { try a.interpreter.toVariable($0, span: a.span, what: "maxout(): a piece") }))
        })

        // Losses
        i.register(Builtin("mse(y, t, reduction='mean')", formula: Op.mse(.mean).declaration.formulaText, doc: "Mean squared error between predictions y and targets t.") { a in
            t(try F.mse(try a.tensor("y"), try a.tensor("t"), reduction: try reductionArg(a, default: .mean)))
        })
        i.register(Builtin("mae(y, t, reduction='mean')", formula: Op.mae(.mean).declaration.formulaText, doc: "Mean absolute error.") { a in
            t(try F.mae(try a.tensor("y"), try a.tensor("t"), reduction: try reductionArg(a, default: .mean)))
        })
        i.register(Builtin("bce(p, t, reduction='mean')", formula: Op.bce(.mean).declaration.formulaText, doc: "Binary cross entropy of probabilities p (clamped to [1e-12, 1 − 1e-12]) against 0/1 targets.") { a in
            t(try F.bce(try a.tensor("p"), try a.tensor("t"), reduction: try reductionArg(a, default: .mean)))
        })
        i.register(Builtin("bce_logits(z, t, reduction='mean')", formula: Op.bceLogits.declaration.formulaText, doc: "Binary cross entropy from raw scores z, stable for any z.") { a in
            t(try F.bceLogits(try a.tensor("z"), try a.tensor("t"), reduction: try reductionArg(a, default: .mean)))
        })
        i.register(Builtin("cross_entropy(p, target, base=e, reduction='mean')", formula: Op.crossEntropy(base: M_E, .mean).declaration.formulaText, doc: "Cross entropy of predicted probabilities p against a target given as class indices or as one-hot/probability rows. With two distributions, cross_entropy(q, p) is H(p, q). Probabilities are floored at 1e-12, so a 0 gives a large finite loss. Averages over samples unless reduction says otherwise.") { a in
            t(try F.crossEntropy(try a.tensor("p"), try a.tensor("target"), base: try a.double("base", default: M_E), reduction: try reductionArg(a, default: .mean)))
        })
        i.register(Builtin("softmax_cross_entropy(scores, target, reduction='mean')", formula: Op.softmaxCrossEntropy(.mean).declaration.formulaText, doc: "Cross entropy of softmax(scores), computed from the raw scores through log-sum-exp.") { a in
            t(try F.softmaxCrossEntropy(try a.tensor("scores"), try a.tensor("target"), reduction: try reductionArg(a, default: .mean)))
        })
        // The reference writes the margin as Δ: the declaration shows the number only for Δ = 1.
        i.register(Builtin("hinge(scores, labels, margin=1, reduction='none', axis=-1)", formula: Op.hinge(margin: .nan).declaration.formulaText, doc: "Multiclass SVM loss for scores (N, C) and labels (N) (or one sample: scores (C) and a label); returns the N per-sample losses. The classes run along `axis`: axis=0 takes the notes' layout, one column of scores per example (C, N). Exactly at the margin the gradient is 0.") { a in
            var scores = try a.tensor("scores")
            let axis = try a.int("axis", default: -1)
            guard scores.value.rank <= 1 || axis == -1 || axis == scores.value.rank - 1 || (axis == 0 && scores.value.rank == 2) else {
                throw NablaError(.value, "hinge(): axis must be the axis of the classes: -1 (scores (N, C)) or 0 (one column per example, (C, N))", at: a.span)
            }
            if axis == 0 && scores.value.rank == 2 { scores = try scores.transposed() }
            return t(try F.hinge(scores, try a.tensor("labels"), margin: try a.double("margin", default: 1), reduction: try reductionArg(a, default: .none)))
        })

        // Regularizers
        unary(i, "l1(W)", Op.l1.declaration.formulaText, "L1 penalty: drives weights to exactly zero (sparse).") { try F.l1($0) }
        unary(i, "l2(W)", Op.l2.declaration.formulaText, "L2 penalty (sum of squares): shrinks weights, prefers spreading them out.") { try F.l2($0) }
        i.register(Builtin("elastic_net(W, l1, l2)", formula: Op.elasticNet(l1: .nan, l2: .nan).declaration.formulaText, doc: "A mix of the L1 and L2 penalties: l1 weighs Σ|w| and l2 weighs Σw², by position or by keyword (elastic_net(W, l1=0.1, l2=0.01)). The notes write λ₁ on the squares; here each weight is named after its penalty.") { a in
            t(try F.elasticNet(try a.tensor("W"), l1: try a.double("l1"), l2: try a.double("l2")))
        })

        // Information
        i.register(Builtin("entropy(p, base=e)", formula: Op.entropy(base: M_E).declaration.formulaText, doc: "Entropy of a distribution (over the last axis); base 2 gives bits, e gives nats.") { a in
            t(try F.entropy(try a.tensor("p"), base: try a.double("base", default: M_E)))
        })
        i.register(Builtin("kl(p, q, base=e)", formula: Op.kl(base: M_E).declaration.formulaText, doc: "Kullback–Leibler divergence of q from p (over the last axis).") { a in
            t(try F.kl(try a.tensor("p"), try a.tensor("q"), base: try a.double("base", default: M_E)))
        })

        // Probability
        func normal(_ name: String, _ formula: String?, _ doc: String, _ f: @escaping (Variable, Variable, Variable) throws -> Variable) {
            i.register(Builtin("\(name)(x, mean, std)", formula: formula, doc: doc) { a in
                t(try f(try a.tensor("x"), try a.tensor("mean"), try a.tensor("std")))
            })
        }
        normal("normal_pdf", Op.normalPdf.declaration.formulaText, "Density of the normal distribution N(μ, σ²) at x.") { try F.normalPdf($0, mean: $1, std: $2) }
        normal("normal_logpdf", Op.normalLogpdf.declaration.formulaText, "Log density of N(μ, σ²) at x.") { try F.normalLogpdf($0, mean: $1, std: $2) }
        normal("normal_cdf", Op.normalCdf.declaration.formulaText, "Probability that a N(μ, σ²) sample is at most x; P(a < X ≤ b) = normal_cdf(b) − normal_cdf(a).") { try F.normalCdf($0, mean: $1, std: $2) }
        i.register(Builtin("likelihood(data, mean, std)", formula: Op.likelihood.declaration.formulaText, doc: "Likelihood of independent samples under N(μ, σ²): the product of their densities (it underflows for large samples; use log_likelihood).") { a in
            t(try F.likelihood(try a.tensor("data"), mean: try a.tensor("mean"), std: try a.tensor("std")))
        })
        i.register(Builtin("log_likelihood(data, mean, std)", formula: Op.logLikelihood.declaration.formulaText, doc: "Log likelihood of independent samples under N(μ, σ²); maximize it (or minimize its negative) to estimate μ and σ.") { a in
            t(try F.logLikelihood(try a.tensor("data"), mean: try a.tensor("mean"), std: try a.tensor("std")))
        })

        // CNN
        i.register(Builtin("conv2d(x, k, bias=None, stride=1, padding=0)", formula: "out[n,f,i,j] = Σ_{c,u,v} x[n,c,i·s+u,j·s+v] k[f,c,u,v] + b[f],  OH = (H + 2p − KH)/s + 1", doc: "2-d convolution (cross-correlation, as deep learning defines it) of x (N, C, H, W) with kernels (F, C, KH, KW), or of an image (H, W) with a kernel (KH, KW).") { a in
            t(try F.conv2d(try a.tensor("x"), try a.tensor("k"), bias: try a.optionalTensor("bias"), stride: try a.int("stride", default: 1), padding: try a.int("padding", default: 0)))
        })
        i.register(Builtin("maxpool(x, size, stride=None)", formula: "out[i,j] = max of the size×size window at (i·s, j·s)", doc: "Max pooling over the last two axes (stride defaults to size); the gradient goes to the first maximum of each window.") { a in
            t(try F.maxpool(try a.tensor("x"), size: try a.int("size"), stride: try a.optionalInt("stride")))
        })
        i.register(Builtin("avgpool(x, size, stride=None)", formula: "out[i,j] = mean of the size×size window at (i·s, j·s)", doc: "Average pooling over the last two axes.") { a in
            t(try F.avgpool(try a.tensor("x"), size: try a.int("size"), stride: try a.optionalInt("stride")))
        })
        i.register(Builtin("dropout(x, p, train=True)", formula: "x · m / (1 − p),  m ~ Bernoulli(1 − p)", doc: "Inverted dropout (seeded by seed()); identity when train is False.") { a in
            t(try F.dropout(try a.tensor("x"), p: try a.double("p"), train: try a.bool("train", default: true)))
        })
        i.register(Builtin("batchnorm(x, gamma, beta, eps=1e-5)", formula: "x̂ = (x − μ_B)/√(σ²_B + ε),  y = γx̂ + β", doc: "Batch normalization with batch statistics, per feature of (N, D) or per channel of (N, C, H, W).") { a in
            t(try F.batchnorm(try a.tensor("x"), gamma: try a.tensor("gamma"), beta: try a.tensor("beta"), eps: try a.double("eps", default: 1e-5)))
        })
    }
}
