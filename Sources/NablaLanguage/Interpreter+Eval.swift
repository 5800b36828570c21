import Foundation
import NablaAutograd
import NablaTensor

/// Expressions: operators, calls, indexing, attributes, and the conversions between values.
extension Interpreter {
    func eval(_ e: Expr, _ scope: Scope) throws -> Value {
        switch e.kind {
        case let .number(v): return numbersAsTensors ? .number(v) : .float(v)
        case let .int(v): return numbersAsTensors ? .number(Double(v)) : .int(v)
        case let .bigint(s): return try normalized(BigInt(s) ?? BigInt(0), span: e.span)
        case let .string(s): return .string(s)
        case let .fstring(parts): return .string(try formatParts(parts, scope))
        case let .bool(b): return .bool(b)
        case .none: return .none
        case .ellipsis: return .object(EllipsisObject.shared)
        case let .name(n):
            // Most names are found in the innermost scope's slots: no walk up the scopes.
            if let t = scope.table {
                let i = e.slot(in: t, n)
                if i >= 0, i < scope.slotCount, let v = scope.slots[i] { return v }
            }
            return try lookup(n, scope, span: e.span, expr: e)
        case let .list(items):
            return .list(ListRef(try display(items, scope)))
        case let .tuple(items):
            return .tuple(try display(items, scope))
        case let .set(items):
            let s = SetRef()
            for v in try display(items, scope) { s.insert(try hashKey(v, span: e.span), v) }
            return .set(s)
        case let .dict(entries):
            let d = DictRef()
            for (k, ve) in entries {
                if let k {
                    let kv = try eval(k, scope)
                    d.set(try hashKey(kv, span: k.span), kv, try eval(ve, scope))
                } else {
                    guard case let .dict(other) = try eval(ve, scope) else { throw NablaError(.type, "'**' needs a dict", at: ve.span) }
                    for (kk, vv) in zip(other.keys, other.values) { d.set(try hashKey(kk, span: ve.span), kk, vv) }
                }
            }
            return .dict(d)
        case let .unary(op, x):
            let v = try eval(x, scope)
            return try unary(op, v, span: e.span)
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
            if argExprs.isEmpty, case .name("super") = fe.kind, (try? lookup("super", scope, span: fe.span)).map({ if case .builtin = $0 { return true }; return false }) == true {
                return try makeSuper(scope, span: e.span)
            }
            let f = try eval(fe, scope)
            // A def called with exactly its positional parameters: the arguments go straight into its slots.
            if case let .function(fn) = f, fn.onlyPositional, e.plainArgCount == fn.positionalSlots.count {
                let frame = Scope(parent: fn.closure, function: fn)
                let slots = fn.positionalSlots
                for k in 0..<slots.count { frame.slots[slots[k]] = try eval(argExprs[k], scope) }
                try checkInterrupt(e.span)
                return try run(fn, frame, span: e.span)
            }
            if case let .builtin(b) = f, b.recordsGraph {
                let saved = numbersAsTensors
                numbersAsTensors = true
                defer { numbersAsTensors = saved }
                let (args, kwargs) = try GradMode.with(.recordAll) { try arguments(argExprs, kwExprs, scope) }
                return try call(f, args, kwargs, span: e.span)
            }
            let (args, kwargs) = try arguments(argExprs, kwExprs, scope)
            return try call(f, args, kwargs, span: e.span)
        case let .index(base, items):
            return try index(try eval(base, scope), items, scope, span: e.span)
        case let .attribute(base, name):
            return try attribute(try eval(base, scope), name, span: e.span)
        case .starred:
            throw NablaError(.syntax, "can't use starred expression here", at: e.span)
        case let .comprehension(kind, element, value, clauses):
            // Its own scope, as in Python 3: the loop variable does not leak.
            let inner = Scope(parent: scope)
            if kind == .generator { return .iterator(try lazyGenerator(element, clauses, scope, inner, span: e.span)) }
            var values = [Value]()
            let dict = DictRef()
            func run(_ k: Int) throws {
                if k == clauses.count {
                    if kind == .dict, let value {
                        let kv = try eval(element, inner)
                        dict.set(try hashKey(kv, span: element.span), kv, try eval(value, inner))
                    } else {
                        values.append(try eval(element, inner))
                    }
                    return
                }
                let c = clauses[k]
                try forEach(try eval(c.iterable, k == 0 ? scope : inner), span: c.iterable.span) { item in
                    try checkInterrupt(e.span)
                    try assign(c.target, item, inner)
                    for cond in c.conditions where !(try truthy(eval(cond, inner), span: cond.span)) { return true }
                    try run(k + 1)
                    return true
                }
            }
            try run(0)
            switch kind {
            case .list, .generator: return .list(ListRef(values))
            case .dict: return .dict(dict)
            case .set:
                let s = SetRef()
                for v in values { s.insert(try hashKey(v, span: e.span), v) }
                return .set(s)
            }
        case let .lambda(params, body):
            return .function(Function(name: "<lambda>", params: params, defaults: try params.map { try $0.defaultValue.map { try eval($0, scope) } },
                                      body: .expr(body), closure: scope.isClassBody ? (scope.parent ?? scope) : scope, doc: nil,
                                      layout: FunctionLayout.of(params, .expr(body), cache: &e.layout)))
        }
    }

    /// A generator expression: its first iterable is evaluated now, as Python does; everything
    /// else runs one item per `next()`, so `(x for x in itertools.count())` is fine. Each clause
    /// keeps its own item source; `level` is the clause being advanced.
    func lazyGenerator(_ element: Expr, _ clauses: [CompClause], _ scope: Scope, _ inner: Scope, span: Span) throws -> IteratorRef {
        guard let first = clauses.first else { return IteratorRef([], kind: "generator") }
        var sources: [(() throws -> Value?)?] = Array(repeating: nil, count: clauses.count)
        sources[0] = try puller(try eval(first.iterable, scope), span: first.iterable.span)
        var level = 0
        return IteratorRef(kind: "generator") { [self] in
            while level >= 0 {
                try checkInterrupt(span)
                let c = clauses[level]
                if sources[level] == nil { sources[level] = try puller(try eval(c.iterable, inner), span: c.iterable.span) }
                guard let next = sources[level], let item = try next() else {
                    sources[level] = nil
                    level -= 1
                    continue
                }
                try assign(c.target, item, inner)
                var passes = true
                for cond in c.conditions where !(try truthy(eval(cond, inner), span: cond.span)) { passes = false; break }
                guard passes else { continue }
                if level == clauses.count - 1 { return try eval(element, inner) }
                level += 1
            }
            return nil
        }
    }

    /// The positional and keyword arguments of a call, with `*args` and `**kwargs` spread.
    func arguments(_ argExprs: [Expr], _ kwExprs: [(String, Expr)], _ scope: Scope) throws -> ([Value], [(String, Value)]) {
        var args = [Value]()
        args.reserveCapacity(argExprs.count)
        for a in argExprs {
            if case let .starred(inner) = a.kind { args += try elements(try eval(inner, scope), span: inner.span) } else { args.append(try eval(a, scope)) }
        }
        var kwargs = [(String, Value)]()
        for (k, ve) in kwExprs {
            let v = try eval(ve, scope)
            if k == "**" {
                guard case let .dict(d) = v else { throw NablaError(.type, "argument after ** must be a dict, not \(v.typeName)", at: ve.span) }
                for (kk, vv) in zip(d.keys, d.values) {
                    guard case let .string(ks) = kk else { throw NablaError(.type, "keywords must be strings", at: ve.span) }
                    kwargs.append((ks, vv))
                }
            } else { kwargs.append((k, v)) }
        }
        return (args, kwargs)
    }

    /// The items of a list, tuple or set display, with `*spread` expanded.
    func display(_ items: [Expr], _ scope: Scope) throws -> [Value] {
        var out = [Value]()
        out.reserveCapacity(items.count)
        for x in items {
            if case let .starred(inner) = x.kind { out += try elements(try eval(inner, scope), span: inner.span) } else { out.append(try eval(x, scope)) }
        }
        return out
    }

    // MARK: Operators

    static let dunderNames: [String: String] = [
        "+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod", "**": "pow", "@": "matmul",
        "&": "and", "|": "or", "^": "xor", "<<": "lshift", ">>": "rshift",
    ]

    func unary(_ op: String, _ v: Value, span: Span) throws -> Value {
        if op == "not" { return .bool(!(try truthy(v, span: span))) }
        switch v {
        case let .int(i):
            if op == "+" { return v }
            if op == "~" { return .int(~i) }
            guard i != Int.min else { throw NablaError(.overflow, "integer too large for Nabla's 64-bit integers", at: span) }
            return .int(-i)
        case let .bool(b):
            let i = b ? 1 : 0
            return op == "~" ? .int(~i) : op == "-" ? .int(-i) : .int(i)
        case let .bigint(b):
            if op == "-" { return try normalized(-b, span: span) }
            if op == "+" { return v }
            return try normalized(-b - BigInt(1), span: span)
        case let .float(d): return op == "-" ? .float(-d) : op == "+" ? v : try { throw NablaError(.type, "bad operand type for unary ~: 'float'", at: span) }()
        case let .mask(m) where op == "~": return .mask(m.map { $0 != 0 ? 0 : 1 })
        case .instance:
            let name = op == "-" ? "__neg__" : op == "+" ? "__pos__" : "__invert__"
            return try callMethod(v, name, [], span: span)
        default:
            if op == "+" , case .tensor = v { return v }
            guard op == "-" else { throw NablaError(.type, "bad operand type for unary \(op): '\(v.typeName)'", at: span) }
            let t = try toVariable(v, span: span, what: "the operand of unary -")
            return .tensor(-t)
        }
    }

    /// A Python number's value: ints, floats and bools.
    @inline(__always) func pyNumber(_ v: Value) -> (Int?, Double)? {
        switch v {
        case let .int(i): return (i, Double(i))
        case let .float(d): return (nil, d)
        case let .bool(b): return (b ? 1 : 0, b ? 1 : 0)
        default: return nil
        }
    }

    func isArrayLike(_ v: Value) -> Bool {
        switch v { case .tensor, .mask: return true; default: return false }
    }

    func binary(_ op: String, _ a: Value, _ b: Value, span: Span) throws -> Value {
        if case let .int(i) = a, case let .int(j) = b { return try intOp(op, i, j, span: span) }
        if case .bigint = a, let r = try bigBinary(op, a, b, span: span) { return r }
        if case .bigint = b, let r = try bigBinary(op, a, b, span: span) { return r }
        // Python numbers (the hot path of loops).
        if let x = pyNumber(a), let y = pyNumber(b) {
            if let i = x.0, let j = y.0 { return try intOp(op, i, j, span: span, bools: { if case .bool = a, case .bool = b { return true }; return false }()) }
            return try floatOp(op, x.1, y.1, span: span)
        }
        switch (a, b) {
        case (.instance, _), (_, .instance):
            return try dunderBinary(op, a, b, span: span)
        case let (.string(x), .string(y)) where op == "+": return .string(x + y)
        case let (.string(x), _) where op == "%": return .string(try percentFormat(x, b, span: span))
        case (.string, .int), (.string, .bool), (.int, .string), (.bool, .string):
            guard op == "*" else { break }
            let (s, n): (String, Int)
            if case let .string(x) = a { s = x; n = try toIndex(b, span: span, what: "a repeat count") } else if case let .string(x) = b { s = x; n = try toIndex(a, span: span, what: "a repeat count") } else { break }
            let (total, o) = s.count.multipliedReportingOverflow(by: max(n, 0))
            guard !o, total <= 100_000_000 else { throw NablaError(.memory, "the repeated string would be too long", at: span) }
            return .string(String(repeating: s, count: max(n, 0)))
        case let (.list(x), .list(y)) where op == "+": return .list(ListRef(x.items + y.items))
        case let (.tuple(x), .tuple(y)) where op == "+": return .tuple(x + y)
        case (.list, .int), (.list, .bool), (.int, .list), (.bool, .list), (.tuple, .int), (.int, .tuple):
            guard op == "*" else { break }
            var items = [Value](), n = 0, isTuple = false
            switch (a, b) {
            case let (.list(l), _): items = l.items; n = try toIndex(b, span: span, what: "a repeat count")
            case let (_, .list(l)): items = l.items; n = try toIndex(a, span: span, what: "a repeat count")
            case let (.tuple(t), _): items = t; n = try toIndex(b, span: span, what: "a repeat count"); isTuple = true
            case let (_, .tuple(t)): items = t; n = try toIndex(a, span: span, what: "a repeat count"); isTuple = true
            default: break
            }
            let (total, o) = items.count.multipliedReportingOverflow(by: max(n, 0))
            guard !o, total <= 100_000_000 else { throw NablaError(.memory, "the repeated list would be too long", at: span) }
            var out = [Value]()
            for _ in 0..<max(n, 0) { out += items }
            return isTuple ? .tuple(out) : .list(ListRef(out))
        case let (.set(x), .set(y)):
            let out = SetRef()
            switch op {
            case "|": for v in x.items + y.items { out.insert(try hashKey(v, span: span), v) }
            case "&": for v in x.items where y.contains(try hashKey(v, span: span)) { out.insert(try hashKey(v, span: span), v) }
            case "-": for v in x.items where !y.contains(try hashKey(v, span: span)) { out.insert(try hashKey(v, span: span), v) }
            case "^":
                for v in x.items where !y.contains(try hashKey(v, span: span)) { out.insert(try hashKey(v, span: span), v) }
                for v in y.items where !x.contains(try hashKey(v, span: span)) { out.insert(try hashKey(v, span: span), v) }
            default: throw NablaError(.type, "unsupported operand type(s) for \(op): 'set' and 'set'", at: span)
            }
            return .set(out)
        case let (.dict(x), .dict(y)) where op == "|":
            let out = DictRef()
            for (k, v) in zip(x.keys + y.keys, x.values + y.values) { out.set(try hashKey(k, span: span), k, v) }
            return .dict(out)
        case let (.mask(x), .mask(y)) where ["&", "|", "^"].contains(op):
            return .mask(try wrap(span) { try Tensor.zip(x, y, op: op) { p, q in
                let (u, v) = (p != 0, q != 0)
                return (op == "&" ? u && v : op == "|" ? u || v : u != v) ? 1 : 0
            } })
        case (.mask, .bool), (.bool, .mask):
            if ["&", "|", "^"].contains(op) {
                let m = try toMask(a, span: span), n = try toMask(b, span: span)
                return try binary(op, .mask(m), .mask(n), span: span)
            }
        default: break
        }
        // Arrays: at least one operand is a tensor; lists and numbers convert as numpy does.
        let arrayInvolved = isArrayLike(a) || isArrayLike(b)
        let listMatmul = op == "@" && isSequence(a) && isSequence(b)
        guard arrayInvolved || listMatmul else {
            throw NablaError(.type, "unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'", at: span)
        }
        if ["&", "|", "^"].contains(op) {
            if case .mask = a {} else if case .mask = b {} else {
                throw NablaError(.type, "unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)' (use & and | on comparison results)", at: span)
            }
            return try binary(op, .mask(try toMask(a, span: span)), .mask(try toMask(b, span: span)), span: span)
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
            default: throw TensorError.argument(op: op, message: "unsupported operand type(s) for \(op)")
            }
        })
    }

    func isSequence(_ v: Value) -> Bool {
        switch v { case .list, .tuple: return true; default: return false }
    }

    /// Python's int arithmetic: exact, or an OverflowError beyond 64 bits (never a wrap or a silent float).
    func intOp(_ op: String, _ i: Int, _ j: Int, span: Span, bools: Bool = false) throws -> Value {
        func overflow() throws -> Value { try bigOp(op, BigInt(i), BigInt(j), span: span) }
        switch op {
        case "+": let (r, o) = i.addingReportingOverflow(j); if o { return try overflow() }; return .int(r)
        case "-": let (r, o) = i.subtractingReportingOverflow(j); if o { return try overflow() }; return .int(r)
        case "*": let (r, o) = i.multipliedReportingOverflow(by: j); if o { return try overflow() }; return .int(r)
        case "/":
            guard j != 0 else { throw NablaError(.zeroDivision, "division by zero", at: span) }
            return .float(Double(i) / Double(j))
        case "//":
            guard j != 0 else { throw NablaError(.zeroDivision, "integer division or modulo by zero", at: span) }
            if i == Int.min && j == -1 { return try overflow() }
            var q = i / j
            if (i % j != 0) && ((i < 0) != (j < 0)) { q -= 1 }
            return .int(q)
        case "%":
            guard j != 0 else { throw NablaError(.zeroDivision, "integer division or modulo by zero", at: span) }
            if j == -1 { return .int(0) }
            var r = i % j
            if r != 0 && ((r < 0) != (j < 0)) { r += j }
            return .int(r)
        case "**":
            if j < 0 {
                guard i != 0 else { throw NablaError(.zeroDivision, "0.0 cannot be raised to a negative power", at: span) }
                return .float(Foundation.pow(Double(i), Double(j)))
            }
            var result = 1, base = i, e = j
            while e > 0 {
                if e & 1 == 1 { let (r, o) = result.multipliedReportingOverflow(by: base); if o { return try overflow() }; result = r }
                e >>= 1
                if e > 0 { let (b2, o) = base.multipliedReportingOverflow(by: base); if o { return try overflow() }; base = b2 }
            }
            return .int(result)
        case "&": return bools ? .bool(i & j != 0) : .int(i & j)
        case "|": return bools ? .bool(i | j != 0) : .int(i | j)
        case "^": return bools ? .bool(i ^ j != 0) : .int(i ^ j)
        case "<<":
            guard j >= 0 else { throw NablaError(.value, "negative shift count", at: span) }
            if i == 0 { return .int(0) }
            guard j < 63, i.magnitude.leadingZeroBitCount > j else { return try overflow() }
            return .int(i << j)
        case ">>":
            guard j >= 0 else { throw NablaError(.value, "negative shift count", at: span) }
            return .int(j >= 64 ? (i < 0 ? -1 : 0) : i >> j)
        case "@": throw NablaError(.type, "unsupported operand type(s) for @: 'int' and 'int'", at: span)
        default: throw NablaError(.type, "unsupported operand \(op)", at: span)
        }
    }

    /// An int value as a BigInt (ints, bools and big ints).
    func bigValue(_ v: Value) -> BigInt? {
        switch v {
        case let .int(i): return BigInt(i)
        case let .bool(b): return BigInt(b ? 1 : 0)
        case let .bigint(b): return b
        default: return nil
        }
    }

    /// A BigInt result as Python shows it: an Int when it fits, else a big int (bounded in size).
    func normalized(_ b: BigInt, span: Span) throws -> Value {
        if let i = b.asInt { return .int(i) }
        guard b.limbs.count <= BigInt.maxLimbs else {
            throw NablaError(.memory, "the integer result has more than \(BigInt.maxLimbs * 32) bits, more than Nabla keeps", at: span)
        }
        return .bigint(b)
    }

    /// `a op b` when one side is a big int: exact for ints, float arithmetic with a float,
    /// nil for other operands (handled as usual).
    func bigBinary(_ op: String, _ a: Value, _ b: Value, span: Span) throws -> Value? {
        if let x = bigValue(a), let y = bigValue(b) { return try bigOp(op, x, y, span: span) }
        if case .float = a, let y = bigValue(b) { return try floatOp(op, try toDouble(a, span: span, what: op), try bigDouble(y, span: span), span: span) }
        if case .float = b, let x = bigValue(a) { return try floatOp(op, try bigDouble(x, span: span), try toDouble(b, span: span, what: op), span: span) }
        return nil
    }

    func bigDouble(_ b: BigInt, span: Span) throws -> Double {
        let d = b.double
        guard d.isFinite else { throw NablaError(.overflow, "int too large to convert to float", at: span) }
        return d
    }

    func bigOp(_ op: String, _ x: BigInt, _ y: BigInt, span: Span) throws -> Value {
        switch op {
        case "+": return try normalized(x + y, span: span)
        case "-": return try normalized(x - y, span: span)
        case "*":
            guard x.limbs.count + y.limbs.count <= BigInt.maxLimbs + 1 else { throw NablaError(.memory, "the integer result would have more than \(BigInt.maxLimbs * 32) bits", at: span) }
            return try normalized(x * y, span: span)
        case "/":
            guard !y.isZero else { throw NablaError(.zeroDivision, "division by zero", at: span) }
            if let (q, r) = BigInt.floorDivMod(x, y), r.isZero { return .float(try bigDouble(q, span: span)) }
            let d = try bigDouble(x, span: span) / bigDouble(y, span: span)
            return .float(d)
        case "//", "%":
            guard let (q, r) = BigInt.floorDivMod(x, y) else { throw NablaError(.zeroDivision, "integer division or modulo by zero", at: span) }
            return try normalized(op == "//" ? q : r, span: span)
        case "**":
            if y.negative { return try floatOp("**", try bigDouble(x, span: span), try bigDouble(y, span: span), span: span) }
            guard var e = y.asInt else { throw NablaError(.memory, "the integer result would be too large", at: span) }
            let bits = x.limbs.count * 32
            guard x.limbs.count <= 1 && (x.limbs.first ?? 0) <= 1 || bits.multipliedReportingOverflow(by: e).overflow == false && bits * e <= (BigInt.maxLimbs + 1) * 32 * 32 else {
                throw NablaError(.memory, "the integer result of ** would have more than \(BigInt.maxLimbs * 32) bits", at: span)
            }
            var result = BigInt(1), base = x
            while e > 0 {
                try checkInterrupt(span)
                if e & 1 == 1 { result = result * base }
                e >>= 1
                if e > 0 { base = base * base }
                guard result.limbs.count <= BigInt.maxLimbs, base.limbs.count <= 2 * BigInt.maxLimbs else {
                    throw NablaError(.memory, "the integer result of ** would have more than \(BigInt.maxLimbs * 32) bits", at: span)
                }
            }
            return try normalized(result, span: span)
        case "<<":
            guard let n = y.asInt, n >= 0 else { throw NablaError(.value, "negative shift count", at: span) }
            guard n <= BigInt.maxLimbs * 32 else { throw NablaError(.memory, "the shifted integer would be too large", at: span) }
            return try normalized(x.shiftedLeft(n), span: span)
        case ">>":
            guard let n = y.asInt, n >= 0 else { throw NablaError(.value, "negative shift count", at: span) }
            guard n <= BigInt.maxLimbs * 32 else { return .int(x.negative ? -1 : 0) }
            guard let (q, _) = BigInt.floorDivMod(x, BigInt(1).shiftedLeft(n)) else { return .int(0) }
            return try normalized(q, span: span)
        default:
            throw NablaError(.type, "unsupported operand type(s) for \(op): 'int' and 'int' (bitwise operations beyond 64 bits are not available in Nabla)", at: span)
        }
    }

    /// Python's float arithmetic, with ZeroDivisionError as Python raises it.
    func floatOp(_ op: String, _ x: Double, _ y: Double, span: Span) throws -> Value {
        switch op {
        case "+": return .float(x + y)
        case "-": return .float(x - y)
        case "*": return .float(x * y)
        case "/":
            guard y != 0 else { throw NablaError(.zeroDivision, "float division by zero", at: span) }
            return .float(x / y)
        case "//":
            guard y != 0 else { throw NablaError(.zeroDivision, "float floor division by zero", at: span) }
            return .float(pyFloatMod(x, y).0)
        case "%":
            guard y != 0 else { throw NablaError(.zeroDivision, "float modulo by zero", at: span) }
            return .float(pyFloatMod(x, y).1)
        case "**":
            if x == 0 && y < 0 { throw NablaError(.zeroDivision, "zero to a negative power", at: span) }
            if x < 0 && y != y.rounded() && y.isFinite { throw NablaError(.value, "a negative number to a fractional power is complex (Nabla has no complex numbers)", at: span) }
            let r = Foundation.pow(x, y)
            if r.isInfinite && x.isFinite && y.isFinite { throw NablaError(.overflow, "(34, 'Numerical result out of range')", at: span) }
            return .float(r)
        default: throw NablaError(.type, "unsupported operand type(s) for \(op): 'float'", at: span)
        }
    }

    /// Python's float floor division and modulo (the remainder takes the divisor's sign).
    func pyFloatMod(_ x: Double, _ y: Double) -> (Double, Double) {
        var mod = fmod(x, y)
        var div = (x - mod) / y
        if mod != 0 { if (y < 0) != (mod < 0) { mod += y; div -= 1 } } else { mod = y.sign == .minus ? -0.0 : 0.0 }
        var floordiv: Double
        if div != 0 { floordiv = div.rounded(.down); if div - floordiv > 0.5 { floordiv += 1 } } else { floordiv = (x / y).sign == .minus ? -0.0 : 0.0 }
        return (floordiv, mod)
    }

    func dunderBinary(_ op: String, _ a: Value, _ b: Value, span: Span) throws -> Value {
        guard let name = Interpreter.dunderNames[op] else { throw NablaError(.type, "unsupported operand \(op)", at: span) }
        if case .instance = a, let f = try? findMethod(a, "__\(name)__") {
            let r = try call(f, [b], [], span: span)
            if !isNotImplemented(r) { return r }
        }
        if case .instance = b, let f = try? findMethod(b, "__r\(name)__") {
            let r = try call(f, [a], [], span: span)
            if !isNotImplemented(r) { return r }
        }
        throw NablaError(.type, "unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'", at: span)
    }

    func isNotImplemented(_ v: Value) -> Bool {
        if case let .builtin(b) = v, b.name == "NotImplemented" { return true }
        return false
    }

    // MARK: Comparisons

    func compare(_ op: String, _ a: Value, _ b: Value, span: Span) throws -> Value {
        if case .bigint = a, let c = try bigCompare(a, b, span: span), let r = Interpreter.orderResult(op, c) { return .bool(r) }
        if case .bigint = b, let c = try bigCompare(a, b, span: span), let r = Interpreter.orderResult(op, c) { return .bool(r) }
        if let x = pyNumber(a), let y = pyNumber(b) {
            let r: Bool
            if let i = x.0, let j = y.0 {
                switch op { case "==", "is": r = i == j; case "!=", "is not": r = i != j; case "<": r = i < j; case "<=": r = i <= j; case ">": r = i > j; case ">=": r = i >= j
                default: return try containment(op, a, b, span: span) }
            } else {
                let (p, q) = (x.1, y.1)
                switch op { case "==": r = p == q; case "!=": r = p != q; case "<": r = p < q; case "<=": r = p <= q; case ">": r = p > q; case ">=": r = p >= q
                case "is": r = p == q && x.0 == nil && y.0 == nil; case "is not": r = !(p == q && x.0 == nil && y.0 == nil)
                default: return try containment(op, a, b, span: span) }
            }
            return .bool(r)
        }
        switch op {
        case "is", "is not":
            let same = identical(a, b)
            return .bool(op == "is" ? same : !same)
        case "in", "not in":
            return try containment(op, a, b, span: span)
        default: break
        }
        if case .instance = a, let name = Interpreter.compareDunders[op], let f = try? findMethod(a, name) {
            let r = try call(f, [b], [], span: span)
            if !isNotImplemented(r) { return r }
        }
        if case .instance = b, let name = Interpreter.compareDunders[Interpreter.reflected[op] ?? op], let f = try? findMethod(b, name) {
            let r = try call(f, [a], [], span: span)
            if !isNotImplemented(r) { return r }
        }
        if isArrayLike(a) || isArrayLike(b), isNumericLike(a), isNumericLike(b) {
            let x = try toVariable(a, span: span, what: "the left operand of \(op)")
            let y = try toVariable(b, span: span, what: "the right operand of \(op)")
            let r = try wrap(span) { try Variable.compare(x, y, op) }
            if r.value.rank == 0 { return .bool(r.value.data[0] != 0) }
            return .mask(r.value)
        }
        switch op {
        case "==", "!=":
            let equal = try structurallyEqual(a, b, span: span)
            return .bool(op == "==" ? equal : !equal)
        default:
            let c = try order(a, b, span: span, op: op)
            switch op { case "<": return .bool(c < 0); case "<=": return .bool(c <= 0); case ">": return .bool(c > 0); default: return .bool(c >= 0) }
        }
    }

    /// -1, 0 or 1 comparing a big int with an int, big int or float (nil for other operands).
    func bigCompare(_ a: Value, _ b: Value, span: Span) throws -> Int? {
        if let x = bigValue(a), let y = bigValue(b) { return BigInt.compare(x, y) }
        if let x = bigValue(a), case let .float(d) = b { let u = x.double; return u < d ? -1 : u > d ? 1 : 0 }
        if case let .float(d) = a, let y = bigValue(b) { let u = y.double; return d < u ? -1 : d > u ? 1 : 0 }
        return nil
    }

    static func orderResult(_ op: String, _ c: Int) -> Bool? {
        switch op {
        case "==": return c == 0
        case "!=": return c != 0
        case "<": return c < 0
        case "<=": return c <= 0
        case ">": return c > 0
        case ">=": return c >= 0
        default: return nil
        }
    }

    static let compareDunders = ["==": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"]
    static let reflected = ["<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="]

    func isNumericLike(_ v: Value) -> Bool {
        switch v {
        case .int, .bigint, .float, .bool, .tensor, .mask: return true
        case let .list(l): return l.items.allSatisfy(isNumericLike)
        case let .tuple(t): return t.allSatisfy(isNumericLike)
        default: return false
        }
    }

    func identical(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.bigint(x), .bigint(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.tensor(x), .tensor(y)): return x === y
        case let (.list(x), .list(y)): return x === y
        case let (.dict(x), .dict(y)): return x === y
        case let (.set(x), .set(y)): return x === y
        case let (.instance(x), .instance(y)): return x === y
        case let (.cls(x), .cls(y)): return x === y
        case let (.function(x), .function(y)): return x === y
        case let (.builtin(x), .builtin(y)): return x === y || (x.name == y.name && x.receiver == nil && y.receiver == nil)
        case let (.module(x), .module(y)): return x === y
        case let (.iterator(x), .iterator(y)): return x === y
        case let (.object(x), .object(y)): return x === y
        default: return false
        }
    }

    func containment(_ op: String, _ a: Value, _ b: Value, span: Span) throws -> Value {
        let found: Bool
        switch b {
        case let .string(hay):
            guard case let .string(needle) = a else { throw NablaError(.type, "'in <string>' requires string as left operand, not \(a.typeName)", at: span) }
            found = needle.isEmpty || hay.contains(needle)
        case let .dict(d): found = d.contains(try hashKey(a, span: span))
        case let .set(s): found = s.contains(try hashKey(a, span: span))
        case let .range(r):
            if let i = try? toIndex(a, span: span, what: "") {
                found = r.step > 0 ? (i >= r.start && i < r.stop && (i - r.start) % r.step == 0) : (i <= r.start && i > r.stop && (r.start - i) % (-r.step) == 0)
            } else { found = false }
        case .tensor, .mask:
            let eq = try compare("==", b, a, span: span)
            if case let .mask(m) = eq { found = m.data.contains { $0 != 0 } } else { found = try truthy(eq, span: span) }
        case .instance:
            if let f = try? findMethod(b, "__contains__") { found = try truthy(try call(f, [a], [], span: span), span: span) }
            else { found = try elements(b, span: span).contains { (try? valuesEqual(a, $0, span: span)) == true } }
        default:
            found = try elements(b, span: span).contains { x in try valuesEqual(a, x, span: span) }
        }
        return .bool(op.hasPrefix("not") ? !found : found)
    }

    /// `a == b` as a plain truth value (identity first, as Python's containment checks do).
    func valuesEqual(_ a: Value, _ b: Value, span: Span) throws -> Bool {
        if identical(a, b) { return true }
        let r = try compare("==", a, b, span: span)
        if case let .mask(m) = r { return m.count > 0 && m.data.allSatisfy { $0 != 0 } }
        return try truthy(r, span: span)
    }

    /// `==` between values that are not tensors: tuples and lists compare item by item.
    func structurallyEqual(_ a: Value, _ b: Value, span: Span, depth: Int = 0) throws -> Bool {
        guard depth < Interpreter.maxNesting else { throw NablaError(.recursion, "comparison nested too deeply (does a list contain itself?)", at: span) }
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
                default: same = try valuesEqual(x, y, span: span)
                }
                if !same { return false }
            }
            return true
        case let (.dict(x), .dict(y)):
            guard x.count == y.count else { return false }
            for (k, v) in zip(x.keys, x.values) {
                guard let w = y.get(try hashKey(k, span: span)), try valuesEqual(v, w, span: span) else { return false }
            }
            return true
        case let (.set(x), .set(y)):
            return try x.count == y.count && x.items.allSatisfy { y.contains(try hashKey($0, span: span)) }
        case let (.range(x), .range(y)): return x.count == y.count && (x.count == 0 || (x.start == y.start && (x.count == 1 || x.step == y.step)))
        default: return identical(a, b)
        }
    }

    /// Python's ordering of strings, lists and tuples (and numbers inside them): -1, 0 or 1.
    func order(_ a: Value, _ b: Value, span: Span, op: String) throws -> Int {
        if let c = try bigCompare(a, b, span: span) { return c }
        if let x = pyNumber(a), let y = pyNumber(b) { return x.1 < y.1 ? -1 : x.1 > y.1 ? 1 : 0 }
        switch (a, b) {
        case let (.string(x), .string(y)): return x < y ? -1 : x > y ? 1 : 0
        case (.list, .list), (.tuple, .tuple):
            let (xs, ys) = (try elements(a, span: span), try elements(b, span: span))
            for (x, y) in zip(xs, ys) where !(try valuesEqual(x, y, span: span)) { return try order(x, y, span: span, op: op) }
            return xs.count < ys.count ? -1 : xs.count > ys.count ? 1 : 0
        case (.tensor, _), (_, .tensor):
            let r = try compare("<", a, b, span: span)
            if try truthy(r, span: span) { return -1 }
            return try truthy(try compare(">", a, b, span: span), span: span) ? 1 : 0
        case (.instance, _), (_, .instance):
            if try truthy(try compare("<", a, b, span: span), span: span) { return -1 }
            if try truthy(try compare("<", b, a, span: span), span: span) { return 1 }
            return 0
        default:
            throw NablaError(.type, "'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'", at: span)
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
        case let .int(i): return Variable(Double(i))
        case let .bigint(b): return Variable(try bigDouble(b, span: span))
        case let .float(d): return Variable(d)
        case let .bool(b): return Variable(b ? 1 : 0)
        case let .mask(m): return Variable(m)
        case .list, .tuple:
            let items = try elements(v, span: span)
            if items.isEmpty { return Variable(Tensor([])) }
            // Fast path: a flat list of Python numbers.
            var flat = [Double]()
            flat.reserveCapacity(items.count)
            var allNumbers = true
            for x in items { if let n = pyNumber(x) { flat.append(n.1) } else { allNumbers = false; break } }
            if allNumbers { return Variable(Tensor(flat)) }
            let parts = try items.map { try toVariable($0, span: span, what: what, depth: depth + 1) }
            if let bad = parts.firstIndex(where: { $0.value.shape != parts[0].value.shape }) {
                let describe = { (s: [Int]) in s.isEmpty ? "a number" : s.count == 1 ? "\(s[0]) element\(s[0] == 1 ? "" : "s")" : "shape \(formatShape(s))" }
                throw NablaError(.value, "\(what): ragged list: item \(bad) has \(describe(parts[bad].value.shape)) but item 0 has \(describe(parts[0].value.shape))", at: span)
            }
            if parts.contains(where: \.requiresGrad) { return try wrap(span) { try Variable.stack(parts) } }
            return Variable(try wrap(span) { try Tensor.stack(parts.map(\.value)) })
        case let .range(r) where r.count <= 10_000_000:
            return Variable(Tensor((0..<r.count).map { Double(r.element($0)) }))
        case let .object(img as PILImage):
            return Variable(img.array)
        case let .iterator(it):
            return try toVariable(.list(ListRef(try elements(.iterator(it), span: span))), span: span, what: what, depth: depth)
        default:
            throw NablaError(.type, "\(what) must be a number or an array, got \(v.typeName)", at: span)
        }
    }

    /// A boolean mask from a comparison result, a bool, or a tensor (non-zero is True).
    func toMask(_ v: Value, span: Span) throws -> Tensor {
        if case let .mask(m) = v { return m }
        return try toVariable(v, span: span, what: "a mask").value.map { $0 != 0 ? 1 : 0 }
    }

    /// A whole number (for counts, indices, shapes), refusing fractions, NaN, inf and huge values.
    public func toInt(_ v: Value, span: Span, what: String) throws -> Int {
        switch v {
        case let .int(i): return i
        case let .bool(b): return b ? 1 : 0
        case .bigint: throw NablaError(.overflow, "\(what): Python int too large to convert to a 64-bit integer", at: span)
        case let .float(x):
            guard x.isFinite else { throw NablaError(.value, "\(what) must be a whole number, got \(pyFloat(x))", at: span) }
            guard x == x.rounded() else { throw NablaError(.type, "\(what) must be a whole number, got \(pyFloat(x))", at: span) }
            guard Swift.abs(x) <= 9.0e15 else { throw NablaError(.value, "\(what) is too large: \(pyFloat(x))", at: span) }
            return Int(x)
        case let .tensor(t) where t.value.count == 1:
            let x = t.value.data[0]
            guard x.isFinite else { throw NablaError(.value, "\(what) must be a whole number, got \(Tensor.formatNumber(x))", at: span) }
            guard x == x.rounded() else { throw NablaError(.type, "\(what) must be a whole number, got \(Tensor.formatNumber(x, precision: 17))", at: span) }
            guard Swift.abs(x) <= 9.0e15 else { throw NablaError(.value, "\(what) is too large: \(Tensor.formatNumber(x))", at: span) }
            return Int(x)
        default:
            throw NablaError(.type, "\(what) must be a whole number, got \(v.typeName)", at: span)
        }
    }

    /// An index as Python accepts one: an int (or bool, or an integral 0-d tensor), never a float.
    func toIndex(_ v: Value, span: Span, what: String) throws -> Int {
        if case .float = v { throw NablaError(.type, "\(what) must be integers or slices, not float", at: span) }
        if case .instance = v, let f = try? findMethod(v, "__index__") { return try toIndex(try call(f, [], [], span: span), span: span, what: what) }
        return try toInt(v, span: span, what: what)
    }

    /// A float from any numeric value (Python's float()).
    func toDouble(_ v: Value, span: Span, what: String) throws -> Double {
        if let n = pyNumber(v) { return n.1 }
        if case let .bigint(b) = v { return try bigDouble(b, span: span) }
        if case let .tensor(t) = v, t.value.count == 1 { return t.value.data[0] }
        if case let .mask(m) = v, m.count == 1 { return m.data[0] }
        throw NablaError(.type, "\(what) must be a number, got \(v.typeName)", at: span)
    }

    /// Python truthiness; a tensor must have exactly one element.
    public func truthy(_ v: Value, span: Span) throws -> Bool {
        switch v {
        case let .bool(b): return b
        case let .int(i): return i != 0
        case .bigint: return true
        case let .float(d): return d != 0
        case .none: return false
        case let .string(s): return !s.isEmpty
        case let .list(l): return !l.items.isEmpty
        case let .tuple(t): return !t.isEmpty
        case let .dict(d): return d.count > 0
        case let .set(s): return s.count > 0
        case let .range(r): return r.count > 0
        case let .tensor(t):
            guard t.value.count == 1 else {
                throw NablaError(.value, "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all() (shape \(formatShape(t.value.shape)))", at: span)
            }
            return t.value.data[0] != 0
        case let .mask(m):
            guard m.count == 1 else {
                throw NablaError(.value, "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all() (shape \(formatShape(m.shape)))", at: span)
            }
            return m.data[0] != 0
        case .instance:
            if let f = try? findMethod(v, "__bool__") { return try truthy(try call(f, [], [], span: span), span: span) }
            if let f = try? findMethod(v, "__len__") { return try toInt(try call(f, [], [], span: span), span: span, what: "__len__()") != 0 }
            return true
        default: return true
        }
    }
}

extension Tensor {
    var asConstant: Variable { Variable(self) }
}
