/// An expression node with the source span it came from.
public final class Expr: @unchecked Sendable {   // immutable after parsing but for slot caches, which only the session thread writes
    public indirect enum Kind {
        case number(Double)                            // a float literal: 2.5, 1e-3
        case int(Int)                                  // an int literal: 3
        case bigint(String)                            // an int literal beyond 64 bits
        case string(String)
        case fstring([FPart])                          // f"... {x:.3f} ..."
        case bool(Bool)
        case none
        case ellipsis                                  // ... (numpy: every axis not named)
        case name(String)
        case list([Expr])
        case tuple([Expr])
        case dict([(Expr?, Expr)])                     // key nil: **spread
        case set([Expr])
        case unary(String, Expr)                       // "-", "+", "not", "~"
        case binary(String, Expr, Expr)                // + - * / // % ** @ & | ^ << >>
        case compare([String], [Expr])                 // chained: a < b <= c
        case logical(String, Expr, Expr)               // and, or
        case ternary(Expr, Expr, Expr)                 // body if cond else other
        case call(Expr, [Expr], [(String, Expr)])      // kwargs name "**" spreads a dict
        case index(Expr, [IndexItem])
        case attribute(Expr, String)
        case lambda([Param], Expr)
        case comprehension(CompKind, Expr, Expr?, [CompClause])  // element (value for dicts), clauses
        case starred(Expr)                             // *items, spread into a call's arguments or a display
    }
    public let kind: Kind
    public let span: Span
    /// For a name: its slot in the last function table (-1: not a local there) and in the
    /// globals table it was looked up in, so running the same code again finds the variable
    /// without hashing its name.
    var localTable: SlotTable?, localSlot = -1
    var globalTable: SlotTable?, globalSlot = -1
    /// For a lambda: its layout, worked out the first time it is evaluated.
    var layout: FunctionLayout?
    /// For a call with only plain positional arguments (no `*`, no keywords): how many; -1 otherwise.
    /// Worked out once so the call fast path needs no scan of the arguments.
    let plainArgCount: Int
    init(_ kind: Kind, _ span: Span) {
        self.kind = kind; self.span = span
        if case let .call(_, args, kwargs) = kind, kwargs.isEmpty,
           !args.contains(where: { if case .starred = $0.kind { return true }; return false }) {
            plainArgCount = args.count
        } else {
            plainArgCount = -1
        }
    }

    /// The slot of the name `n` (this expression's) in `table`, or -1 when `table` has none.
    @inline(__always) func slot(in table: SlotTable, _ n: String) -> Int {
        if table.fixed {
            if localTable === table { return localSlot }
            let i = table.slot(of: n) ?? -1
            localTable = table; localSlot = i
            return i
        }
        if globalTable === table { return globalSlot }
        // A growing table may add the name later: only a found slot is cached there.
        guard let i = table.slot(of: n) else { return -1 }
        globalTable = table; globalSlot = i
        return i
    }
}

public enum CompKind { case list, set, dict, generator }

/// `for target in iterable if cond ...` of a comprehension.
public struct CompClause {
    public var target: Expr
    public var iterable: Expr
    public var conditions: [Expr]
}

/// A piece of an f-string: text, or an expression with its conversion and format spec.
public enum FPart {
    case text(String)
    case expr(Expr, conversion: Character?, spec: [FPart]?, selfDoc: String?)
}

/// One entry of `x[...]`: an expression, a slice, or `None`/`newaxis` written as an expression.
public enum IndexItem {
    case expr(Expr)
    case slice(Expr?, Expr?, Expr?)
}

/// A parameter of `def` or `lambda`, with an optional default. `kind` marks `*args` and `**kwargs`.
public struct Param {
    public enum Kind { case normal, star, starStar }
    public var name: String
    public var defaultValue: Expr?
    public var kind: Kind = .normal
    public var keywordOnly = false
}

/// One `except E as e:` clause.
public struct ExceptClause {
    public var type: Expr?
    public var name: String?
    public var body: [Stmt]
    public var span: Span
}

/// A statement node.
public final class Stmt: @unchecked Sendable {   // likewise
    public indirect enum Kind {
        case expr(Expr, silent: Bool)                  // silent: the line ended with ';'
        case assign([Expr], Expr)                      // targets = value (a = b = v)
        case augAssign(Expr, String, Expr)             // target op= value
        case annAssign(Expr, Expr?)                    // x: int = 3
        case ifStmt([(Expr, [Stmt])], [Stmt]?)
        case whileStmt(Expr, [Stmt], [Stmt]?)
        case forStmt(Expr, Expr, [Stmt], [Stmt]?)
        case def(String, [Param], [Stmt], decorators: [Expr])
        case classDef(String, [Expr], [Stmt], decorators: [Expr])
        case returnStmt(Expr?)
        case assert(Expr, Expr?)
        case with(Expr, String?, [Stmt])
        case tryStmt([Stmt], [ExceptClause], [Stmt]?, [Stmt]?)
        case raise(Expr?, Expr?)
        case global([String]), nonlocal([String])
        case del([Expr])
        case importStmt([(String, String?)])                 // import a.b as c
        case fromImport(String, [(String, String?)])          // from a import b as c (name "*": all)
        case yield(Expr?, from: Bool)
        case breakStmt, continueStmt, pass
    }
    public let kind: Kind
    public let span: Span
    /// For a `def`: its layout, worked out the first time it runs.
    var layout: FunctionLayout?
    init(_ kind: Kind, _ span: Span) { self.kind = kind; self.span = span }
}
