import NablaAutograd
import NablaTensor

/// A runtime value of the language. Python's ints and floats are `.int` and `.float`; tensors
/// (numpy arrays, 0-d ones included) are `.tensor`; a comparison of tensors gives a boolean
/// `.mask`, which indexes like numpy's boolean arrays.
public enum Value {
    case int(Int)
    case bigint(BigInt)                     // an int beyond 64 bits
    case float(Double)
    case tensor(Variable)
    case mask(Tensor)
    case bool(Bool)
    case none
    case string(String)
    case list(ListRef)
    case tuple([Value])
    case dict(DictRef)
    case set(SetRef)
    case range(RangeValue)
    indirect case slice(Value, Value, Value)
    case iterator(IteratorRef)
    case function(Function)
    case builtin(Builtin)
    case cls(ClassObject)
    case instance(Instance)
    indirect case method(Value, Function)           // a function bound to its `self`
    indirect case superProxy(ClassObject, Value)     // super(): lookups start after the class
    case module(Module)
    case object(NablaObject)

    /// A 0-d tensor (what the lecture functions return).
    public static func number(_ x: Double) -> Value { .tensor(Variable(x)) }
    public static func tensor(_ t: Tensor) -> Value { .tensor(Variable(t)) }

    /// The name a student would use for the type, for error messages and `inspect`.
    public var typeName: String {
        switch self {
        case .int, .bigint: return "int"
        case .float: return "float"
        case let .tensor(v):
            if v.requiresGrad { return v.isLeaf ? "param" : "tensor (tracked)" }
            return v.value.rank == 0 ? "number" : "tensor"
        case .mask: return "bool tensor"
        case .bool: return "bool"
        case .none: return "NoneType"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case let .dict(d): return d.kind
        case .set: return "set"
        case .range: return "range"
        case .slice: return "slice"
        case let .iterator(it): return it.kind
        case .function: return "function"
        case .builtin: return "builtin_function_or_method"
        case .cls: return "type"
        case let .instance(o): return o.cls.name
        case .method: return "method"
        case .superProxy: return "super"
        case .module: return "module"
        case let .object(o): return o.typeName
        }
    }
}

/// Python lists are shared, mutable objects.
public final class ListRef {
    public var items: [Value]
    public init(_ items: [Value]) { self.items = items }
}

/// What a dict or set key is hashed as: numbers equal in Python (1, 1.0, True) hash alike.
public enum HashKey: Hashable {
    case num(Double)
    case bigInt(Int)
    case str(String)
    case none
    case tuple([HashKey])
    case identity(ObjectIdentifier)
}

/// Python's dict: insertion-ordered, shared and mutable.
public final class DictRef {
    public private(set) var keys: [Value] = []
    public private(set) var values: [Value] = []
    private var index: [HashKey: Int] = [:]
    /// "dict", or collections' "defaultdict", "Counter", "OrderedDict".
    public var kind = "dict"
    /// defaultdict's factory, called for a missing key.
    public var defaultFactory: Value?
    public init() {}

    public var count: Int { keys.count }
    public func get(_ h: HashKey) -> Value? { index[h].map { values[$0] } }
    public func set(_ h: HashKey, _ k: Value, _ v: Value) {
        if let i = index[h] { values[i] = v } else { index[h] = keys.count; keys.append(k); values.append(v) }
    }
    @discardableResult public func remove(_ h: HashKey) -> Value? {
        guard let i = index[h] else { return nil }
        let v = values[i]
        keys.remove(at: i); values.remove(at: i)
        index[h] = nil
        for (k, j) in index where j > i { index[k] = j - 1 }
        return v
    }
    public func clear() { keys = []; values = []; index = [:] }
    public func contains(_ h: HashKey) -> Bool { index[h] != nil }
}

/// Python's set (kept in insertion order, so printing is reproducible).
public final class SetRef {
    public private(set) var items: [Value] = []
    private var index: [HashKey: Int] = [:]
    public init() {}
    public var count: Int { items.count }
    public func contains(_ h: HashKey) -> Bool { index[h] != nil }
    public func insert(_ h: HashKey, _ v: Value) { if index[h] == nil { index[h] = items.count; items.append(v) } }
    @discardableResult public func remove(_ h: HashKey) -> Bool {
        guard let i = index[h] else { return false }
        items.remove(at: i); index[h] = nil
        for (k, j) in index where j > i { index[k] = j - 1 }
        return true
    }
    public func clear() { items = []; index = [:] }
}

/// An iterator (a generator's values, zip, map, enumerate, ...): consumed once.
public final class IteratorRef {
    public var items: [Value]
    public var position = 0
    public let kind: String
    /// A dict view (keys, values, items): iterated again and again, never consumed.
    public var isView = false
    /// Items made on demand (a generator's body, a zip over iterators), after `items`.
    var pull: (() throws -> Value?)?
    /// A generator's body, closed (its thread unwound) when the iterator is dropped unfinished.
    var runner: GeneratorRunner?
    public init(_ items: [Value], kind: String) { self.items = items; self.kind = kind }
    /// An iterator whose items are made one at a time by `pull` (nil at the end).
    init(kind: String, pull: @escaping () throws -> Value?) { items = []; self.kind = kind; self.pull = pull }
    deinit { runner?.close() }
    public func next() throws -> Value? {
        if position < items.count {
            defer { position += 1 }
            return items[position]
        }
        guard let p = pull else { return nil }
        if let v = try p() { return v }
        pull = nil
        return nil
    }
}

/// `range(start, stop, step)`, never materialized, so `range(1e12)` costs nothing until iterated.
public struct RangeValue {
    public var start: Int, stop: Int, step: Int
    public var count: Int {
        if step > 0 { return stop > start ? Int((stop - start - 1).magnitude / UInt(step)) + 1 : 0 }
        return start > stop ? Int((start - stop - 1).magnitude / step.magnitude) + 1 : 0
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
    /// Its locals and their slots, shared by every function made from the same definition.
    let layout: FunctionLayout
    /// The body contains `yield`: calling the function gives a generator.
    var isGenerator: Bool { layout.isGenerator }
    /// The parameters taken by position, and the `*args` and `**kwargs` ones: worked out once,
    /// not on every call.
    let positional: [Param]
    let star: Param?, starStar: Param?
    /// The slots of the positional parameters, in order.
    let positionalSlots: [Int]
    /// Every argument is a plain positional parameter (no defaults needed, no `*`, `**`, keyword-only).
    let onlyPositional: Bool
    /// The expression whose value the call returns, when that is all the body does (a lambda, or a
    /// def whose body is one `return expr`): run without the statement machinery.
    let resultExpr: Expr?
    /// The class whose body defined this function (for `super()`).
    var definingClass: ClassObject?
    var isStatic = false, isClassMethod = false, isProperty = false

    public enum Body { case block([Stmt]), expr(Expr) }

    init(name: String, params: [Param], defaults: [Value?], body: Body, closure: Scope, doc: String?, layout: FunctionLayout) {
        self.name = name; self.params = params; self.defaults = defaults; self.body = body; self.closure = closure; self.doc = doc
        self.layout = layout
        positional = params.filter { $0.kind == .normal && !$0.keywordOnly }
        star = params.first { $0.kind == .star }
        starStar = params.first { $0.kind == .starStar }
        onlyPositional = positional.count == params.count
        positionalSlots = params.indices.filter { params[$0].kind == .normal && !params[$0].keywordOnly }.map { layout.paramSlots[$0] }
        switch body {
        case let .expr(e): resultExpr = e
        case let .block(stmts):
            if stmts.count == 1, !layout.isGenerator, case let .returnStmt(e?) = stmts[0].kind { resultExpr = e } else { resultExpr = nil }
        }
    }

    public var signature: String {
        "\(name)(" + params.map {
            switch $0.kind {
            case .star: return "*" + $0.name
            case .starStar: return "**" + $0.name
            case .normal: return $0.defaultValue == nil ? $0.name : "\($0.name)=…"
            }
        }.joined(separator: ", ") + ")"
    }
}

/// What a `def` or lambda binds, worked out once per definition (cached on its syntax node):
/// its locals live in an array of slots, parameters first, as CPython's fast locals do.
final class FunctionLayout {
    /// The locals (names assigned in the body, minus those declared global or nonlocal).
    let table: SlotTable
    /// The slot of each parameter, in `params` order.
    let paramSlots: [Int]
    let globalNames: Set<String>
    let nonlocalNames: Set<String>
    let isGenerator: Bool

    init(params: [Param], body: Function.Body) {
        var info = LocalNames()
        if case let .block(stmts) = body { info.scan(stmts) }
        globalNames = info.globals
        nonlocalNames = info.nonlocals
        isGenerator = info.yields
        let table = SlotTable(fixed: true)
        paramSlots = params.map { table.slot(of: $0.name) ?? table.add($0.name) }
        for n in info.assigned.subtracting(info.globals).subtracting(info.nonlocals).sorted() where table.slot(of: n) == nil { _ = table.add(n) }
        self.table = table
    }

    /// The layout of a definition, computed the first time it runs.
    static func of(_ params: [Param], _ body: Function.Body, cache: inout FunctionLayout?) -> FunctionLayout {
        if let l = cache { return l }
        let l = FunctionLayout(params: params, body: body)
        cache = l
        return l
    }
}

/// Names → slot numbers of a scope whose variables live in an array: a function's locals (fixed
/// when its definition is read) or the module's globals (growing as names are bound; a slot,
/// once given, keeps its number, so a name expression may cache it).
final class SlotTable {
    private(set) var names: [String] = []
    private var index: [String: Int] = [:]
    /// No names are added after the layout is made, so "not here" may be cached too.
    let fixed: Bool
    init(fixed: Bool) { self.fixed = fixed }
    var count: Int { names.count }
    func slot(of n: String) -> Int? { index[n] }
    func add(_ n: String) -> Int {
        if let i = index[n] { return i }
        index[n] = names.count
        names.append(n)
        return names.count - 1
    }
}

/// The names a function body binds, for Python's scoping rules.
struct LocalNames {
    var assigned = Set<String>(), globals = Set<String>(), nonlocals = Set<String>()
    var yields = false

    mutating func target(_ e: Expr) {
        switch e.kind {
        case let .name(n): assigned.insert(n)
        case let .tuple(items), let .list(items): items.forEach { target($0) }
        case let .starred(inner): target(inner)
        default: break
        }
    }

    mutating func scan(_ body: [Stmt]) {
        for s in body {
            switch s.kind {
            case let .assign(targets, _): targets.forEach { target($0) }
            case let .augAssign(t, _, _): target(t)
            case let .annAssign(t, _): target(t)
            case let .ifStmt(branches, orelse): branches.forEach { scan($0.1) }; if let orelse { scan(orelse) }
            case let .whileStmt(_, b, o): scan(b); if let o { scan(o) }
            case let .forStmt(t, _, b, o): target(t); scan(b); if let o { scan(o) }
            case let .def(n, _, _, _), let .classDef(n, _, _, _): assigned.insert(n)
            case let .with(_, n, b): if let n { assigned.insert(n) }; scan(b)
            case let .tryStmt(b, handlers, o, f):
                scan(b); for h in handlers { if let n = h.name { assigned.insert(n) }; scan(h.body) }
                if let o { scan(o) }; if let f { scan(f) }
            case let .global(ns): globals.formUnion(ns)
            case let .nonlocal(ns): nonlocals.formUnion(ns)
            case let .del(ts): ts.forEach { target($0) }
            case let .importStmt(ns): for (n, a) in ns { assigned.insert(a ?? String(n.split(separator: ".").first ?? "")) }
            case let .fromImport(_, ns): for (n, a) in ns where n != "*" { assigned.insert(a ?? n) }
            case .yield: yields = true
            default: break
            }
        }
    }
}

/// A class: its name, bases, and the attributes its body defined.
public final class ClassObject {
    public let name: String
    public let bases: [ClassObject]
    public var attrs: [String: Value] = [:]
    public var attrOrder: [String] = []
    /// For the builtin exception classes: the error kind they correspond to.
    public let errorKind: ErrorKind?
    public var doc: String?

    public init(name: String, bases: [ClassObject], errorKind: ErrorKind? = nil) {
        self.name = name; self.bases = bases; self.errorKind = errorKind
    }

    /// Method resolution order (C3 linearization; falls back to depth-first on conflicts).
    public lazy var mro: [ClassObject] = {
        var seqs = bases.map { $0.mro } + [bases]
        var out: [ClassObject] = [self]
        while true {
            seqs = seqs.filter { !$0.isEmpty }
            if seqs.isEmpty { return out }
            guard let head = seqs.lazy.map({ $0[0] }).first(where: { h in !seqs.contains { $0.dropFirst().contains { $0 === h } } }) else {
                for s in seqs { for c in s where !out.contains(where: { $0 === c }) { out.append(c) } }
                return out
            }
            out.append(head)
            seqs = seqs.map { $0.first === head ? Array($0.dropFirst()) : $0 }
        }
    }()

    public func lookup(_ name: String) -> Value? {
        for c in mro { if let v = c.attrs[name] { return v } }
        return nil
    }

    public func isSubclass(of other: ClassObject) -> Bool { mro.contains { $0 === other } }

    func set(_ name: String, _ v: Value) {
        if attrs[name] == nil { attrOrder.append(name) }
        attrs[name] = v
    }
}

/// An instance of a class defined in the language (or of a builtin exception class).
public final class Instance {
    public let cls: ClassObject
    public var attrs: [String: Value] = [:]
    public var attrOrder: [String] = []
    public init(_ cls: ClassObject) { self.cls = cls }
    func set(_ name: String, _ v: Value) {
        if attrs[name] == nil { attrOrder.append(name) }
        attrs[name] = v
    }
}

/// `import numpy as np`: a namespace of values.
public final class Module {
    public let name: String
    public var members: [String: Value]
    public init(name: String, members: [String: Value]) { self.name = name; self.members = members }
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

/// Python's `Ellipsis` (`...`): in an index, every axis the other entries do not name.
final class EllipsisObject: NablaObject, Sendable {
    static let shared = EllipsisObject()
    var typeName: String { "ellipsis" }
    var text: String { "Ellipsis" }
    func attribute(_ name: String) -> Value? { nil }
    var attributeNames: [String] { [] }
}

/// An object with attributes a student may assign (`opt.lr = 0.01`).
public protocol MutableAttributes: NablaObject {
    /// Sets `name`, or returns false when the object has no such settable attribute.
    func setAttribute(_ name: String, _ value: Value, interpreter: Interpreter) throws -> Bool
}

/// Name → value bindings, with a parent for closures (function scope → defining scope).
/// A function's locals and the module's globals live in `slots` (numbered by `table`); class
/// bodies, comprehensions and the rare name bound outside a function's layout use `values`.
final class Scope {
    var values: [String: Value] = [:]
    /// The slot values (nil: unbound), `slotCount` of them, numbered by `table`. Raw memory owned
    /// by the scope: a call allocates it once, with no array bookkeeping on each access.
    private(set) var slots: UnsafeMutablePointer<Value?>
    private(set) var slotCount: Int
    let table: SlotTable?
    let parent: Scope?
    /// The function running in this scope (its locals, globals and nonlocals), nil at the top level.
    let function: Function?
    /// The body of a class statement: functions defined here close over the parent instead.
    var isClassBody = false
    /// For generator functions: hands a yielded value to the consumer and waits to be resumed.
    var yieldTo: ((Value) throws -> Void)?
    init(parent: Scope?, function: Function? = nil) {
        self.parent = parent; self.function = function
        if let function {
            table = function.layout.table
            slotCount = function.layout.table.count
        } else {
            table = parent == nil ? SlotTable(fixed: false) : nil
            slotCount = 0
        }
        slots = .allocate(capacity: Swift.max(slotCount, 1))
        slots.initialize(repeating: nil, count: slotCount)
    }

    deinit {
        // One by one, moved out: a typed destroy (deinitialize(count:) goes through the generic runtime).
        for i in 0..<slotCount { _ = (slots + i).move() }
        slots.deallocate()
    }

    /// The value bound to `n` in this scope itself (not its parents).
    func get(_ n: String) -> Value? {
        if let table, let i = table.slot(of: n), i < slotCount, let v = slots[i] { return v }
        return values.isEmpty ? nil : values[n]
    }

    /// Binds `n` in this scope itself.
    func set(_ n: String, _ v: Value) {
        if let table {
            if let i = table.slot(of: n) { setSlot(i, v); return }   // bounds-checked: a growing table may be ahead of these slots
            if !table.fixed { setSlot(table.add(n), v); return }
        }
        values[n] = v
    }

    /// Stores into slot `i` of this scope (a growing table may have just added it).
    @inline(__always) func setSlot(_ i: Int, _ v: Value) {
        if i >= slotCount { grow(to: i + 1) }
        slots[i] = v
    }

    /// Room for at least `n` slots (the globals, as names are added).
    private func grow(to n: Int) {
        let count = Swift.max(n, 2 * slotCount, 16)
        let more = UnsafeMutablePointer<Value?>.allocate(capacity: count)
        more.moveInitialize(from: slots, count: slotCount)
        (more + slotCount).initialize(repeating: nil, count: count - slotCount)
        slots.deallocate()
        slots = more
        slotCount = count
    }

    /// Unbinds `n` here; false when it was not bound.
    @discardableResult func remove(_ n: String) -> Bool {
        if let table, let i = table.slot(of: n), i < slotCount, slots[i] != nil { slots[i] = nil; return true }
        return values.removeValue(forKey: n) != nil
    }

    /// The names bound in this scope itself.
    var boundNames: [String] {
        var out = Array(values.keys)
        if let table { for (i, n) in table.names.enumerated() where i < slotCount && slots[i] != nil { out.append(n) } }
        return out
    }

    func lookup(_ name: String) -> Value? {
        var s: Scope? = self
        while let cur = s {
            if let v = cur.get(name) { return v }
            s = cur.parent
        }
        return nil
    }

    var root: Scope { var s = self; while let p = s.parent { s = p }; return s }

    /// Every name visible from here (for completion and suggestions).
    var allNames: Set<String> {
        var names = Set(boundNames)
        if let parent { names.formUnion(parent.allNames) }
        return names
    }
}
