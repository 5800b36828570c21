import NablaAutograd
import NablaTensor

/// One parameter of a builtin, declared once: its name, the kind of value it takes, its default
/// and how it is passed. Binding, type checks, `help`, completion and the reference read it.
public struct Parameter: Sendable, Equatable {
    /// The kind of value a parameter takes; arguments are checked and converted when bound.
    public enum Kind: Sendable, Equatable {
        case tensor, number, int, bool, string, shape, sequence, callable, any
        /// One of a few strings (`reduction='mean'`).
        case choice([String])

        /// As `help` and the reference name it.
        public var name: String {
            switch self {
            case .tensor: return "tensor"
            case .number: return "number"
            case .int: return "int"
            case .bool: return "bool"
            case .string: return "str"
            case .shape: return "shape"
            case .sequence: return "iterable"
            case .callable: return "callable"
            case .any: return "any"
            case let .choice(options): return options.map { "'\($0)'" }.joined(separator: " | ")
            }
        }
    }

    /// How an argument reaches the parameter.
    public enum Mode: Sendable, Equatable {
        /// By position or by keyword.
        case standard
        /// By keyword only (Python's parameters after `*`).
        case keywordOnly
        /// `*name`: the extra positional arguments.
        case variadic
        /// `**name`: the keyword arguments no other parameter takes.
        case keywords
    }

    public let name: String
    public let kind: Kind
    public let mode: Mode
    /// `.required` when the caller must give it.
    public let defaultValue: Default

    public init(_ name: String, _ kind: Kind, mode: Mode = .standard, default d: Default = .required) {
        self.name = name; self.kind = kind; self.mode = mode; self.defaultValue = d
    }

    public var hasDefault: Bool { defaultValue != .required || mode == .variadic || mode == .keywords }
    public var variadic: Bool { mode == .variadic }
    public var keywords: Bool { mode == .keywords }

    public static func tensor(_ n: String, default d: Default = .required, keywordOnly k: Bool = false) -> Parameter { Parameter(n, .tensor, mode: k ? .keywordOnly : .standard, default: d) }
    public static func number(_ n: String, default d: Default = .required, keywordOnly k: Bool = false) -> Parameter { Parameter(n, .number, mode: k ? .keywordOnly : .standard, default: d) }
    public static func int(_ n: String, default d: Default = .required, keywordOnly k: Bool = false) -> Parameter { Parameter(n, .int, mode: k ? .keywordOnly : .standard, default: d) }
    public static func bool(_ n: String, default d: Default = .required, keywordOnly k: Bool = false) -> Parameter { Parameter(n, .bool, mode: k ? .keywordOnly : .standard, default: d) }
    public static func string(_ n: String, default d: Default = .required, keywordOnly k: Bool = false) -> Parameter { Parameter(n, .string, mode: k ? .keywordOnly : .standard, default: d) }
    public static func shape(_ n: String, default d: Default = .required, keywordOnly k: Bool = false) -> Parameter { Parameter(n, .shape, mode: k ? .keywordOnly : .standard, default: d) }
    public static func sequence(_ n: String, default d: Default = .required, keywordOnly k: Bool = false) -> Parameter { Parameter(n, .sequence, mode: k ? .keywordOnly : .standard, default: d) }
    public static func callable(_ n: String, default d: Default = .required, keywordOnly k: Bool = false) -> Parameter { Parameter(n, .callable, mode: k ? .keywordOnly : .standard, default: d) }
    public static func any(_ n: String, default d: Default = .required, keywordOnly k: Bool = false) -> Parameter { Parameter(n, .any, mode: k ? .keywordOnly : .standard, default: d) }
    public static func choice(_ n: String, _ options: [String], default d: Default = .required, keywordOnly k: Bool = false) -> Parameter { Parameter(n, .choice(options), mode: k ? .keywordOnly : .standard, default: d) }
    /// `*name`: extra positional arguments, each of `kind`.
    public static func args(_ n: String, _ kind: Kind = .any) -> Parameter { Parameter(n, kind, mode: .variadic) }
    /// `**name`: keyword arguments no other parameter takes.
    public static func kwargs(_ n: String) -> Parameter { Parameter(n, .any, mode: .keywords) }

    /// As Python writes it in a signature: `alpha=0.1`, `*values`, `**kwargs`.
    public var python: String {
        switch mode {
        case .variadic: return "*" + name
        case .keywords: return "**" + name
        default: return defaultValue == .required ? name : name + "=" + defaultValue.python
        }
    }
}

/// A parameter's default, written as a literal in the declaration (`default: 0.1`, `default: nil`
/// for None, `default: "mean"`).
public enum Default: Sendable, Equatable, ExpressibleByNilLiteral, ExpressibleByIntegerLiteral,
                     ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    /// No default: the caller must give the argument.
    case required
    /// Python's None.
    case none
    case bool(Bool), int(Int), float(Double), string(String)
    /// A named number shown by its name (`base=e`).
    case constant(String, Double)
    case tuple([Default])

    public init(nilLiteral: ()) { self = .none }
    public init(integerLiteral v: Int) { self = .int(v) }
    public init(floatLiteral v: Double) { self = .float(v) }
    public init(stringLiteral v: String) { self = .string(v) }
    public init(booleanLiteral v: Bool) { self = .bool(v) }

    /// The value a call gets when it leaves the argument out (nil for required).
    public var value: Value? {
        switch self {
        case .required: return nil
        case .none: return Value.none
        case let .bool(b): return .bool(b)
        case let .int(i): return .int(i)
        case let .float(d), let .constant(_, d): return .float(d)
        case let .string(s): return .string(s)
        case let .tuple(t): return .tuple(t.compactMap(\.value))
        }
    }

    /// As Python prints it in a signature.
    public var python: String {
        switch self {
        case .required: return ""
        case .none: return "None"
        case let .bool(b): return b ? "True" : "False"
        case let .int(i): return String(i)
        case let .float(d): return Interpreter.pyFloat(d)
        case let .constant(n, _): return n
        case let .string(s): return Interpreter.quote(s)
        case let .tuple(t): return t.count == 1 ? "(\(t[0].python),)" : "(" + t.map(\.python).joined(separator: ", ") + ")"
        }
    }
}

/// A function provided by Nabla (or a layer above it), declared once: its name, typed parameters,
/// the formula it computes, a docstring, an example and the code. Everything a student sees
/// about it (`help`, `inspect`, completion, the reference, error messages) is derived from this.
public final class Builtin {
    public let name: String
    public let parameters: [Parameter]
    /// The math, in plain Unicode: `softmax(x)_i = e^(x_i) / Σ_j e^(x_j)`.
    public let formula: String?
    public let doc: String
    /// A short program that shows it at work (run by the reference, with its output).
    public let example: String?
    let body: (Args) throws -> Value
    /// For methods (`x.sum`): the receiver, passed as the first argument.
    let receiver: Value?
    /// Arguments are evaluated with every op recorded (`explain` shows how they were computed).
    public let recordsGraph: Bool

    public init(_ name: String, _ parameters: [Parameter] = [], formula: String? = nil, doc: String, example: String? = nil,
                recordsGraph: Bool = false, _ body: @escaping (Args) throws -> Value) {
        self.name = name; self.parameters = parameters; self.formula = formula; self.doc = doc; self.example = example
        self.body = body; self.receiver = nil; self.recordsGraph = recordsGraph
    }

    private init(bound: Builtin, to receiver: Value) {
        name = bound.name; parameters = bound.parameters; formula = bound.formula; doc = bound.doc; example = bound.example
        body = bound.body; self.receiver = receiver; recordsGraph = bound.recordsGraph
    }

    /// This builtin with `receiver` as its first argument (a method).
    public func bound(to receiver: Value) -> Builtin { Builtin(bound: self, to: receiver) }

    /// This method as a function of its other parameters, applied to what `receiver()` gives at
    /// each call (pyplot's `plt.plot` draws on the current axes).
    public func applied(to receiver: @escaping () throws -> Value) -> Builtin {
        let body = self.body, receiverName = parameters.first?.name ?? "self"
        return Builtin(name, Array(parameters.dropFirst()), formula: formula, doc: doc, example: example) { a in
            var args = a
            args.named[receiverName] = try receiver()
            return try body(args)
        }
    }

    /// As a student would call it, generated from the parameters: `softmax(x, axis=-1)`.
    public var signature: String {
        var parts = [String]()
        var starred = false
        for p in parameters {
            if p.mode == .keywordOnly && !starred { parts.append("*"); starred = true }
            if p.mode == .variadic { starred = true }
            parts.append(p.python)
        }
        return name + "(" + parts.joined(separator: ", ") + ")"
    }

    /// The parameter named `name`, if declared.
    public func parameter(_ name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// What `help` and `inspect` show: the signature, the doc line, the formula, each
    /// parameter's kind and default, and the example.
    public var docstring: String {
        var s = signature + "\n\n" + doc
        if let formula { s += "\n\n    " + formula }
        let shown = parameters.filter { $0.name != "self" }
        if !shown.isEmpty {
            s += "\n\nParameters:"
            for p in shown {
                var line = "\n    " + (p.mode == .variadic ? "*" : p.mode == .keywords ? "**" : "") + p.name + ": " + p.kind.name
                if p.defaultValue != .required { line += " = " + p.defaultValue.python }
                if p.mode == .keywordOnly { line += " (keyword only)" }
                s += line
            }
        }
        if let example { s += "\n\nExample:\n" + example.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") }
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

/// The arguments of one builtin call, bound to the declared parameters, checked and converted
/// by kind; the typed accessors give the declared default for an argument left out.
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
        var variadic: Parameter?
        for p in params where p.mode == .standard || p.mode == .variadic {
            if p.mode == .variadic { rest = Array(pos[min(i, pos.count)...]); i = pos.count; variadic = p; break }
            if i < pos.count { named[p.name] = pos[i]; i += 1 }
        }
        if i < pos.count {
            let n = params.filter { $0.mode == .standard }.count
            throw NablaError(.type, "\(builtin.name)() takes \(n) positional argument\(n == 1 ? "" : "s") but \(pos.count) were given", at: span)
        }
        let collects = params.contains { $0.keywords }
        for (k, v) in keywords {
            let takes = params.contains { $0.name == k && ($0.mode == .standard || $0.mode == .keywordOnly) }
            if !takes {
                if collects { extraKeywords.append((k, v)); continue }
                let hint = suggest(k, among: params.filter { !$0.variadic && !$0.keywords }.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                throw NablaError(.type, "\(builtin.name)() got an unexpected keyword argument '\(k)'\(hint)", at: span)
            }
            guard named[k] == nil else { throw NablaError(.type, "\(builtin.name)() got multiple values for argument '\(k)'", at: span) }
            named[k] = v
        }
        for p in params where p.defaultValue == .required && (p.mode == .standard || p.mode == .keywordOnly) && named[p.name] == nil {
            throw NablaError(.type, "\(builtin.name)() missing required argument '\(p.name)' — usage: \(builtin.signature)", at: span)
        }
        // Check and convert each argument by its declared kind (None passes: "not given").
        for p in params where p.mode == .standard || p.mode == .keywordOnly {
            guard let v = named[p.name] else { continue }
            if case .none = v { continue }
            named[p.name] = try convert(v, to: p.kind, name: p.name)
        }
        if let variadic, variadic.kind != .any, variadic.kind != .shape {
            rest = try rest.map { try convert($0, to: variadic.kind, name: variadic.name) }
        }
    }

    /// `v` checked against `kind` and converted to its canonical value.
    func convert(_ v: Value, to kind: Parameter.Kind, name: String) throws -> Value {
        switch kind {
        case .any, .callable: return v
        case .tensor:
            if case .tensor = v { return v }
            return .tensor(try interpreter.toVariable(v, span: span, what: "\(builtin.name)(): '\(name)'"))
        case .number: return .float(try number(v, name))
        case .int: return .int(try interpreter.toInt(v, span: span, what: "\(builtin.name)(): '\(name)'"))
        case .bool: return .bool(try interpreter.truthy(v, span: span))
        case .string:
            guard case .string = v else { throw fail(name, "a string", v) }
            return v
        case let .choice(options):
            guard case let .string(s) = v else { throw fail(name, "a string", v) }
            guard options.contains(s) else {
                let list = options.map { "'\($0)'" }
                let hint = suggest(s, among: options).map { "; did you mean '\($0)'?" } ?? ""
                throw NablaError(.value, "\(builtin.name)(): \(name) must be \(list.dropLast().joined(separator: ", ")) or \(list.last ?? ""), got '\(s)'\(hint)", at: span)
            }
            return v
        case .sequence:
            return .tuple(try interpreter.elements(v, span: span))
        case .shape:
            return .tuple(try shape(of: [v]).map { .int($0) })
        }
    }

    /// The argument as given, else the declared default (nil for None or a required argument left out).
    public func value(_ name: String) -> Value? {
        if let v = named[name] {
            if case .none = v { return nil }
            return v
        }
        guard let d = builtin.parameter(name)?.defaultValue.value else { return nil }
        if case .none = d { return nil }
        return d
    }

    /// Whether the caller gave the argument (and not None).
    public func has(_ name: String) -> Bool {
        guard let v = named[name] else { return false }
        if case .none = v { return false }
        return true
    }

    func fail(_ name: String, _ what: String, _ v: Value) -> NablaError {
        NablaError(.type, "\(builtin.name)(): '\(name)' must be \(what), got \(v.typeName)", at: span)
    }

    func missing(_ name: String, _ what: String) -> NablaError {
        NablaError(.type, "\(builtin.name)(): '\(name)' must be \(what)\(named[name] != nil ? ", got None" : "")", at: span)
    }

    func number(_ v: Value, _ name: String) throws -> Double {
        switch v {
        case let .bool(b): return b ? 1 : 0
        case let .int(i): return Double(i)
        case let .float(d): return d
        case let .tensor(t) where t.value.count == 1: return t.value.data[0]
        default: throw fail(name, "a number", v)
        }
    }

    public func tensor(_ name: String) throws -> Variable {
        guard let v = value(name) else { throw NablaError(.type, "\(builtin.name)(): '\(name)' must be a tensor, got None", at: span) }
        if case let .tensor(t) = v { return t }
        return try interpreter.toVariable(v, span: span, what: "\(builtin.name)(): '\(name)'")
    }

    public func optionalTensor(_ name: String) throws -> Variable? { value(name) != nil ? try tensor(name) : nil }

    public func double(_ name: String) throws -> Double {
        guard let v = value(name) else { throw missing(name, "a number") }
        return try number(v, name)
    }

    public func optionalDouble(_ name: String) throws -> Double? { value(name) != nil ? try double(name) : nil }

    public func int(_ name: String) throws -> Int {
        guard let v = value(name) else { throw missing(name, "a whole number") }
        return try interpreter.toInt(v, span: span, what: "\(builtin.name)(): '\(name)'")
    }

    public func optionalInt(_ name: String) throws -> Int? { value(name) != nil ? try int(name) : nil }

    /// A bool argument; None (and a None default) is False.
    public func bool(_ name: String) throws -> Bool {
        guard let v = value(name) else { return false }
        return try interpreter.truthy(v, span: span)
    }

    public func string(_ name: String) throws -> String {
        guard let v = value(name) else { throw missing(name, "a string") }
        guard case let .string(s) = v else { throw fail(name, "a string", v) }
        return s
    }

    public func optionalString(_ name: String) throws -> String? { value(name) != nil ? try string(name) : nil }

    /// Elements of a list, tuple or range argument (or a lone value as a one-element list).
    public func sequence(_ name: String) throws -> [Value] {
        if case .none? = named[name] { throw NablaError(.type, "'NoneType' object is not iterable", at: span) }
        guard let v = value(name) else { return [] }
        return try interpreter.elements(v, span: span)
    }

    /// A shape given as separate ints (`zeros(2, 3)`, a `*shape` parameter) or as one int, tuple,
    /// list or 1-d tensor (`zeros((2, 3))`).
    public func shape(_ name: String) throws -> [Int] {
        if builtin.parameter(name)?.mode == .variadic { return try shape(of: rest, lenient: true) }
        guard let v = value(name) else { return [] }
        return try shape(of: [v])
    }

    /// Separate ints (a `*shape`, Nabla's lenient rule: 2.0 is 2) or one int/sequence (numpy's rule: ints only).
    func shape(of values: [Value], lenient: Bool = false) throws -> [Int] {
        var items = values
        if items.count == 1, case .tensor(let t) = items[0], t.value.rank == 1 { return try t.value.indices(op: builtin.name) }
        if items.count == 1, (try? interpreter.elements(items[0], span: span)) != nil, !isNumber(items[0]) {
            items = try interpreter.elements(items[0], span: span)
        }
        let what = "\(builtin.name)(): a dimension"
        return try items.map { lenient ? try interpreter.toInt($0, span: span, what: what) : try interpreter.toIndex($0, span: span, what: what) }
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
