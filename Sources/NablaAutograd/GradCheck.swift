import NablaTensor

/// How well autograd agrees with central finite differences.
public struct GradCheckResult: Sendable {
    /// Largest |autograd − numeric| over all elements of all inputs.
    public var maxAbsError: Double
    /// Largest |autograd − numeric| / max(|numeric|, 1e-8) over the same elements.
    public var maxRelError: Double
    /// True when every element satisfies |a − n| ≤ atol + rtol·|n|.
    public var passed: Bool
}

/// Compares gradients of a scalar function against (f(x + ε) − f(x − ε)) / 2ε.
public enum GradCheck {
    public static func check(_ inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3,
                             _ f: ([Variable]) throws -> Variable) throws -> GradCheckResult {
        let params = inputs.map { Variable.param($0) }
        let out = try GradMode.with(.normal) { try f(params) }
        guard out.value.count == 1 else {
            throw TensorError.shape(op: "gradcheck", message: "the function must return a scalar, got \(formatShape(out.value.shape))")
        }
        let analytic = out.requiresGrad ? try Autograd.grad(out, wrt: params) : try inputs.map { try Tensor.zeros($0.shape) }
        var result = GradCheckResult(maxAbsError: 0, maxRelError: 0, passed: true)
        for (i, x) in inputs.enumerated() {
            for j in 0..<x.count {
                try Cancellation.check()
                func eval(_ delta: Double) throws -> Double {
                    var xs = inputs
                    xs[i][flat: j] += delta
                    let vars = xs.map { Variable($0) }
                    return try GradMode.with(.off) { try f(vars) }.value.data[0]
                }
                let numeric = (try eval(eps) - eval(-eps)) / (2 * eps)
                let a = analytic[i].data[j]
                let err = Swift.abs(a - numeric)
                result.maxAbsError = Swift.max(result.maxAbsError, err)
                result.maxRelError = Swift.max(result.maxRelError, err / Swift.max(Swift.abs(numeric), 1e-8))
                if !(err <= atol + rtol * Swift.abs(numeric)) { result.passed = false }
            }
        }
        return result
    }
}
