/// Recursive-descent parser for Nabla's Python-flavoured syntax.
public struct Parser {
    /// Deepest nesting of expressions and blocks accepted; deeper input is a RecursionError
    /// instead of a native stack overflow.
    public static let maxDepth = 200

    var tokens: [Token]
    var pos = 0
    var depth = 0

    public init(tokens: [Token]) { self.tokens = tokens }

    public static func parse(_ source: String, cell: Int = 0) throws -> [Stmt] {
        var p = Parser(tokens: try Lexer.tokenize(source, cell: cell))
        return try p.program()
    }

    // MARK: Token helpers

    var tok: Token { tokens[min(pos, tokens.count - 1)] }
    var atEnd: Bool { tok.kind == .eof }

    func isOp(_ s: String) -> Bool { tok.kind == .op(s) }
    func isKeyword(_ s: String) -> Bool { tok.kind == .keyword(s) }

    mutating func next() -> Token {
        let t = tok
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    mutating func accept(op s: String) -> Bool {
        if isOp(s) { pos += 1; return true }
        return false
    }

    mutating func accept(keyword s: String) -> Bool {
        if isKeyword(s) { pos += 1; return true }
        return false
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case let .name(n): return "name '\(n)'"
        case let .number(v): return "number \(v)"
        case .string: return "string"
        case let .keyword(k): return "'\(k)'"
        case let .op(o): return "'\(o)'"
        case .newline: return "end of line"
        case .indent: return "indent"
        case .dedent: return "dedent"
        case .eof: return "end of input"
        }
    }

    func error(_ message: String, at t: Token? = nil) -> NablaError {
        NablaError(.syntax, message, at: (t ?? tok).span)
    }

    mutating func expect(op s: String, _ context: String) throws -> Token {
        guard isOp(s) else { throw error("expected '\(s)' \(context), found \(describe(tok))") }
        return next()
    }

    mutating func nest() throws {
        depth += 1
        if depth > Parser.maxDepth {
            throw NablaError(.recursion, "the code is nested too deeply (more than \(Parser.maxDepth) levels)", at: tok.span)
        }
    }

    // MARK: Statements

    mutating func program() throws -> [Stmt] {
        var body = [Stmt]()
        while !atEnd {
            if tok.kind == .newline { pos += 1; continue }
            if tok.kind == .indent { throw error("unexpected indent") }
            body += try statement()
        }
        return body
    }

    mutating func statement() throws -> [Stmt] {
        if case let .keyword(k) = tok.kind, ["if", "while", "for", "def", "with"].contains(k) {
            return [try compound(k)]
        }
        return try simpleLine()
    }

    /// Simple statements separated by ';' up to the end of the line.
    mutating func simpleLine() throws -> [Stmt] {
        var out = [Stmt]()
        while true {
            let s = try simple()
            if accept(op: ";") {
                if case let .expr(e, _) = s.kind { out.append(Stmt(.expr(e, silent: true), s.span)) } else { out.append(s) }
                if tok.kind == .newline || atEnd { break }
                continue
            }
            out.append(s)
            break
        }
        guard tok.kind == .newline || atEnd else {
            throw error("unexpected \(describe(tok)) after the statement")
        }
        if tok.kind == .newline { pos += 1 }
        return out
    }

    mutating func simple() throws -> Stmt {
        let start = tok
        switch tok.kind {
        case .keyword("pass"): pos += 1; return Stmt(.pass, start.span)
        case .keyword("break"): pos += 1; return Stmt(.breakStmt, start.span)
        case .keyword("continue"): pos += 1; return Stmt(.continueStmt, start.span)
        case .keyword("return"):
            pos += 1
            if tok.kind == .newline || isOp(";") || atEnd { return Stmt(.returnStmt(nil), start.span) }
            let e = try exprList()
            return Stmt(.returnStmt(e), start.span.through(e.span))
        case .keyword("assert"):
            pos += 1
            let c = try expression()
            let m = accept(op: ",") ? try expression() : nil
            return Stmt(.assert(c, m), start.span.through((m ?? c).span))
        default:
            break
        }
        let first = try exprList()
        if case let .op(o) = tok.kind, ["+=", "-=", "*=", "/=", "//=", "**=", "@=", "%="].contains(o) {
            pos += 1
            try checkTarget(first)
            let v = try exprList()
            return Stmt(.augAssign(first, String(o.dropLast()), v), first.span.through(v.span))
        }
        if isOp("=") {
            var targets = [first]
            var value = first
            while accept(op: "=") {
                value = try exprList()
                targets.append(value)
            }
            targets.removeLast()
            for t in targets { try checkTarget(t) }
            return Stmt(.assign(targets, value), first.span.through(value.span))
        }
        return Stmt(.expr(first, silent: false), first.span)
    }

    func checkTarget(_ e: Expr) throws {
        switch e.kind {
        case .name, .index, .attribute: return
        case let .tuple(items), let .list(items): for i in items { try checkTarget(i) }
        default: throw NablaError(.syntax, "cannot assign to this expression", at: e.span)
        }
    }

    mutating func compound(_ k: String) throws -> Stmt {
        let start = next()
        try nest(); defer { depth -= 1 }
        switch k {
        case "if":
            var branches = [(try expression(), try block())]
            var orelse: [Stmt]? = nil
            while true {
                if accept(keyword: "elif") { branches.append((try expression(), try block())); continue }
                if accept(keyword: "else") { orelse = try block() }
                break
            }
            return Stmt(.ifStmt(branches, orelse), start.span)
        case "while":
            return Stmt(.whileStmt(try expression(), try block()), start.span)
        case "for":
            let target = try targetList()
            guard accept(keyword: "in") else { throw error("expected 'in' in the for statement, found \(describe(tok))") }
            let iter = try exprList()
            return Stmt(.forStmt(target, iter, try block()), start.span)
        case "with":
            return Stmt(.with(try expression(), try block()), start.span)
        default: // def
            guard case let .name(name) = tok.kind else { throw error("expected a function name after 'def', found \(describe(tok))") }
            pos += 1
            _ = try expect(op: "(", "after the function name")
            let params = try parameters(closing: ")")
            _ = try expect(op: ")", "to close the parameter list")
            return Stmt(.def(name, params, try block()), start.span)
        }
    }

    /// Loop targets: a name or a tuple of names (`for i, x in ...`).
    mutating func targetList() throws -> Expr {
        var items = [try postfix()]
        while accept(op: ",") { items.append(try postfix()) }
        let e = items.count == 1 ? items[0] : Expr(.tuple(items), items[0].span.through(items[items.count - 1].span))
        try checkTarget(e)
        return e
    }

    mutating func parameters(closing: String) throws -> [Param] {
        var params = [Param]()
        while !isOp(closing) {
            guard case let .name(n) = tok.kind else { throw error("expected a parameter name, found \(describe(tok))") }
            pos += 1
            if params.contains(where: { $0.name == n }) { throw error("duplicate parameter '\(n)'") }
            let d = accept(op: "=") ? try expression() : nil
            if d == nil, params.last?.defaultValue != nil { throw error("a parameter without a default follows one with a default") }
            params.append(Param(name: n, defaultValue: d))
            if !accept(op: ",") { break }
        }
        return params
    }

    mutating func block() throws -> [Stmt] {
        _ = try expect(op: ":", "to start the block")
        if tok.kind != .newline { return try simpleLine() }
        pos += 1
        guard tok.kind == .indent else { throw error("expected an indented block") }
        pos += 1
        var body = [Stmt]()
        while tok.kind != .dedent && !atEnd {
            if tok.kind == .newline { pos += 1; continue }
            body += try statement()
        }
        if tok.kind == .dedent { pos += 1 }
        return body
    }

    // MARK: Expressions

    /// Expressions separated by commas form a tuple (`a, b = b, a`).
    mutating func exprList() throws -> Expr {
        let first = try expression()
        guard isOp(",") else { return first }
        var items = [first]
        while accept(op: ",") {
            if tok.kind == .newline || isOp("=") || isOp(")") || atEnd || isOp(";") { break }
            items.append(try expression())
        }
        return Expr(.tuple(items), first.span.through(items[items.count - 1].span))
    }

    mutating func expression() throws -> Expr {
        try nest(); defer { depth -= 1 }
        if isKeyword("lambda") {
            let start = next()
            let params = try parameters(closing: ":")
            _ = try expect(op: ":", "after the lambda parameters")
            let body = try expression()
            return Expr(.lambda(params, body), start.span.through(body.span))
        }
        let body = try orExpr()
        if accept(keyword: "if") {
            let cond = try orExpr()
            guard accept(keyword: "else") else { throw error("expected 'else' in the conditional expression, found \(describe(tok))") }
            let other = try expression()
            return Expr(.ternary(body, cond, other), body.span.through(other.span))
        }
        return body
    }

    mutating func orExpr() throws -> Expr {
        var l = try andExpr()
        while accept(keyword: "or") { let r = try andExpr(); l = Expr(.logical("or", l, r), l.span.through(r.span)) }
        return l
    }

    mutating func andExpr() throws -> Expr {
        var l = try notExpr()
        while accept(keyword: "and") { let r = try notExpr(); l = Expr(.logical("and", l, r), l.span.through(r.span)) }
        return l
    }

    mutating func notExpr() throws -> Expr {
        if isKeyword("not") {
            let start = next()
            try nest(); defer { depth -= 1 }
            let e = try notExpr()
            return Expr(.unary("not", e), start.span.through(e.span))
        }
        return try comparison()
    }

    mutating func comparison() throws -> Expr {
        let first = try arith()
        var ops = [String](), items = [first]
        while true {
            if case let .op(o) = tok.kind, ["==", "!=", "<", "<=", ">", ">="].contains(o) {
                pos += 1; ops.append(o)
            } else if isKeyword("is") {
                pos += 1; ops.append(accept(keyword: "not") ? "is not" : "is")
            } else if isKeyword("not"), tokens[min(pos + 1, tokens.count - 1)].kind == .keyword("in") {
                pos += 2; ops.append("not in")
            } else if isKeyword("in") {
                pos += 1; ops.append("in")
            } else { break }
            items.append(try arith())
        }
        return ops.isEmpty ? first : Expr(.compare(ops, items), first.span.through(items[items.count - 1].span))
    }

    mutating func arith() throws -> Expr {
        var l = try term()
        while case let .op(o) = tok.kind, o == "+" || o == "-" {
            pos += 1
            let r = try term()
            l = Expr(.binary(o, l, r), l.span.through(r.span))
        }
        return l
    }

    mutating func term() throws -> Expr {
        var l = try unary()
        while case let .op(o) = tok.kind, ["*", "/", "//", "%", "@"].contains(o) {
            pos += 1
            let r = try unary()
            l = Expr(.binary(o, l, r), l.span.through(r.span))
        }
        return l
    }

    mutating func unary() throws -> Expr {
        if case let .op(o) = tok.kind, o == "-" || o == "+" {
            let start = next()
            try nest(); defer { depth -= 1 }
            let e = try unary()
            return Expr(.unary(o, e), start.span.through(e.span))
        }
        return try power()
    }

    mutating func power() throws -> Expr {
        let base = try postfix()
        if accept(op: "**") {
            try nest(); defer { depth -= 1 }
            let e = try unary()   // right-associative, binds tighter than unary minus on the left
            return Expr(.binary("**", base, e), base.span.through(e.span))
        }
        return base
    }

    mutating func postfix() throws -> Expr {
        var e = try atom()
        while true {
            if accept(op: "(") {
                try nest(); defer { depth -= 1 }
                var args = [Expr](), kwargs = [(String, Expr)]()
                while !isOp(")") {
                    if case let .name(n) = tok.kind, tokens[min(pos + 1, tokens.count - 1)].kind == .op("=") {
                        pos += 2
                        if kwargs.contains(where: { $0.0 == n }) { throw error("keyword argument '\(n)' repeated") }
                        kwargs.append((n, try expression()))
                    } else {
                        if !kwargs.isEmpty { throw error("a positional argument follows a keyword argument") }
                        if isOp("*") {
                            let star = next()
                            let e = try expression()
                            args.append(Expr(.starred(e), star.span.through(e.span)))
                        } else {
                            args.append(try expression())
                        }
                    }
                    if !accept(op: ",") { break }
                }
                let close = try expect(op: ")", "to close the call")
                e = Expr(.call(e, args, kwargs), e.span.through(close.span))
            } else if accept(op: "[") {
                try nest(); defer { depth -= 1 }
                var items = [IndexItem]()
                repeat {
                    if isOp("]") { break }
                    items.append(try indexItem())
                } while accept(op: ",")
                let close = try expect(op: "]", "to close the index")
                if items.isEmpty { throw error("empty index", at: close) }
                e = Expr(.index(e, items), e.span.through(close.span))
            } else if accept(op: ".") {
                guard case let .name(n) = tok.kind else { throw error("expected an attribute name after '.', found \(describe(tok))") }
                let t = next()
                e = Expr(.attribute(e, n), e.span.through(t.span))
            } else {
                return e
            }
        }
    }

    mutating func indexItem() throws -> IndexItem {
        let first = isOp(":") ? nil : try expression()
        if let first, !isOp(":") { return .expr(first) }
        var parts: [Expr?] = [first]
        while accept(op: ":") {
            parts.append(isOp(":") || isOp(",") || isOp("]") ? nil : try expression())
        }
        guard parts.count <= 3 else { throw error("a slice has at most start:stop:step") }
        while parts.count < 3 { parts.append(nil) }
        return .slice(parts[0], parts[1], parts[2])
    }

    mutating func atom() throws -> Expr {
        let t = tok
        switch t.kind {
        case let .number(v): pos += 1; return Expr(.number(v), t.span)
        case let .string(s):
            pos += 1
            var text = s, span = t.span
            while case let .string(more) = tok.kind { text += more; span = span.through(next().span) }  // "a" "b"
            return Expr(.string(text), span)
        case .keyword("True"): pos += 1; return Expr(.bool(true), t.span)
        case .keyword("False"): pos += 1; return Expr(.bool(false), t.span)
        case .keyword("None"): pos += 1; return Expr(.none, t.span)
        case let .name(n): pos += 1; return Expr(.name(n), t.span)
        case .op("("):
            pos += 1
            try nest(); defer { depth -= 1 }
            if isOp(")") { let c = next(); return Expr(.tuple([]), t.span.through(c.span)) }
            let first = try expression()
            if accept(op: ")") { return first }
            var items = [first]
            while accept(op: ",") {
                if isOp(")") { break }
                items.append(try expression())
            }
            let close = try expect(op: ")", "to close the parenthesis")
            return Expr(.tuple(items), t.span.through(close.span))
        case .op("["):
            pos += 1
            try nest(); defer { depth -= 1 }
            var items = [Expr]()
            while !isOp("]") {
                items.append(try expression())
                if items.count == 1, accept(keyword: "for") {
                    let target = try targetList()
                    guard accept(keyword: "in") else { throw error("expected 'in' in the list comprehension, found \(describe(tok))") }
                    let iterable = try orExpr()
                    let condition = accept(keyword: "if") ? try orExpr() : nil
                    let close = try expect(op: "]", "to close the list comprehension")
                    return Expr(.listComp(items[0], target, iterable, condition), t.span.through(close.span))
                }
                if !accept(op: ",") { break }
            }
            let close = try expect(op: "]", "to close the list")
            return Expr(.list(items), t.span.through(close.span))
        case .newline, .eof:
            throw error("unexpected end of line: an expression is missing")
        default:
            throw error("unexpected \(describe(t))")
        }
    }
}
