import Foundation
import NablaTensor

/// What an op is for people: its name, its label in `graph`, the symbol the notes give its
/// result, its formula in the notes' notation and the derivative that backward uses. The one
/// place these are said; `explain`, `graph` and the reference read them from here.
public struct OpDeclaration: Sendable {
    /// The name a student calls (`leaky_relu`, `cross_entropy`), or the operator (`+`).
    public let name: String
    /// The notes' symbol for the result (`H`, `L`, `σ`, `p`, `z`).
    public let symbol: Math
    /// The symbols of its inputs in the formula (`p`, `q`; `ŷ`, `y`).
    public let parameters: [Math]
    /// The formula as the notes write it, in terms of `parameters`; nil for bookkeeping ops.
    public let formula: Math?
    /// The local derivative with respect to each parameter, as the notes write it
    /// (σ'(z) = σ(z)(1 − σ(z))); shorter than `parameters` where no formula is given.
    public let derivatives: [Math]

    init(_ name: String, _ symbol: Math, _ parameters: [Math] = [], formula: Math? = nil, derivative: (Math, Math)? = nil, derivatives: [Math]? = nil) {
        self.name = name; self.symbol = symbol; self.parameters = parameters; self.formula = formula
        self.derivatives = derivatives ?? derivative.map { [$0.1] } ?? []
    }

    /// The formula's left side: `H(p)`, `σ(z)`, `MSE`.
    public var lhs: Math {
        switch symbol {
        case .symbol(let l, let p) where !parameters.isEmpty && Self.appliesToArguments.contains(p):
            return .call(latex: l, plain: p, parameters)
        default: return symbol
        }
    }

    /// Results written as a function of their arguments: H(p), σ(z), KL(p‖q) is handled apart.
    static let appliesToArguments: Set<String> = ["H", "σ", "tanh", "relu", "leaky_relu", "softplus", "elu", "softmax", "log_softmax", "N", "ln N", "Φ", "L1", "L2", "R"]

    /// The formula as one line of text for the reference and `help`: `σ(z) = 1 / (1 + e^(−z))`,
    /// with the derivative after it where there is one.
    public var formulaText: String? {
        guard let formula else { return nil }
        let r = MathRenderer(precision: 6, latex: false)
        var s = r.render(lhs) + " = " + r.render(formula)
        if parameters.count == 1, let d = derivatives.first, let p = parameters.first {
            s += ",  ∂\(r.render(symbol))/∂\(r.render(p)) = " + r.render(d)
        }
        return s
    }

    /// Activations, whose result the notes call a (a = σ(z)).
    public var isActivation: Bool { ["σ", "tanh", "relu", "leaky_relu", "softplus", "elu"].contains(symbol.plainText) }
}

// Symbols the declarations share.
private let x = Math.sym("x"), z = Math.sym("z"), p = Math.sym("p"), q = Math.sym("q"), y = Math.sym("y"), w = Math.sym("w")
private let yhat = Math.symbol(latex: "\\hat{y}", plain: "ŷ"), s = Math.sym("s")
private let mu = Math.symbol(latex: "\\mu", plain: "μ"), sd = Math.symbol(latex: "\\sigma", plain: "σ")
private let alpha = Math.symbol(latex: "\\alpha", plain: "α"), delta = Math.symbol(latex: "\\Delta", plain: "Δ")
private let i = Math.sym("i"), j = Math.sym("j"), k = Math.sym("k")
private let n = Math.sym("n"), N = Math.sym("N"), one = Math.number(1), two = Math.number(2), half = Math.div(.number(1), .number(2))
private func at(_ base: String, _ index: String, latexBase: String? = nil) -> Math { .indexed(base, index, latexBase: latexBase) }
private func prime(_ f: String, _ l: String, _ arg: Math) -> Math { .call(latex: l + "'", plain: f + "'", [arg]) }

extension Op {
    /// This op's declaration.
    public var declaration: OpDeclaration {
        switch self {
        case .param: return OpDeclaration("param", w)
        case .constant: return OpDeclaration("const", x)
        case .gradient: return OpDeclaration("grad", .symbol(latex: "\\nabla", plain: "∇"))
        case .add: return OpDeclaration("+", z, [x, y], formula: .add([x, y]), derivatives: [one, one])
        case .sub: return OpDeclaration("−", z, [x, y], formula: .sub(x, y), derivatives: [one, .number(-1)])
        case .mul: return OpDeclaration("×", z, [x, y], formula: .mul([x, y]), derivatives: [y, x])
        case .div: return OpDeclaration("÷", z, [x, y], formula: .div(x, y), derivatives: [.div(one, y), .neg(.div(x, .pow(y, two)))])
        case .neg: return OpDeclaration("−", z, [x], formula: .neg(x), derivative: (.sym("∂z/∂x"), .number(-1)))
        case .addScalar(let c): return OpDeclaration("+ \(Tensor.formatNumber(c))", z, [x], formula: .add([x, .number(c)]), derivative: (.sym("∂z/∂x"), one))
        case .mulScalar(let c): return OpDeclaration("× \(Tensor.formatNumber(c))", z, [x], formula: .mul([.number(c), x]), derivative: (.sym("∂z/∂x"), .number(c)))
        case .powScalar(let e):
            return OpDeclaration("** \(Tensor.formatNumber(e))", z, [x], formula: .pow(x, .number(e)),
                                 derivative: (.sym("∂z/∂x"), e == 2 ? .mul([two, x]) : .mul([.number(e), .pow(x, .number(e - 1))])))
        case .pow: return OpDeclaration("**", z, [x, y], formula: .pow(x, y), derivatives: [.mul([y, .pow(x, .sub(y, one))]), .mul([.pow(x, y), .ln(x)])])
        case .mod: return OpDeclaration("%", z, [x, y], formula: .call(latex: "\\operatorname{mod}", plain: "mod", [x, y]))
        case .matmul: return OpDeclaration("@", z, [Math.sym("W"), x], formula: .apply([Math.sym("W"), x]), derivative: (.sym("∂z/∂x"), .transpose(.sym("W"))))
        case .exp: return OpDeclaration("exp", .sym("e^x"), [x], formula: .exp(x), derivative: (prime("exp", "\\exp", x), .exp(x)))
        case .log: return OpDeclaration("log", .sym("ln x"), [x], formula: .ln(x), derivative: (prime("ln", "\\ln", x), .div(one, x)))
        case .log2: return OpDeclaration("log2", .sym("log₂ x"), [x], formula: .log(x, base: 2), derivative: (prime("log₂", "\\log_2", x), .div(one, .mul([x, .ln(two)]))))
        case .log10: return OpDeclaration("log10", .sym("log₁₀ x"), [x], formula: .log(x, base: 10), derivative: (prime("log₁₀", "\\log_{10}", x), .div(one, .mul([x, .ln(.number(10))]))))
        case .sqrt: return OpDeclaration("sqrt", .sym("√x"), [x], formula: .sqrt(x), derivative: (.sym("∂/∂x √x"), .div(one, .mul([two, .sqrt(x)]))))
        case .abs: return OpDeclaration("abs", .sym("|x|"), [x], formula: .abs(x), derivative: (.sym("∂|x|/∂x"), .call(latex: "\\operatorname{sign}", plain: "sign", [x])))
        case .sign: return OpDeclaration("sign", .sym("sign x"), [x], formula: .call(latex: "\\operatorname{sign}", plain: "sign", [x]), derivative: (.sym("∂/∂x sign x"), .number(0)))
        case .sin: return OpDeclaration("sin", .sym("sin x"), [x], formula: .call(latex: "\\sin", plain: "sin", [x]), derivative: (.sym("∂/∂x sin x"), .call(latex: "\\cos", plain: "cos", [x])))
        case .cos: return OpDeclaration("cos", .sym("cos x"), [x], formula: .call(latex: "\\cos", plain: "cos", [x]), derivative: (.sym("∂/∂x cos x"), .neg(.call(latex: "\\sin", plain: "sin", [x]))))
        case .erf: return OpDeclaration("erf", .sym("erf x"), [x], formula: .call(latex: "\\operatorname{erf}", plain: "erf", [x]),
                                        derivative: (.sym("erf′(x)"), .mul([.div(two, .sqrt(.symbol(latex: "\\pi", plain: "π"))), .exp(.neg(.pow(x, two)))])))
        case let .clip(lo, hi): return OpDeclaration("clip", x, [x], formula: .call(latex: "\\operatorname{clip}", plain: "clip", [x, .number(lo), .number(hi)]))
        case .maximum: return OpDeclaration("maximum", z, [x, y], formula: .max(x, y))
        case .minimum: return OpDeclaration("minimum", z, [x, y], formula: .call(latex: "\\min", plain: "min", [x, y]))
        case .where: return OpDeclaration("where", z, [x, y], formula: .text("x where the condition holds, else y"), derivatives: [.text("1 where the condition holds, else 0"), .text("0 where the condition holds, else 1")])

        case .sigmoid:
            return OpDeclaration("sigmoid", .symbol(latex: "\\sigma", plain: "σ"), [z], formula: .div(one, .add([one, .exp(.neg(z))])),
                                 derivative: (prime("σ", "\\sigma", z), .mul([.sigma(z), .sub(one, .sigma(z))])))
        case .tanh:
            let th = Math.call(latex: "\\tanh", plain: "tanh", [z])
            return OpDeclaration("tanh", .sym("tanh"), [z], formula: .div(.sub(.exp(z), .exp(.neg(z))), .add([.exp(z), .exp(.neg(z))])),
                                 derivative: (prime("tanh", "\\tanh", z), .sub(one, .pow(th, two))))
        case .relu:
            return OpDeclaration("relu", .sym("relu"), [z], formula: .max(.number(0), z),
                                 derivative: (prime("relu", "\\operatorname{relu}", z), .text("1 if z > 0, else 0")))
        case .leakyRelu(let a):
            return OpDeclaration("leaky_relu", .symbol(latex: "\\operatorname{leaky\\_relu}", plain: "leaky_relu"), [z], formula: .max(.mul([.number(a), z]), z),
                                 derivative: (prime("leaky_relu", "\\operatorname{leaky\\_relu}", z), .text("1 if z > 0, else \(Tensor.formatNumber(a))")))
        case .elu(let a):
            return OpDeclaration("elu", .sym("elu"), [z], formula: .text("z if z > 0, else \(Tensor.formatNumber(a))(e^z − 1)"),
                                 derivative: (prime("elu", "\\operatorname{elu}", z), .text("1 if z > 0, else elu(z) + \(Tensor.formatNumber(a))")))
        case .softplus:
            return OpDeclaration("softplus", .sym("softplus"), [z], formula: .ln(.add([one, .exp(z)])), derivative: (prime("softplus", "\\operatorname{softplus}", z), .sigma(z)))
        case .softmax:
            return OpDeclaration("softmax", p, [z], formula: .div(.exp(at("z", "j")), .sum(index: k, body: .exp(at("z", "k")))),
                                 derivative: (.sym("∂p_j/∂z_k"), .mul([at("p", "j"), .sub(.sym("δ_jk"), at("p", "k"))])))
        case .logSoftmax:
            return OpDeclaration("log_softmax", .sym("log_softmax"), [z], formula: .sub(at("z", "j"), .ln(.sum(index: k, body: .exp(at("z", "k"))))))

        case .sum: return OpDeclaration("sum", .symbol(latex: "\\Sigma", plain: "Σ"), [x], formula: .sum(index: i, body: at("x", "i")), derivative: (.sym("∂Σ/∂xᵢ"), one))
        case .mean:
            return OpDeclaration("mean", .symbol(latex: "\\bar{x}", plain: "x̄"), [x], formula: .mul([.div(one, n), .sum(index: i, body: at("x", "i"))]),
                                 derivative: (.sym("∂x̄/∂xᵢ"), .div(one, n)))
        case .max: return OpDeclaration("max", .sym("max"), [x], formula: .call(latex: "\\max", plain: "max", [at("x", "i")]))
        case .min: return OpDeclaration("min", .sym("min"), [x], formula: .call(latex: "\\min", plain: "min", [at("x", "i")]))
        case .prod: return OpDeclaration("prod", .symbol(latex: "\\Pi", plain: "Π"), [x], formula: .call(latex: "\\prod_i", plain: "Πᵢ", [at("x", "i")]))
        case .norm: return OpDeclaration("norm", .sym("‖x‖"), [x], formula: .sqrt(.sum(index: i, body: .pow(at("x", "i"), two))))
        case .variance:
            return OpDeclaration("var", .symbol(latex: "\\hat{\\sigma}^2", plain: "σ̂²"), [x],
                                 formula: .mul([.div(one, n), .sum(index: i, body: .pow(.sub(at("x", "i"), .symbol(latex: "\\bar{x}", plain: "x̄")), two))]))
        case .std:
            return OpDeclaration("std", .symbol(latex: "\\hat{\\sigma}", plain: "σ̂"), [x],
                                 formula: .sqrt(.mul([.div(one, n), .sum(index: i, body: .pow(.sub(at("x", "i"), .symbol(latex: "\\bar{x}", plain: "x̄")), two))])))

        case .reshape: return OpDeclaration("reshape", x, [x])
        case .transpose: return OpDeclaration("transpose", .transpose(x), [x], formula: .transpose(x))
        case .expandDims: return OpDeclaration("expand_dims", x, [x])
        case .broadcast: return OpDeclaration("broadcast_to", x, [x])
        case .concat: return OpDeclaration("concat", x, [x])
        case .index: return OpDeclaration("[ ]", x, [x])
        case .setitem: return OpDeclaration("[ ]=", x, [x])
        case .pick: return OpDeclaration("pick", at("s", "y"), [s])
        case .pad(let width): return OpDeclaration("pad \(width)", x, [x])

        case .mse(let r):
            let body = Math.pow(.sub(at("ŷ", "i", latexBase: "\\hat{y}"), at("y", "i")), two)
            return OpDeclaration("mse", .sym("MSE"), [yhat, y], formula: reduced(r, body),
                                 derivative: (.sym("∂MSE/∂ŷᵢ"), r == .mean ? .mul([.div(two, n), .sub(at("ŷ", "i", latexBase: "\\hat{y}"), at("y", "i"))]) : .mul([two, .sub(at("ŷ", "i", latexBase: "\\hat{y}"), at("y", "i"))])))
        case .mae(let r):
            return OpDeclaration("mae", .sym("MAE"), [yhat, y], formula: reduced(r, .abs(.sub(at("ŷ", "i", latexBase: "\\hat{y}"), at("y", "i")))))
        case .bce(let r):
            let yi = at("y", "i"), pi = at("ŷ", "i", latexBase: "\\hat{y}")
            let body = Math.add([.mul([yi, .ln(pi)]), .mul([.sub(one, yi), .ln(.sub(one, pi))])])
            return OpDeclaration("bce", .sym("BCE"), [yhat, y], formula: .neg(reduced(r, body)),
                                 derivative: (.sym("∂BCE/∂ŷ"), r == .mean ? .div(.sub(yhat, y), .mul([n, yhat, .sub(one, yhat)])) : .div(.sub(yhat, y), .mul([yhat, .sub(one, yhat)]))))
        case .bceLogits:
            return OpDeclaration("bce_logits", .sym("BCE"), [z, y], formula: .add([.max(z, .number(0)), .neg(.mul([z, y])), .ln(.add([one, .exp(.neg(.abs(z)))]))]),
                                 derivative: (.sym("∂BCE/∂z"), .sub(.sigma(z), y)))
        case .crossEntropy(let base, _):
            let body = Math.mul([at("y", "k"), .log(at("p", "k"), base: base)])
            return OpDeclaration("cross_entropy", .sym("L"), [p, y], formula: .neg(.sum(index: k, body: body)))
        case .softmaxCrossEntropy:
            return OpDeclaration("softmax_cross_entropy", at("L", "i"), [s, y],
                                 formula: .neg(.ln(.div(.exp(.indexed("s", "y_i")), .sum(index: j, body: .exp(at("s", "j")))))),
                                 derivative: (.sym("∂Lᵢ/∂s"), .sub(.call(latex: "\\operatorname{softmax}", plain: "softmax", [s]), .call(latex: "\\operatorname{onehot}", plain: "onehot", [y]))))
        case .hinge(let m):
            let sj = at("s", "j"), syi = Math.indexed("s", "y_i")
            return OpDeclaration("hinge", at("L", "i"), [s, y],
                                 formula: .sum(index: .symbol(latex: "j \\neq y_i", plain: "j≠yᵢ"), body: .max(.number(0), .add([sj, .neg(syi), m == 1 ? one : delta]))),
                                 derivative: (.sym("∂Lᵢ/∂sⱼ"), .text("1 if sⱼ − s_yᵢ + Δ > 0 (j ≠ yᵢ); ∂Lᵢ/∂s_yᵢ = −(their count)")))
        case .hingeReduced(_, let r):
            return OpDeclaration("hinge", .sym("L"), [at("L", "i")], formula: r == .mean ? .mul([.div(one, N), .sum(index: i, body: at("L", "i"))]) : .sum(index: i, body: at("L", "i")))
        case .l1: return OpDeclaration("l1", .sym("L1"), [w], formula: .sum(index: i, body: .abs(at("w", "i"))), derivative: (.sym("∂L1/∂wᵢ"), .call(latex: "\\operatorname{sign}", plain: "sign", [at("w", "i")])))
        case .l2: return OpDeclaration("l2", .sym("L2"), [w], formula: .sum(index: i, body: .pow(at("w", "i"), two)), derivative: (.sym("∂L2/∂wᵢ"), .mul([two, at("w", "i")])))
        case .elasticNet:
            // The weights under their keyword names (l1 on Σ|w|, l2 on Σw²); a derivation puts the numbers in.
            let l1 = Math.symbol(latex: "\\mathrm{l1}", plain: "l1"), l2 = Math.symbol(latex: "\\mathrm{l2}", plain: "l2")
            return OpDeclaration("elastic_net", .sym("R"), [w], formula: .add([.mul([l1, .sum(index: i, body: .abs(at("w", "i")))]), .mul([l2, .sum(index: i, body: .pow(at("w", "i"), two))])]),
                                 derivative: (.sym("∂R/∂wᵢ"), .add([.mul([l1, .call(latex: "\\operatorname{sign}", plain: "sign", [at("w", "i")])]), .mul([two, l2, at("w", "i")])])))
        case .entropy(let base):
            return OpDeclaration("entropy", .sym("H"), [p], formula: .neg(.sum(index: i, body: .mul([at("p", "i"), .log(at("p", "i"), base: base)]))),
                                 derivative: (.sym("∂H/∂pᵢ"), .neg(.add([.log(at("p", "i"), base: base), base == M_E ? one : .div(one, .ln(.number(base)))]))))
        case .kl(let base):
            return OpDeclaration("kl", .symbol(latex: "D_{KL}(p \\,\\|\\, q)", plain: "KL(p‖q)"), [p, q], formula: .sum(index: i, body: .mul([at("p", "i"), .log(.div(at("p", "i"), at("q", "i")), base: base)])))
        case .normalPdf:
            return OpDeclaration("normal_pdf", .sym("N"), [x, mu, sd],
                                 formula: .mul([.div(one, .mul([.sqrt(.mul([two, .symbol(latex: "\\pi", plain: "π")])), sd])), .exp(.neg(.div(.pow(.sub(x, mu), two), .mul([two, .pow(sd, two)]))))]))
        case .normalLogpdf:
            return OpDeclaration("normal_logpdf", .sym("ln N"), [x, mu, sd],
                                 formula: .add([.neg(.div(.pow(.sub(x, mu), two), .mul([two, .pow(sd, two)]))), .neg(.ln(sd)), .neg(.mul([half, .ln(.mul([two, .symbol(latex: "\\pi", plain: "π")]))]))]))
        case .normalCdf:
            return OpDeclaration("normal_cdf", .symbol(latex: "\\Phi", plain: "Φ"), [x, mu, sd],
                                 formula: .mul([half, .add([one, .call(latex: "\\operatorname{erf}", plain: "erf", [.div(.sub(x, mu), .mul([sd, .sqrt(two)]))])])]))
        case .logLikelihood:
            return OpDeclaration("log_likelihood", .symbol(latex: "\\ln \\mathcal{L}", plain: "ln L"), [x, mu, sd],
                                 formula: .sum(index: i, body: .ln(.call(latex: "N", plain: "N", [at("x", "i"), mu, sd]))))
        case .likelihood:
            return OpDeclaration("likelihood", .symbol(latex: "\\mathcal{L}", plain: "L"), [x, mu, sd],
                                 formula: .call(latex: "\\prod_i", plain: "Πᵢ", [.call(latex: "N", plain: "N", [at("x", "i"), mu, sd])]))
        case let .conv2d(st, _):
            return OpDeclaration("conv2d", .sym("out"), [x, .sym("K")],
                                 formula: .sum(index: .sym("u,v"), body: .mul([.symbol(latex: "x_{i\\cdot \(st) + u,\\, j\\cdot \(st) + v}", plain: "x[i·\(st)+u, j·\(st)+v]"), .symbol(latex: "K_{u,v}", plain: "K[u,v]")])))
        case let .conv2dChannelsLast(st, _):
            return OpDeclaration("conv2d", .sym("out"), [x, .sym("K")],
                                 formula: .add([.sum(index: .sym("u,v,c"), body: .mul([.symbol(latex: "x_{i\\cdot \(st) + u,\\, j\\cdot \(st) + v,\\, c}", plain: "x[i·\(st)+u, j·\(st)+v, c]"), .symbol(latex: "K_{u,v,c,f}", plain: "K[u,v,c,f]")])), .symbol(latex: "b_f", plain: "b[f]")]))
        case let .maxpool(size, st), let .maxpoolChannelsLast(size, st, _):
            return OpDeclaration("maxpool", .sym("out"), [x], formula: .call(latex: "\\max", plain: "max", [.text("the \(size)×\(size) window at (i·\(st), j·\(st))")]))
        case let .avgpool(size, st), let .avgpoolChannelsLast(size, st, _):
            return OpDeclaration("avgpool", .sym("out"), [x], formula: .call(latex: "\\operatorname{mean}", plain: "mean", [.text("the \(size)×\(size) window at (i·\(st), j·\(st))")]))
        case .dropout(let rate):
            return OpDeclaration("dropout", x, [x], formula: .div(.mul([x, .sym("m")]), .number(1 - rate)))
        case .batchnorm:
            return OpDeclaration("batchnorm", y, [x], formula: .add([.mul([.symbol(latex: "\\gamma", plain: "γ"), .symbol(latex: "\\hat{x}", plain: "x̂")]), .symbol(latex: "\\beta", plain: "β")]))
        }
    }

    /// The op's name as a student calls it (`leaky_relu`, `+`).
    public var name: String { declaration.name }
}

/// (1/n) Σᵢ body, Σᵢ body or the per-element body, as a loss's reduction says.
private func reduced(_ r: Reduction, _ body: Math) -> Math {
    switch r {
    case .mean: return .mul([.div(one, n), .sum(index: i, body: body)])
    case .sum: return .sum(index: i, body: body)
    case .none: return body
    }
}
