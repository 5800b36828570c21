import Foundation
import NablaAutograd
import NablaTensor

/// An object `explain` writes out from derivations of its own (an optimizer's last update).
public protocol Derived {
    func derivations() -> [Derivation]
}

/// An optimizer as a language object: `opt.step()`, `opt.zero_grad()`, `opt.lr`.
final class OptimizerObject: NablaObject, Derived, MutableAttributes {
    func derivations() -> [Derivation] { optimizer.lastUpdate() }

    func setAttribute(_ name: String, _ value: Value, interpreter: Interpreter) throws -> Bool {
        guard name == "lr" else { return false }
        let lr = try interpreter.toVariable(value, span: .unknown, what: "a learning rate").value
        guard lr.count == 1, let x = lr.data.first, x.isFinite, x >= 0 else { throw NablaError(.value, "the learning rate must be a finite number ≥ 0") }
        optimizer.lr = x
        return true
    }

    let optimizer: Optimizer
    let kind: String
    init(_ o: Optimizer, kind: String) { optimizer = o; self.kind = kind }

    var typeName: String { kind }
    var text: String { "\(kind)(\(optimizer.params.count) param\(optimizer.params.count == 1 ? "" : "s"))" }
    var attributeNames: [String] { ["step", "zero_grad", "params", "lr"] }

    func attribute(_ name: String) -> Value? {
        switch name {
        case "step":
            return .builtin(Builtin("step", doc: "One update of every param from its .grad.") { [optimizer] _ in try optimizer.step(); return .none })
        case "zero_grad":
            return .builtin(Builtin("zero_grad", doc: "Clears .grad of every param.") { [optimizer] _ in optimizer.zeroGrad(); return .none })
        case "params":
            return .list(ListRef(optimizer.params.map { .tensor($0) }))
        case "lr": return .float(optimizer.lr)
        default: return nil
        }
    }
}

/// A learning-rate schedule as a language object: `sched.step()` once per epoch, `sched.lr`.
final class ScheduleObject: NablaObject {
    let schedule: LearningRateSchedule
    let kind: String
    init(_ s: LearningRateSchedule, kind: String) { schedule = s; self.kind = kind }

    var typeName: String { kind }
    var text: String { "\(kind)(lr=\(schedule.optimizer.lr), steps=\(schedule.steps))" }
    var attributeNames: [String] { ["step", "lr", "get_last_lr"] }

    func attribute(_ name: String) -> Value? {
        switch name {
        case "step": return .builtin(Builtin("step", doc: "Moves the schedule one epoch on, setting the optimizer's learning rate.") { [schedule] _ in schedule.step(); return .none })
        case "lr": return .float(schedule.optimizer.lr)
        case "get_last_lr": return .builtin(Builtin("get_last_lr", doc: "The learning rate now in force, in a list (as PyTorch).") { [schedule] _ in .list(ListRef([.float(schedule.optimizer.lr)])) })
        default: return nil
        }
    }
}

/// The result of `gradcheck`: its errors as attributes, and a one-line verdict as text.
final class GradCheckObject: NablaObject {
    let result: GradCheckResult
    init(_ r: GradCheckResult) { result = r }
    var typeName: String { "gradcheck" }
    /// The verdict with the error's order of magnitude (its last digits vary with the CPU's
    /// libm; the exact numbers are the attributes).
    var text: String {
        func bound(_ e: Double) -> String {
            guard e > 0, e.isFinite else { return e == 0 ? "0" : Tensor.formatNumber(e) }
            return "< 1e\(Int(Foundation.log10(e).rounded(.up)))"
        }
        return "gradcheck: \(result.passed ? "passed" : "FAILED") — largest error \(bound(result.maxAbsError)) absolute, \(bound(result.maxRelError)) relative"
    }
    var attributeNames: [String] { ["passed", "max_abs_error", "max_rel_error"] }
    func attribute(_ name: String) -> Value? {
        switch name {
        case "passed": return .bool(result.passed)
        case "max_abs_error": return .number(result.maxAbsError)
        case "max_rel_error": return .number(result.maxRelError)
        default: return nil
        }
    }
}

extension Library {
    /// The params in an argument that may be one tensor or a list of them.
    static func paramList(_ a: Args, _ name: String) throws -> [Variable] {
        let v = a.value(name) ?? .none
        if case let .tensor(t) = v { return [t] }
        return try a.interpreter.elements(v, span: a.span).map { item in
            guard case let .tensor(t) = item else { throw NablaError(.type, "\(a.builtin.name)(): expected tensors, got \(item.typeName)") }
            return t
        }
    }

    static func autograd(_ i: Interpreter) {
        i.register(Builtin("param", [.tensor("x")], doc: "A tensor whose gradient is wanted: a leaf of the autograd graph (requires_grad).", example: "W = param([[0.1, 0.2], [0.3, 0.4]])\nW") { a in
            .tensor(Variable.param(try a.tensor("x").value))
        })
        i.register(Builtin("grad", [.tensor("L"), .any("wrt"), .tensor("seed", default: nil)], formula: "∂L/∂x for each x in wrt", doc: "Gradients of L with respect to a tensor or a list of tensors, computed by reverse-mode autograd. Leaves .grad untouched. L must be a scalar unless `seed` (∂out/∂L) is given.", example: "x = param(3.0)\ngrad(x ** 2, x)") { a in
            let L = try a.tensor("L")
            let single: Bool
            if case .tensor = a.value("wrt") ?? .none { single = true } else { single = false }
            let wrt = try paramList(a, "wrt")
            let gs = try Autograd.grad(L, wrt: wrt, seed: try a.optionalTensor("seed")?.value)
            let results = zip(gs, wrt).map { Value.tensor(Variable.gradient($0, of: L, wrt: $1)) }
            return single ? results[0] : .list(ListRef(results))
        })
        i.register(Builtin("backward", [.tensor("L"), .tensor("seed", default: nil)], formula: "x.grad += ∂L/∂x for every param x", doc: "Backpropagates from L, adding ∂L/∂x into .grad of every param it depends on (as PyTorch's L.backward()).", example: "w = param([1.0, 2.0])\nbackward(sum(w ** 2))\nw.grad") { a in
            try Autograd.backward(try a.tensor("L"), seed: try a.optionalTensor("seed")?.value)
            return .none
        })
        i.register(Builtin("zero_grad", [.args("params")], doc: "Clears .grad of the given params (or of a list of them).", example: "w = param([1.0])\nbackward(w * 3)\nzero_grad(w)\nw.grad is None") { a in
            var ps = [Variable]()
            for v in a.rest {
                if case let .tensor(t) = v { ps.append(t) } else { ps += try a.interpreter.elements(v, span: a.span).compactMap { if case let .tensor(t) = $0 { return t }; return nil } }
            }
            Autograd.zeroGrad(ps)
            return .none
        })
        i.register(Builtin("detach", [.tensor("x")], doc: "The same value cut off from the autograd graph.", example: "detach(param(2.0) * 3).requires_grad") { a in t(try a.tensor("x").detached()) })
        i.register(Builtin("no_grad", doc: "A context for `with no_grad():` in which no graph is recorded (for updates and evaluation).", example: "w = param(1.0)\nwith no_grad():\n    y = w * 2\ny.requires_grad") { _ in
            .object(GradModeContext(.off))
        })
        i.register(Builtin("sgd", [.any("params"), .number("lr")], formula: "w ← w − η ∇w", doc: "Plain gradient descent over a list of params; call .step() after backward and .zero_grad() before the next one.", example: "w = param([1.0])\nopt = sgd([w], lr=0.1)\nbackward(w * w); opt.step(); w") { a in
            .object(OptimizerObject(SGD(try paramList(a, "params"), lr: try a.double("lr")), kind: "sgd"))
        })
        i.register(Builtin("momentum", [.any("params"), .number("lr"), .number("momentum", default: 0.9)], formula: "v ← μv + ∇w,  w ← w − ηv", doc: "Gradient descent with momentum (PyTorch's form).", example: "w = param([1.0])\nopt = momentum([w], lr=0.1)\nbackward(w * w); opt.step(); w") { a in
            .object(OptimizerObject(Momentum(try paramList(a, "params"), lr: try a.double("lr"), momentum: try a.double("momentum")), kind: "momentum"))
        })
        i.register(Builtin("adam", [.any("params"), .number("lr", default: 0.001), .number("beta1", default: 0.9), .number("beta2", default: 0.999), .number("eps", default: 1e-8)], formula: "m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  w ← w − η m̂ / (√v̂ + ε)", doc: "Adam with bias correction (PyTorch's defaults).", example: "w = param([1.0])\nopt = adam([w], lr=0.1)\nbackward(w * w); opt.step(); w") { a in
            .object(OptimizerObject(Adam(try paramList(a, "params"), lr: try a.double("lr"), beta1: try a.double("beta1"),
                                         beta2: try a.double("beta2"), eps: try a.double("eps")), kind: "adam"))
        })
        func optimizer(_ a: Args) throws -> Optimizer {
            guard case let .object(o as OptimizerObject)? = a.value("optimizer") else {
                throw NablaError(.type, "\(a.builtin.name)(): 'optimizer' must be an optimizer (sgd, momentum, adam)", at: a.span)
            }
            return o.optimizer
        }
        i.register(Builtin("step_lr", [.any("optimizer"), .int("step_size"), .number("gamma", default: 0.1)], formula: "η_t = η·γ^⌊t / step_size⌋", doc: "Multiplies the optimizer's learning rate by gamma every step_size epochs; call .step() once per epoch (PyTorch's StepLR).", example: "w = param([1.0])\nopt = sgd([w], lr=0.1)\nsched = step_lr(opt, step_size=2, gamma=0.5)\nfor epoch in range(4):\n    sched.step()\nopt.lr") { a in
            .object(ScheduleObject(try LearningRateSchedule(try optimizer(a), .step(size: try a.int("step_size"), gamma: try a.double("gamma"))), kind: "step_lr"))
        })
        i.register(Builtin("exponential_lr", [.any("optimizer"), .number("gamma")], formula: "η_t = η·γ^t", doc: "Multiplies the learning rate by gamma every epoch (PyTorch's ExponentialLR).", example: "opt = sgd([param([1.0])], lr=0.1)\nsched = exponential_lr(opt, gamma=0.9)\nsched.step(); sched.step()\nround(opt.lr, 6)") { a in
            .object(ScheduleObject(try LearningRateSchedule(try optimizer(a), .exponential(gamma: try a.double("gamma"))), kind: "exponential_lr"))
        })
        i.register(Builtin("cosine_lr", [.any("optimizer"), .int("t_max"), .number("eta_min", default: 0)], formula: "η_t = η_min + (η − η_min)(1 + cos(πt/T))/2", doc: "Lowers the learning rate along a half cosine to eta_min over t_max epochs (PyTorch's CosineAnnealingLR).", example: "opt = adam([param([1.0])], lr=0.1)\nsched = cosine_lr(opt, t_max=4)\nsched.step(); sched.step()\nopt.lr") { a in
            .object(ScheduleObject(try LearningRateSchedule(try optimizer(a), .cosine(period: try a.int("t_max"), minimum: try a.double("eta_min"))), kind: "cosine_lr"))
        })
        i.register(Builtin("gradcheck", [.any("f"), .args("inputs"), .number("eps", default: 1e-6)], formula: "∂f/∂xᵢ ≈ (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε", doc: "Checks autograd (or your own backward formula) against central finite differences for a scalar function f of the inputs; reports the largest error.", example: "gradcheck(lambda v: sum(sigmoid(v)), [0.0, 1.0])") { a in
            guard let f = a.value("f") else { throw NablaError(.type, "gradcheck() needs a function") }
            let inputs = try a.rest.map { try a.interpreter.toVariable($0, span: a.span, what: "gradcheck(): an input").value }
            guard !inputs.isEmpty else { throw NablaError(.type, "gradcheck() needs at least one input tensor") }
            let r = try GradCheck.check(inputs, eps: try a.double("eps")) { vars in
                try a.interpreter.toVariable(try a.interpreter.call(f, vars.map { .tensor($0) }, [], span: a.span), span: a.span, what: "gradcheck(): f's result")
            }
            return .object(GradCheckObject(r))
        })
    }
}
