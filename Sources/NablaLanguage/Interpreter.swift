import Foundation
import NablaAutograd
import NablaTensor

/// Where a running cell sends what it produces. The kernel turns these into iopub messages;
/// `nabla run` into standard output.
public protocol OutputSink: AnyObject {
    /// Text from `print` (stream "stdout") or warnings ("stderr").
    func write(_ text: String, stream: String)
    /// `display(value)`; with `update`, replaces the output shown under `id`.
    func display(_ value: Value, id: String?, update: Bool)
    /// `clear_output(wait=...)`.
    func clearOutput(wait: Bool)
    /// `input(prompt)`: a line typed by the user, or an error when input is not available.
    func readInput(prompt: String, password: Bool) throws -> String
    /// Long help text (`help(name)`): Jupyter shows it in its pager.
    func page(_ text: String)
    /// `exit()`: asks the frontend (a console) to close.
    func requestExit()
}

extension OutputSink {
    public func page(_ text: String) { write(text.hasSuffix("\n") ? text : text + "\n", stream: "stdout") }
    public func requestExit() {}
}

/// Tree-walking evaluator. Holds the session's variables; one instance per session.
public final class Interpreter {
    let globals = Scope(parent: nil)
    public private(set) var builtins: [String: Builtin] = [:]
    public weak var sink: OutputSink?
    /// Raised from another thread to stop the running cell.
    public let token = CancellationToken()
    /// Deepest DSL call nesting before RecursionError.
    public var maxCallDepth = 1000
    /// Significant digits when numbers are shown as text (`precision(n)`).
    public var precision = 4
    var callDepth = 0
    /// Every executed source by cell number, for error excerpts.
    public private(set) var sources: [Int: String] = [:]
    public private(set) var cellCount = 0
    var frames: [Frame] = []
    /// Exceptions being handled (innermost last), for a bare `raise`.
    var handling: [NablaError] = []
    /// The builtin exception classes and `object`, by name.
    var builtinClasses: [String: ClassObject] = [:]
    /// Modules imported so far.
    var modules: [String: Value] = [:]
    /// Run after every cell, with the cell's sink still set (pyplot shows its open figures here).
    public var cellEndHooks: [(Interpreter) -> Void] = []
    /// Inside the arguments of `explain`-like builtins: numbers are tensors so the graph records them.
    var numbersAsTensors = false

    enum Flow { case normal, breakLoop, continueLoop, returned(Value) }

    /// Methods of list, str, dict, set, tuple, int and float; and of tensors.
    var typeMethods: [String: [String: Builtin]] = [:]
    /// The generators of `import random` (CPython's) and `np.random` (numpy's legacy RandomState).
    let pyRandom = MersenneTwister()
    /// Which arrays are numpy-style views of which (see Interpreter+Views).
    let viewTable = ViewTable()
    let npRandom = MersenneTwister()
    var tensorMethods: [String: Builtin] = [:]

    public init() {
        Library.registerAll(in: self)
        builtinClasses = Interpreter.makeExceptionClasses()
        typeMethods = Library.typeMethods(self)
        if case let .module(np)? = try? importModule("numpy", span: .unknown) {
            tensorMethods = Library.tensorMethods(self, numpy: np)
        }
    }

    /// Adds or replaces a builtin; upper layers (display) add theirs this way.
    public func register(_ b: Builtin) { builtins[b.name] = b }

    /// Makes `import name` give `module`; upper layers (widgets) provide modules this way.
    public func provideModule(_ name: String, _ module: Module) { modules[name] = .module(module) }

    /// Names bound in the session (user variables, not builtins).
    /// (Builtin classes such as ValueError are looked up after the builtins.)
    public var variableNames: [String] { globals.boundNames.sorted() }
    public func variable(_ name: String) -> Value? { globals.get(name) }
    public func setVariable(_ name: String, _ v: Value) { globals.set(name, v) }

    // MARK: Running code

    /// Runs a cell. Returns the value of a final expression statement (nil when the cell
    /// ends otherwise or with `;`). Statements before a failing one keep their effect.
    public func execute(_ source: String) throws -> Value? {
        cellCount += 1
        sources[cellCount] = source
        let program = try Parser.parse(source, cell: cellCount)
        var last: Value? = nil
        for (i, stmt) in program.enumerated() {
            last = nil
            frames = []
            if i == program.count - 1, case let .expr(e, silent) = stmt.kind {
                let v = try eval(e, globals)
                if !silent, !isNone(v) { last = v }
                continue
            }
            switch try exec(stmt, globals) {
            case .normal: break
            case .breakLoop, .continueLoop: throw NablaError(.syntax, "'break' or 'continue' outside a loop", at: stmt.span)
            case .returned: throw NablaError(.syntax, "'return' outside a function", at: stmt.span)
            }
        }
        return last
    }

    func isNone(_ v: Value) -> Bool { if case .none = v { return true }; return false }

    @inline(__always) func checkInterrupt(_ span: Span) throws {
        if token.isCancelled { throw interrupted(at: span) }
    }

    /// The frontend's interrupt, raised as Python raises it: a KeyboardInterrupt where the code
    /// is now, which `except KeyboardInterrupt` (or `BaseException`, or a bare `except`) may
    /// catch, and `finally` blocks see. Raising it uses the request up, so a handler runs on.
    /// Out of line: every loop iteration and call checks for it, and the check stays small.
    @inline(never) func interrupted(at span: Span) -> NablaError {
        token.reset()
        return NablaError(.keyboardInterrupt, "", at: span)
    }

    func exec(_ body: [Stmt], _ scope: Scope) throws -> Flow {
        for s in body {
            let f = try exec(s, scope)
            if case .normal = f { continue }
            return f
        }
        return .normal
    }

    func exec(_ s: Stmt, _ scope: Scope) throws -> Flow {
        switch s.kind {
        case let .expr(e, _):
            _ = try eval(e, scope)
        case let .assign(targets, valueExpr):
            let v = try eval(valueExpr, scope)
            for t in targets { try assign(t, v, scope) }
        case let .augAssign(target, op, valueExpr):
            try augAssign(target, op, valueExpr, scope)
        case .annAssign:
            break
        case let .ifStmt(branches, orelse):
            for (cond, body) in branches where try truthy(eval(cond, scope), span: cond.span) {
                return try exec(body, scope)
            }
            if let orelse { return try exec(orelse, scope) }
        case let .whileStmt(cond, body, orelse):
            while try truthy(eval(cond, scope), span: cond.span) {
                try checkInterrupt(s.span)
                switch try exec(body, scope) {
                case .breakLoop: return .normal
                case .returned(let v): return .returned(v)
                default: continue
                }
            }
            if let orelse { return try exec(orelse, scope) }
        case let .forStmt(target, iterExpr, body, orelse):
            let iterable = try eval(iterExpr, scope)
            var stop = false
            var result = Flow.normal
            try forEach(iterable, span: iterExpr.span) { item in
                try checkInterrupt(s.span)
                try assign(target, item, scope)
                switch try exec(body, scope) {
                case .breakLoop: stop = true
                case .returned(let v): result = .returned(v); stop = true
                default: break
                }
                return !stop
            }
            if !stop, let orelse { return try exec(orelse, scope) }
            return result
        case let .def(name, params, body, decorators):
            var doc: String? = nil
            if case let .expr(e, _)? = body.first?.kind, case let .string(d) = e.kind { doc = d }
            let f = Function(name: name, params: params, defaults: try params.map { try $0.defaultValue.map { try eval($0, scope) } },
                             body: .block(body), closure: scope.isClassBody ? (scope.parent ?? scope) : scope, doc: doc,
                             layout: FunctionLayout.of(params, .block(body), cache: &s.layout))
            var v = Value.function(f)
            for d in decorators.reversed() {
                let dv = try eval(d, scope)
                if case let .builtin(b) = dv, ["staticmethod", "classmethod", "property"].contains(b.name) {
                    if b.name == "staticmethod" { f.isStatic = true } else if b.name == "classmethod" { f.isClassMethod = true } else { f.isProperty = true }
                    continue
                }
                v = try call(dv, [v], [], span: d.span)
            }
            try bind(name, v, scope, span: s.span)
        case let .classDef(name, baseExprs, body, decorators):
            try defineClass(name, baseExprs, body, decorators, scope, span: s.span)
        case let .returnStmt(e):
            guard let e else { return .returned(.none) }
            return .returned(try eval(e, scope))
        case let .assert(cond, message):
            if !(try truthy(eval(cond, scope), span: cond.span)) {
                let m = try message.map { try strThrowing(eval($0, scope), span: cond.span) } ?? ""
                throw NablaError(.assertion, m, at: cond.span)
            }
        case let .with(ctx, name, body):
            let c = try eval(ctx, scope)
            if case let .object(o) = c, let mode = (o as? GradModeContext)?.mode {
                if let name { try bind(name, c, scope, span: s.span) }
                return try GradMode.with(mode) { try exec(body, scope) }
            }
            if case let .object(o as ContextManager) = c {
                let entered = try o.enter(interpreter: self)
                if let name { try bind(name, entered, scope, span: s.span) }
                let flow: Flow
                do { flow = try exec(body, scope) } catch let e as NablaError {
                    if try o.exit(interpreter: self, error: e) { return .normal }
                    throw e
                }
                _ = try o.exit(interpreter: self, error: nil)
                return flow
            }
            if case .instance = c {
                let entered = try callMethod(c, "__enter__", [], span: ctx.span)
                if let name { try bind(name, entered, scope, span: s.span) }
                let flow: Flow
                do { flow = try exec(body, scope) } catch let e as NablaError {
                    let handled = try callMethod(c, "__exit__", [.none, .none, .none], span: ctx.span)
                    if try truthy(handled, span: ctx.span) { return .normal }
                    throw e
                }
                _ = try callMethod(c, "__exit__", [.none, .none, .none], span: ctx.span)
                return flow
            }
            throw NablaError(.type, "'with' needs a context such as no_grad(), got \(c.typeName)", at: ctx.span)
        case let .tryStmt(body, handlers, orelse, final):
            return try execTry(body, handlers, orelse, final, scope)
        case let .raise(e, cause):
            _ = cause
            guard let e else {
                guard let current = handling.last else { throw NablaError(.runtime, "No active exception to reraise", at: s.span) }
                throw current
            }
            throw try makeRaise(try eval(e, scope), span: e.span)
        case .global, .nonlocal:
            break
        case let .del(targets):
            for t in targets { try delete(t, scope) }
        case let .importStmt(names):
            for (name, alias) in names {
                let m = try importModule(name, span: s.span)
                if let alias { try bind(alias, m, scope, span: s.span) }
                else {
                    let top = String(name.split(separator: ".").first ?? "")
                    try bind(top, try importModule(top, span: s.span), scope, span: s.span)
                }
            }
        case let .fromImport(module, names):
            let m = try importModule(module, span: s.span)
            guard case let .module(mod) = m else { break }
            for (name, alias) in names {
                if name == "*" { for (k, v) in mod.members where !k.hasPrefix("_") { try bind(k, v, scope, span: s.span) }; continue }
                guard let v = mod.members[name] ?? (try? importModule(module + "." + name, span: s.span)) else {
                    throw NablaError(.importError, missingMember(mod, name), at: s.span)
                }
                try bind(alias ?? name, v, scope, span: s.span)
            }
        case let .yield(e, from):
            let v = try e.map { try eval($0, scope) } ?? .none
            var fs: Scope? = scope
            while let cur = fs, cur.yieldTo == nil { fs = cur.parent }
            guard let yieldTo = fs?.yieldTo else { throw NablaError(.syntax, "'yield' outside a function", at: s.span) }
            if from {
                try forEach(v, span: s.span) { x in try yieldTo(x); return true }
            } else {
                try yieldTo(v)
            }
        case .breakStmt: return .breakLoop
        case .continueStmt: return .continueLoop
        case .pass: break
        }
        return .normal
    }

    static let maxGeneratorItems = 1_000_000

    /// try / except / else / finally.
    func execTry(_ body: [Stmt], _ handlers: [ExceptClause], _ orelse: [Stmt]?, _ final: [Stmt]?, _ scope: Scope) throws -> Flow {
        var outcome: Result<Flow, Error>
        do {
            let f = try exec(body, scope)
            if let orelse, case .normal = f { outcome = .success(try exec(orelse, scope)) } else { outcome = .success(f) }
        } catch let e as NablaError where !handlers.isEmpty {
            outcome = .failure(e)
            let exc = exceptionValue(e)
            for h in handlers {
                var matches = h.type == nil
                if let t = h.type { matches = try exceptionMatches(exc, try eval(t, scope), span: t.span) }
                guard matches else { continue }
                if let n = h.name { try bind(n, exc, scope, span: h.span) }
                handling.append(e)
                do {
                    outcome = .success(try exec(h.body, scope))
                } catch {
                    outcome = .failure(error)
                }
                handling.removeLast()
                if let n = h.name { scope.remove(n) }
                break
            }
        } catch {
            outcome = .failure(error)
        }
        if let final {
            let f = try exec(final, scope)
            if case .normal = f {} else { return f }
        }
        return try outcome.get()
    }

    /// Calls `body` for each element of an iterable until it returns false.
    func forEach(_ v: Value, span: Span, _ body: (Value) throws -> Bool) throws {
        switch v {
        case let .range(r):
            var i = 0
            let n = r.count
            while i < n { if !(try body(.int(r.element(i)))) { return }; i += 1 }
        case let .tensor(t):
            guard t.value.rank > 0 else { throw NablaError(.type, "iteration over a 0-d tensor", at: span) }
            for i in 0..<t.value.shape[0] {
                if !(try body(try row(i, of: t, span: span))) { return }
            }
        case let .iterator(it) where it.isView:
            for x in it.items { if !(try body(x)) { return } }
        case let .iterator(it):
            while let x = try it.next() { if !(try body(x)) { return } }
        case let .list(l):
            // Python iterates by position, so appending inside the loop is seen.
            var i = 0
            while i < l.items.count { if !(try body(l.items[i])) { return }; i += 1 }
        default:
            for item in try elements(v, span: span) { if !(try body(item)) { return } }
        }
    }

    /// Row `i` of an array being iterated over: a view of it, as numpy's rows are.
    func row(_ i: Int, of t: Variable, span: Span) throws -> Value {
        let row = try wrap(span) { try t.indexed([.at(i)]) }
        return view(row, of: t, as: .index(IndexPlan(reshape: nil, original: t.value.shape, entries: [.at(i)])))
    }

    /// The elements of an iterable value.
    public func elements(_ v: Value, span: Span) throws -> [Value] {
        switch v {
        case let .list(l): return l.items
        case let .tuple(t): return t
        case let .range(r):
            guard r.count <= 10_000_000 else { throw NablaError(.memory, "range of \(r.count) elements is too long to make into a list", at: span) }
            return (0..<r.count).map { .int(r.element($0)) }
        case let .string(s): return s.map { .string(String($0)) }
        case let .tensor(t):
            guard t.value.rank > 0 else { throw NablaError(.type, "iteration over a 0-d tensor", at: span) }
            return try (0..<t.value.shape[0]).map { try row($0, of: t, span: span) }
        case let .mask(m):
            guard m.rank > 0 else { throw NablaError(.type, "iteration over a 0-d tensor", at: span) }
            return try (0..<m.shape[0]).map { i in let r = try wrap(span) { try m[[.at(i)]] }; return r.rank == 0 ? .bool(r.data[0] != 0) : .mask(r) }
        case let .dict(d): return d.keys
        case let .set(s): return s.items
        case let .iterator(it) where it.isView: return it.items
        case let .iterator(it):
            var rest = [Value]()
            while let x = try it.next() {
                rest.append(x)
                if rest.count > Interpreter.maxGeneratorItems {
                    throw NablaError(.memory, "an iterator produced more than \(Interpreter.maxGeneratorItems) values: an endless generator must be consumed item by item (next(), zip, a for loop with break)", at: span)
                }
                if rest.count & 1023 == 0 { try checkInterrupt(span) }
            }
            return rest
        case .instance:
            if let f = try? findMethod(v, "__iter__") {
                let it = try call(f, [], [], span: span)
                if case .instance = it, let nextF = try? findMethod(it, "__next__") {
                    var out = [Value]()
                    while true {
                        try checkInterrupt(span)
                        do { out.append(try call(nextF, [], [], span: span)) } catch let e as NablaError where e.kind == .stopIteration { break }
                        if out.count > Interpreter.maxGeneratorItems { throw NablaError(.memory, "an iterator produced more than \(Interpreter.maxGeneratorItems) values", at: span) }
                    }
                    return out
                }
                return try elements(it, span: span)
            }
            if let g = try? findMethod(v, "__getitem__") {
                var out = [Value](), i = 0
                while true {
                    try checkInterrupt(span)
                    do { out.append(try call(g, [.int(i)], [], span: span)) } catch let e as NablaError where e.kind == .index || e.kind == .stopIteration { break }
                    i += 1
                    if i > Interpreter.maxGeneratorItems { throw NablaError(.memory, "an iterator produced more than \(Interpreter.maxGeneratorItems) values", at: span) }
                }
                return out
            }
            throw NablaError(.type, "'\(v.typeName)' object is not iterable", at: span)
        default: throw NablaError(.type, "'\(v.typeName)' object is not iterable", at: span)
        }
    }

    // MARK: Names

    /// Binds a name in `scope`, honouring `global` and `nonlocal` declarations. `expr`, the name's
    /// syntax node when there is one, caches its slot.
    func bind(_ n: String, _ v: Value, _ scope: Scope, span: Span, expr: Expr? = nil) throws {
        if let t = scope.table {
            let i = expr?.slot(in: t, n) ?? t.slot(of: n) ?? -1
            if i >= 0 { scope.setSlot(i, v); return }
        }
        if let f = scope.function {
            if f.layout.globalNames.contains(n) { scope.root.set(n, v); return }
            if f.layout.nonlocalNames.contains(n) {
                var s = scope.parent
                while let cur = s {
                    if cur.parent != nil, cur.get(n) != nil { cur.set(n, v); return }
                    s = cur.parent
                }
                throw NablaError(.syntax, "no binding for nonlocal '\(n)' found", at: span)
            }
        }
        scope.set(n, v)
    }

    /// Looks a name up as Python does: locals, enclosing functions, globals, builtins. `expr`, the
    /// name's syntax node when there is one, caches its slots.
    func lookup(_ n: String, _ scope: Scope, span: Span, expr: Expr? = nil) throws -> Value {
        var s: Scope? = scope
        while let cur = s {
            if let t = cur.table {
                let i = expr?.slot(in: t, n) ?? t.slot(of: n) ?? -1
                if i >= 0, i < cur.slotCount, let v = cur.slots[i] { return v }
                if !cur.values.isEmpty, let v = cur.values[n] { return v }
                if cur.function != nil, i >= 0 {
                    throw NablaError(.unboundLocal, "cannot access local variable '\(n)' where it is not associated with a value", at: span)
                }
            } else if let v = cur.values[n] { return v }
            if let f = cur.function, !f.layout.globalNames.isEmpty, f.layout.globalNames.contains(n) { s = cur.root; continue }
            s = cur.parent
        }
        if let b = builtins[n] { return .builtin(b) }
        if let c = builtinClasses[n] { return .cls(c) }
        let hint = suggest(n, among: Array(scope.allNames) + Array(builtins.keys)).map { "; did you mean '\($0)'?" } ?? ""
        throw NablaError(.name, "name '\(n)' is not defined\(hint)", at: span)
    }

    // MARK: Assignment

    func assign(_ target: Expr, _ v: Value, _ scope: Scope) throws {
        switch target.kind {
        case let .name(n):
            if case let .tensor(t) = v, t.name == nil { t.name = n }
            try bind(n, v, scope, span: target.span, expr: target)
        case let .tuple(items), let .list(items):
            let parts = try elements(v, span: target.span)
            if let star = items.firstIndex(where: { if case .starred = $0.kind { return true }; return false }) {
                let after = items.count - star - 1
                guard parts.count >= items.count - 1 else {
                    throw NablaError(.value, "not enough values to unpack (expected at least \(items.count - 1), got \(parts.count))", at: target.span)
                }
                for k in 0..<star { try assign(items[k], parts[k], scope) }
                if case let .starred(inner) = items[star].kind {
                    try assign(inner, .list(ListRef(Array(parts[star..<(parts.count - after)]))), scope)
                }
                for k in 0..<after { try assign(items[star + 1 + k], parts[parts.count - after + k], scope) }
                return
            }
            guard parts.count == items.count else {
                if parts.count > items.count { throw NablaError(.value, "too many values to unpack (expected \(items.count))", at: target.span) }
                throw NablaError(.value, "not enough values to unpack (expected \(items.count), got \(parts.count))", at: target.span)
            }
            for (t, p) in zip(items, parts) { try assign(t, p, scope) }
        case let .index(base, items):
            let container = try eval(base, scope)
            try setItem(container, items, v, scope, span: target.span, baseExpr: base)
        case let .attribute(base, name):
            let obj = try eval(base, scope)
            try setAttribute(obj, name, v, span: target.span)
        case .starred:
            throw NablaError(.syntax, "starred assignment target must be in a list or tuple", at: target.span)
        default:
            throw NablaError(.syntax, "cannot assign to this expression", at: target.span)
        }
    }

    func setAttribute(_ obj: Value, _ name: String, _ v: Value, span: Span) throws {
        switch obj {
        case let .instance(o):
            if case let .function(f)? = o.cls.lookup(name), f.isProperty {
                throw NablaError(.attribute, "property '\(name)' of '\(o.cls.name)' object has no setter", at: span)
            }
            o.set(name, v)
        case let .cls(c): c.set(name, v)
        case let .function(f) where name == "__doc__": _ = f
        case let .tensor(t) where name == "grad":
            if case .none = v { t.grad = nil } else { t.grad = try toVariable(v, span: span, what: "a gradient").value }
        case let .object(o as MutableAttributes) where try o.setAttribute(name, v, interpreter: self):
            return
        default:
            throw NablaError(.attribute, "'\(obj.typeName)' object attribute '\(name)' cannot be set", at: span)
        }
    }

    /// `container[items] = v`.
    func setItem(_ container: Value, _ items: [IndexItem], _ v: Value, _ scope: Scope, span: Span, baseExpr: Expr?) throws {
        switch container {
        case let .list(l):
            guard items.count == 1 else { throw NablaError(.type, "list indices must be integers or slices, not tuple", at: span) }
            if case let .slice(a, b, c) = items[0] {
                let (start, count, step) = try sliceBounds(a, b, c, size: l.items.count, scope, span: span)
                let newItems = try elements(v, span: span)
                if step == 1 {
                    l.items.replaceSubrange(start..<(start + count), with: newItems)
                } else {
                    guard newItems.count == count else {
                        throw NablaError(.value, "attempt to assign sequence of size \(newItems.count) to extended slice of size \(count)", at: span)
                    }
                    for k in 0..<count { l.items[start + k * step] = newItems[k] }
                }
                return
            }
            guard case let .expr(ie) = items[0] else { return }
            let i = try toIndex(try eval(ie, scope), span: ie.span, what: "list indices")
            guard i >= -l.items.count, i < l.items.count else {
                throw NablaError(.index, "list assignment index out of range", at: ie.span)
            }
            l.items[i < 0 ? i + l.items.count : i] = v
        case let .dict(d):
            let key = try indexKey(items, scope, span: span)
            d.set(try hashKey(key, span: span), key, v)
        case let .tensor(t):
            let idx = try tensorIndex(items, scope, shape: t.value.shape, span: span)
            let newValue = try toVariable(v, span: span, what: "the assigned value")
            if t.isLeaf {
                // Arrays change in place, keeping identity (and param-ness): every alias sees it.
                try wrap(span) { try changeInPlace(t) { try idx.assign(&$0, newValue.value) } }
            } else {
                guard let baseExpr, case let .name(n) = baseExpr.kind else {
                    throw NablaError(.type, "cannot assign into a computed (tracked) tensor here; bind it to a name first", at: span)
                }
                let replaced = try wrap(span) { try idx.replacing(t, with: newValue) }
                replaced.name = t.name
                try bind(n, .tensor(replaced), scope, span: span)
            }
        case .instance:
            let key = try indexKey(items, scope, span: span)
            _ = try callMethod(container, "__setitem__", [key, v], span: span)
        default:
            throw NablaError(.type, "'\(container.typeName)' object does not support item assignment", at: span)
        }
    }

    func delete(_ target: Expr, _ scope: Scope) throws {
        switch target.kind {
        case let .name(n):
            if !scope.remove(n) {
                if scope.function?.layout.globalNames.contains(n) == true, scope.root.remove(n) { return }
                throw NablaError(.name, "name '\(n)' is not defined", at: target.span)
            }
        case let .tuple(items), let .list(items):
            for t in items { try delete(t, scope) }
        case let .index(base, items):
            let c = try eval(base, scope)
            switch c {
            case let .list(l):
                if case let .slice(a, b, st) = items[0] {
                    let (start, count, step) = try sliceBounds(a, b, st, size: l.items.count, scope, span: target.span)
                    let drop = Set((0..<count).map { start + $0 * step })
                    l.items = l.items.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
                    return
                }
                guard case let .expr(ie) = items[0] else { return }
                let i = try toIndex(try eval(ie, scope), span: ie.span, what: "list indices")
                guard i >= -l.items.count, i < l.items.count else { throw NablaError(.index, "list assignment index out of range", at: ie.span) }
                l.items.remove(at: i < 0 ? i + l.items.count : i)
            case let .dict(d):
                let key = try indexKey(items, scope, span: target.span)
                guard d.remove(try hashKey(key, span: target.span)) != nil else { throw NablaError(.key, repr(key), at: target.span) }
            case .instance:
                _ = try callMethod(c, "__delitem__", [try indexKey(items, scope, span: target.span)], span: target.span)
            default:
                throw NablaError(.type, "'\(c.typeName)' object doesn't support item deletion", at: target.span)
            }
        case let .attribute(base, name):
            let o = try eval(base, scope)
            guard case let .instance(inst) = o, inst.attrs.removeValue(forKey: name) != nil else {
                throw NablaError(.attribute, "'\(o.typeName)' object has no attribute '\(name)'", at: target.span)
            }
            inst.attrOrder.removeAll { $0 == name }
        default:
            throw NablaError(.syntax, "cannot delete this expression", at: target.span)
        }
    }

    /// `x op= v`. Arrays change in place (numpy's `+=`), so every alias of an array — a list
    /// that holds it, an optimizer, another name — sees the update, and a param stays a param
    /// without recording the update in the graph. Lists extend in place; everything else
    /// rebinds like `x = x op v`.
    func augAssign(_ target: Expr, _ op: String, _ valueExpr: Expr, _ scope: Scope) throws {
        // Evaluate the container and index once, as Python does.
        var current: Value
        var setter: ((Value) throws -> Void)? = nil
        switch target.kind {
        case let .index(baseExpr, items):
            let base = try eval(baseExpr, scope)
            current = try index(base, items, scope, span: target.span)
            setter = { [self] v in try setItem(base, items, v, scope, span: target.span, baseExpr: baseExpr) }
        case let .attribute(baseExpr, name):
            let base = try eval(baseExpr, scope)
            current = try attribute(base, name, span: target.span)
            setter = { [self] v in try setAttribute(base, name, v, span: target.span) }
        default:
            current = try eval(target, scope)
        }
        let rhs = try eval(valueExpr, scope)
        // Plain ints (the hot path of loops): no in-place cases apply.
        if setter == nil, case let .int(i) = current, case let .int(j) = rhs {
            return try assign(target, try intOp(op, i, j, span: target.span.through(valueExpr.span)), scope)
        }
        func store(_ v: Value) throws { if let setter { try setter(v) } else { try assign(target, v, scope) } }
        let span = target.span.through(valueExpr.span)
        // Arrays (rank ≥ 1) and params change in place; a 0-d result such as x.sum() is a numpy
        // scalar, immutable, so `total += loss` rebinds and never changes a value stored elsewhere.
        if case let .tensor(t) = current, t.isLeaf, op != "@", t.value.rank > 0 || t.requiresGrad {
            let isParam = t.requiresGrad
            let r = try toVariable(rhs, span: valueExpr.span, what: "the right-hand side")
            if isParam || !r.requiresGrad {
                let result = try GradMode.with(.off) { try binary(op, .tensor(Variable(t.value)), .tensor(r), span: span) }
                if case let .tensor(nv) = result, nv.value.shape == t.value.shape {
                    try wrap(target.span) { try changeInPlace(t) { $0 = nv.value } }
                    try store(current)
                    return
                }
                if case let .tensor(nv) = result {
                    throw NablaError(.shape, "\(op)=: the result has shape \(formatShape(nv.value.shape)) but the array has shape \(formatShape(t.value.shape)) (in-place operations cannot change the shape)", at: span)
                }
            }
        }
        if case let .list(l) = current, op == "+" {
            l.items += try elements(rhs, span: valueExpr.span)
            try store(current)
            return
        }
        if case let .dict(d) = current, op == "|", case let .dict(o) = rhs {
            for (k, v) in zip(o.keys, o.values) { d.set(try hashKey(k, span: span), k, v) }
            return
        }
        if case .instance = current, let f = try? findMethod(current, "__i\(Interpreter.dunderNames[op] ?? "x")__") {
            try store(try call(f, [rhs], [], span: span))
            return
        }
        try store(try binary(op, current, rhs, span: span))
    }

    // MARK: Errors from the engine

    /// Runs engine code, turning TensorError into a NablaError at `span`.
    func wrap<T>(_ span: Span, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as TensorError {
            if case .interrupted = e { throw interrupted(at: span) }
            throw Interpreter.convert(e, span)
        }
    }

    static func convert(_ e: TensorError, _ span: Span) -> NablaError {
        let kind: ErrorKind
        switch e {
        case .broadcast, .matmul, .shape: kind = .shape
        case .axis, .index: kind = .index
        case .tooLarge: kind = .memory
        case .argument: kind = .value
        case .interrupted: return NablaError(.keyboardInterrupt, "", at: span)
        }
        return NablaError(kind, e.description, at: span)
    }
}

/// An object usable in `with` (a widget Output): `enter` gives the `as` value; `exit` runs
/// after the body, with the body's error if any, and returns true to suppress that error.
public protocol ContextManager: NablaObject {
    func enter(interpreter: Interpreter) throws -> Value
    func exit(interpreter: Interpreter, error: NablaError?) throws -> Bool
}

/// What `no_grad()` returns: a context for `with`.
final class GradModeContext: NablaObject {
    let mode: GradMode
    init(_ mode: GradMode) { self.mode = mode }
    var typeName: String { "no_grad" }
    var text: String { "<no_grad context>" }
    func attribute(_ name: String) -> Value? { nil }
    var attributeNames: [String] { [] }
}
