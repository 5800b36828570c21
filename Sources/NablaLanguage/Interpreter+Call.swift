import NablaAutograd
import NablaTensor

/// Calls, indexing and attributes.
extension Interpreter {
    /// Calls a function value (a `def`, a lambda, a builtin, a bound method, a class).
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
        case let .method(s, fn):
            return try callFunction(fn, [s] + args, kwargs, span: span)
        case let .cls(c):
            return try instantiate(c, args, kwargs, span: span)
        case .instance:
            guard let m = try? findMethod(f, "__call__") else { throw NablaError(.type, "'\(f.typeName)' object is not callable", at: span) }
            return try call(m, args, kwargs, span: span)
        case let .object(o as CallableObject):
            return try o.call(args, kwargs, interpreter: self, span: span)
        default:
            throw NablaError(.type, "'\(f.typeName)' object is not callable", at: span)
        }
    }

    func callFunction(_ fn: Function, _ args: [Value], _ kwargs: [(String, Value)], span: Span) throws -> Value {
        guard callDepth < maxCallDepth else { throw recursionError(fn, span: span) }
        let scope = Scope(parent: fn.closure, function: fn)
        let positional = fn.positional, star = fn.star, starStar = fn.starStar
        if args.count > positional.count && star == nil {
            throw NablaError(.type, "\(fn.name)() takes \(positional.count) positional argument\(positional.count == 1 ? "" : "s") but \(args.count) \(args.count == 1 ? "was" : "were") given", at: span)
        }
        let slots = fn.layout.paramSlots
        for (slot, a) in zip(fn.positionalSlots, args) { scope.slots[slot] = a }
        if let star { scope.set(star.name, .tuple(args.count > positional.count ? Array(args[positional.count...]) : [])) }
        let extra = starStar != nil ? DictRef() : nil
        for (k, v) in kwargs {
            guard let p = fn.params.first(where: { $0.name == k && $0.kind == .normal }) else {
                if let extra { extra.set(.str(k), .string(k), v); continue }
                throw NablaError(.type, "\(fn.name)() got an unexpected keyword argument '\(k)'", at: span)
            }
            guard scope.get(p.name) == nil else { throw NablaError(.type, "\(fn.name)() got multiple values for argument '\(k)'", at: span) }
            scope.set(k, v)
        }
        if let starStar, let extra { scope.set(starStar.name, .dict(extra)) }
        // Defaults fill what the arguments left out (every parameter is given when all are positional).
        for (i, (p, d)) in zip(fn.params, fn.defaults).enumerated() where args.count < positional.count || !kwargs.isEmpty || p.keywordOnly || p.kind != .normal {
            guard p.kind == .normal, scope.slots[slots[i]] == nil else { continue }
            guard let d else { throw NablaError(.type, "\(fn.name)() missing 1 required positional argument: '\(p.name)'", at: span) }
            scope.slots[slots[i]] = d
        }
        return try run(fn, scope, span: span)
    }

    func recursionError(_ fn: Function, span: Span) -> NablaError {
        NablaError(.recursion, "maximum recursion depth exceeded (more than \(maxCallDepth) nested calls) in \(fn.name)()", at: span)
    }

    /// Runs a function's body in `scope`, its parameters already bound.
    func run(_ fn: Function, _ scope: Scope, span: Span) throws -> Value {
        guard callDepth < maxCallDepth else { throw recursionError(fn, span: span) }
        callDepth += 1
        defer { callDepth -= 1 }
        do {
            if let r = fn.resultExpr { return try eval(r, scope) }
            switch fn.body {
            case let .expr(e): return try eval(e, scope)
            case let .block(body):
                if fn.isGenerator { return .iterator(generator(fn, body, scope, span: span)) }
                if case let .returned(v) = try exec(body, scope) { return v }
                return .none
            }
        } catch var e as NablaError {
            // Record the DSL call on the way out, outermost first.
            if e.stack.count < 200 { e.stack.insert(Frame(function: fn.name, span: span), at: 0) }
            throw e
        }
    }

    /// A generator: the body runs lazily, up to one `yield` per item asked for.
    func generator(_ fn: Function, _ body: [Stmt], _ scope: Scope, span: Span) -> IteratorRef {
        let runner = GeneratorRunner { [self] yieldTo in
            scope.yieldTo = yieldTo
            do { _ = try exec(body, scope) } catch var e as NablaError {
                if e.stack.count < 200 { e.stack.insert(Frame(function: fn.name, span: span), at: 0) }
                throw e
            }
        }
        let it = IteratorRef(kind: "generator") { try runner.next() }
        it.runner = runner
        return it
    }

    /// Items of any iterable one at a time (nil at the end), without making them all first.
    func puller(_ v: Value, span: Span) throws -> () throws -> Value? {
        switch v {
        case let .iterator(it) where !it.isView:
            return { try it.next() }
        case let .range(r):
            var k = 0
            return { guard k < r.count else { return nil }; defer { k += 1 }; return .int(r.element(k)) }
        case let .tensor(t) where t.value.rank > 0:
            // Rows are made as they are asked for: `enumerate(X)` holds one view at a time, not all of them.
            var k = 0
            return { [self] in guard k < t.value.shape[0] else { return nil }; defer { k += 1 }; return try row(k, of: t, span: span) }
        case .instance:
            if let f = try? findMethod(v, "__iter__") {
                let it = try call(f, [], [], span: span)
                if case .instance = it, let nextF = try? findMethod(it, "__next__") {
                    return { [self] in
                        do { return try call(nextF, [], [], span: span) } catch let e as NablaError where e.kind == .stopIteration { return nil }
                    }
                }
                return try puller(it, span: span)
            }
            fallthrough
        default:
            let items = try elements(v, span: span)
            var k = 0
            return { guard k < items.count else { return nil }; defer { k += 1 }; return items[k] }
        }
    }

    // MARK: Classes

    func defineClass(_ name: String, _ baseExprs: [Expr], _ body: [Stmt], _ decorators: [Expr], _ scope: Scope, span: Span) throws {
        var bases = [ClassObject]()
        for b in baseExprs {
            guard case let .cls(c) = try eval(b, scope) else { throw NablaError(.type, "a base class must be a class", at: b.span) }
            bases.append(c)
        }
        if bases.isEmpty, let object = builtinClasses["object"] { bases = [object] }
        let cls = ClassObject(name: name, bases: bases, errorKind: nil)
        let inner = Scope(parent: scope)
        inner.isClassBody = true
        if case let .expr(e, _)? = body.first?.kind, case let .string(d) = e.kind { cls.doc = d }
        _ = try exec(body, inner)
        for (k, v) in inner.values.sorted(by: { $0.key < $1.key }) {
            if case let .function(f) = v, f.definingClass == nil { f.definingClass = cls }
            cls.set(k, v)
        }
        var v = Value.cls(cls)
        for d in decorators.reversed() { v = try call(try eval(d, scope), [v], [], span: d.span) }
        try bind(name, v, scope, span: span)
    }

    func instantiate(_ c: ClassObject, _ args: [Value], _ kwargs: [(String, Value)], span: Span) throws -> Value {
        if c.name == "object" && c.errorKind == nil && c.bases.isEmpty { return .instance(Instance(c)) }
        let inst = Instance(c)
        let v = Value.instance(inst)
        if isExceptionClass(c) { inst.set("args", .tuple(args)) }
        if let initF = c.lookup("__init__") {
            let r = try call(initF, [v] + args, kwargs, span: span)
            if case .none = r {} else { throw NablaError(.type, "__init__() should return None, not '\(r.typeName)'", at: span) }
        } else if !args.isEmpty && !isExceptionClass(c) {
            throw NablaError(.type, "\(c.name)() takes no arguments", at: span)
        }
        return v
    }

    /// A method of an instance (bound), or nil-throwing when there is none.
    func findMethod(_ v: Value, _ name: String) throws -> Value {
        guard case let .instance(o) = v, let m = o.cls.lookup(name) else { throw NablaError(.attribute, "no \(name)") }
        return bindAttribute(m, to: v, cls: o.cls)
    }

    func callMethod(_ v: Value, _ name: String, _ args: [Value], span: Span) throws -> Value {
        guard let m = try? findMethod(v, name) else {
            throw NablaError(.type, "'\(v.typeName)' object has no method \(name)", at: span)
        }
        return try call(m, args, [], span: span)
    }

    func bindAttribute(_ m: Value, to receiver: Value, cls: ClassObject) -> Value {
        guard case let .function(f) = m else { return m }
        if f.isStatic { return m }
        if f.isClassMethod { return .method(.cls(cls), f) }
        return .method(receiver, f)
    }

    func makeSuper(_ scope: Scope, span: Span) throws -> Value {
        var s: Scope? = scope
        while let cur = s {
            if let f = cur.function, let cls = f.definingClass, let first = f.params.first, let me = cur.get(first.name) {
                return .superProxy(cls, me)
            }
            s = cur.parent
        }
        throw NablaError(.runtime, "super(): no arguments", at: span)
    }

    // MARK: Exceptions

    static func makeExceptionClasses() -> [String: ClassObject] {
        var all = [String: ClassObject]()
        let object = ClassObject(name: "object", bases: [])
        all["object"] = object
        func make(_ name: String, _ kind: ErrorKind, _ base: ClassObject?) -> ClassObject {
            let c = ClassObject(name: name, bases: base.map { [$0] } ?? [], errorKind: kind)
            all[name] = c
            return c
        }
        let baseEx = make("BaseException", .exception, object)
        let ex = make("Exception", .exception, baseEx)
        _ = make("KeyboardInterrupt", .keyboardInterrupt, baseEx)
        let arith = make("ArithmeticError", .arithmetic, ex)
        _ = make("ZeroDivisionError", .zeroDivision, arith)
        _ = make("OverflowError", .overflow, arith)
        _ = make("FloatingPointError", .arithmetic, arith)
        let lookup = make("LookupError", .lookup, ex)
        _ = make("IndexError", .index, lookup)
        _ = make("KeyError", .key, lookup)
        let value = make("ValueError", .value, ex)
        _ = make("ShapeError", .shape, value)
        _ = make("TypeError", .type, ex)
        let name = make("NameError", .name, ex)
        _ = make("UnboundLocalError", .unboundLocal, name)
        _ = make("AttributeError", .attribute, ex)
        _ = make("AssertionError", .assertion, ex)
        let runtime = make("RuntimeError", .runtime, ex)
        _ = make("NotImplementedError", .notImplemented, runtime)
        _ = make("RecursionError", .recursion, runtime)
        _ = make("MemoryError", .memory, ex)
        _ = make("StopIteration", .stopIteration, ex)
        let imp = make("ImportError", .importError, ex)
        _ = make("ModuleNotFoundError", .moduleNotFound, imp)
        _ = make("SyntaxError", .syntax, ex)
        let os = make("OSError", .os, ex)
        all["IOError"] = os
        _ = make("FileNotFoundError", .fileNotFound, os)
        _ = make("FileExistsError", .fileExists, os)
        return all
    }

    func isExceptionClass(_ c: ClassObject) -> Bool {
        guard let base = builtinClasses["BaseException"] else { return false }
        return c.isSubclass(of: base)
    }

    func isException(_ o: Instance) -> Bool { isExceptionClass(o.cls) }

    func exceptionMessage(_ o: Instance) -> String {
        guard case let .tuple(args)? = o.attrs["args"] else { return "" }
        if args.isEmpty { return "" }
        if args.count == 1 {
            if o.cls.errorKind == .key && o.cls.name == "KeyError" { return repr(args[0]) }
            return str(args[0])
        }
        return repr(.tuple(args))
    }

    /// The error `raise value` throws.
    func makeRaise(_ v: Value, span: Span) throws -> NablaError {
        var v = v
        if case let .cls(c) = v {
            guard isExceptionClass(c) else { throw NablaError(.type, "exceptions must derive from BaseException", at: span) }
            v = try instantiate(c, [], [], span: span)
        }
        guard case let .instance(o) = v, isException(o) else { throw NablaError(.type, "exceptions must derive from BaseException", at: span) }
        let kind = o.cls.mro.first { $0.errorKind != nil }?.errorKind ?? .exception
        var message = exceptionMessage(o)
        if o.cls.lookup("__str__") != nil { message = (try? strThrowing(v, span: span)) ?? message }
        var e = NablaError(kind, message, at: span)
        e.payload = ExceptionPayload(v, className: o.cls.name)
        return e
    }

    /// The exception object an `except ... as e` clause receives.
    func exceptionValue(_ e: NablaError) -> Value {
        if let p = e.payload { return p.value }
        let cls = builtinClasses[e.kind.rawValue] ?? builtinClasses["Exception"]!
        let o = Instance(cls)
        o.set("args", .tuple(e.message.isEmpty ? [] : [.string(e.kind == .key && e.message.hasPrefix("'") ? String(e.message.dropFirst().dropLast()) : e.message)]))
        return .instance(o)
    }

    func exceptionMatches(_ exc: Value, _ type: Value, span: Span) throws -> Bool {
        guard case let .instance(o) = exc else { return false }
        switch type {
        case let .cls(c):
            guard isExceptionClass(c) else { throw NablaError(.type, "catching classes that do not inherit from BaseException is not allowed", at: span) }
            return o.cls.isSubclass(of: c)
        case let .tuple(ts): return try ts.contains { try exceptionMatches(exc, $0, span: span) }
        default: throw NablaError(.type, "catching classes that do not inherit from BaseException is not allowed", at: span)
        }
    }

    // MARK: Indexing

    /// A resolved tensor index: an optional reshape first (for masks and paired integer arrays)
    /// and the engine's index entries.
    struct IndexPlan {
        var reshape: [Int]?
        var original: [Int]
        var entries: [TensorIndex]

        func read(_ t: Variable) throws -> Variable {
            let base = reshape == nil ? t : try t.reshaped(reshape!)
            return try base.indexed(entries)
        }
        func assign(_ x: inout Tensor, _ v: Tensor) throws {
            guard let reshape else { try x.assign(entries, v); return }
            var y = try x.reshaped(reshape)
            try y.assign(entries, v)
            x = try y.reshaped(original)
        }
        func replacing(_ t: Variable, with v: Variable) throws -> Variable {
            guard let reshape else { return try Variable.replacing(t, entries, with: v) }
            return try Variable.replacing(try t.reshaped(reshape), entries, with: v).reshaped(original)
        }
    }

    /// Turns `[...]` items into a tensor index plan: numpy's basic indexing, one integer array,
    /// paired integer arrays (`y[arange(N), t]`) and boolean masks.
    func tensorIndex(_ items: [IndexItem], _ scope: Scope, shape: [Int], span: Span) throws -> IndexPlan {
        var raw = [Value?]()   // nil: a slice entry
        var entries = [TensorIndex]()
        for item in items {
            switch item {
            case let .expr(e):
                let v = try eval(e, scope)
                if case let .tuple(parts) = v, items.count == 1 {
                    for p in parts { raw.append(p); entries.append(try indexEntry(p, span: e.span)) }
                    continue
                }
                raw.append(v)
                entries.append(try indexEntry(v, span: e.span))
            case let .slice(a, b, c):
                func part(_ x: Expr?) throws -> Int? {
                    guard let x else { return nil }
                    let v = try eval(x, scope)
                    if case .none = v { return nil }
                    return try toIndex(v, span: x.span, what: "slice indices")
                }
                raw.append(nil)
                entries.append(.slice(try part(a), try part(b), try part(c)))
            }
        }
        try expandEllipsis(&raw, &entries, rank: shape.count, span: span)
        return try plan(raw, entries, shape: shape, span: span)
    }

    /// numpy's `...`: as many full slices as the axes the other entries leave unnamed.
    func expandEllipsis(_ raw: inout [Value?], _ entries: inout [TensorIndex], rank: Int, span: Span) throws {
        func isEllipsis(_ v: Value?) -> Bool { if case .object(is EllipsisObject)? = v { return true }; return false }
        let found = raw.indices.filter { isEllipsis(raw[$0]) }
        guard let at = found.first else { return }
        guard found.count == 1 else { throw NablaError(.index, "an index can only have a single ellipsis ('...')", at: span) }
        var named = 0
        for (k, entry) in entries.enumerated() where k != at {
            if case .newAxis = entry { continue }
            named += raw[k].flatMap { maskTensor($0)?.rank } ?? 1
        }
        guard named <= rank else { throw NablaError(.index, "too many indices for array: array is \(rank)-dimensional, but \(named) were indexed", at: span) }
        raw.replaceSubrange(at...at, with: Array(repeating: nil, count: rank - named))
        entries.replaceSubrange(at...at, with: Array(repeating: .slice(nil, nil, nil), count: rank - named))
    }

    func plan(_ raw: [Value?], _ entries: [TensorIndex], shape: [Int], span: Span) throws -> IndexPlan {
        // A boolean mask: select the positions where it is True over the axes it covers.
        if raw.count == 1, let m = raw[0].flatMap({ maskTensor($0) }) {
            guard m.rank <= shape.count, Array(shape.prefix(m.rank)) == m.shape else {
                throw NablaError(.index, "boolean index of shape \(formatShape(m.shape)) does not match the indexed array of shape \(formatShape(shape))", at: span)
            }
            let covered = m.shape.reduce(1, *)
            let positions = m.data.enumerated().compactMap { $0.element != 0 ? $0.offset : nil }
            return IndexPlan(reshape: [covered] + shape.dropFirst(m.rank), original: shape, entries: [.list(positions)])
        }
        if raw.contains(where: { $0.flatMap { maskTensor($0) } != nil }) {
            throw NablaError(.index, "a boolean mask must be the only index (combine masks with & and |)", at: span)
        }
        // Paired integer arrays over the leading axes: gather elements (numpy's advanced indexing).
        let lists = entries.enumerated().filter { if case .list = $0.element { return true }; return false }
        if lists.count >= 2 {
            let k = entries.count
            guard entries.allSatisfy({ if case .list = $0 { return true }; if case .at = $0 { return true }; return false }), k <= shape.count else {
                throw NablaError(.index, "several integer arrays can index only the leading axes, without slices in between", at: span)
            }
            var columns = [[Int]]()
            var n = 1
            for e in entries { if case let .list(ids) = e { n = ids.count; break } }
            for (axis, e) in entries.enumerated() {
                switch e {
                case let .list(ids):
                    guard ids.count == n else { throw NablaError(.index, "shape mismatch: indexing arrays could not be broadcast together with lengths \(n) and \(ids.count)", at: span) }
                    columns.append(try ids.map { i in
                        guard i >= -shape[axis], i < shape[axis] else { throw NablaError(.index, "index \(i) is out of bounds for axis \(axis) with size \(shape[axis])", at: span) }
                        return i < 0 ? i + shape[axis] : i
                    })
                case let .at(i):
                    guard i >= -shape[axis], i < shape[axis] else { throw NablaError(.index, "index \(i) is out of bounds for axis \(axis) with size \(shape[axis])", at: span) }
                    columns.append([Int](repeating: i < 0 ? i + shape[axis] : i, count: n))
                default: break
                }
            }
            var flat = [Int](repeating: 0, count: n)
            for axis in 0..<k { for r in 0..<n { flat[r] = flat[r] * shape[axis] + columns[axis][r] } }
            return IndexPlan(reshape: [shape.prefix(k).reduce(1, *)] + shape.dropFirst(k), original: shape, entries: [.list(flat)])
        }
        return IndexPlan(reshape: nil, original: shape, entries: entries)
    }

    func maskTensor(_ v: Value) -> Tensor? {
        switch v {
        case let .mask(m): return m
        case let .list(l) where !l.items.isEmpty && l.items.allSatisfy({ if case .bool = $0 { return true }; return false }):
            return Tensor(l.items.map { if case let .bool(b) = $0, b { return 1 }; return 0 })
        default: return nil
        }
    }

    func indexEntry(_ v: Value, span: Span) throws -> TensorIndex {
        switch v {
        case .none: return .newAxis
        case .mask: return .all   // handled by plan
        case .object(is EllipsisObject): return .all   // expanded by expandEllipsis
        case let .slice(a, b, c):
            func p(_ x: Value) throws -> Int? { if case .none = x { return nil }; return try toIndex(x, span: span, what: "slice indices") }
            return .slice(try p(a), try p(b), try p(c))
        case let .tensor(t) where t.value.rank == 1:
            return .list(try wrap(span) { try t.value.indices(op: "index") })
        case .list, .tuple:
            if maskTensor(v) != nil { return .all }
            return .list(try elements(v, span: span).map { try toIndex($0, span: span, what: "array indices") })
        default:
            if case let .tensor(t) = v, t.value.rank > 1 { throw NablaError(.index, "indexing with a \(t.value.rank)-d array of positions is not supported; use a 1-d array or a mask", at: span) }
            return .at(try toIndex(v, span: span, what: "indices"))
        }
    }

    func sliceBounds(_ a: Expr?, _ b: Expr?, _ c: Expr?, size: Int, _ scope: Scope, span: Span) throws -> (Int, Int, Int) {
        func part(_ x: Expr?) throws -> Int? {
            guard let x else { return nil }
            let v = try eval(x, scope)
            if case .none = v { return nil }
            return try toIndex(v, span: x.span, what: "slice indices")
        }
        return try wrap(span) { try Tensor.resolveSlice(try part(a), try part(b), try part(c), size: size) }
    }

    /// The key of `d[k]` (a tuple for `d[a, b]`).
    func indexKey(_ items: [IndexItem], _ scope: Scope, span: Span) throws -> Value {
        var keys = [Value]()
        for item in items {
            switch item {
            case let .expr(e): keys.append(try eval(e, scope))
            case let .slice(a, b, c):
                func part(_ x: Expr?) throws -> Value { try x.map { try eval($0, scope) } ?? .none }
                keys.append(.slice(try part(a), try part(b), try part(c)))
            }
        }
        return keys.count == 1 ? keys[0] : .tuple(keys)
    }

    /// How a value is hashed as a dict key or set element.
    func hashKey(_ v: Value, span: Span) throws -> HashKey {
        switch v {
        case let .int(i): return i.magnitude < (1 << 53) ? .num(Double(i)) : .bigInt(i)
        case let .bigint(b):
            let d = b.double
            if d.isFinite, BigInt(exactly: d) == b { return .num(d) }
            return .str("\u{0}int:" + b.description)
        case let .float(d):
            if d == d.rounded(), Swift.abs(d) >= 9.0e15, Swift.abs(d) < 9.2e18 { return .bigInt(Int(d)) }
            return .num(d == 0 ? 0 : d)
        case let .bool(b): return .num(b ? 1 : 0)
        case let .string(s): return .str(s)
        case .none: return .none
        case let .tuple(t): return .tuple(try t.map { try hashKey($0, span: span) })
        case let .tensor(t) where t.value.rank == 0 && !t.requiresGrad: return try hashKey(.float(t.value.data[0]), span: span)
        case let .instance(o):
            if let h = o.cls.lookup("__hash__"), case .function = h {
                return .num(Double(try toInt(try call(bindAttribute(h, to: v, cls: o.cls), [], [], span: span), span: span, what: "__hash__()")))
            }
            return .identity(ObjectIdentifier(o))
        case let .cls(c): return .identity(ObjectIdentifier(c))
        case let .function(f): return .identity(ObjectIdentifier(f))
        case let .builtin(b): return .str("<builtin>" + b.name)
        case let .tensor(t): return .identity(ObjectIdentifier(t))
        case let .module(m): return .identity(ObjectIdentifier(m))
        default: throw NablaError(.type, "unhashable type: '\(v.typeName)'", at: span)
        }
    }

    /// `base[key]` with an already evaluated key.
    func getItem(_ base: Value, _ key: Value, span: Span) throws -> Value {
        switch base {
        case let .dict(d):
            let h = try hashKey(key, span: span)
            if let v = d.get(h) { return v }
            if d.kind == "Counter" { return .int(0) }
            if let f = d.defaultFactory {
                let v = try call(f, [], [], span: span)
                d.set(h, key, v)
                return v
            }
            throw NablaError(.key, repr(key), at: span)
        case .instance:
            return try callMethod(base, "__getitem__", [key], span: span)
        case let .tensor(t):
            let p = try plan([key], [try indexEntry(key, span: span)], shape: t.value.shape, span: span)
            return .tensor(try wrap(span) { try p.read(t) })
        case let .mask(m):
            let p = try plan([key], [try indexEntry(key, span: span)], shape: m.shape, span: span)
            let r = try wrap(span) { try p.read(Variable(m)) }.value
            return r.rank == 0 ? .bool(r.data[0] != 0) : .mask(r)
        default:
            let seq = try elements(base, span: span)
            if case let .slice(a, b, c) = key {
                func p(_ x: Value) throws -> Int? { if case .none = x { return nil }; return try toIndex(x, span: span, what: "slice indices") }
                let (start, count, step) = try wrap(span) { try Tensor.resolveSlice(try p(a), try p(b), try p(c), size: seq.count) }
                let picked = (0..<count).map { seq[start + $0 * step] }
                switch base {
                case .tuple: return .tuple(picked)
                case .string: return .string(picked.map { str($0) }.joined())
                default: return .list(ListRef(picked))
                }
            }
            let i = try toIndex(key, span: span, what: "\(base.typeName) indices")
            guard i >= -seq.count, i < seq.count else { throw NablaError(.index, "\(base.typeName) index out of range", at: span) }
            return seq[i < 0 ? i + seq.count : i]
        }
    }

    func index(_ base: Value, _ items: [IndexItem], _ scope: Scope, span: Span) throws -> Value {
        switch base {
        case let .tensor(t):
            let p = try tensorIndex(items, scope, shape: t.value.shape, span: span)
            let r = try wrap(span) { try p.read(t) }
            return view(r, of: t, as: .index(p))
        case let .mask(m):
            let p = try tensorIndex(items, scope, shape: m.shape, span: span)
            let r = try wrap(span) { try p.read(Variable(m)) }.value
            return r.rank == 0 ? .bool(r.data[0] != 0) : .mask(r)
        case let .list(l):
            // The hot path: `xs[i]`.
            if items.count == 1, case let .expr(e) = items[0] {
                let k = try eval(e, scope)
                if case let .int(i) = k {
                    guard i >= -l.items.count, i < l.items.count else { throw NablaError(.index, "list index out of range", at: e.span) }
                    return l.items[i < 0 ? i + l.items.count : i]
                }
                if case .tuple = k { throw NablaError(.type, "list indices must be integers or slices, not tuple", at: span) }
                return try getItem(base, k, span: e.span)
            }
            if items.count > 1 { throw NablaError(.type, "list indices must be integers or slices, not tuple (a list of lists is indexed as x[i][j]; use np.array for x[i, j])", at: span) }
            return try getItem(base, try indexKey(items, scope, span: span), span: span)
        case .tuple, .string, .range:
            if items.count > 1 { throw NablaError(.type, "\(base.typeName) indices must be integers or slices, not tuple", at: span) }
            if case .range = base, case .expr = items[0] {
                if case let .range(r) = base {
                    let i = try toIndex(try indexKey(items, scope, span: span), span: span, what: "range indices")
                    guard i >= -r.count, i < r.count else { throw NablaError(.index, "range object index out of range", at: span) }
                    return .int(r.element(i < 0 ? i + r.count : i))
                }
            }
            return try getItem(base, try indexKey(items, scope, span: span), span: span)
        case .dict, .instance:
            return try getItem(base, try indexKey(items, scope, span: span), span: span)
        case let .cls(c):
            // `list[int]`-style annotations: the class itself.
            return .cls(c)
        case .builtin:
            return base
        case let .object(o as SubscriptableObject):
            return try o.item(try indexKey(items, scope, span: span), interpreter: self)
        default:
            throw NablaError(.type, "'\(base.typeName)' object is not subscriptable", at: span)
        }
    }

    // MARK: Attributes

    public func attribute(_ base: Value, _ name: String, span: Span) throws -> Value {
        switch base {
        case let .tensor(t):
            switch name {
            case "T": return try wrap(span) { try transposedView(t, nil) }
            case "shape": return .tuple(t.value.shape.map { .int($0) })
            case "ndim": return .int(t.value.rank)
            case "size": return .int(t.value.count)
            case "grad": return t.grad.map { .tensor($0) } ?? .none
            case "requires_grad": return .bool(t.requiresGrad)
            case "name": return t.name.map { .string($0) } ?? .none
            case "op": return .string(t.op.name)
            case "dtype": return .string("float64")
            default:
                if let b = tensorMethods[name] { return .builtin(b.bound(to: base)) }
            }
        case let .mask(m):
            switch name {
            case "shape": return .tuple(m.shape.map { .int($0) })
            case "ndim": return .int(m.rank)
            case "size": return .int(m.count)
            case "T": return .mask(try wrap(span) { try m.transposed() })
            case "dtype": return .string("bool")
            default:
                if let b = tensorMethods[name] { return .builtin(b.bound(to: base)) }
            }
        case .list, .string, .dict, .set, .tuple, .int, .float, .iterator:
            if case let .dict(d) = base, d.kind == "Counter", let b = typeMethods["Counter"]?[name] { return .builtin(b.bound(to: base)) }
            if case .dict = base, let b = typeMethods["dict"]?[name] { return .builtin(b.bound(to: base)) }
            if let b = typeMethods[base.typeName]?[name] { return .builtin(b.bound(to: base)) }
            if case let .float(d) = base { if name == "real" { return base }; if name == "imag" { return .float(0 * d) } }
            if case .int = base { if name == "real" || name == "numerator" { return base }; if name == "imag" { return .int(0) }; if name == "denominator" { return .int(1) } }
        case let .instance(o):
            if let v = o.attrs[name] { return v }
            if let m = o.cls.lookup(name) {
                if case let .function(f) = m, f.isProperty { return try callFunction(f, [base], [], span: span) }
                return bindAttribute(m, to: base, cls: o.cls)
            }
            if name == "__class__" { return .cls(o.cls) }
            if name == "__dict__" { let d = DictRef(); for k in o.attrOrder { if let v = o.attrs[k] { d.set(.str(k), .string(k), v) } }; return .dict(d) }
            if let g = o.cls.lookup("__getattr__") { return try call(bindAttribute(g, to: base, cls: o.cls), [.string(name)], [], span: span) }
            throw NablaError(.attribute, "'\(o.cls.name)' object has no attribute '\(name)'" + (suggest(name, among: attributeNames(of: base)).map { "; did you mean '\($0)'?" } ?? ""), at: span)
        case let .cls(c):
            if let m = c.lookup(name) {
                if case let .function(f) = m, f.isClassMethod { return .method(base, f) }
                return m
            }
            if name == "__name__" { return .string(c.name) }
            if name == "__doc__" { return c.doc.map { .string($0) } ?? .none }
            if name == "__mro__" { return .tuple(c.mro.map { .cls($0) }) }
            if name == "__bases__" { return .tuple(c.bases.map { .cls($0) }) }
            throw NablaError(.attribute, "type object '\(c.name)' has no attribute '\(name)'", at: span)
        case let .superProxy(cls, me):
            let mroList: [ClassObject]
            if case let .instance(o) = me { mroList = o.cls.mro } else if case let .cls(c) = me { mroList = c.mro } else { mroList = cls.mro }
            if let k = mroList.firstIndex(where: { $0 === cls }) {
                for c in mroList[(k + 1)...] {
                    if let m = c.attrs[name] {
                        if case let .function(f) = m, f.isProperty { return try callFunction(f, [me], [], span: span) }
                        return bindAttribute(m, to: me, cls: cls)
                    }
                }
            }
            if name == "__init__" {
                // object.__init__ (and the builtin exceptions' __init__, which stores args).
                return .builtin(Builtin("__init__", [.args("args")], doc: "object.__init__") { a in
                    if case let .instance(o) = me, self.isException(o) { o.set("args", .tuple(a.rest)) }
                    return .none
                })
            }
            throw NablaError(.attribute, "'super' object has no attribute '\(name)'", at: span)
        case let .module(m):
            if let v = m.members[name] { return v }
            if let sub = try? importModule(m.name + "." + name, span: span) { return sub }
            throw NablaError(.attribute, missingMember(m, name), at: span)
        case let .object(o):
            if let v = o.attribute(name) { return v }
        case let .function(f):
            if name == "__doc__" { return f.doc.map { .string($0) } ?? .none }
            if name == "__name__" { return .string(f.name) }
        case let .builtin(b):
            if b.receiver == nil, let m = typeMethods[b.name]?[name] { return .builtin(m) }   // str.lower, list.append
            if name == "__name__" { return .string(b.name) }
            if name == "__doc__" { return .string(b.doc) }
        case let .method(s, f):
            if name == "__self__" { return s }
            if name == "__name__" { return .string(f.name) }
            if name == "__func__" { return .function(f) }
        default: break
        }
        let known = attributeNames(of: base)
        let hint = suggest(name, among: known).map { "; did you mean '\($0)'?" } ?? ""
        throw NablaError(.attribute, "'\(base.typeName)' object has no attribute '\(name)'\(hint)", at: span)
    }

    /// Attributes completion offers after `value.`.
    public func attributeNames(of v: Value) -> [String] {
        switch v {
        case .tensor: return ["T", "shape", "ndim", "size", "grad", "requires_grad", "name", "op", "dtype"] + tensorMethods.keys.sorted()
        case .mask: return ["T", "shape", "ndim", "size", "dtype"] + tensorMethods.keys.sorted()
        case .dict: return (typeMethods["dict"] ?? [:]).keys.sorted()
        case .list, .string, .set, .tuple, .int, .float: return (typeMethods[v.typeName] ?? [:]).keys.sorted()
        case let .instance(o):
            var names = Set(o.attrs.keys)
            for c in o.cls.mro { names.formUnion(c.attrs.keys) }
            return names.sorted()
        case let .cls(c): return Set(c.mro.flatMap { $0.attrs.keys }).sorted()
        case let .module(m): return m.members.keys.sorted()
        case let .object(o): return o.attributeNames
        default: return []
        }
    }
}
