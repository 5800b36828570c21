import Foundation
import NablaTensor

/// The normal distribution, for likelihood and maximum-likelihood estimation.
extension F {
    static let logSqrt2Pi = 0.5 * Foundation.log(2 * Double.pi)

    static func checkStd(_ std: Variable, op: String) throws {
        guard std.value.data.allSatisfy({ $0 > 0 }) else {
            throw TensorError.argument(op: op, message: "std must be positive")
        }
    }

    /// f(x | μ, σ) = exp(−(x − μ)² / 2σ²) / (σ √(2π)).
    public static func normalPdf(_ x: Variable, mean: Variable, std: Variable) throws -> Variable {
        try checkStd(std, op: "normal_pdf")
        return try Variable.composite(.normalPdf, [x, mean, std]) { v in try logDensity(v[0], v[1], v[2]).exp() }
    }

    /// ln f(x | μ, σ) = −(x − μ)² / 2σ² − ln σ − ½ ln 2π.
    public static func normalLogpdf(_ x: Variable, mean: Variable, std: Variable) throws -> Variable {
        try checkStd(std, op: "normal_logpdf")
        return try Variable.composite(.normalLogpdf, [x, mean, std]) { v in try logDensity(v[0], v[1], v[2]) }
    }

    static func logDensity(_ x: Variable, _ mean: Variable, _ std: Variable) throws -> Variable {
        let z = try (x - mean) / std
        return try z * z * -0.5 - std.log() - logSqrt2Pi
    }

    /// Φ(x | μ, σ) = ½ (1 + erf((x − μ) / (σ√2))).
    public static func normalCdf(_ x: Variable, mean: Variable, std: Variable) throws -> Variable {
        try checkStd(std, op: "normal_cdf")
        return try Variable.composite(.normalCdf, [x, mean, std]) { v in
            (erf(try (v[0] - v[1]) / (v[2] * 2.0.squareRoot())) + 1) * 0.5
        }
    }

    /// erf(x);  erf'(x) = 2/√π · e^(−x²).
    public static func erf(_ x: Variable) -> Variable {
        let v = x.value
        return Variable.make(.erf, v.map(Foundation.erf), [x]) { g in
            [try g * v.map { 2 / Double.pi.squareRoot() * Foundation.exp(-$0 * $0) }]
        }
    }

    /// L(μ, σ | data) = Π_i f(x_i | μ, σ): the likelihood of independent samples.
    public static func likelihood(_ data: Variable, mean: Variable, std: Variable) throws -> Variable {
        try checkStd(std, op: "likelihood")
        return try Variable.composite(.likelihood, [data, mean, std]) { v in try logDensity(v[0], v[1], v[2]).exp().prod() }
    }

    /// ln L(μ, σ | data) = Σ_i ln f(x_i | μ, σ): the log likelihood of independent samples.
    public static func logLikelihood(_ data: Variable, mean: Variable, std: Variable) throws -> Variable {
        try checkStd(std, op: "log_likelihood")
        return try Variable.composite(.logLikelihood, [data, mean, std]) { v in try logDensity(v[0], v[1], v[2]).sum() }
    }
}
