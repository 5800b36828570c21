import NablaAutograd
import NablaTensor

/// A runtime value of the language. Numbers are 0-d tensors.
public enum Value {
    case tensor(Variable)
    case bool(Bool)
    case none
    case string(String)
    case list(ListRef)
    case tuple([Value])
    case range(RangeValue)
    case function(Function)
    case builtin(Builtin)
    case object(NablaObject)

    public static func number(_ x: Double) -> Value { .tensor(Variable(x)) }
    public static func tensor(_ t: Tensor) -> Value { .tensor(Variable(t)) }

    /// The name a student would use for the type, for error messages and `inspect`.
    public var typeName: String {
        switch self {
        case let .tensor(v):
            if v.requiresGrad { return v.isLeaf ? "param" : "tensor (tracked)" }
            return v.value.rank == 0 ? "number" : "tensor"
        case .bool: return "bool"
        case .none: return "None"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .range: return "range"
        case .function: return "function"
        case .builtin: return "builtin function"
        case let .object(o): return o.typeName
        }
    }
}

/// Python lists are shared, mutable objects.
public final class ListRef {
    public var items: [Value]
    public init(_ items: [Value]) { self.items = items }
}

/// `range(start, stop, step)`, never materialized, so `range(1e12)` costs nothing until iterated.
public struct RangeValue {
    public var start: Int, stop: Int, step: Int
    public var count: Int {
        if step > 0 { return stop > start ? (stop - start - 1) / step + 1 : 0 }
        return start > stop ? (start - stop - 1) / (-step) + 1 : 0
    }
    public func element(_ i: Int) -> Int { start + i * step }
}

/// A function defined with `def` or `lambda`, closing over the scope it was defined in.
public final class Function {
    public let name: String
    public let params: [Param]
    public let defaults: [Value?]
    public let body: Body
    let closure: Scope
    public let doc: String?

    public enum Body { case block([Stmt]), expr(Expr) }

    init(name: String, params: [Param], defaults: [Value?], body: Body, closure: Scope, doc: String?) {
        self.name = name; self.params = params; self.defaults = defaults; self.body = body; self.closure = closure; self.doc = doc
    }

    public var signature: String {
        "\(name)(" + params.map { $0.defaultValue == nil ? $0.name : "\($0.name)=…" }.joined(separator: ", ") + ")"
    }
}

/// A value defined by a layer above the language (plots, tables, display handles) or by a
/// builtin (optimizers): it has a type name, attributes, and methods.
public protocol NablaObject: AnyObject {
    var typeName: String { get }
    /// The text shown for the object in a result or by print.
    var text: String { get }
    /// `obj.name`: a value, a bound method (a builtin), or nil when there is no such attribute.
    func attribute(_ name: String) -> Value?
    /// Attribute names offered by completion.
    var attributeNames: [String] { get }
}

/// Name → value bindings, with a parent for closures (function scope → defining scope).
final class Scope {
    var values: [String: Value] = [:]
    let parent: Scope?
    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var s: Scope? = self
        while let cur = s {
            if let v = cur.values[name] { return v }
            s = cur.parent
        }
        return nil
    }

    /// Every name visible from here (for completion and suggestions).
    var allNames: Set<String> {
        var names = Set(values.keys)
        if let parent { names.formUnion(parent.allNames) }
        return names
    }
}
