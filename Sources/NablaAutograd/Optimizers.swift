import Foundation
import NablaTensor

/// Updates a list of params from their `.grad`, with PyTorch's update rules and defaults.
public protocol Optimizer: AnyObject {
    var params: [Variable] { get }
    /// One update; params whose `.grad` is nil are left alone.
    func step() throws
}

extension Optimizer {
    /// Clears `.grad` of every param.
    public func zeroGrad() { Autograd.zeroGrad(params) }
}

/// Plain gradient descent: w ← w − η ∇w.
public final class SGD: Optimizer {
    public let params: [Variable]
    public var lr: Double
    public init(_ params: [Variable], lr: Double) { self.params = params; self.lr = lr }

    public func step() throws {
        for p in params {
            guard let g = p.grad else { continue }
            try p.update { w in try w.addScaled(g, -lr) }
        }
    }
}

/// Momentum (PyTorch form): v ← μ v + ∇w, w ← w − η v.
public final class Momentum: Optimizer {
    public let params: [Variable]
    public var lr: Double, momentum: Double
    var velocity: [Tensor?]

    public init(_ params: [Variable], lr: Double, momentum: Double = 0.9) {
        self.params = params; self.lr = lr; self.momentum = momentum
        velocity = Array(repeating: nil, count: params.count)
    }

    public func step() throws {
        for (i, p) in params.enumerated() {
            guard let g = p.grad else { continue }
            let v = try velocity[i].map { try $0 * momentum + g } ?? g
            velocity[i] = v
            try p.update { w in try w.addScaled(v, -lr) }
        }
    }
}

/// Adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ),
/// w ← w − η m̂ / (√v̂ + ε).
public final class Adam: Optimizer {
    public let params: [Variable]
    public var lr: Double, beta1: Double, beta2: Double, eps: Double
    var m: [Tensor?], v: [Tensor?]
    public private(set) var t = 0

    public init(_ params: [Variable], lr: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8) {
        self.params = params; self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        m = Array(repeating: nil, count: params.count)
        v = Array(repeating: nil, count: params.count)
    }

    public func step() throws {
        t += 1
        let c1 = 1 - Foundation.pow(beta1, Double(t)), c2 = 1 - Foundation.pow(beta2, Double(t))
        for (i, p) in params.enumerated() {
            guard let g = p.grad else { continue }
            let mi = try (m[i] ?? Tensor.zeros(g.shape)) * beta1 + g * (1 - beta1)
            let vi = try (v[i] ?? Tensor.zeros(g.shape)) * beta2 + (g * g) * (1 - beta2)
            m[i] = mi; v[i] = vi
            let (lr, eps) = (lr, eps)
            let stepT = try Tensor.zip(mi, vi, op: "adam") { a, b in lr * (a / c1) / ((b / c2).squareRoot() + eps) }
            try p.update { w in try w.addScaled(stepT, -1) }
        }
    }
}
