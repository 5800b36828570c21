import NablaAutograd
import NablaTensor

/// Calls, indexing and attributes.
extension Interpreter {
    /// Calls a function value (a `def`, a lambda, a builtin, or a bound method).
    public func call(_ f: Value, _ args: [Value], _ kwargs: [(String, Value)], span: Span) throws -> Value {
        try checkInterrupt(span)
        switch f {
        case let .builtin(b):
            let a = try Args(builtin: b, positional: args, keywords: kwargs, span: span, interpreter: self)
            do { return try wrap(span) { try b.body(a) } } catch var e as NablaError {
                if e.span == .unknown { e.span = span }
                throw e
            }
        case let .function(fn):
            return try callFunction(fn, args, kwargs, span: span)
        case let .object(o as CallableObject):
            return try o.call(args, kwargs, interpreter: self, span: span)
        default:
            throw NablaError(.type, "\(f.typeName) is not callable", at: span)
        }
    }

    func callFunction(_ fn: Function, _ args: [Value], _ kwargs: [(String, Value)], span: Span) throws -> Value {
        guard callDepth < maxCallDepth else {
            throw NablaError(.recursion, "maximum recursion depth (\(maxCallDepth) calls) exceeded in \(fn.name)()", at: span)
        }
        let scope = Scope(parent: fn.closure)
        guard args.count <= fn.params.count else {
            throw NablaError(.type, "\(fn.name)() takes \(fn.params.count) argument\(fn.params.count == 1 ? "" : "s") but \(args.count) were given", at: span)
        }
        for (p, a) in zip(fn.params, args) { scope.values[p.name] = a }
        for (k, v) in kwargs {
            guard fn.params.contains(where: { $0.name == k }) else {
                throw NablaError(.type, "\(fn.name)() got an unexpected keyword argument '\(k)'", at: span)
            }
            guard scope.values[k] == nil else { throw NablaError(.type, "\(fn.name)() got multiple values for argument '\(k)'", at: span) }
            scope.values[k] = v
        }
        for (p, d) in zip(fn.params, fn.defaults) where scope.values[p.name] == nil {
            guard let d else { throw NablaError(.type, "\(fn.name)() missing required argument '\(p.name)'", at: span) }
            scope.values[p.name] = d
        }
        callDepth += 1
        defer { callDepth -= 1 }
        do {
            switch fn.body {
            case let .expr(e): return try eval(e, scope)
            case let .block(body):
                if case let .returned(v) = try exec(body, scope) { return v }
                return .none
            }
        } catch var e as NablaError {
            // Record the DSL call on the way out, outermost first.
            if e.kind != .interrupted { e.stack.insert(Frame(function: fn.name, span: span), at: 0) }
            throw e
        }
    }

    /// Turns `[...]` items into tensor indices.
    func tensorIndex(_ items: [IndexItem], _ scope: Scope) throws -> [TensorIndex] {
        try items.map { item in
            switch item {
            case let .expr(e):
                let v = try eval(e, scope)
                switch v {
                case .none: return .newAxis
                case let .tensor(t) where t.value.rank == 1:
                    return .list(try wrap(e.span) { try t.value.indices(op: "index") })
                case .list, .tuple:
                    return .list(try elements(v, span: e.span).map { try toInt($0, span: e.span, what: "an index") })
                default: return .at(try toInt(v, span: e.span, what: "an index"))
                }
            case let .slice(a, b, c):
                func part(_ x: Expr?) throws -> Int? {
                    guard let x else { return nil }
                    let v = try eval(x, scope)
                    if case .none = v { return nil }
                    return try toInt(v, span: x.span, what: "a slice bound")
                }
                return .slice(try part(a), try part(b), try part(c))
            }
        }
    }

    func index(_ base: Value, _ items: [IndexItem], _ scope: Scope, span: Span) throws -> Value {
        switch base {
        case let .tensor(t):
            let idx = try tensorIndex(items, scope)
            return .tensor(try wrap(span) { try t.indexed(idx) })
        case .list, .tuple, .string, .range:
            let seq = try elements(base, span: span)
            guard items.count == 1 else { throw NablaError(.type, "\(base.typeName) indices must be a single index or slice", at: span) }
            switch items[0] {
            case let .expr(e):
                let i = try toInt(try eval(e, scope), span: e.span, what: "an index")
                guard i >= -seq.count, i < seq.count else {
                    throw NablaError(.index, "\(base.typeName) index \(i) is out of range for length \(seq.count)", at: e.span)
                }
                return seq[i < 0 ? i + seq.count : i]
            case .slice:
                guard case let .slice(a, b, c)? = try tensorIndex(items, scope).first else { return .none }
                let (start, count, step) = try wrap(span) { try Tensor.resolveSlice(a, b, c, size: seq.count) }
                let picked = (0..<count).map { seq[start + $0 * step] }
                switch base {
                case .tuple: return .tuple(picked)
                case .string: return .string(picked.map { str($0) }.joined())
                default: return .list(ListRef(picked))
                }
            }
        case let .object(o as SubscriptableObject):
            guard items.count == 1, case let .expr(e) = items[0] else { throw NablaError(.type, "\(base.typeName) takes one key in [ ]", at: span) }
            return try o.item(try eval(e, scope), interpreter: self)
        default:
            throw NablaError(.type, "\(base.typeName) is not subscriptable", at: span)
        }
    }

    /// Tensor methods are the builtins that take the tensor first: `x.sum(axis=0)` is `sum(x, axis=0)`.
    static let tensorMethods: Set<String> = [
        "sum", "mean", "max", "min", "argmax", "argmin", "prod", "var", "std", "norm", "reshape", "transpose",
        "flatten", "exp", "log", "sqrt", "abs", "clip", "detach", "backward", "item", "tolist",
    ]

    public func attribute(_ base: Value, _ name: String, span: Span) throws -> Value {
        switch base {
        case let .tensor(t):
            switch name {
            case "T": return .tensor(try wrap(span) { try t.transposed() })
            case "shape": return .tuple(t.value.shape.map { .number(Double($0)) })
            case "ndim": return .number(Double(t.value.rank))
            case "size": return .number(Double(t.value.count))
            case "grad": return t.grad.map { .tensor($0) } ?? .none
            case "requires_grad": return .bool(t.requiresGrad)
            case "name": return t.name.map { .string($0) } ?? .none
            case "op": return .string(t.op.name)
            default:
                if Interpreter.tensorMethods.contains(name), let b = builtins[name] { return .builtin(b.bound(to: base)) }
            }
        case let .list(l):
            if name == "append" {
                return .builtin(Builtin("append(item)", doc: "Adds an item at the end of the list.") { a in
                    l.items.append(a.value("item") ?? .none); return .none
                })
            }
        case let .object(o):
            if let v = o.attribute(name) { return v }
        case let .function(f) where name == "__doc__":
            return f.doc.map { .string($0) } ?? .none
        default: break
        }
        let known = attributeNames(of: base)
        let hint = suggest(name, among: known).map { "; did you mean '\($0)'?" } ?? ""
        throw NablaError(.type, "\(base.typeName) has no attribute '\(name)'\(hint)", at: span)
    }

    /// Attributes completion offers after `value.`.
    public func attributeNames(of v: Value) -> [String] {
        switch v {
        case .tensor: return ["T", "shape", "ndim", "size", "grad", "requires_grad", "name", "op"] + Interpreter.tensorMethods.sorted()
        case .list: return ["append"]
        case let .object(o): return o.attributeNames
        default: return []
        }
    }
}
