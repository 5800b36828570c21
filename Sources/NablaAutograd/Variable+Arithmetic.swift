import Foundation
import NablaTensor

/// The gradient rules of the hottest arithmetic ops, held in the node as data: no closure
/// context to allocate and no array of results per node (`Variable.sendGradients` applies
/// them). Every other op carries its closure.
enum Backward {
    /// An op's closure: dL/d output → dL/d each input.
    case rule(Variable.Rule)
    /// Each input gets g (`a + b`, `a + c`).
    case identity
    /// dL/da = g·c (`a * c`).
    case scaled(Double)
    /// g for the first input, −g for the second (`a - b`).
    case difference
    /// −g (`-a`).
    case negated
    /// g·y for the first input and g·x for the second, x and y the operands when recorded (`a * b`).
    case product(Tensor, Tensor)
}

/// Arithmetic and elementwise math; each op's forward value and gradient rule side by side.
extension Variable {
    public static func + (a: Variable, b: Variable) throws -> Variable {
        make(.add, try a.value + b.value, a, b, .identity)
    }

    public static func - (a: Variable, b: Variable) throws -> Variable {
        make(.sub, try a.value - b.value, a, b, .difference)
    }

    public static func * (a: Variable, b: Variable) throws -> Variable {
        let (x, y) = (a.value, b.value)
        return make(.mul, try x * y, a, b, .product(x, y))
    }

    public static func / (a: Variable, b: Variable) throws -> Variable {
        let (x, y) = (a.value, b.value)
        return make(.div, try x / y, [a, b]) { g in [try g / y, try -(g * x) / (y * y)] }
    }

    public static prefix func - (a: Variable) -> Variable {
        make(.neg, -a.value, a, .negated)
    }

    // Constants on either side, without allocating a constant node.

    public static func + (a: Variable, c: Double) -> Variable {
        make(.addScalar(c), a.value + c, a, .identity)
    }

    public static func * (a: Variable, c: Double) -> Variable {
        make(.mulScalar(c), a.value * c, a, .scaled(c))
    }

    public static func - (a: Variable, c: Double) -> Variable { a + (-c) }
    public static func + (c: Double, a: Variable) -> Variable { a + c }
    public static func * (c: Double, a: Variable) -> Variable { a * c }
    public static func - (c: Double, a: Variable) -> Variable { -a + c }
    public static func / (a: Variable, c: Double) -> Variable { a * (1 / c) }

    /// `a ** p` for a constant exponent: d/da = p·a^(p−1).
    public static func pow(_ a: Variable, _ p: Double) -> Variable {
        let x = a.value
        return make(.powScalar(p), x.map { Foundation.pow($0, p) }, [a]) { g in
            [try g * x.map { p == 2 ? 2 * $0 : p * Foundation.pow($0, p - 1) }]
        }
    }

    /// `a ** b`: d/da = b·a^(b−1), d/db = a^b·ln a (0 where a ≤ 0).
    public static func pow(_ a: Variable, _ b: Variable) throws -> Variable {
        if b.isLeaf, !b.requiresGrad, b.value.count == 1, b.value.rank <= a.value.rank, let p = b.value.scalar {
            return pow(a, p)
        }
        let (x, y) = (a.value, b.value)
        let out = try Tensor.pow(x, y)
        return make(.pow, out, [a, b]) { g in
            let da = try Tensor.zip(x, y, op: "pow") { u, v in v * Foundation.pow(u, v - 1) }
            let db = try Tensor.zip(out, x, op: "pow") { o, u in u > 0 ? o * Foundation.log(u) : 0 }
            return [try g * da, try g * db]
        }
    }

    /// Python's `%` (floored): d/da = 1, d/db = −floor(a / b).
    public static func mod(_ a: Variable, _ b: Variable) throws -> Variable {
        let (x, y) = (a.value, b.value)
        return make(.mod, try Tensor.mod(x, y), [a, b]) { g in
            [g, try g * Tensor.zip(x, y, op: "mod") { -($0 / $1).rounded(.down) }]
        }
    }

    /// Matrix product with numpy's rules; gradients dA = G·Bᵀ and dB = Aᵀ·G through BLAS
    /// transposes, with 1-d operands promoted and the promotion undone.
    public static func matmul(_ a: Variable, _ b: Variable) throws -> Variable {
        let (x, y) = (a.value, b.value)
        let out = try Tensor.matmul(x, y)
        return make(.matmul, out, [a, b]) { [needA = a.requiresGrad, needB = b.requiresGrad] g in
            if x.rank == 2 && y.rank == 2 {
                return [needA ? try Tensor.gemm(g, y, transA: false, transB: true) : nil,
                        needB ? try Tensor.gemm(x, g, transA: true, transB: false) : nil]
            }
            let x2 = x.rank == 1 ? try x.reshaped([1, x.count]) : x
            let y2 = y.rank == 1 ? try y.reshaped([y.count, 1]) : y
            var gs = g.shape
            if x.rank == 1 { gs.insert(1, at: Swift.max(gs.count - (y.rank == 1 ? 0 : 1), 0)) }
            if y.rank == 1 { gs.append(1) }
            let g2 = try g.reshaped(gs)
            var da = needA ? try Tensor.matmul(g2, y2.swapLastAxes()) : nil
            var db = needB ? try Tensor.matmul(x2.swapLastAxes(), g2) : nil
            if x.rank == 1, let d = da { da = try d.reshaped(Array(d.shape.dropLast(2)) + [x.count]) }
            if y.rank == 1, let d = db { db = try d.reshaped(Array(d.shape.dropLast(2)) + [y.count]) }
            return [da, db]
        }
    }

    // MARK: Elementwise functions

    public func exp() -> Variable {
        let y = value.exp()
        return Variable.make(.exp, y, [self]) { g in [try g * y] }
    }

    /// Natural log; log(0) is −inf, not a crash.
    public func log() -> Variable {
        let x = value
        return Variable.make(.log, x.log(), [self]) { g in [try g / x] }
    }

    public func log2() -> Variable {
        let x = value
        return Variable.make(.log2, x.log2(), [self]) { g in [try g / (x * M_LN2)] }
    }

    public func log10() -> Variable {
        let x = value
        return Variable.make(.log10, x.log10(), [self]) { g in [try g / (x * M_LN10)] }
    }

    public func sqrt() -> Variable {
        let y = value.sqrt()
        return Variable.make(.sqrt, y, [self]) { g in [try g / (y * 2)] }
    }

    /// |x|, with abs'(0) = 0.
    public func abs() -> Variable {
        let x = value
        return Variable.make(.abs, x.abs(), [self]) { g in [try g * x.sign()] }
    }

    /// sign(x): piecewise constant, so no gradient flows.
    public func sign() -> Variable {
        Variable.make(.sign, value.sign(), [self]) { _ in [nil] }
    }

    public func tanh() -> Variable {
        let y = value.tanh()
        return Variable.make(.tanh, y, [self]) { g in [try g * y.map { 1 - $0 * $0 }] }
    }

    public func sin() -> Variable {
        let x = value
        return Variable.make(.sin, x.sin(), [self]) { g in [try g * x.cos()] }
    }

    public func cos() -> Variable {
        let x = value
        return Variable.make(.cos, x.cos(), [self]) { g in [try g * -x.sin()] }
    }

    /// Limits to [lo, hi]; the gradient passes where lo ≤ x ≤ hi (boundaries included).
    public func clip(_ lo: Double, _ hi: Double) -> Variable {
        let x = value
        return Variable.make(.clip(lo: lo, hi: hi), x.clip(lo, hi), [self]) { g in
            [try g * x.map { $0 >= lo && $0 <= hi ? 1 : 0 }]
        }
    }

    /// Elementwise larger value; at a tie each side gets half the gradient.
    public static func maximum(_ a: Variable, _ b: Variable) throws -> Variable {
        let (x, y) = (a.value, b.value)
        return make(.maximum, try Tensor.maximum(x, y), [a, b]) { g in
            [try g * Tensor.zip(x, y, op: "maximum") { $0 > $1 ? 1 : ($0 == $1 ? 0.5 : 0) },
             try g * Tensor.zip(y, x, op: "maximum") { $0 > $1 ? 1 : ($0 == $1 ? 0.5 : 0) }]
        }
    }

    /// Elementwise smaller value; at a tie each side gets half the gradient.
    public static func minimum(_ a: Variable, _ b: Variable) throws -> Variable {
        let (x, y) = (a.value, b.value)
        return make(.minimum, try Tensor.minimum(x, y), [a, b]) { g in
            [try g * Tensor.zip(x, y, op: "minimum") { $0 < $1 ? 1 : ($0 == $1 ? 0.5 : 0) },
             try g * Tensor.zip(y, x, op: "minimum") { $0 < $1 ? 1 : ($0 == $1 ? 0.5 : 0) }]
        }
    }

    /// numpy's `where(cond, x, y)`: x where cond is non-zero, else y; the gradient goes to the side chosen.
    public static func `where`(_ cond: Tensor, _ x: Variable, _ y: Variable) throws -> Variable {
        let shape = try Tensor.broadcastShape(try Tensor.broadcastShape(cond.shape, x.value.shape, op: "where"), y.value.shape, op: "where")
        let c = try cond.broadcast(to: shape), xv = try x.value.broadcast(to: shape), yv = try y.value.broadcast(to: shape)
        var out = [Double](repeating: 0, count: c.count)
        for k in 0..<c.count { out[k] = c.data[k] != 0 ? xv.data[k] : yv.data[k] }
        return make(.where, try Tensor(shape: shape, data: out), [x, y]) { g in
            [try Tensor.zip(g, c, op: "where") { $1 != 0 ? $0 : 0 }, try Tensor.zip(g, c, op: "where") { $1 != 0 ? 0 : $0 }]
        }
    }

    /// A comparison (`==`, `<`, ...) giving 0/1; not differentiable, so the result is a constant.
    public static func compare(_ a: Variable, _ b: Variable, _ op: String) throws -> Variable {
        let f: (Tensor, Tensor) throws -> Tensor
        switch op {
        case "==": f = Tensor.eq
        case "!=": f = Tensor.ne
        case "<": f = Tensor.lt
        case "<=": f = Tensor.le
        case ">": f = Tensor.gt
        case ">=": f = Tensor.ge
        default: throw TensorError.argument(op: "compare", message: "unknown comparison \(op)")
        }
        return Variable(try f(a.value, b.value))
    }

    /// The same value cut off from the graph.
    public func detached() -> Variable { Variable(value) }
}
