import Foundation
import NablaAutograd
import NablaTensor

/// Expressions: operators, calls, indexing, attributes, and the conversions between values.
extension Interpreter {
    func eval(_ e: Expr, _ scope: Scope) throws -> Value {
        switch e.kind {
        case let .number(v): return .number(v)
        case let .string(s): return .string(s)
        case let .bool(b): return .bool(b)
        case .none: return .none
        case let .name(n):
            if let v = scope.lookup(n) { return v }
            if let b = builtins[n] { return .builtin(b) }
            let hint = suggest(n, among: Array(scope.allNames) + Array(builtins.keys)).map { "; did you mean '\($0)'?" } ?? ""
            throw NablaError(.name, "name '\(n)' is not defined\(hint)", at: e.span)
        case let .list(items):
            return try listLiteral(items, scope, span: e.span)
        case let .tuple(items):
            return .tuple(try items.map { try eval($0, scope) })
        case let .unary(op, x):
            let v = try eval(x, scope)
            if op == "not" { return .bool(!(try truthy(v, span: x.span))) }
            if op == "+" { return v }
            if case .bool(let b) = v { return .number(b ? -1 : 0) }
            let t = try toVariable(v, span: x.span, what: "the operand of unary -")
            return .tensor(-t)
        case let .binary(op, l, r):
            return try binary(op, try eval(l, scope), try eval(r, scope), span: e.span)
        case let .compare(ops, items):
            var left = try eval(items[0], scope)
            var result: Value = .bool(true)
            for (i, op) in ops.enumerated() {
                let right = try eval(items[i + 1], scope)
                result = try compare(op, left, right, span: e.span)
                if i < ops.count - 1, !(try truthy(result, span: e.span)) { return result }
                left = right
            }
            return result
        case let .logical(op, l, r):
            let lv = try eval(l, scope)
            let t = try truthy(lv, span: l.span)
            if op == "and" { return t ? try eval(r, scope) : lv }
            return t ? lv : try eval(r, scope)
        case let .ternary(body, cond, other):
            return try truthy(eval(cond, scope), span: cond.span) ? try eval(body, scope) : try eval(other, scope)
        case let .call(fe, argExprs, kwExprs):
            let f = try eval(fe, scope)
            let evalArgs = { [self] () throws -> ([Value], [(String, Value)]) in
                var args = [Value]()
                for a in argExprs {
                    if case let .starred(inner) = a.kind { args += try self.elements(try self.eval(inner, scope), span: inner.span) } else { args.append(try self.eval(a, scope)) }
                }
                return (args, try kwExprs.map { ($0.0, try self.eval($0.1, scope)) })
            }
            if case let .builtin(b) = f, b.recordsGraph {
                let (args, kwargs) = try GradMode.with(.recordAll) { try evalArgs() }
                return try call(f, args, kwargs, span: e.span)
            }
            let (args, kwargs) = try evalArgs()
            return try call(f, args, kwargs, span: e.span)
        case let .index(base, items):
            return try index(try eval(base, scope), items, scope, span: e.span)
        case let .attribute(base, name):
            return try attribute(try eval(base, scope), name, span: e.span)
        case .starred:
            throw NablaError(.syntax, "*items can only spread a call's arguments", at: e.span)
        case let .listComp(element, target, iterable, condition):
            // Its own scope, as in Python 3: the loop variable does not leak.
            let inner = Scope(parent: scope)
            var values = [Value]()
            try forEach(try eval(iterable, scope), span: iterable.span) { item in
                try checkInterrupt(e.span)
                try assign(target, item, inner)
                if let condition, !(try truthy(eval(condition, inner), span: condition.span)) { return true }
                values.append(try eval(element, inner))
                return true
            }
            return try collect(values, span: e.span)
        case let .lambda(params, body):
            return .function(Function(name: "<lambda>", params: params, defaults: try params.map { try $0.defaultValue.map { try eval($0, scope) } },
                                      body: .expr(body), closure: scope, doc: nil))
        }
    }

    /// `[...]`: a tensor when the elements are numbers or equally shaped tensors without
    /// gradient tracking (nested literals must be rectangular), otherwise a list.
    func listLiteral(_ items: [Expr], _ scope: Scope, span: Span) throws -> Value {
        try collect(try items.map { try eval($0, scope) }, literals: items, span: span)
    }

    /// Values of a list display or comprehension as a tensor when they can form one.
    func collect(_ values: [Value], literals items: [Expr] = [], span: Span) throws -> Value {
        if values.isEmpty { return .list(ListRef([])) }
        var tensors = [Tensor]()
        for v in values {
            switch v {
            case let .tensor(t) where !t.requiresGrad: tensors.append(t.value)
            case let .bool(b): tensors.append(Tensor(b ? 1 : 0))
            default: return .list(ListRef(values))
            }
        }
        let first = tensors[0].shape
        if let bad = tensors.firstIndex(where: { $0.shape != first }) {
            let literal = items.contains { if case .list = $0.kind { return true }; if case .number = $0.kind { return true }; return false }
            guard literal else { return .list(ListRef(values)) }
            let describe = { (s: [Int]) in s.isEmpty ? "a number" : s.count == 1 ? "\(s[0]) element\(s[0] == 1 ? "" : "s")" : "shape \(formatShape(s))" }
            throw NablaError(.value, "ragged list: row \(bad) has \(describe(tensors[bad].shape)) but row 0 has \(describe(first))", at: items[bad].span)
        }
        return .tensor(try wrap(span) { try Tensor.stack(tensors) })
    }

    // MARK: Operators

    func binary(_ op: String, _ a: Value, _ b: Value, span: Span) throws -> Value {
        switch (a, b) {
        case let (.string(x), .string(y)) where op == "+": return .string(x + y)
        case let (.string(x), .tensor) where op == "*": return .string(String(repeating: x, count: max(try toInt(b, span: span, what: "a repeat count"), 0)))
        case let (.list(x), .list(y)) where op == "+": return .list(ListRef(x.items + y.items))
        case let (.tuple(x), .tuple(y)) where op == "+": return .tuple(x + y)
        case (.string, _), (_, .string), (.list, _), (_, .list), (.none, _), (_, .none):
            throw NablaError(.type, "unsupported operand types for \(op): \(a.typeName) and \(b.typeName)", at: span)
        default: break
        }
        let x = try toVariable(a, span: span, what: "the left operand of \(op)")
        let y = try toVariable(b, span: span, what: "the right operand of \(op)")
        return .tensor(try wrap(span) {
            switch op {
            case "+": return try x + y
            case "-": return try x - y
            case "*": return try x * y
            case "/": return try x / y
            case "//": return try (x / y).value.map { $0.rounded(.down) }.asConstant
            case "%": return try Variable.mod(x, y)
            case "**": return try Variable.pow(x, y)
            case "@": return try Variable.matmul(x, y)
            default: throw TensorError.argument(op: op, message: "unknown operator")
            }
        })
    }

    func compare(_ op: String, _ a: Value, _ b: Value, span: Span) throws -> Value {
        switch op {
        case "is", "is not":
            let same: Bool
            switch (a, b) {
            case (.none, .none): same = true
            case let (.bool(x), .bool(y)): same = x == y
            case let (.tensor(x), .tensor(y)): same = x === y
            case let (.list(x), .list(y)): same = x === y
            default: same = false
            }
            return .bool(op == "is" ? same : !same)
        case "in", "not in":
            let found: Bool
            if case let .string(hay) = b, case let .string(needle) = a { found = hay.contains(needle) } else {
                found = try elements(b, span: span).contains { (try? truthy(compare("==", a, $0, span: span), span: span)) == true }
            }
            return .bool(op == "in" ? found : !found)
        default: break
        }
        switch (a, b) {
        case let (.string(x), .string(y)):
            switch op {
            case "==": return .bool(x == y)
            case "!=": return .bool(x != y)
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            default: return .bool(x >= y)
            }
        case (.tensor, .tensor), (.tensor, .bool), (.bool, .tensor), (.bool, .bool), (.tensor, .list), (.list, .tensor), (.tensor, .tuple):
            let x = try toVariable(a, span: span, what: "the left operand of \(op)")
            let y = try toVariable(b, span: span, what: "the right operand of \(op)")
            let r = try wrap(span) { try Variable.compare(x, y, op) }
            if r.value.rank == 0 { return .bool(r.value.data[0] != 0) }
            return .tensor(r)
        default:
            let equal = try structurallyEqual(a, b, span: span)
            if op == "==" { return .bool(equal) }
            if op == "!=" { return .bool(!equal) }
            throw NablaError(.type, "'\(op)' is not supported between \(a.typeName) and \(b.typeName)", at: span)
        }
    }

    /// `==` between values that are not tensors: tuples and lists compare item by item.
    func structurallyEqual(_ a: Value, _ b: Value, span: Span, depth: Int = 0) throws -> Bool {
        guard depth < Interpreter.maxNesting else { throw NablaError(.value, "comparison nested too deeply (does a list contain itself?)", at: span) }
        switch (a, b) {
        case (.none, .none): return true
        case let (.list(x), .list(y)) where x === y: return true
        case (.tuple, .tuple), (.list, .list):
            let (xs, ys) = (try elements(a, span: span), try elements(b, span: span))
            guard xs.count == ys.count else { return false }
            for (x, y) in zip(xs, ys) {
                let same: Bool
                switch (x, y) {
                case (.tuple, .tuple), (.list, .list): same = try structurallyEqual(x, y, span: span, depth: depth + 1)
                default: same = try truthy(try compare("==", x, y, span: span), span: span)
                }
                if !same { return false }
            }
            return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        default: return false
        }
    }

    // MARK: Conversions

    /// A value as a tensor: numbers, bools, tensors, and (nested) lists or tuples of numbers.
    public func toVariable(_ v: Value, span: Span, what: String) throws -> Variable {
        try toVariable(v, span: span, what: what, depth: 0)
    }

    /// Nested lists are bounded, so a list that contains itself is an error, not a stack overflow.
    static let maxNesting = 64

    func toVariable(_ v: Value, span: Span, what: String, depth: Int) throws -> Variable {
        guard depth < Interpreter.maxNesting else {
            throw NablaError(.value, "\(what): lists nested more than \(Interpreter.maxNesting) deep (does a list contain itself?)", at: span)
        }
        switch v {
        case let .tensor(t): return t
        case let .bool(b): return Variable(b ? 1 : 0)
        case .list, .tuple:
            let items = try elements(v, span: span)
            if items.isEmpty { return Variable(Tensor([])) }
            let parts = try items.map { try toVariable($0, span: span, what: what, depth: depth + 1) }
            if parts.contains(where: \.requiresGrad) { return try wrap(span) { try Variable.stack(parts) } }
            return Variable(try wrap(span) { try Tensor.stack(parts.map(\.value)) })
        case let .range(r) where r.count <= 10_000_000:
            return Variable(Tensor((0..<r.count).map { Double(r.element($0)) }))
        default:
            throw NablaError(.type, "\(what) must be a tensor or number, got \(v.typeName)", at: span)
        }
    }

    /// A whole number (for counts, indices, shapes), refusing fractions, NaN, inf and huge values.
    public func toInt(_ v: Value, span: Span, what: String) throws -> Int {
        if case let .bool(b) = v { return b ? 1 : 0 }
        guard case let .tensor(t) = v, t.value.count == 1 else {
            throw NablaError(.type, "\(what) must be a whole number, got \(v.typeName)", at: span)
        }
        let x = t.value.data[0]
        guard x.isFinite else { throw NablaError(.value, "\(what) must be a whole number, got \(Tensor.formatNumber(x))", at: span) }
        guard x == x.rounded() else { throw NablaError(.type, "\(what) must be a whole number, got \(Tensor.formatNumber(x, precision: 17))", at: span) }
        guard Swift.abs(x) <= 9.0e15 else { throw NablaError(.value, "\(what) is too large: \(Tensor.formatNumber(x))", at: span) }
        return Int(x)
    }

    /// Python truthiness; a tensor must have exactly one element.
    public func truthy(_ v: Value, span: Span) throws -> Bool {
        switch v {
        case let .bool(b): return b
        case .none: return false
        case let .string(s): return !s.isEmpty
        case let .list(l): return !l.items.isEmpty
        case let .tuple(t): return !t.isEmpty
        case let .range(r): return r.count > 0
        case let .tensor(t):
            guard t.value.count == 1 else {
                throw NablaError(.value, "the truth value of a tensor of shape \(formatShape(t.value.shape)) is ambiguous; use any(...) or all(...)", at: span)
            }
            return t.value.data[0] != 0
        default: return true
        }
    }

    /// `str(v)`: what print shows.
    public func str(_ v: Value) -> String {
        if case let .string(s) = v { return s }
        return repr(v)
    }

    /// The text form of a value, as a result is shown in plain text.
    public func repr(_ v: Value) -> String {
        var open = Set<ObjectIdentifier>()
        return repr(v, open: &open, depth: 0)
    }

    /// `open` holds the lists being printed, so a list inside itself shows as `[...]`, as in Python.
    func repr(_ v: Value, open: inout Set<ObjectIdentifier>, depth: Int) -> String {
        if depth > Interpreter.maxNesting { return "..." }
        switch v {
        case let .tensor(t):
            let body = t.value.formatted(precision: precision)
            if t.requiresGrad && t.isLeaf {
                let pad = body.replacingOccurrences(of: "\n", with: "\n      ")
                return "param(\(pad))"
            }
            return body
        case let .bool(b): return b ? "True" : "False"
        case .none: return "None"
        case let .string(s): return "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'").replacingOccurrences(of: "\n", with: "\\n") + "'"
        case let .list(l):
            guard open.insert(ObjectIdentifier(l)).inserted else { return "[...]" }
            defer { open.remove(ObjectIdentifier(l)) }
            var parts = [String]()
            for item in l.items { parts.append(repr(item, open: &open, depth: depth + 1)) }
            return "[" + parts.joined(separator: ", ") + "]"
        case let .tuple(t):
            var parts = [String]()
            for item in t { parts.append(repr(item, open: &open, depth: depth + 1)) }
            return parts.count == 1 ? "(\(parts[0]),)" : "(" + parts.joined(separator: ", ") + ")"
        case let .range(r): return r.step == 1 ? "range(\(r.start), \(r.stop))" : "range(\(r.start), \(r.stop), \(r.step))"
        case let .function(f): return "<function \(f.signature)>"
        case let .builtin(b): return "<builtin \(b.signature)>"
        case let .object(o): return o.text
        }
    }
}

extension Tensor {
    var asConstant: Variable { Variable(self) }
}
