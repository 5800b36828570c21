import Foundation
import NablaTensor

/// Updates a list of params from their `.grad`, with PyTorch's update rules and defaults.
public protocol Optimizer: AnyObject {
    var params: [Variable] { get }
    /// The learning rate η of the next step (a schedule changes it between steps).
    var lr: Double { get set }
    /// One update; params whose `.grad` is nil are left alone.
    func step() throws
    /// The last update written out in the notes' notation, one block per param (`explain(opt)`).
    func lastUpdate() -> [Derivation]
}

/// The values one update of one param used and made, kept (copy-on-write, so no copying) for
/// `explain`: "w", "g" and the optimizer's state before ("v", "m") and after ("v'", "m'", "w'").
/// The inputs ("w", "g", "v", "m") are `UpdateRule.kept`, their shown elements; the results whole.
typealias Trace = [String: Tensor]

/// The update rules as the notes write them, with a param's numbers put in element by element.
enum UpdateRule {
    static let eta = Math.symbol(latex: "\\eta", plain: "η"), grad = Math.symbol(latex: "\\nabla w", plain: "∇w")

    /// `lhs ← formula = per-element numbers = result`.
    static func line(_ lhs: Math, _ formula: Math, _ trace: Trace, result: String, _ f: ([String: Double]) -> Math) -> Derivation? {
        guard let out = trace[result] else { return nil }
        let substituted: Math
        if out.count == 1 {
            substituted = f(trace.mapValues { $0.data.first ?? 0 })
        } else {
            substituted = .vector(Derive.terms(out.count) { k in f(trace.mapValues { element($0, k, of: out.count) }) })
        }
        var d = Derive.derivation(lhs, formula: formula, substituted: substituted, result: out)
        d.assigns = true
        return d
    }

    /// What a trace keeps of an update's input (the old value, the gradient, the old state):
    /// the elements `line` writes out (`Derive.shownIndices`), copied. The whole old value held
    /// would make the in-place update copy it; a whole gradient or state, keep its memory.
    static func kept(_ t: Tensor) -> Tensor {
        t.withUnsafeElements { p in Tensor(Derive.shownIndices(t.count).map { p[$0] }) }
    }

    /// Element k of an n-element result as a trace entry gives it: a whole tensor's k-th, a
    /// `kept` excerpt's matching element, a constant's (η, t) only one.
    static func element(_ t: Tensor, _ k: Int, of n: Int) -> Double {
        if t.count == n { return t[flat: k] }
        let shown = Derive.shownIndices(n)
        if t.count == shown.count, let i = shown.firstIndex(of: k) { return t[flat: i] }
        return t.data.first ?? 0
    }

    /// A param's name for the heading of its block.
    static func name(_ p: Variable, _ k: Int) -> String { p.name ?? "w\(k + 1)" }
}

extension Optimizer {
    /// Clears `.grad` of every param.
    public func zeroGrad() { Autograd.zeroGrad(params) }
}

/// Plain gradient descent: w ← w − η ∇w.
public final class SGD: Optimizer {
    public let params: [Variable]
    public var lr: Double
    var traces = [Int: Trace]()
    public init(_ params: [Variable], lr: Double) { self.params = params; self.lr = lr }

    public func step() throws {
        traces = [:]
        for (k, p) in params.enumerated() {
            guard let g = p.grad else { continue }
            let w = UpdateRule.kept(p.value)
            try p.update { w in try w.addScaled(g, -lr) }
            traces[k] = ["w": w, "g": UpdateRule.kept(g), "w'": p.value, "η": Tensor(lr)]
        }
    }

    public func lastUpdate() -> [Derivation] {
        traces.keys.sorted().compactMap { k in
            UpdateRule.line(.sym(UpdateRule.name(params[k], k)), .sub(.sym("w"), .mul([UpdateRule.eta, UpdateRule.grad])), traces[k]!, result: "w'") {
                .sub(.number($0["w"]!), .mul([.number($0["η"]!), .number($0["g"]!)]))
            }
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

    var traces = [Int: Trace]()

    public func step() throws {
        traces = [:]
        for (i, p) in params.enumerated() {
            guard let g = p.grad else { continue }
            let before = try velocity[i] ?? Tensor.zeros(g.shape)
            let v = try velocity[i].map { try $0 * momentum + g } ?? g
            velocity[i] = v
            let w = UpdateRule.kept(p.value)
            try p.update { w in try w.addScaled(v, -lr) }
            traces[i] = ["w": w, "g": UpdateRule.kept(g), "v": UpdateRule.kept(before), "v'": v, "w'": p.value, "η": Tensor(lr), "μ": Tensor(momentum)]
        }
    }

    public func lastUpdate() -> [Derivation] {
        let mu = Math.symbol(latex: "\\mu", plain: "μ"), v = Math.sym("v")
        return traces.keys.sorted().flatMap { k -> [Derivation] in
            let t = traces[k]!
            return [UpdateRule.line(v, .add([.mul([mu, v]), UpdateRule.grad]), t, result: "v'") { .add([.mul([.number($0["μ"]!), .number($0["v"]!)]), .number($0["g"]!)]) },
                    UpdateRule.line(.sym(UpdateRule.name(params[k], k)), .sub(.sym("w"), .mul([UpdateRule.eta, v])), t, result: "w'") {
                        .sub(.number($0["w"]!), .mul([.number($0["η"]!), .number($0["v'"]!)])) }].compactMap { $0 }
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
        let (b1, b2, lr, eps) = (beta1, beta2, lr, eps)
        for (i, p) in params.enumerated() {
            guard let g = p.grad else { continue }
            guard g.shape == p.shape, m[i].map({ $0.shape == g.shape }) ?? true, v[i].map({ $0.shape == g.shape }) ?? true else {
                throw TensorError.broadcast(op: "adam", lhs: p.shape, rhs: g.shape)
            }
            // The state out of the arrays and the last trace dropped, so that m, v and w are each
            // held once and written in place (a second holder would make them copy).
            traces[i] = nil
            var (mi, vi) = (try m[i] ?? Tensor.zeros(g.shape), try v[i] ?? Tensor.zeros(g.shape))
            m[i] = nil; v[i] = nil
            let (w0, g0, m0, v0) = (UpdateRule.kept(p.value), UpdateRule.kept(g), UpdateRule.kept(mi), UpdateRule.kept(vi))
            // One pass: the moments and the step with the rule's expressions in its order (so
            // the same rounding as written out), in registers, then w − step.
            try p.update { w in
                w.withUnsafeMutableElements { pw in
                    mi.withUnsafeMutableElements { pm in
                        vi.withUnsafeMutableElements { pv in
                            g.withUnsafeElements { pg in
                                for k in 0..<pg.count {
                                    let gk = pg[k]
                                    let mk = pm[k] * b1 + gk * (1 - b1), vk = pv[k] * b2 + (gk * gk) * (1 - b2)
                                    pm[k] = mk; pv[k] = vk
                                    pw[k] = pw[k] - lr * (mk / c1) / (squareRoot(vk / c2) + eps)
                                }
                            }
                        }
                    }
                }
            }
            m[i] = mi; v[i] = vi
            // m̂ and v̂ are made only when `explain` asks (lastUpdate), from m', v' and t.
            traces[i] = ["w": w0, "g": g0, "m": m0, "v": v0, "m'": mi, "v'": vi, "w'": p.value,
                         "η": Tensor(lr), "β₁": Tensor(beta1), "β₂": Tensor(beta2), "ε": Tensor(eps), "t": Tensor(Double(t))]
        }
    }

    /// √x, its NaN for x < 0 written out (the one x86's square root gives): then the compiler
    /// knows libm's errno-setting sqrt is not needed, and vectorizes the loop (sqrtpd, divpd).
    @inline(__always) func squareRoot(_ x: Double) -> Double { (x < 0 ? -Double.nan : x).squareRoot() }

    /// A trace with the bias-corrected moments m̂ = m'/(1 − β₁ᵗ) and v̂ = v'/(1 − β₂ᵗ) added.
    func corrected(_ trace: Trace) -> Trace {
        guard let mi = trace["m'"], let vi = trace["v'"], let t = trace["t"]?.scalar else { return trace }
        let c1 = 1 - Foundation.pow(beta1, t), c2 = 1 - Foundation.pow(beta2, t)
        var out = trace
        out["m̂"] = mi / c1; out["v̂"] = vi / c2
        return out
    }

    var traces = [Int: Trace]()

    public func lastUpdate() -> [Derivation] {
        let b1 = Math.symbol(latex: "\\beta_1", plain: "β₁"), b2 = Math.symbol(latex: "\\beta_2", plain: "β₂"), one = Math.number(1)
        let (m, v, g) = (Math.sym("m"), Math.sym("v"), UpdateRule.grad)
        let mhat = Math.symbol(latex: "\\hat{m}", plain: "m̂"), vhat = Math.symbol(latex: "\\hat{v}", plain: "v̂"), t = Math.sym("t")
        return traces.keys.sorted().flatMap { k -> [Derivation] in
            let tr = corrected(traces[k]!)
            return [
                UpdateRule.line(m, .add([.mul([b1, m]), .mul([.sub(one, b1), g])]), tr, result: "m'") {
                    .add([.mul([.number($0["β₁"]!), .number($0["m"]!)]), .mul([.sub(one, .number($0["β₁"]!)), .number($0["g"]!)])]) },
                UpdateRule.line(v, .add([.mul([b2, v]), .mul([.sub(one, b2), .pow(.symbol(latex: "\\left(\\nabla w\\right)", plain: "(∇w)"), .number(2))])]), tr, result: "v'") {
                    .add([.mul([.number($0["β₂"]!), .number($0["v"]!)]), .mul([.sub(one, .number($0["β₂"]!)), .pow(.number($0["g"]!), .number(2))])]) },
                UpdateRule.line(mhat, .div(m, .sub(one, .pow(b1, t))), tr, result: "m̂") {
                    .div(.number($0["m'"]!), .sub(one, .pow(.number($0["β₁"]!), .number($0["t"]!)))) },
                UpdateRule.line(vhat, .div(v, .sub(one, .pow(b2, t))), tr, result: "v̂") {
                    .div(.number($0["v'"]!), .sub(one, .pow(.number($0["β₂"]!), .number($0["t"]!)))) },
                UpdateRule.line(.sym(UpdateRule.name(params[k], k)),
                                .sub(.sym("w"), .div(.mul([UpdateRule.eta, mhat]), .add([.sqrt(vhat), .symbol(latex: "\\epsilon", plain: "ε")]))), tr, result: "w'") {
                    .sub(.number($0["w"]!), .div(.mul([.number($0["η"]!), .number($0["m̂"]!)]), .add([.sqrt(.number($0["v̂"]!)), .number($0["ε"]!)]))) },
            ].compactMap { $0 }
        }
    }
}

/// A learning-rate schedule, as PyTorch's lr_scheduler: each `step()` (one per epoch) sets the
/// optimizer's rate from the rate it started with.
public final class LearningRateSchedule {
    public enum Kind: Sendable, Equatable {
        /// η·γ^⌊t/size⌋: multiplied by γ every `size` steps.
        case step(size: Int, gamma: Double)
        /// η·γ^t.
        case exponential(gamma: Double)
        /// η_min + (η − η_min)(1 + cos(πt/T))/2: down to η_min over T steps.
        case cosine(period: Int, minimum: Double)
    }

    public let optimizer: Optimizer
    public let kind: Kind
    public let initial: Double
    public private(set) var steps = 0

    public init(_ optimizer: Optimizer, _ kind: Kind) throws {
        switch kind {
        case let .step(size, _) where size < 1, let .cosine(size, _) where size < 1:
            throw TensorError.argument(op: "lr schedule", message: "the period must be at least 1 step, got \(size)")
        default: break
        }
        self.optimizer = optimizer; self.kind = kind; initial = optimizer.lr
    }

    /// The rate after `t` steps.
    public func rate(after t: Int) -> Double {
        switch kind {
        case let .step(size, gamma): return initial * Foundation.pow(gamma, Double(t / size))
        case let .exponential(gamma): return initial * Foundation.pow(gamma, Double(t))
        case let .cosine(period, minimum):
            let phase = Double(Swift.min(t, period)) / Double(period)
            return minimum + (initial - minimum) * (1 + Foundation.cos(Double.pi * phase)) / 2
        }
    }

    /// One step of the schedule: the optimizer's rate for the next epoch.
    public func step() {
        steps += 1
        optimizer.lr = rate(after: steps)
    }
}
