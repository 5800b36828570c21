import NablaTensor
import Synchronization

/// Reverse-mode differentiation over the recorded graph.
public enum Autograd {
    static let epochs = Atomic<Int>(0)

    /// Nodes reachable from `root` through inputs that require grad, every node after its
    /// inputs (a depth-first post-order, O(n) with no sort); the backward sweep walks it in reverse.
    /// Held unretained: `root`, which the caller keeps alive for the whole pass, holds each of
    /// them through its inputs, and a pass changes no inputs (no retain and release per node).
    static func topological(_ root: Variable) -> [Unmanaged<Variable>] {
        let e = epochs.wrappingAdd(1, ordering: .relaxed).newValue
        var order = [Unmanaged<Variable>]()
        var stack = [(node: Unmanaged<Variable>, next: Int)]()
        stack.append((.passUnretained(root), 0))
        root.mark = e
        while let top = stack.last {
            // The next input still to visit, as (its position, the node), or nil when all are done.
            let found: (Int, Unmanaged<Variable>)? = top.node._withUnsafeGuaranteedRef { node in
                let count = node.inputCount
                var i = top.next
                while i < count {
                    if let input = node.input(i), input.requiresGrad, input.mark != e {
                        input.mark = e
                        return (i, .passUnretained(input))
                    }
                    i += 1
                }
                return nil
            }
            if let (i, input) = found {
                stack[stack.count - 1].next = i + 1
                stack.append((input, 0))
            } else {
                stack.removeLast()
                order.append(top.node)
            }
        }
        return order
    }

    /// Propagates `seed` (dL/d root) backward, handing each node its total gradient through
    /// `visit` when it is complete (every consumer precedes it in the order, so all its
    /// gradients have arrived). Gradients from several uses of a value add up; broadcast
    /// gradients are summed back to the input's shape here, once, for every op.
    static func propagate(_ root: Variable, seed: Tensor?, _ visit: (Variable, Tensor) -> Void) throws {
        guard root.requiresGrad else {
            throw TensorError.argument(op: "backward", message: "the value does not depend on any param (nothing requires grad)")
        }
        let g0: Tensor
        if let seed {
            guard seed.shape == root.shape else {
                throw TensorError.shape(op: "backward", message: "seed gradient shape \(formatShape(seed.shape)) differs from the value's shape \(formatShape(root.shape))")
            }
            g0 = seed
        } else {
            guard root.value.count == 1 else {
                throw TensorError.shape(op: "backward", message: "the value has shape \(formatShape(root.shape)); gradients need a scalar — reduce it (sum, mean) or pass a seed gradient")
            }
            g0 = try Tensor.ones(root.shape)
        }
        try withExtendedLifetime(root) {
            let order = topological(root)
            let token = Cancellation.current
            root.pending = g0
            // On an error, drop the partial sums so the graph can be differentiated again.
            do { try sweep(order, token: token, visit) } catch {
                for u in order { u._withUnsafeGuaranteedRef { $0.pending = nil } }
                throw error
            }
        }
    }

    private static func sweep(_ order: [Unmanaged<Variable>], token: CancellationToken?, _ visit: (Variable, Tensor) -> Void) throws {
        var n = 0
        for u in order.reversed() {
            if n & 255 == 0, let token, token.isCancelled { throw TensorError.interrupted }
            n &+= 1
            try u._withUnsafeGuaranteedRef { v in
                guard let g = v.pending else { return }
                v.pending = nil
                visit(v, g)
                try v.sendGradients(g, onlyTracked: true) { k, gk in
                    guard let input = v.input(k), input.requiresGrad else { return }
                    var gi = gk
                    if gi.shape != input.shape { gi = try gi.sumToShape(input.shape) }
                    if let p = input.pending { input.pending = try p + gi } else { input.pending = gi }
                }
            }
        }
    }

    /// Accumulates dL/dx into `x.grad` for every leaf x that requires grad (PyTorch's
    /// `L.backward()`); `seed` is needed when L is not a scalar.
    public static func backward(_ root: Variable, seed: Tensor? = nil) throws {
        try propagate(root, seed: seed) { v, g in
            guard v.isLeaf else { return }
            if let old = v.grad, let sum = try? old + g, sum.shape == v.shape { v.grad = sum } else { v.grad = g }
        }
    }

    /// dL/dx for each x in `wrt` (leaves or intermediate results), without touching any
    /// `.grad`. An x that L does not depend on gets zeros.
    public static func grad(_ root: Variable, wrt: [Variable], seed: Tensor? = nil) throws -> [Tensor] {
        var found = [ObjectIdentifier: Tensor]()
        let targets = Set(wrt.map(ObjectIdentifier.init))
        try propagate(root, seed: seed) { v, g in
            if targets.contains(ObjectIdentifier(v)) { found[ObjectIdentifier(v)] = g }
        }
        return try wrt.map { try found[ObjectIdentifier($0)] ?? Tensor.zeros($0.shape) }
    }

    /// Clears `.grad` of each param.
    public static func zeroGrad(_ params: [Variable]) {
        for p in params { p.grad = nil }
    }
}

extension Variable {
    /// This op's backward rule applied to `seed` (dL/d self): dL/d input for each input.
    /// `explain` uses it to show one link of the chain rule.
    public func backward(_ seed: Tensor) throws -> [Tensor?] {
        var out = [Tensor?](repeating: nil, count: backwardRule == nil ? 0 : inputCount)
        try sendGradients(seed, onlyTracked: false) { k, g in if k < out.count { out[k] = g } }
        return out
    }

    /// Calls `send(k, dL/d input k)` for each input k that gets a gradient, given g = dL/d self
    /// (with `onlyTracked`, skips computing gradients of inputs that do not require grad).
    @inline(__always)
    func sendGradients(_ g: Tensor, onlyTracked: Bool, _ send: (Int, Tensor) throws -> Void) throws {
        guard let backwardRule, input0 != nil else { return }
        switch backwardRule {
        case .rule(let rule):
            for (k, gk) in try rule(g).enumerated() { if let gk { try send(k, gk) } }
        case .identity:
            for k in 0..<inputCount { try send(k, g) }
        case .scaled(let c):
            try send(0, g * c)
        case .difference:
            try send(0, g)
            if !onlyTracked || input1?.requiresGrad == true { try send(1, -g) }
        case .negated:
            try send(0, -g)
        case .product(let x, let y):
            if !onlyTracked || input0?.requiresGrad == true { try send(0, try g * y) }
            if !onlyTracked || input1?.requiresGrad == true { try send(1, try g * x) }
        }
    }
}
