import NablaTensor
import Synchronization

/// A node of the define-by-run graph: a tensor value, the op that made it, its inputs, and
/// the rule that turns the gradient of the output into gradients of the inputs.
public final class Variable {
    /// The gradient rule of an op: given dL/d(output), return dL/d(input) for each input
    /// (nil where no gradient flows). A result may have the broadcast shape; the engine
    /// reduces it to the input's shape. Rules capture tensors, never Variables.
    public typealias Rule = (Tensor) throws -> [Tensor?]

    /// The value. Only params are updated in place (`update`), and captured copies in rules
    /// keep older graphs correct (value semantics).
    public private(set) var value: Tensor
    /// Accumulated dL/d(self) after `backward`, for leaves that require grad.
    public var grad: Tensor?
    /// True for params and for every result computed from one while gradients are recorded.
    public let requiresGrad: Bool
    /// The op that produced this value, with its parameters.
    public let op: Op
    /// A display name (the variable a student bound it to), used by graph and explain views.
    public var name: String?
    /// The inputs, in argument order (empty for leaves and for untracked results). The first
    /// two are held inline, so a node of a unary or binary op allocates no array.
    public var inputs: [Variable] {
        guard let a = input0 else { return [] }
        guard let b = input1 else { return [a] }
        return [a, b] + extraInputs
    }
    var input0: Variable?, input1: Variable?
    /// Inputs after the second (concat, composites); empty for most ops.
    var extraInputs: [Variable]
    /// How the gradient reaches the inputs; nil for leaves and untracked results.
    let backwardRule: Backward?
    /// Creation order: inputs always have smaller ids, so sorting by id is a topological order.
    let id: Int
    var mark = 0
    var pending: Tensor?

    static let counter = Atomic<Int>(0)

    init(value: Tensor, op: Op, requiresGrad: Bool, backward: Backward?, _ a: Variable?, _ b: Variable?, _ more: [Variable] = []) {
        self.value = value
        self.op = op
        self.requiresGrad = requiresGrad
        self.input0 = a
        self.input1 = b
        self.extraInputs = more
        self.backwardRule = backward
        self.id = Variable.counter.wrappingAdd(1, ordering: .relaxed).newValue
    }

    convenience init(value: Tensor, op: Op, requiresGrad: Bool, inputs: [Variable], rule: Rule?) {
        self.init(value: value, op: op, requiresGrad: requiresGrad, backward: rule.map(Backward.rule),
                  inputs.first, inputs.count > 1 ? inputs[1] : nil, inputs.count > 2 ? Array(inputs[2...]) : [])
    }

    /// The number of inputs.
    var inputCount: Int { input0 == nil ? 0 : input1 == nil ? 1 : 2 + extraInputs.count }

    /// Input `k` (for `k < inputCount`).
    @inline(__always) func input(_ k: Int) -> Variable? {
        switch k {
        case 0: return input0
        case 1: return input1
        default: return k - 2 < extraInputs.count ? extraInputs[k - 2] : nil
        }
    }

    /// A constant: no gradient is tracked through it.
    public convenience init(_ value: Tensor, name: String? = nil) {
        self.init(value: value, op: .constant, requiresGrad: false, inputs: [], rule: nil)
        self.name = name
    }

    public convenience init(_ scalar: Double) { self.init(Tensor(scalar)) }

    /// A leaf whose gradient is wanted (PyTorch's `requires_grad=True`).
    public static func param(_ value: Tensor, name: String? = nil) -> Variable {
        let v = Variable(value: value, op: .param, requiresGrad: true, inputs: [], rule: nil)
        v.name = name
        return v
    }

    public var shape: [Int] { value.shape }
    /// Position in creation order (inputs are always created before their results).
    public var creationIndex: Int { id }
    public var isLeaf: Bool { input0 == nil }

    /// Replaces a param's value in place (an optimizer step, `W -= lr * g`); the shape must stay.
    public func update(_ f: (inout Tensor) throws -> Void) throws {
        // Take the value out so `f` can mutate its storage in place when nothing else holds it
        // (copy-on-write copies only when an older graph still captures it).
        var v = Tensor(0)
        swap(&v, &value)
        let shape = v.shape
        var failure: Error?
        do { try f(&v) } catch { failure = error }
        if failure == nil && v.shape != shape {
            failure = TensorError.shape(op: "update", message: "in-place update changed shape \(formatShape(shape)) to \(formatShape(v.shape))")
        }
        if let failure {
            if v.shape != shape { v = try Tensor.zeros(shape) }   // unreachable in practice: f checks first
            value = v
            throw failure
        }
        value = v
    }

    /// Records an op's result. Inputs and rule are kept only while recording and when some
    /// input requires grad (or in `.recordAll`, for `explain`).
    public static func make(_ op: Op, _ value: Tensor, _ inputs: [Variable], rule: @escaping Rule) -> Variable {
        let mode = GradMode.current
        let needs = mode != .off && inputs.contains { $0.requiresGrad }
        if needs || mode == .recordAll {
            return Variable(value: value, op: op, requiresGrad: needs, inputs: inputs, rule: rule)
        }
        return Variable(value: value, op: op, requiresGrad: false, backward: nil, nil, nil)
    }

    /// Records a unary op whose gradient is one of the engine's inline rules.
    static func make(_ op: Op, _ value: Tensor, _ a: Variable, _ backward: Backward) -> Variable {
        let mode = GradMode.current
        let needs = mode != .off && a.requiresGrad
        if needs || mode == .recordAll {
            return Variable(value: value, op: op, requiresGrad: needs, backward: backward, a, nil)
        }
        return Variable(value: value, op: op, requiresGrad: false, backward: nil, nil, nil)
    }

    /// Records a binary op whose gradient is one of the engine's inline rules.
    static func make(_ op: Op, _ value: Tensor, _ a: Variable, _ b: Variable, _ backward: Backward) -> Variable {
        let mode = GradMode.current
        let needs = mode != .off && (a.requiresGrad || b.requiresGrad)
        if needs || mode == .recordAll {
            return Variable(value: value, op: op, requiresGrad: needs, backward: backward, a, b)
        }
        return Variable(value: value, op: op, requiresGrad: false, backward: nil, nil, nil)
    }

    /// Records a lecture function built from other ops as one node of `op`: `body` runs on
    /// stand-ins for the inputs, and the node's gradient is the gradient of that recorded body
    /// (exact by construction). Graphs and `explain` see one `entropy`, not its pieces.
    public static func composite(_ op: Op, _ inputs: [Variable], _ body: ([Variable]) throws -> Variable) throws -> Variable {
        let mode = GradMode.current
        let needs = mode != .off && inputs.contains { $0.requiresGrad }
        guard needs else {
            let out = try GradMode.with(.off) { try body(inputs.map { Variable($0.value) }) }
            return Variable(value: out.value, op: op, requiresGrad: false, inputs: mode == .recordAll ? inputs : [], rule: nil)
        }
        let standIns = inputs.map { $0.requiresGrad ? Variable.param($0.value) : Variable($0.value) }
        let inner = try GradMode.with(.normal) { try body(standIns) }
        let tracked = standIns.enumerated().filter { $0.element.requiresGrad }
        return Variable(value: inner.value, op: op, requiresGrad: true, inputs: inputs) { g in
            guard inner.requiresGrad else { return [Tensor?](repeating: nil, count: standIns.count) }
            let gs = try Autograd.grad(inner, wrt: tracked.map(\.element), seed: g)
            var out = [Tensor?](repeating: nil, count: standIns.count)
            for ((i, _), gi) in zip(tracked, gs) { out[i] = gi }
            return out
        }
    }

    /// The result of `grad(L, x)`: a constant, which keeps [L, x] as inputs only while
    /// `explain` records, so the chain rule can be derived from it.
    public static func gradient(_ value: Tensor, of loss: Variable, wrt x: Variable) -> Variable {
        Variable(value: value, op: .gradient, requiresGrad: false, inputs: GradMode.current == .recordAll ? [loss, x] : [], rule: nil)
    }

    /// Tears a long chain down iteratively: Swift's recursive release of a 100,000-node chain
    /// would overflow the stack. A chain of one-input nodes is walked without any array.
    deinit {
        guard input0 != nil else { return }
        var stack = [Variable]()
        var next = detachInputs(onto: &stack)
        while var node = next ?? stack.popLast() {
            next = nil
            if isKnownUniquelyReferenced(&node) { next = node.detachInputs(onto: &stack) }
        }
    }

    /// Drops the references to the inputs: returns the first, pushes the others onto `stack`.
    private func detachInputs(onto stack: inout [Variable]) -> Variable? {
        let first = input0
        input0 = nil
        if let b = input1 { stack.append(b); input1 = nil }
        if !extraInputs.isEmpty { stack.append(contentsOf: extraInputs); extraInputs = [] }
        return first
    }
}

/// Whether ops record the graph.
public enum GradMode: Sendable {
    /// Record ops whose inputs require grad (the default).
    case normal
    /// Record nothing (PyTorch's `no_grad`): cheaper, and results are constants.
    case off
    /// Record every op, even on constants, so `explain` can show how a value was computed.
    case recordAll

    private static let local = ThreadLocal<GradMode> { .normal }

    /// The mode in force on this thread.
    public static var current: GradMode {
        get { local.value }
        set { local.value = newValue }
    }

    /// Runs `body` with `mode` in force, restoring the previous mode after.
    public static func with<T>(_ mode: GradMode, _ body: () throws -> T) rethrows -> T {
        let saved = current
        current = mode
        defer { current = saved }
        return try body()
    }
}
