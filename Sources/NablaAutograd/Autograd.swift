import NablaTensor
import Synchronization

/// Reverse-mode differentiation over the recorded graph.
public enum Autograd {
    static let epochs = Atomic<Int>(0)

    /// Nodes reachable from `root` through inputs that require grad, every node before its
    /// inputs: the reverse of a depth-first post-order, O(n) with no sort.
    static func reverseTopological(_ root: Variable) -> [Variable] {
        let e = epochs.wrappingAdd(1, ordering: .relaxed).newValue
        var order = [Variable]()
        var stack = [(node: root, next: 0)]
        root.mark = e
        while let top = stack.last {
            let inputs = top.node.inputs
            var i = top.next
            while i < inputs.count && !(inputs[i].requiresGrad && inputs[i].mark != e) { i += 1 }
            if i < inputs.count {
                stack[stack.count - 1].next = i + 1
                inputs[i].mark = e
                stack.append((inputs[i], 0))
            } else {
                stack.removeLast()
                order.append(top.node)
            }
        }
        order.reverse()
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
        let order = reverseTopological(root)
        let token = Cancellation.current
        root.pending = g0
        // On an error, drop the partial sums so the graph can be differentiated again.
        do { try sweep(order, token: token, visit) } catch { for v in order { v.pending = nil }; throw error }
    }

    private static func sweep(_ order: [Variable], token: CancellationToken?, _ visit: (Variable, Tensor) -> Void) throws {
        for (n, v) in order.enumerated() {
            if n & 255 == 0, let token, token.isCancelled { throw TensorError.interrupted }
            guard let g = v.pending else { continue }
            v.pending = nil
            visit(v, g)
            guard let rule = v.rule, !v.inputs.isEmpty else { continue }
            let gs = try rule(g)
            for (input, gi) in zip(v.inputs, gs) where input.requiresGrad {
                guard var gi else { continue }
                if gi.shape != input.shape { gi = try gi.sumToShape(input.shape) }
                if let p = input.pending { input.pending = try p + gi } else { input.pending = gi }
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
        guard let rule, !inputs.isEmpty else { return [] }
        return try rule(seed)
    }
}
