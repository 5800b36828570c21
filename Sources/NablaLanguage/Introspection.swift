import NablaAutograd
import NablaTensor

/// What a frontend asks about code being typed: completions, documentation, completeness.
public struct Completion: Equatable {
    public var matches: [String]
    /// The replaced range, in Unicode code points, as Jupyter counts the cursor.
    public var start: Int
    public var end: Int
}

public enum Completeness: Equatable {
    case complete
    /// More lines are needed; `indent` is what the next line should start with.
    case incomplete(indent: String)
    case invalid
}

extension Session {
    /// The identifier around a cursor (code points): its start, end, and the dotted base
    /// before it (`W1` for `W1.gr|`).
    static func word(in scalars: [Unicode.Scalar], at cursor: Int) -> (start: Int, end: Int, base: String?) {
        func isIdent(_ s: Unicode.Scalar) -> Bool { Character(s).isIdentifierContinue }
        let c = min(max(cursor, 0), scalars.count)
        var start = c
        while start > 0, isIdent(scalars[start - 1]) { start -= 1 }
        var end = c
        while end < scalars.count, isIdent(scalars[end]) { end += 1 }
        var base: String? = nil
        if start > 0, scalars[start - 1] == "." {
            var b = start - 1
            while b > 0, isIdent(scalars[b - 1]) || scalars[b - 1] == "." { b -= 1 }
            base = String(String.UnicodeScalarView(scalars[b..<(start - 1)]))
        }
        return (start, end, base)
    }

    /// Resolves a dotted name (`W1`, `opt.params`) without running code.
    func resolve(_ dotted: String) -> Value? {
        let parts = dotted.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        var v = interpreter.variable(first) ?? interpreter.builtins[first].map { .builtin($0) }
        for p in parts.dropFirst() {
            guard let cur = v else { return nil }
            switch cur {
            case .tensor where ["T", "grad", "shape"].contains(p), .object, .module, .cls, .instance:
                v = try? interpreter.attribute(cur, p, span: .unknown)
            default: return nil
            }
        }
        return v
    }

    /// Names that complete the word at `cursor`: variables, builtins, keywords, or attributes after a dot.
    public func complete(_ code: String, cursor: Int) -> Completion {
        onSessionThread { [self] in
            let scalars = Array(code.unicodeScalars)
            let (start, _, base) = Session.word(in: scalars, at: cursor)
            let c = min(max(cursor, 0), scalars.count)
            let prefix = String(String.UnicodeScalarView(scalars[start..<c]))
            let candidates: [String]
            if let base {
                candidates = resolve(base).map { interpreter.attributeNames(of: $0) } ?? []
            } else {
                // Inside a builtin's call, its keyword arguments (`softmax(x, ax|` → `axis=`) come first.
                let keywordArguments = callee(scalars, before: start).map { b in
                    b.parameters.filter { $0.mode == .standard || $0.mode == .keywordOnly }.map { $0.name + "=" }
                } ?? []
                candidates = keywordArguments + interpreter.variableNames + interpreter.builtins.keys.sorted() + Lexer.keywords.sorted()
            }
            var seen = Set<String>()
            let matches = candidates.filter { $0.hasPrefix(prefix) && seen.insert($0).inserted }.sorted()
            return Completion(matches: matches, start: start, end: c)
        }
    }

    /// The builtin whose call's parentheses are open at `index` (`softmax(x, |`), if any.
    func callee(_ scalars: [Unicode.Scalar], before index: Int) -> Builtin? {
        var depth = 0, k = min(index, scalars.count) - 1
        while k >= 0 {
            switch scalars[k] {
            case ")", "]", "}": depth += 1
            case "[", "{": if depth == 0 { return nil } else { depth -= 1 }
            case "(":
                if depth == 0 {
                    let (s, _, base) = Session.word(in: scalars, at: k)
                    guard s < k else { return nil }
                    let name = String(String.UnicodeScalarView(scalars[s..<k]))
                    if case let .builtin(b)? = resolve(base.map { "\($0).\(name)" } ?? name) { return b }
                    return nil
                }
                depth -= 1
            case "\n": return nil
            default: break
            }
            k -= 1
        }
        return nil
    }

    /// What to show for the name at `cursor`: a builtin's signature, docstring and formula;
    /// a function's signature; a variable's kind, shape and value. Nil when nothing is known.
    public func inspect(_ code: String, cursor: Int) -> String? {
        onSessionThread { [self] in
            let scalars = Array(code.unicodeScalars)
            var (start, end, base) = Session.word(in: scalars, at: cursor)
            // `softmax(|` : describe the function being called.
            if start == end {
                var k = min(cursor, scalars.count) - 1
                while k >= 0, scalars[k] == " " || scalars[k] == "(" { k -= 1 }
                (start, end, base) = Session.word(in: scalars, at: max(k + 1, 0))
            }
            guard start < end else { return nil }
            let name = String(String.UnicodeScalarView(scalars[start..<end]))
            guard let v = resolve(base.map { "\($0).\(name)" } ?? name) else { return nil }
            return describe(name, v)
        }
    }

    func describe(_ name: String, _ v: Value) -> String {
        switch v {
        case let .builtin(b): return b.docstring
        case let .function(f): return f.signature + (f.doc.map { "\n\n" + $0 } ?? "")
        case let .tensor(t):
            var s = "\(name): \(v.typeName), shape \(formatShape(t.value.shape))"
            if !t.isLeaf { s += ", computed by \(t.op.name)" }
            s += "\n" + interpreter.repr(v)
            if let g = t.grad { s += "\ngrad:\n" + g.formatted(precision: interpreter.precision) }
            return s
        default: return "\(name): \(v.typeName)\n" + interpreter.repr(v)
        }
    }

    /// Whether `code` is a whole statement (run it), needs more lines (and with what indent),
    /// or cannot become valid by adding lines.
    public static func isComplete(_ code: String) -> Completeness {
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
        let last = lines.last(where: { !$0.allSatisfy(\.isWhitespace) }).map(String.init) ?? ""
        let lastIndent = String(last.prefix { $0 == " " || $0 == "\t" })
        let endsWithBlank = code.hasSuffix("\n\n") || (lines.last.map { $0.allSatisfy(\.isWhitespace) && !$0.isEmpty } ?? false)
        do {
            _ = try Parser.parse(code)
        } catch let e as NablaError {
            let atEnd = e.message.contains("end of") || e.message.contains("indented block")
                || e.message.contains("unterminated string") && code.contains("\"\"\"")
            guard atEnd && e.kind == .syntax else { return .invalid }
            return .incomplete(indent: last.trimmed(" ").hasSuffix(":") ? lastIndent + "    " : lastIndent)
        } catch { return .invalid }
        if !lastIndent.isEmpty && !endsWithBlank { return .incomplete(indent: lastIndent) }
        return .complete
    }
}
