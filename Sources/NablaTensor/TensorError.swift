import Foundation

/// What went wrong in a tensor operation. Every misuse of the engine throws one of these,
/// never traps; `description` is the sentence a student reads.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Two shapes that do not broadcast together under numpy's rules.
    case broadcast(op: String, lhs: [Int], rhs: [Int])
    /// `a @ b` whose inner dimensions differ.
    case matmul(lhs: [Int], rhs: [Int], inner: Int, other: Int)
    /// An axis outside `-rank..<rank`.
    case axis(op: String, axis: Int, rank: Int)
    /// An index outside `-size..<size` along one axis.
    case index(op: String, index: Int, axis: Int, size: Int)
    /// A shape that is not allowed here (e.g. a reshape to a different element count).
    case shape(op: String, message: String)
    /// A tensor larger than the configured memory limit, refused before allocation
    /// (`limitBytes` is `Int.max` when its element count does not even fit in an Int).
    case tooLarge(op: String, shape: [Int], limitBytes: Int)
    /// Any other bad argument, with the reason.
    case argument(op: String, message: String)
    /// The caller's cancellation token fired during a long operation.
    case interrupted

    public var description: String {
        switch self {
        case let .broadcast(op, l, r):
            return "\(op): shapes \(formatShape(l)) and \(formatShape(r)) do not broadcast"
        case let .matmul(l, r, inner, other):
            return "matmul: \(formatShape(l)) @ \(formatShape(r)) — inner dimensions \(inner) and \(other) differ"
        case let .axis(op, axis, rank):
            return "\(op): axis \(axis) is out of range for a tensor of rank \(rank)"
        case let .index(op, index, axis, size):
            return (op == "index" ? "" : "\(op): ") + "index \(index) is out of range for axis \(axis) with size \(size)"
        case let .shape(op, message), let .argument(op, message):
            return "\(op): \(message)"
        case let .tooLarge(op, shape, limit) where limit == Int.max:
            return "\(op): a tensor of shape \(formatShape(shape)) has more elements than memory can address"
        case let .tooLarge(op, shape, limit):
            return "\(op): a tensor of shape \(formatShape(shape)) exceeds the memory limit of \(formatBytes(limit))"
        case .interrupted:
            return "interrupted"
        }
    }
}

/// numpy's way of writing a shape: `()`, `(3,)`, `(2, 3)`.
public func formatShape(_ shape: [Int]) -> String {
    switch shape.count {
    case 0: return "()"
    case 1: return "(\(shape[0]),)"
    default: return "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

func formatBytes(_ n: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(n), u = 0
    while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
    return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
}
