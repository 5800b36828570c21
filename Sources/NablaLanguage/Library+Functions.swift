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
        unary(i, "sigmoid(x)", "σ(x) = 1 / (1 + e^(−x)),  σ'(x) = σ(x)(1 − σ(x))", "The logistic function, squashing scores into (0, 1).") { F.sigmoid($0) }
        unary(i, "relu(x)", "relu(x) = max(0, x),  relu'(x) = 1 if x > 0 else 0 (0 at x = 0)", "Rectified linear unit.") { F.relu($0) }
        unary(i, "tanh(x)", "tanh(x) = (eˣ − e^(−x)) / (eˣ + e^(−x)),  tanh'(x) = 1 − tanh²(x)", "Hyperbolic tangent, zero-centred in (−1, 1).") { $0.tanh() }
        unary(i, "softplus(x)", "softplus(x) = ln(1 + eˣ),  softplus'(x) = σ(x)", "A smooth relu.") { F.softplus($0) }
        i.register(Builtin("leaky_relu(x, alpha=0.01)", formula: "x if x > 0 else αx;  derivative 1 or α (α at 0)", doc: "relu with a small slope for negative inputs, so they still learn.") { a in
            t(F.leakyRelu(try a.tensor("x"), alpha: try a.double("alpha", default: 0.01)))
        })
        i.register(Builtin("elu(x, alpha=1)", formula: "x if x > 0 else α(eˣ − 1);  derivative 1 or elu(x) + α", doc: "Exponential linear unit.") { a in
            t(F.elu(try a.tensor("x"), alpha: try a.double("alpha", default: 1)))
        })
        i.register(Builtin("softmax(x, axis=-1)", formula: "softmax(x)ᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)", doc: "Scores to probabilities along `axis` (computed with the max subtracted, so large scores do not overflow).") { a in
            t(try F.softmax(try a.tensor("x"), axis: try a.int("axis", default: -1)))
        })
        i.register(Builtin("log_softmax(x, axis=-1)", formula: "log_softmax(x)ᵢ = xᵢ − ln Σⱼ e^(xⱼ)", doc: "The log of softmax, computed stably.") { a in
            t(try F.logSoftmax(try a.tensor("x"), axis: try a.int("axis", default: -1)))
        })
        i.register(Builtin("maxout(*pieces)", formula: "maxout(z₁, …, z_k) = max(z₁, …, z_k), e.g. max(w₁ᵀx + b₁, w₂ᵀx + b₂)", doc: "Elementwise maximum of several linear units.") { a in
            t(try F.maxout(try a.rest.map { try a.interpreter.toVariable($0, span: a.span, what: "maxout(): a piece") }))
        })

        // Losses
        i.register(Builtin("mse(y, t, reduction='mean')", formula: "MSE = (1/n) Σᵢ (yᵢ − tᵢ)²", doc: "Mean squared error between predictions y and targets t.") { a in
            t(try F.mse(try a.tensor("y"), try a.tensor("t"), reduction: try reductionArg(a, default: .mean)))
        })
        i.register(Builtin("mae(y, t, reduction='mean')", formula: "MAE = (1/n) Σᵢ |yᵢ − tᵢ|", doc: "Mean absolute error.") { a in
            t(try F.mae(try a.tensor("y"), try a.tensor("t"), reduction: try reductionArg(a, default: .mean)))
        })
        i.register(Builtin("bce(p, t, reduction='mean')", formula: "BCE = −(1/n) Σᵢ [tᵢ ln pᵢ + (1 − tᵢ) ln(1 − pᵢ)]", doc: "Binary cross entropy of probabilities p (clamped to [1e-12, 1 − 1e-12]) against 0/1 targets.") { a in
            t(try F.bce(try a.tensor("p"), try a.tensor("t"), reduction: try reductionArg(a, default: .mean)))
        })
        i.register(Builtin("bce_logits(z, t, reduction='mean')", formula: "max(z, 0) − zt + ln(1 + e^(−|z|)),  ∂/∂z = σ(z) − t", doc: "Binary cross entropy from raw scores z, stable for any z.") { a in
            t(try F.bceLogits(try a.tensor("z"), try a.tensor("t"), reduction: try reductionArg(a, default: .mean)))
        })
        i.register(Builtin("cross_entropy(p, target, base=e, reduction='mean')", formula: "L = −Σₖ tₖ log pₖ  (= −log p_y for a class index y)", doc: "Cross entropy of predicted probabilities p against a target given as class indices or as one-hot/probability rows. With two distributions, cross_entropy(q, p) is H(p, q). Probabilities are floored at 1e-12, so a 0 gives a large finite loss. Averages over samples unless reduction says otherwise.") { a in
            let base = try a.double("base", default: M_E)
            guard base > 0, base != 1 else { throw NablaError(.value, "base must be positive and not 1") }
            return t(try F.crossEntropy(try a.tensor("p"), try a.tensor("target"), reduction: try reductionArg(a, default: .mean)) / Foundation.log(base))
        })
        i.register(Builtin("softmax_cross_entropy(scores, target, reduction='mean')", formula: "L = −log softmax(s)_y = ln Σⱼ e^(sⱼ) − s_y,  ∂L/∂s = softmax(s) − onehot(y)", doc: "Cross entropy of softmax(scores), computed from the raw scores through log-sum-exp.") { a in
            t(try F.softmaxCrossEntropy(try a.tensor("scores"), try a.tensor("target"), reduction: try reductionArg(a, default: .mean)))
        })
        i.register(Builtin("hinge(scores, labels, margin=1, reduction='none')", formula: "Lᵢ = Σ_{j ≠ yᵢ} max(0, sⱼ − s_{yᵢ} + Δ)", doc: "Multiclass SVM loss for scores (N, C) and labels (N) (or one sample: scores (C) and a label); returns the N per-sample losses. Exactly at the margin the gradient is 0.") { a in
            t(try F.hinge(try a.tensor("scores"), try a.tensor("labels"), margin: try a.double("margin", default: 1), reduction: try reductionArg(a, default: .none)))
        })

        // Regularizers
        unary(i, "l1(W)", "L1(W) = Σ |w|", "L1 penalty: drives weights to exactly zero (sparse).") { try F.l1($0) }
        unary(i, "l2(W)", "L2(W) = Σ w²", "L2 penalty (sum of squares): shrinks weights, prefers spreading them out.") { try F.l2($0) }
        i.register(Builtin("elastic_net(W, l1, l2)", formula: "λ₁ Σ |w| + λ₂ Σ w²", doc: "A mix of the L1 and L2 penalties.") { a in
            t(try F.elasticNet(try a.tensor("W"), l1: try a.double("l1"), l2: try a.double("l2")))
        })

        // Information
        i.register(Builtin("entropy(p, base=e)", formula: "H(p) = −Σᵢ pᵢ log pᵢ  (0 log 0 = 0)", doc: "Entropy of a distribution (over the last axis); base 2 gives bits, e gives nats.") { a in
            t(try F.entropy(try a.tensor("p"), base: try a.double("base", default: M_E)))
        })
        i.register(Builtin("kl(p, q, base=e)", formula: "KL(p ‖ q) = Σᵢ pᵢ log(pᵢ / qᵢ) = H(p, q) − H(p)", doc: "Kullback–Leibler divergence of q from p (over the last axis).") { a in
            t(try F.kl(try a.tensor("p"), try a.tensor("q"), base: try a.double("base", default: M_E)))
        })

        // Probability
        func normal(_ name: String, _ formula: String, _ doc: String, _ f: @escaping (Variable, Variable, Variable) throws -> Variable) {
            i.register(Builtin("\(name)(x, mean, std)", formula: formula, doc: doc) { a in
                t(try f(try a.tensor("x"), try a.tensor("mean"), try a.tensor("std")))
            })
        }
        normal("normal_pdf", "f(x | μ, σ) = e^(−(x − μ)² / 2σ²) / (σ√(2π))", "Density of the normal distribution N(μ, σ²) at x.") { try F.normalPdf($0, mean: $1, std: $2) }
        normal("normal_logpdf", "ln f(x | μ, σ) = −(x − μ)² / 2σ² − ln σ − ½ ln 2π", "Log density of N(μ, σ²) at x.") { try F.normalLogpdf($0, mean: $1, std: $2) }
        normal("normal_cdf", "Φ(x) = ½ (1 + erf((x − μ) / (σ√2)))", "Probability that a N(μ, σ²) sample is at most x; P(a < X ≤ b) = normal_cdf(b) − normal_cdf(a).") { try F.normalCdf($0, mean: $1, std: $2) }
        i.register(Builtin("log_likelihood(data, mean, std)", formula: "ln L(μ, σ) = Σᵢ ln f(xᵢ | μ, σ)", doc: "Log likelihood of independent samples under N(μ, σ²); maximize it (or minimize its negative) to estimate μ and σ.") { a in
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
