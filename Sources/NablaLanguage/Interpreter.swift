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

    enum Flow { case normal, breakLoop, continueLoop, returned(Value) }

    public init() {
        Library.registerAll(in: self)
    }

    /// Adds or replaces a builtin; upper layers (display) add theirs this way.
    public func register(_ b: Builtin) { builtins[b.name] = b }

    /// Names bound in the session (user variables, not builtins).
    public var variableNames: [String] { globals.values.keys.sorted() }
    public func variable(_ name: String) -> Value? { globals.values[name] }
    public func setVariable(_ name: String, _ v: Value) { globals.values[name] = v }

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
        if token.isCancelled { throw NablaError(.interrupted, "the cell was interrupted", at: span) }
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
        case let .ifStmt(branches, orelse):
            for (cond, body) in branches where try truthy(eval(cond, scope), span: cond.span) {
                return try exec(body, scope)
            }
            if let orelse { return try exec(orelse, scope) }
        case let .whileStmt(cond, body):
            while try truthy(eval(cond, scope), span: cond.span) {
                try checkInterrupt(s.span)
                switch try exec(body, scope) {
                case .breakLoop: return .normal
                case .returned(let v): return .returned(v)
                default: continue
                }
            }
        case let .forStmt(target, iterExpr, body):
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
            return result
        case let .def(name, params, body):
            var doc: String? = nil
            if case let .expr(e, _)? = body.first?.kind, case let .string(d) = e.kind { doc = d }
            let f = Function(name: name, params: params, defaults: try params.map { try $0.defaultValue.map { try eval($0, scope) } },
                             body: .block(body), closure: scope, doc: doc)
            scope.values[name] = .function(f)
        case let .returnStmt(e):
            return .returned(try e.map { try eval($0, scope) } ?? .none)
        case let .assert(cond, message):
            if !(try truthy(eval(cond, scope), span: cond.span)) {
                let m = try message.map { try str(eval($0, scope)) } ?? "assertion failed"
                throw NablaError(.assertion, m, at: cond.span)
            }
        case let .with(ctx, body):
            let c = try eval(ctx, scope)
            guard case let .object(o) = c, let mode = (o as? GradModeContext)?.mode else {
                throw NablaError(.type, "'with' needs a context such as no_grad(), got \(c.typeName)", at: ctx.span)
            }
            return try GradMode.with(mode) { try exec(body, scope) }
        case .breakStmt: return .breakLoop
        case .continueStmt: return .continueLoop
        case .pass: break
        }
        return .normal
    }

    /// Calls `body` for each element of an iterable until it returns false.
    func forEach(_ v: Value, span: Span, _ body: (Value) throws -> Bool) throws {
        switch v {
        case let .range(r):
            var i = 0
            let n = r.count
            while i < n { if !(try body(.number(Double(r.element(i))))) { return }; i += 1 }
        case let .tensor(t):
            guard t.value.rank > 0 else { throw NablaError(.type, "cannot iterate over a number (a 0-d tensor)", at: span) }
            for i in 0..<t.value.shape[0] { if !(try body(.tensor(try wrap(span) { try t.indexed([.at(i)]) }))) { return } }
        default:
            for item in try elements(v, span: span) { if !(try body(item)) { return } }
        }
    }

    /// The elements of a list, tuple, range, string or tensor (along its first axis).
    public func elements(_ v: Value, span: Span) throws -> [Value] {
        switch v {
        case let .list(l): return l.items
        case let .tuple(t): return t
        case let .range(r):
            guard r.count <= 10_000_000 else { throw NablaError(.memory, "range of \(r.count) elements is too long to make into a list", at: span) }
            return (0..<r.count).map { .number(Double(r.element($0))) }
        case let .string(s): return s.map { .string(String($0)) }
        case let .tensor(t):
            guard t.value.rank > 0 else { throw NablaError(.type, "cannot iterate over a number (a 0-d tensor)", at: span) }
            return try (0..<t.value.shape[0]).map { i in .tensor(try wrap(span) { try t.indexed([.at(i)]) }) }
        default: throw NablaError(.type, "\(v.typeName) is not iterable", at: span)
        }
    }

    // MARK: Assignment

    func assign(_ target: Expr, _ v: Value, _ scope: Scope) throws {
        switch target.kind {
        case let .name(n):
            if case let .tensor(t) = v, t.name == nil { t.name = n }
            scope.values[n] = v
        case let .tuple(items), let .list(items):
            let parts = try elements(v, span: target.span)
            guard parts.count == items.count else {
                throw NablaError(.value, "cannot unpack \(parts.count) values into \(items.count) names", at: target.span)
            }
            for (t, p) in zip(items, parts) { try assign(t, p, scope) }
        case let .index(base, items):
            let container = try eval(base, scope)
            switch container {
            case let .list(l):
                guard items.count == 1, case let .expr(ie) = items[0] else { throw NablaError(.type, "list indices must be single whole numbers", at: target.span) }
                let i = try toInt(try eval(ie, scope), span: ie.span, what: "a list index")
                guard i >= -l.items.count, i < l.items.count else {
                    throw NablaError(.index, "list index \(i) is out of range for a list of length \(l.items.count)", at: ie.span)
                }
                l.items[i < 0 ? i + l.items.count : i] = v
            case let .tensor(t):
                let idx = try tensorIndex(items, scope)
                let newValue = try toVariable(v, span: target.span, what: "the assigned value")
                if t.isLeaf {
                    // Params and constants change in place, keeping identity (and param-ness).
                    try wrap(target.span) { try t.update { try $0.assign(idx, newValue.value) } }
                } else {
                    guard case let .name(n) = base.kind else {
                        throw NablaError(.type, "cannot assign into a computed tensor here; bind it to a name first", at: target.span)
                    }
                    let replaced = try wrap(target.span) { try Variable.replacing(t, idx, with: newValue) }
                    replaced.name = t.name
                    scope.values[n] = .tensor(replaced)
                }
            default:
                throw NablaError(.type, "\(container.typeName) does not support item assignment", at: target.span)
            }
        case let .attribute(base, name):
            let obj = try eval(base, scope)
            guard case let .tensor(t) = obj, name == "grad" else {
                throw NablaError(.type, "cannot set attribute '\(name)' of \(obj.typeName)", at: target.span)
            }
            if case .none = v { t.grad = nil } else { t.grad = try toVariable(v, span: target.span, what: "a gradient").value }
        default:
            throw NablaError(.syntax, "cannot assign to this expression", at: target.span)
        }
    }

    /// `x op= v`. On a param (or any leaf tensor) the value changes in place, so `W -= lr * g`
    /// keeps W a param with its identity; otherwise the name is rebound like `x = x op v`.
    func augAssign(_ target: Expr, _ op: String, _ valueExpr: Expr, _ scope: Scope) throws {
        let current = try eval(target, scope)
        let rhs = try eval(valueExpr, scope)
        if case let .tensor(t) = current, t.isLeaf, t.requiresGrad, case .name = target.kind {
            let r = try toVariable(rhs, span: valueExpr.span, what: "the right-hand side")
            let result = try GradMode.with(.off) { try binary(op, .tensor(Variable(t.value)), .tensor(r), span: target.span.through(valueExpr.span)) }
            guard case let .tensor(nv) = result else { return }
            try wrap(target.span) {
                try t.update { v in
                    guard nv.value.shape == v.shape else {
                        throw TensorError.shape(op: "\(op)=", message: "the result has shape \(formatShape(nv.value.shape)) but the param has shape \(formatShape(v.shape))")
                    }
                    v = nv.value
                }
            }
            return
        }
        try assign(target, try binary(op, current, rhs, span: target.span.through(valueExpr.span)), scope)
    }

    // MARK: Errors from the engine

    /// Runs engine code, turning TensorError into a NablaError at `span`.
    func wrap<T>(_ span: Span, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as TensorError { throw Interpreter.convert(e, span) }
    }

    static func convert(_ e: TensorError, _ span: Span) -> NablaError {
        let kind: ErrorKind
        switch e {
        case .broadcast, .matmul, .shape: kind = .shape
        case .axis, .index: kind = .index
        case .tooLarge: kind = .memory
        case .argument: kind = .value
        case .interrupted: return NablaError(.interrupted, "the cell was interrupted", at: span)
        }
        return NablaError(kind, e.description, at: span)
    }
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
