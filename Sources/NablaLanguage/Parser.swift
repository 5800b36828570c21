import Foundation

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
        case let .int(v): return "number \(v)"
        case let .bigint(v): return "number \(v)"
        case .string, .fstring: return "string"
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
        if case let .keyword(k) = tok.kind, ["if", "while", "for", "def", "with", "try", "class"].contains(k) {
            return [try compound(k, decorators: [])]
        }
        if isOp("@") {
            var decorators = [Expr]()
            while accept(op: "@") {
                decorators.append(try expression())
                guard tok.kind == .newline else { throw error("expected a new line after the decorator") }
                pos += 1
            }
            guard case let .keyword(k) = tok.kind, k == "def" || k == "class" else {
                throw error(atEnd ? "unexpected end of input: a decorator needs a 'def' or 'class'" : "a decorator must come before 'def' or 'class'")
            }
            return [try compound(k, decorators: decorators)]
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
        case .keyword("raise"):
            pos += 1
            if tok.kind == .newline || isOp(";") || atEnd { return Stmt(.raise(nil, nil), start.span) }
            let e = try expression()
            let cause = accept(keyword: "from") ? try expression() : nil
            return Stmt(.raise(e, cause), start.span.through(e.span))
        case .keyword("global"), .keyword("nonlocal"):
            pos += 1
            var names = [String]()
            repeat {
                guard case let .name(n) = tok.kind else { throw error("expected a name, found \(describe(tok))") }
                pos += 1; names.append(n)
            } while accept(op: ",")
            return Stmt(start.kind == .keyword("global") ? .global(names) : .nonlocal(names), start.span)
        case .keyword("del"):
            pos += 1
            var targets = [try postfix()]
            while accept(op: ",") { targets.append(try postfix()) }
            for t in targets { try checkTarget(t) }
            return Stmt(.del(targets), start.span.through(targets[targets.count - 1].span))
        case .keyword("import"):
            pos += 1
            var names = [(String, String?)]()
            repeat {
                let n = try dottedName()
                var alias: String? = nil
                if accept(keyword: "as") { alias = try identifier() }
                names.append((n, alias))
            } while accept(op: ",")
            return Stmt(.importStmt(names), start.span)
        case .keyword("from"):
            pos += 1
            let module = try dottedName()
            guard accept(keyword: "import") else { throw error("expected 'import' after 'from \(module)'") }
            if accept(op: "*") { return Stmt(.fromImport(module, [("*", nil)]), start.span) }
            let paren = accept(op: "(")
            var names = [(String, String?)]()
            repeat {
                if paren && isOp(")") { break }
                let n = try identifier()
                var alias: String? = nil
                if accept(keyword: "as") { alias = try identifier() }
                names.append((n, alias))
            } while accept(op: ",")
            if paren { _ = try expect(op: ")", "to close the import list") }
            return Stmt(.fromImport(module, names), start.span)
        case .keyword("yield"):
            pos += 1
            if tok.kind == .newline || isOp(";") || atEnd || isOp(")") { return Stmt(.yield(nil, from: false), start.span) }
            let from = accept(keyword: "from")
            let e = try exprList()
            return Stmt(.yield(e, from: from), start.span.through(e.span))
        default:
            break
        }
        let first = try exprList()
        if isOp(":"), case .name = first.kind {
            // An annotation: `x: int = 3` or `x: int`.
            pos += 1
            _ = try expression()
            if accept(op: "=") {
                let v = try exprList()
                return Stmt(.assign([first], v), first.span.through(v.span))
            }
            return Stmt(.annAssign(first, nil), first.span)
        }
        if case let .op(o) = tok.kind, ["+=", "-=", "*=", "/=", "//=", "**=", "@=", "%=", "&=", "|=", "^=", "<<=", ">>="].contains(o) {
            pos += 1
            try checkTarget(first)
            let v = try exprList()
            return Stmt(.augAssign(first, String(o.dropLast()), v), first.span.through(v.span))
        }
        if isOp("=") {
            var targets = [first]
            var value = first
            while accept(op: "=") {
                if isKeyword("yield") { throw error("'x = yield' is not supported; use 'yield' as a statement") }
                value = try exprList()
                targets.append(value)
            }
            targets.removeLast()
            for t in targets { try checkTarget(t) }
            return Stmt(.assign(targets, value), first.span.through(value.span))
        }
        return Stmt(.expr(first, silent: false), first.span)
    }

    mutating func identifier() throws -> String {
        guard case let .name(n) = tok.kind else { throw error("expected a name, found \(describe(tok))") }
        pos += 1
        return n
    }

    mutating func dottedName() throws -> String {
        var n = try identifier()
        while accept(op: ".") { n += "." + (try identifier()) }
        return n
    }

    func checkTarget(_ e: Expr) throws {
        switch e.kind {
        case .name, .index, .attribute: return
        case let .starred(inner): try checkTarget(inner)
        case let .tuple(items), let .list(items): for i in items { try checkTarget(i) }
        default: throw NablaError(.syntax, "cannot assign to this expression", at: e.span)
        }
    }

    mutating func compound(_ k: String, decorators: [Expr]) throws -> Stmt {
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
            let cond = try expression()
            let body = try block()
            let orelse = accept(keyword: "else") ? try block() : nil
            return Stmt(.whileStmt(cond, body, orelse), start.span)
        case "for":
            let target = try targetList()
            guard accept(keyword: "in") else { throw error("expected 'in' in the for statement, found \(describe(tok))") }
            let iter = try exprList()
            let body = try block()
            let orelse = accept(keyword: "else") ? try block() : nil
            return Stmt(.forStmt(target, iter, body, orelse), start.span)
        case "with":
            let ctx = try expression()
            let name = accept(keyword: "as") ? try identifier() : nil
            return Stmt(.with(ctx, name, try block()), start.span)
        case "try":
            let body = try block()
            var handlers = [ExceptClause]()
            while isKeyword("except") {
                let t = next()
                var type: Expr? = nil, name: String? = nil
                if !isOp(":") {
                    type = try exprList()
                    if accept(keyword: "as") { name = try identifier() }
                }
                handlers.append(ExceptClause(type: type, name: name, body: try block(), span: t.span))
            }
            let orelse = !handlers.isEmpty && accept(keyword: "else") ? try block() : nil
            let final = accept(keyword: "finally") ? try block() : nil
            if handlers.isEmpty && final == nil {
                throw error(atEnd ? "unexpected end of input: 'try' needs an 'except' or 'finally' block" : "expected 'except' or 'finally' after the try block")
            }
            return Stmt(.tryStmt(body, handlers, orelse, final), start.span)
        case "class":
            let name = try identifier()
            var bases = [Expr]()
            if accept(op: "(") {
                while !isOp(")") {
                    if case .name = tok.kind, tokens[min(pos + 1, tokens.count - 1)].kind == .op("=") { pos += 2; _ = try expression() }
                    else { bases.append(try expression()) }
                    if !accept(op: ",") { break }
                }
                _ = try expect(op: ")", "to close the base classes")
            }
            return Stmt(.classDef(name, bases, try block(), decorators: decorators), start.span)
        default: // def
            guard case let .name(name) = tok.kind else { throw error("expected a function name after 'def', found \(describe(tok))") }
            pos += 1
            _ = try expect(op: "(", "after the function name")
            let params = try parameters(closing: ")")
            _ = try expect(op: ")", "to close the parameter list")
            if accept(op: "->") { _ = try expression() }
            return Stmt(.def(name, params, try block(), decorators: decorators), start.span)
        }
    }

    /// Loop targets: a name or a tuple of names (`for i, x in ...`).
    mutating func targetList() throws -> Expr {
        func one() throws -> Expr {
            if isOp("*") { let st = next(); let e = try postfix(); return Expr(.starred(e), st.span.through(e.span)) }
            return try postfix()
        }
        var items = [try one()]
        while accept(op: ",") { if isKeyword("in") { break }; items.append(try one()) }
        let e = items.count == 1 ? items[0] : Expr(.tuple(items), items[0].span.through(items[items.count - 1].span))
        try checkTarget(e)
        return e
    }

    mutating func parameters(closing: String) throws -> [Param] {
        var params = [Param]()
        var keywordOnly = false
        while !isOp(closing) {
            var kind = Param.Kind.normal
            if accept(op: "**") { kind = .starStar } else if accept(op: "*") {
                kind = .star
                if isOp(",") { pos += 1; keywordOnly = true; continue }   // bare `*`
            } else if accept(op: "/") { if !accept(op: ",") { break }; continue }
            guard case let .name(n) = tok.kind else { throw error("expected a parameter name, found \(describe(tok))") }
            pos += 1
            if params.contains(where: { $0.name == n }) { throw error("duplicate parameter '\(n)'") }
            if closing == ")", accept(op: ":") { _ = try expression() }   // annotation
            let d = kind == .normal && accept(op: "=") ? try expression() : nil
            if d == nil, kind == .normal, !keywordOnly, params.last?.defaultValue != nil, params.last?.kind == .normal {
                throw error("a parameter without a default follows one with a default")
            }
            params.append(Param(name: n, defaultValue: d, kind: kind, keywordOnly: keywordOnly && kind == .normal))
            if kind == .star { keywordOnly = true }
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
        let first = try starOrExpression()
        guard isOp(",") else { return first }
        var items = [first]
        while accept(op: ",") {
            if tok.kind == .newline || isOp("=") || isOp(")") || atEnd || isOp(";") || isOp(":") || isKeyword("in") { break }
            if case let .op(o) = tok.kind, o.hasSuffix("="), o.count >= 2, o != "==" { break }
            items.append(try starOrExpression())
        }
        return Expr(.tuple(items), first.span.through(items[items.count - 1].span))
    }

    mutating func starOrExpression() throws -> Expr {
        if isOp("*") {
            let st = next()
            let e = try orExpr()
            return Expr(.starred(e), st.span.through(e.span))
        }
        return try expression()
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
        let first = try bitOr()
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
            items.append(try bitOr())
        }
        return ops.isEmpty ? first : Expr(.compare(ops, items), first.span.through(items[items.count - 1].span))
    }

    mutating func bitOr() throws -> Expr {
        var l = try bitXor()
        while isOp("|") { pos += 1; let r = try bitXor(); l = Expr(.binary("|", l, r), l.span.through(r.span)) }
        return l
    }

    mutating func bitXor() throws -> Expr {
        var l = try bitAnd()
        while isOp("^") { pos += 1; let r = try bitAnd(); l = Expr(.binary("^", l, r), l.span.through(r.span)) }
        return l
    }

    mutating func bitAnd() throws -> Expr {
        var l = try shift()
        while isOp("&") { pos += 1; let r = try shift(); l = Expr(.binary("&", l, r), l.span.through(r.span)) }
        return l
    }

    mutating func shift() throws -> Expr {
        var l = try arith()
        while case let .op(o) = tok.kind, o == "<<" || o == ">>" {
            pos += 1
            let r = try arith()
            l = Expr(.binary(o, l, r), l.span.through(r.span))
        }
        return l
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
        if case let .op(o) = tok.kind, o == "-" || o == "+" || o == "~" {
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
                    if accept(op: "**") {
                        kwargs.append(("**", try expression()))
                    } else if case let .name(n) = tok.kind, tokens[min(pos + 1, tokens.count - 1)].kind == .op("=") {
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
                            let a = try expression()
                            if args.isEmpty, isKeyword("for") {
                                let clauses = try compClauses()
                                args.append(Expr(.comprehension(.generator, a, nil, clauses), a.span.through(tok.span)))
                            } else {
                                args.append(a)
                            }
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

    /// `for target in iterable [if cond]...` clauses of a comprehension, one or more.
    mutating func compClauses() throws -> [CompClause] {
        var clauses = [CompClause]()
        while accept(keyword: "for") {
            let target = try targetList()
            guard accept(keyword: "in") else { throw error("expected 'in' in the comprehension, found \(describe(tok))") }
            let iterable = try orExpr()
            var conds = [Expr]()
            while accept(keyword: "if") { conds.append(try orExprNoTernary()) }
            clauses.append(CompClause(target: target, iterable: iterable, conditions: conds))
        }
        return clauses
    }

    mutating func orExprNoTernary() throws -> Expr { try orExpr() }

    /// Splits an f-string's text into literal text and `{expr!r:spec}` fields, parsing each field.
    static func fstringParts(_ raw: String, span: Span) throws -> [FPart] {
        let c = Array(raw)
        var parts = [FPart](), text = "", i = 0
        func fail(_ m: String) -> NablaError { NablaError(.syntax, "f-string: \(m)", at: span) }
        while i < c.count {
            if c[i] == "{" {
                if i + 1 < c.count, c[i + 1] == "{" { text.append("{"); i += 2; continue }
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                // Find the end of the expression: a top-level '!', ':' or '}' outside brackets and strings.
                var j = i + 1, depth = 0, quote: Character? = nil
                while j < c.count {
                    let ch = c[j]
                    if let q = quote { if ch == q { quote = nil } }
                    else if ch == "'" || ch == "\"" { quote = ch }
                    else if "([{".contains(ch) { depth += 1 }
                    else if ")]}".contains(ch) { if depth == 0 { break }; depth -= 1 }
                    else if depth == 0, ch == ":" || (ch == "!" && j + 1 < c.count && c[j + 1] != "=") { break }
                    j += 1
                }
                guard j < c.count else { throw fail("expecting '}'") }
                var exprText = String(c[(i + 1)..<j])
                var selfDoc: String? = nil
                let trimmedExpr = exprText.trimmingCharacters(in: .whitespaces)
                if trimmedExpr.hasSuffix("="), !trimmedExpr.hasSuffix("=="), !trimmedExpr.hasSuffix("!="), !trimmedExpr.hasSuffix("<="), !trimmedExpr.hasSuffix(">=") {
                    selfDoc = exprText
                    exprText = String(trimmedExpr.dropLast())
                }
                guard !exprText.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("empty expression not allowed") }
                var conversion: Character? = nil
                if c[j] == "!" {
                    guard j + 1 < c.count, "rsa".contains(c[j + 1]) else { throw fail("invalid conversion character") }
                    conversion = c[j + 1]; j += 2
                }
                var spec: [FPart]? = nil
                if j < c.count, c[j] == ":" {
                    // The spec runs to the matching '}', and may itself hold {fields}.
                    var k = j + 1, d = 0
                    while k < c.count { if c[k] == "{" { d += 1 } else if c[k] == "}" { if d == 0 { break }; d -= 1 }; k += 1 }
                    guard k < c.count else { throw fail("expecting '}'") }
                    spec = try fstringParts(String(c[(j + 1)..<k]), span: span)
                    j = k
                }
                guard j < c.count, c[j] == "}" else { throw fail("expecting '}'") }
                var p = Parser(tokens: try Lexer.tokenize("(" + exprText + ")", cell: span.cell).map { var t = $0; t.span = span; return t })
                let e = try p.expression()
                parts.append(.expr(e, conversion: conversion, spec: spec, selfDoc: selfDoc))
                i = j + 1
                continue
            }
            if c[i] == "}" {
                if i + 1 < c.count, c[i + 1] == "}" { text.append("}"); i += 2; continue }
                throw fail("single '}' is not allowed")
            }
            text.append(c[i]); i += 1
        }
        if !text.isEmpty { parts.append(.text(text)) }
        return parts
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
        case let .int(v): pos += 1; return Expr(.int(v), t.span)
        case let .bigint(v): pos += 1; return Expr(.bigint(v), t.span)
        case .string, .fstring:
            var parts = [FPart](), span = t.span, formatted = false
            while true {
                if case let .string(more) = tok.kind { parts.append(.text(more)) }
                else if case let .fstring(raw) = tok.kind { parts += try Parser.fstringParts(raw, span: tok.span); formatted = true }
                else { break }
                span = span.through(next().span)   // "a" "b" f"{c}"
            }
            if !formatted { return Expr(.string(parts.map { if case let .text(x) = $0 { return x }; return "" }.joined()), span) }
            return Expr(.fstring(parts), span)
        case .op("..."): pos += 1; return Expr(.ellipsis, t.span)
        case .keyword("True"): pos += 1; return Expr(.bool(true), t.span)
        case .keyword("False"): pos += 1; return Expr(.bool(false), t.span)
        case .keyword("None"): pos += 1; return Expr(.none, t.span)
        case let .name(n): pos += 1; return Expr(.name(n), t.span)
        case .op("("):
            pos += 1
            try nest(); defer { depth -= 1 }
            if isOp(")") { let c = next(); return Expr(.tuple([]), t.span.through(c.span)) }
            if isKeyword("yield") { throw error("'(yield ...)' expressions are not supported; use 'yield' as a statement") }
            let first = try starOrExpression()
            if isKeyword("for") {
                let clauses = try compClauses()
                let close = try expect(op: ")", "to close the generator expression")
                return Expr(.comprehension(.generator, first, nil, clauses), t.span.through(close.span))
            }
            if accept(op: ")") { if case .starred = first.kind { throw error("cannot use starred expression here") }; return first }
            var items = [first]
            while accept(op: ",") {
                if isOp(")") { break }
                items.append(try starOrExpression())
            }
            let close = try expect(op: ")", "to close the parenthesis")
            return Expr(.tuple(items), t.span.through(close.span))
        case .op("["):
            pos += 1
            try nest(); defer { depth -= 1 }
            var items = [Expr]()
            while !isOp("]") {
                items.append(try starOrExpression())
                if items.count == 1, isKeyword("for") {
                    let clauses = try compClauses()
                    let close = try expect(op: "]", "to close the list comprehension")
                    return Expr(.comprehension(.list, items[0], nil, clauses), t.span.through(close.span))
                }
                if !accept(op: ",") { break }
            }
            let close = try expect(op: "]", "to close the list")
            return Expr(.list(items), t.span.through(close.span))
        case .op("{"):
            pos += 1
            try nest(); defer { depth -= 1 }
            if isOp("}") { let c = next(); return Expr(.dict([]), t.span.through(c.span)) }
            if accept(op: "**") {
                var entries: [(Expr?, Expr)] = [(nil, try expression())]
                while accept(op: ",") {
                    if isOp("}") { break }
                    if accept(op: "**") { entries.append((nil, try expression())); continue }
                    let k = try expression(); _ = try expect(op: ":", "after a dict key"); entries.append((k, try expression()))
                }
                let close = try expect(op: "}", "to close the dict")
                return Expr(.dict(entries), t.span.through(close.span))
            }
            let first = try starOrExpression()
            if accept(op: ":") {
                let v = try expression()
                if isKeyword("for") {
                    let clauses = try compClauses()
                    let close = try expect(op: "}", "to close the dict comprehension")
                    return Expr(.comprehension(.dict, first, v, clauses), t.span.through(close.span))
                }
                var entries: [(Expr?, Expr)] = [(first, v)]
                while accept(op: ",") {
                    if isOp("}") { break }
                    if accept(op: "**") { entries.append((nil, try expression())); continue }
                    let k = try expression(); _ = try expect(op: ":", "after a dict key"); entries.append((k, try expression()))
                }
                let close = try expect(op: "}", "to close the dict")
                return Expr(.dict(entries), t.span.through(close.span))
            }
            if isKeyword("for") {
                let clauses = try compClauses()
                let close = try expect(op: "}", "to close the set comprehension")
                return Expr(.comprehension(.set, first, nil, clauses), t.span.through(close.span))
            }
            var items = [first]
            while accept(op: ",") { if isOp("}") { break }; items.append(try starOrExpression()) }
            let close = try expect(op: "}", "to close the set")
            return Expr(.set(items), t.span.through(close.span))
        case .newline, .eof:
            throw error("unexpected end of line: an expression is missing")
        default:
            throw error("unexpected \(describe(t))")
        }
    }
}
