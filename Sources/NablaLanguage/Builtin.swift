import NablaAutograd
import NablaTensor

/// A function provided by Nabla (or a layer above it): its signature, the formula it computes,
/// a docstring, and the code. `inspect` and `help` show `docstring`.
public final class Builtin {
    public struct Parameter {
        public var name: String
        public var hasDefault: Bool
        public var variadic: Bool
        /// `**name`: collects keyword arguments no other parameter takes.
        public var keywords: Bool = false
    }

    public let name: String
    /// As a student would call it: `softmax(x, axis=-1)`.
    public let signature: String
    /// The math, in plain Unicode: `softmax(x)_i = e^(x_i) / Σ_j e^(x_j)`.
    public let formula: String?
    public let doc: String
    public let parameters: [Parameter]
    let body: (Args) throws -> Value
    /// For methods (`x.sum`): the receiver, passed as the first argument.
    let receiver: Value?
    /// Arguments are evaluated with every op recorded (`explain` shows how they were computed).
    public let recordsGraph: Bool

    public init(_ signature: String, formula: String? = nil, doc: String, recordsGraph: Bool = false, _ body: @escaping (Args) throws -> Value) {
        self.signature = signature
        self.formula = formula
        self.doc = doc
        self.body = body
        self.receiver = nil
        self.recordsGraph = recordsGraph
        let open = signature.firstIndex(of: "(") ?? signature.endIndex
        name = String(signature[..<open])
        let inner = signature[open...].dropFirst().dropLast()
        parameters = inner.split(separator: ",").map { raw in
            let p = String(raw).trimmed(" ")
            let n = p.split(separator: "=", maxSplits: 1).first.map(String.init) ?? p
            if n.hasPrefix("**") { return Parameter(name: String(n.dropFirst(2)), hasDefault: true, variadic: false, keywords: true) }
            return Parameter(name: n.hasPrefix("*") ? String(n.dropFirst()) : n, hasDefault: p.contains("="), variadic: n.hasPrefix("*"))
        }
    }

    private init(bound: Builtin, to receiver: Value) {
        name = bound.name; signature = bound.signature; formula = bound.formula; doc = bound.doc
        parameters = bound.parameters; body = bound.body; self.receiver = receiver; recordsGraph = bound.recordsGraph
    }

    /// This builtin with `receiver` as its first argument (a method).
    public func bound(to receiver: Value) -> Builtin { Builtin(bound: self, to: receiver) }

    /// What `help` and `inspect` show.
    public var docstring: String {
        var s = signature + "\n\n" + doc
        if let formula { s += "\n\n    " + formula }
        return s
    }
}

extension String {
    func trimmed(_ set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}

/// The arguments of one builtin call, bound to parameter names, with typed accessors that
/// throw student-readable errors.
public struct Args {
    public let builtin: Builtin
    public let span: Span
    public let interpreter: Interpreter
    public internal(set) var named: [String: Value] = [:]
    /// Extra positional arguments of a `*name` parameter.
    public var rest: [Value] = []
    /// Keyword arguments collected by a `**name` parameter, in call order.
    public var extraKeywords: [(String, Value)] = []

    init(builtin: Builtin, positional: [Value], keywords: [(String, Value)], span: Span, interpreter: Interpreter) throws {
        self.builtin = builtin; self.span = span; self.interpreter = interpreter
        let params = builtin.parameters
        var pos = positional
        if let r = builtin.receiver { pos.insert(r, at: 0) }
        var i = 0
        for p in params where !p.keywords {
            if p.variadic { rest = Array(pos[min(i, pos.count)...]); i = pos.count; break }
            if i < pos.count { named[p.name] = pos[i]; i += 1 }
        }
        if i < pos.count {
            throw NablaError(.type, "\(builtin.name)() takes \(params.count) positional argument\(params.count == 1 ? "" : "s") but \(pos.count) were given", at: span)
        }
        let collects = params.contains { $0.keywords }
        for (k, v) in keywords {
            if collects, !params.contains(where: { $0.name == k && !$0.variadic && !$0.keywords }) {
                extraKeywords.append((k, v))
                continue
            }
            guard params.contains(where: { $0.name == k && !$0.variadic && !$0.keywords }) else {
                let hint = suggest(k, among: params.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                throw NablaError(.type, "\(builtin.name)() got an unexpected keyword argument '\(k)'\(hint)", at: span)
            }
            guard named[k] == nil else { throw NablaError(.type, "\(builtin.name)() got multiple values for argument '\(k)'", at: span) }
            named[k] = v
        }
        for p in params where !p.hasDefault && !p.variadic && !p.keywords && named[p.name] == nil {
            throw NablaError(.type, "\(builtin.name)() missing required argument '\(p.name)' — usage: \(builtin.signature)", at: span)
        }
    }

    public func value(_ name: String) -> Value? {
        guard let v = named[name] else { return nil }
        if case .none = v { return nil }
        return v
    }

    public func has(_ name: String) -> Bool { value(name) != nil }

    func fail(_ name: String, _ what: String, _ v: Value) -> NablaError {
        NablaError(.type, "\(builtin.name)(): '\(name)' must be \(what), got \(v.typeName)", at: span)
    }

    public func tensor(_ name: String) throws -> Variable {
        guard let v = value(name) else { throw NablaError(.type, "\(builtin.name)(): '\(name)' must be a tensor, got None", at: span) }
        return try interpreter.toVariable(v, span: span, what: "\(builtin.name)(): '\(name)'")
    }

    public func optionalTensor(_ name: String) throws -> Variable? { has(name) ? try tensor(name) : nil }

    public func double(_ name: String, default d: Double? = nil) throws -> Double {
        guard let v = value(name) else {
            if let d { return d }
            throw NablaError(.type, "\(builtin.name)(): '\(name)' must be a number", at: span)
        }
        switch v {
        case let .bool(b): return b ? 1 : 0
        case let .int(i): return Double(i)
        case let .float(d): return d
        case let .tensor(t) where t.value.count == 1: return t.value.data[0]
        default: throw fail(name, "a number", v)
        }
    }

    public func int(_ name: String, default d: Int? = nil) throws -> Int {
        guard let v = value(name) else {
            if let d { return d }
            throw NablaError(.type, "\(builtin.name)(): '\(name)' must be a whole number", at: span)
        }
        return try interpreter.toInt(v, span: span, what: "\(builtin.name)(): '\(name)'")
    }

    public func optionalInt(_ name: String) throws -> Int? { has(name) ? try int(name) : nil }

    public func bool(_ name: String, default d: Bool) throws -> Bool {
        guard let v = value(name) else { return d }
        return try interpreter.truthy(v, span: span)
    }

    public func string(_ name: String, default d: String? = nil) throws -> String {
        guard let v = value(name) else {
            if let d { return d }
            throw NablaError(.type, "\(builtin.name)(): '\(name)' must be a string", at: span)
        }
        guard case let .string(s) = v else { throw fail(name, "a string", v) }
        return s
    }

    /// Elements of a list, tuple or range argument (or a lone value as a one-element list).
    public func sequence(_ name: String) throws -> [Value] {
        if case .none? = named[name] { throw NablaError(.type, "'NoneType' object is not iterable", at: span) }
        guard let v = value(name) else { return [] }
        return try interpreter.elements(v, span: span)
    }

    /// A shape given as separate ints (`zeros(2, 3)`) or one tuple/list (`zeros((2, 3))`):
    /// the parameter `first` (if any) and the `*` extras.
    public func shape(_ first: String? = nil) throws -> [Int] {
        var items = [Value]()
        if let first, let v = value(first) { items.append(v) }
        items += rest
        if items.count == 1, case .tensor(let t) = items[0], t.value.rank == 1 { return try t.value.indices(op: builtin.name) }
        if items.count == 1, (try? interpreter.elements(items[0], span: span)) != nil, !isNumber(items[0]) {
            items = try interpreter.elements(items[0], span: span)
        }
        return try items.map { try interpreter.toInt($0, span: span, what: "\(builtin.name)(): a dimension") }
    }

    func isNumber(_ v: Value) -> Bool {
        switch v {
        case let .tensor(t): return t.value.rank == 0
        case .int, .float, .bool: return true
        default: return false
        }
    }
}

/// The closest name to a misspelling, for "did you mean" hints (edit distance ≤ 2, or ≤ 1 for short names).
public func suggest(_ name: String, among names: [String]) -> String? {
    let a = Array(name)
    var best: (String, Int)?
    for n in names where n != name {
        let b = Array(n)
        if Swift.abs(a.count - b.count) > 2 { continue }
        var prev = Array(0...b.count)
        for i in 1...max(a.count, 1) where a.count > 0 {
            var cur = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        let d = prev[b.count]
        let limit = a.count <= 3 ? 1 : 2
        guard d <= limit else { continue }
        if let cur = best, cur.1 < d || (cur.1 == d && cur.0 <= n) { continue }
        best = (n, d)
    }
    return best?.0
}
