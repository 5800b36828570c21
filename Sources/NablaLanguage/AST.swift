/// An expression node with the source span it came from.
public final class Expr: @unchecked Sendable {
    public indirect enum Kind {
        case number(Double)
        case string(String)
        case bool(Bool)
        case none
        case name(String)
        case list([Expr])
        case tuple([Expr])
        case unary(String, Expr)                       // "-", "+", "not"
        case binary(String, Expr, Expr)                // + - * / // % ** @
        case compare([String], [Expr])                 // chained: a < b <= c
        case logical(String, Expr, Expr)               // and, or
        case ternary(Expr, Expr, Expr)                 // body if cond else other
        case call(Expr, [Expr], [(String, Expr)])
        case index(Expr, [IndexItem])
        case attribute(Expr, String)
        case lambda([Param], Expr)
        case listComp(Expr, Expr, Expr, Expr?)         // [element for target in iterable if condition]
        case starred(Expr)                             // *items, spread into a call's arguments
    }
    public let kind: Kind
    public let span: Span
    init(_ kind: Kind, _ span: Span) { self.kind = kind; self.span = span }
}

/// One entry of `x[...]`: an expression, a slice, or `None`/`newaxis` written as an expression.
public enum IndexItem {
    case expr(Expr)
    case slice(Expr?, Expr?, Expr?)
}

/// A parameter of `def` or `lambda`, with an optional default.
public struct Param {
    public var name: String
    public var defaultValue: Expr?
}

/// A statement node.
public final class Stmt: @unchecked Sendable {
    public indirect enum Kind {
        case expr(Expr, silent: Bool)                  // silent: the line ended with ';'
        case assign([Expr], Expr)                      // targets = value (a = b = v)
        case augAssign(Expr, String, Expr)             // target op= value
        case ifStmt([(Expr, [Stmt])], [Stmt]?)
        case whileStmt(Expr, [Stmt])
        case forStmt(Expr, Expr, [Stmt])
        case def(String, [Param], [Stmt])
        case returnStmt(Expr?)
        case assert(Expr, Expr?)
        case with(Expr, [Stmt])
        case breakStmt, continueStmt, pass
    }
    public let kind: Kind
    public let span: Span
    init(_ kind: Kind, _ span: Span) { self.kind = kind; self.span = span }
}
