import Foundation
/// A token with where it stands in the source.
public struct Token: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case name(String)
        case number(Double)
        case int(Int)
        case bigint(String)
        case string(String)
        case fstring(String)
        case keyword(String)
        case op(String)
        case newline, indent, dedent, eof
    }
    public var kind: Kind
    public var span: Span
}

/// Turns source text into tokens, Python-style: indentation becomes INDENT/DEDENT, newlines
/// inside brackets are ignored, `#` starts a comment.
public struct Lexer {
    static let keywords: Set<String> = [
        "if", "elif", "else", "for", "in", "while", "break", "continue", "def", "return", "and", "or",
        "not", "lambda", "True", "False", "None", "assert", "pass", "with", "is", "global", "nonlocal",
        "try", "except", "finally", "raise", "class", "del", "import", "from", "as", "yield",
    ]
    /// Operators, longest first so `**=` wins over `**` and `*`.
    static let operators = [
        "**=", "//=", "<<=", ">>=", "...", "->", "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "@=", "%=",
        "&=", "|=", "^=", "<<", ">>", ":=",
        "+", "-", "*", "/", "%", "@", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "~", "&", "|", "^",
    ].map { Array($0) }

    let chars: [Character]
    var i = 0, line = 1, col = 1
    var tokens = [Token]()
    var indents = [0]
    var depth = 0  // bracket nesting

    let cell: Int

    public init(_ source: String, cell: Int = 0) { chars = Array(source); self.cell = cell }

    var currentIndent: Int { indents.last ?? 0 }

    public static func tokenize(_ source: String, cell: Int = 0) throws -> [Token] {
        var lx = Lexer(source, cell: cell)
        return try lx.run()
    }

    func peek(_ k: Int = 0) -> Character? { i + k < chars.count ? chars[i + k] : nil }

    mutating func advance() {
        if chars[i] == "\n" { line += 1; col = 1 } else { col += 1 }
        i += 1
    }

    func here() -> Span { Span(line: line, column: col, endLine: line, endColumn: col + 1, cell: cell) }

    mutating func emit(_ kind: Token.Kind, from start: (Int, Int)) {
        tokens.append(Token(kind: kind, span: Span(line: start.0, column: start.1, endLine: line, endColumn: col, cell: cell)))
    }

    /// Magics that only set up display in IPython, where Nabla already displays inline.
    static let displayMagics: Set<String> = ["matplotlib", "config", "load_ext", "reload_ext", "autoreload"]

    /// Accepts a `%matplotlib inline`-style line, or explains why another magic or `!command` cannot run.
    static func magic(_ text: String, at span: Span) throws {
        if text.hasPrefix("!") {
            throw NablaError(.syntax, "shell commands (\(text.prefix(40))) do not run in Nabla; numpy, keras, PIL, glob and os are built in", at: span)
        }
        let name = text.drop { $0 == "%" }.prefix { $0.isLetter || $0 == "_" }
        if text.hasPrefix("%"), !text.hasPrefix("%%"), displayMagics.contains(String(name)) { return }
        throw NablaError(.syntax, "the IPython magic \(text.prefix { $0 == "%" })\(name) is not available in Nabla (only display setup such as %matplotlib inline is accepted)", at: span)
    }

    mutating func run() throws -> [Token] {
        var atLineStart = true
        while i < chars.count {
            if atLineStart && depth == 0 {
                atLineStart = false
                // Measure indentation; blank and comment-only lines do not count.
                var width = 0
                let start = (line, col)
                while let c = peek(), c == " " || c == "\t" {
                    width = c == "\t" ? (width / 8 + 1) * 8 : width + 1
                    advance()
                }
                if peek() == nil || peek() == "\n" || peek() == "#" || peek() == "\r" { continue }
                if peek() == "%" || peek() == "!" {
                    // An IPython magic or shell line (never Python): the display ones are no-ops.
                    let at = here()
                    var text = ""
                    while let d = peek(), d != "\n" { text.append(d); advance() }
                    try Lexer.magic(text.trimmingCharacters(in: .whitespaces), at: at)
                    continue
                }
                if width > currentIndent {
                    indents.append(width)
                    emit(.indent, from: start)
                } else {
                    while width < currentIndent {
                        indents.removeLast()
                        emit(.dedent, from: start)
                    }
                    guard width == currentIndent else {
                        throw NablaError(.syntax, "unindent does not match any outer indentation level", at: here())
                    }
                }
                continue
            }
            let c = chars[i]
            let start = (line, col)
            switch c {
            case "\n":
                advance()
                if depth == 0 {
                    if let last = tokens.last, last.kind != .newline { emit(.newline, from: start) }
                    atLineStart = true
                }
            case " ", "\t", "\r", "\u{0C}":
                advance()
            case "#":
                while let d = peek(), d != "\n" { advance() }
            case "\\" where peek(1) == "\n":
                advance(); advance()
            case "0"..."9":
                try number(start)
            case "." where peek(1)?.isASCIIDigit == true:
                try number(start)
            case "\"", "'":
                try string(start)
            default:
                if let q = stringPrefix() {
                    let prefix = String(chars[i..<(i + q)]).lowercased()
                    for _ in 0..<q { advance() }
                    try string(start, raw: prefix.contains("r"), format: prefix.contains("f"))
                } else if c.isIdentifierStart {
                    var s = ""
                    while let d = peek(), d.isIdentifierContinue { s.append(d); advance() }
                    emit(Lexer.keywords.contains(s) ? .keyword(s) : .name(s), from: start)
                } else if let op = Lexer.operators.first(where: { matches($0) }) {
                    for _ in op { advance() }
                    let s = String(op)
                    switch s {   // (not `"([{".contains(s)`: that is Foundation's substring search)
                    case "(", "[", "{": depth += 1
                    case ")", "]", "}": depth = max(depth - 1, 0)
                    default: break
                    }
                    emit(.op(s), from: start)
                } else {
                    let shown = c.unicodeScalars.first.map { $0.value < 32 || c == "\u{FFFD}" ? String(format16($0.value)) : "'\(c)'" } ?? "?"
                    throw NablaError(.syntax, "invalid character \(shown) in the code", at: here())
                }
            }
        }
        if let last = tokens.last, last.kind != .newline { emit(.newline, from: (line, col)) }
        while indents.count > 1 { indents.removeLast(); emit(.dedent, from: (line, col)) }
        emit(.eof, from: (line, col))
        return tokens
    }

    func format16(_ v: UInt32) -> String { "U+" + String(v, radix: 16, uppercase: true) }

    func matches(_ op: [Character]) -> Bool {
        guard i + op.count <= chars.count else { return false }
        for (k, ch) in op.enumerated() where chars[i + k] != ch { return false }
        return true
    }

    /// The length of a string prefix (r, b, f, u, rb, fr, ...) when one starts a string here.
    func stringPrefix() -> Int? {
        for n in [1, 2] {
            guard let q = peek(n), q == "\"" || q == "'" else { continue }
            let p = String(chars[i..<(i + n)]).lowercased()
            if ["r", "b", "f", "u", "rb", "br", "fr", "rf"].contains(p) { return n }
        }
        return nil
    }

    mutating func number(_ start: (Int, Int)) throws {
        if chars[i] == "0", let x = peek(1), "xXoObB".contains(x) {
            let radix = "xX".contains(x) ? 16 : "oO".contains(x) ? 8 : 2
            advance(); advance()
            var s = ""
            while let d = peek(), d.isHexDigit || d == "_" { if d != "_" { s.append(d) }; advance() }
            guard let v = Int(s, radix: radix) else {
                throw NablaError(.syntax, "invalid number literal", at: Span(line: start.0, column: start.1, endLine: line, endColumn: col, cell: cell))
            }
            emit(.int(v), from: start)
            return
        }
        var s = ""
        while let d = peek(), d.isASCIIDigit || d == "." || d == "_" { if d != "_" { s.append(d) }; advance() }
        if let e = peek(), e == "e" || e == "E" {
            let next = peek(1)
            if next?.isASCIIDigit == true || ((next == "+" || next == "-") && peek(2)?.isASCIIDigit == true) {
                s.append("e"); advance()
                if let sign = peek(), sign == "+" || sign == "-" { s.append(sign); advance() }
                while let d = peek(), d.isASCIIDigit { s.append(d); advance() }
            }
        }
        if let d = peek(), d.isIdentifierStart {
            throw NablaError(.syntax, "invalid number literal '\(s)\(d)'", at: Span(line: start.0, column: start.1, endLine: line, endColumn: col + 1, cell: cell))
        }
        // (utf8: String's contains(String) is Foundation's range(of:), a tenth of a `1+1` request.)
        if !s.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
            if let v = Int(s) { emit(.int(v), from: start) } else { emit(.bigint(s), from: start) }
            return
        }
        guard s.filter({ $0 == "." }).count <= 1, let v = Double(s) else {
            throw NablaError(.syntax, "invalid number literal '\(s)'", at: Span(line: start.0, column: start.1, endLine: line, endColumn: col, cell: cell))
        }
        emit(.number(v), from: start)
    }

    mutating func string(_ start: (Int, Int), raw: Bool = false, format: Bool = false) throws {
        let q = chars[i]
        let triple = peek(1) == q && peek(2) == q
        for _ in 0..<(triple ? 3 : 1) { advance() }
        var s = ""
        while true {
            guard let c = peek() else {
                throw NablaError(.syntax, "unterminated string literal", at: Span(line: start.0, column: start.1, endLine: start.0, endColumn: start.1 + 1, cell: cell))
            }
            if c == "\n" && !triple {
                throw NablaError(.syntax, "unterminated string literal", at: Span(line: start.0, column: start.1, endLine: start.0, endColumn: start.1 + 1, cell: cell))
            }
            if c == q && (!triple || (peek(1) == q && peek(2) == q)) {
                for _ in 0..<(triple ? 3 : 1) { advance() }
                break
            }
            if c == "\\", let n = peek(1), raw {
                advance(); advance()
                s.append("\\"); s.append(n)
                continue
            }
            if c == "\\", let n = peek(1) {
                advance(); advance()
                switch n {
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "\\": s.append("\\")
                case "'": s.append("'")
                case "\"": s.append("\"")
                case "\n": break
                case "r": s.append("\r")
                case "0": s.append("\0")
                case "x":
                    var hex = ""
                    while hex.count < 2, let h = peek(), h.isHexDigit { hex.append(h); advance() }
                    if let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) { s.append(Character(u)) }
                case "u":
                    var hex = ""
                    while hex.count < 4, let h = peek(), h.isHexDigit { hex.append(h); advance() }
                    if let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) { s.append(Character(u)) }
                default: s.append("\\"); s.append(n)
                }
                continue
            }
            s.append(c)
            advance()
        }
        emit(format ? .fstring(s) : .string(s), from: start)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    /// Letters of any script (so θ, λ, σ, η, α, μ are names) and `_`.
    var isIdentifierStart: Bool { self == "_" || (isLetter && self != "\u{FFFD}") }
    var isIdentifierContinue: Bool { isIdentifierStart || isASCIIDigit || isNumber && !isPunctuation }
}
