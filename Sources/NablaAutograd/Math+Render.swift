import NablaTensor

/// Typesets a `Math` formula as LaTeX (for MathJax) or as Unicode text (for the console),
/// with the fewest parentheses: negative numbers are parenthesised inside products, powers
/// and after a minus.
public struct MathRenderer: Sendable {
    public let precision: Int
    public let latex: Bool

    public init(precision: Int, latex: Bool) { self.precision = precision; self.latex = latex }

    // Precedences: a part binds tighter than its parent when its number is higher.
    static let sumLevel = 10, productLevel = 20, negLevel = 30, bigOperatorLevel = 35, powerLevel = 40, atom = 90

    public func render(_ m: Math) -> String { r(m).0 }

    func number(_ x: Double) -> String {
        if x.isNaN { return latex ? "\\text{nan}" : "nan" }
        if x.isInfinite { return (x < 0 ? (latex ? "-" : "−") : "") + (latex ? "\\infty" : "∞") }
        var s = Tensor.formatNumber(x, precision: precision)
        if let e = s.firstIndex(of: "e") {
            let mantissa = s[..<e], exponent = Int(s[s.index(after: e)...]) ?? 0
            s = latex ? "\(mantissa) \\times 10^{\(exponent)}" : "\(mantissa)·10" + superscript(String(exponent))
        }
        if s.hasPrefix("-") { s = (latex ? "-" : "−") + s.dropFirst() }
        return s
    }

    func superscript(_ s: String) -> String {
        let map: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻", "+": "⁺", "T": "ᵀ"]
        var out = ""
        for ch in s {
            guard let m = map[ch] else { return "^(" + s + ")" }
            out.append(m)
        }
        return out
    }

    func paren(_ s: String) -> String { latex ? "\\left(\(s)\\right)" : "(\(s))" }
    func wrap(_ part: (String, Int), below level: Int) -> String { part.1 < level ? paren(part.0) : part.0 }
    var minus: String { latex ? " - " : " − " }

    /// The text and its precedence.
    func r(_ m: Math) -> (String, Int) {
        switch m {
        case let .number(x): return (number(x), x < 0 ? Self.negLevel : Self.atom)
        case let .symbol(l, p): return (latex ? l : p, Self.atom)
        case let .text(t): return (latex ? "\\text{\(escapeLatexText(t))}" : t, Self.atom)
        case .ellipsis: return (latex ? "\\dots" : "…", Self.atom)
        case let .add(terms):
            var s = ""
            for (k, t) in terms.enumerated() {
                if k == 0 { s = wrap(r(t), below: terms.count > 1 ? Self.sumLevel + 1 : Self.sumLevel); continue }
                switch t {
                case let .number(x) where x < 0: s += minus + number(-x)
                case let .neg(inner): s += minus + afterMinus(inner)
                default:
                    // A product that starts with a negative number reads as a subtraction: a − 0.2·2.
                    let text = wrap(r(t), below: Self.sumLevel + 1), sign = latex ? "-" : "−"
                    if case .mul = t, text.hasPrefix(sign) { s += minus + text.dropFirst(sign.count) } else { s += " + " + text }
                }
            }
            return (s, Self.sumLevel)
        case let .sub(a, b):
            return (wrap(r(a), below: Self.sumLevel) + minus + afterMinus(b), Self.sumLevel)
        case let .mul(factors):
            var s = ""
            for (k, f) in factors.enumerated() {
                let part = r(f)
                if k == 0 { s = wrap(part, below: Self.productLevel); continue }
                let negative = part.1 == Self.negLevel
                let separator: String
                if isFraction(f) || isFraction(factors[k - 1]) { separator = latex ? " \\cdot " : " · " }
                else if startsWithNumber(f) { separator = latex ? " \\cdot " : "·" }
                else if case .number = factors[k - 1], isSymbolic(f) { separator = latex ? " " : "" }
                else { separator = latex ? "\\," : " " }
                s += separator + (negative || part.1 < Self.bigOperatorLevel ? paren(part.0) : part.0)
            }
            return (s, Self.productLevel)
        case let .apply(factors):
            let symbols = factors.allSatisfy { if case .symbol = $0 { return true }; if case .transpose(.symbol) = $0 { return true }; return false }
            return (factors.map { wrap(r($0), below: Self.powerLevel) }.joined(separator: latex || !symbols ? " " : ""), Self.productLevel)
        case let .hadamard(a, b):
            return (wrap(r(a), below: Self.productLevel) + (latex ? " \\odot " : " ⊙ ") + wrap(r(b), below: Self.powerLevel), Self.productLevel)
        case let .div(a, b):
            if latex { return ("\\frac{\(r(a).0)}{\(r(b).0)}", Self.atom) }
            let (top, bottom) = (r(a), r(b))
            if top.1 == Self.atom && bottom.1 == Self.atom { return (top.0 + "/" + bottom.0, Self.productLevel - 1) }
            let denominator = bottom.1 == Self.negLevel || bottom.1 < Self.bigOperatorLevel ? paren(bottom.0) : bottom.0
            let numerator = top.1 == Self.negLevel || top.1 < Self.productLevel ? paren(top.0) : top.0
            return (numerator + " / " + denominator, Self.productLevel - 1)
        case let .neg(a):
            return ((latex ? "-" : "−") + afterMinus(a), Self.negLevel)
        case let .pow(a, b):
            let base = wrap(r(a), below: Self.atom)
            if latex { return ("{\(base)}^{\(r(b).0)}", Self.powerLevel) }
            let e = r(b).0
            let sup = superscript(e)
            return (base + (sup.hasPrefix("^") ? "^" + wrap(r(b), below: Self.atom) : sup), Self.powerLevel)
        case let .call(l, p, args):
            let name = latex ? l : p
            let prefix = ["ln", "log₂", "log₁₀", "sin", "cos", "tanh", "Πᵢ"].contains(p)
            if p == "N" || p == "ln N", args.count == 3 {
                // The notes' N(x; μ, σ): the variable, then the distribution's parameters.
                return (name + paren(r(args[0]).0 + "; " + r(args[1]).0 + ", " + r(args[2]).0), Self.atom)
            }
            if prefix, args.count == 1 {
                let a = r(args[0])
                if a.1 == Self.atom { return (name + " " + a.0, Self.powerLevel) }
                return (name + paren(a.0), Self.atom)
            }
            return (name + paren(args.map { r($0).0 }.joined(separator: ", ")), Self.atom)
        case let .exp(a):
            let inner = r(a)
            if latex { return ("e^{\(inner.0)}", Self.powerLevel) }
            return ("e^" + wrap(inner, below: Self.atom), Self.powerLevel)
        case let .sqrt(a):
            if latex { return ("\\sqrt{\(r(a).0)}", Self.atom) }
            return ("√" + wrap(r(a), below: Self.atom), Self.atom)
        case let .abs(a):
            return (latex ? "\\left|\(r(a).0)\\right|" : "|\(r(a).0)|", Self.atom)
        case let .sum(index, body):
            let i = r(index).0
            let head: String
            if latex { head = "\\sum_{\(i)} " } else {
                let sub = Math.subscripted(i)
                head = "Σ" + (sub.hasPrefix("_") ? "_{\(i)}" : sub) + " "
            }
            return (head + wrap(r(body), below: Self.productLevel), Self.bigOperatorLevel)
        case let .vector(items):
            let parts = items.map { r($0).0 }
            return (latex ? "\\left(" + parts.joined(separator: ",\\ ") + "\\right)" : "(" + parts.joined(separator: ", ") + ")", Self.atom)
        case let .matrix(rows):
            if latex { return ("\\begin{bmatrix}" + rows.map { $0.map { r($0).0 }.joined(separator: " & ") }.joined(separator: " \\\\ ") + "\\end{bmatrix}", Self.atom) }
            return ("[" + rows.map { "[" + $0.map { r($0).0 }.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]", Self.atom)
        case let .equation(a, b):
            return (r(a).0 + " = " + r(b).0, 0)
        case let .transpose(a):
            return (wrap(r(a), below: Self.atom) + (latex ? "^{\\top}" : "ᵀ"), Self.powerLevel)
        }
    }

    /// A part written after a minus sign: sums and negative values get parentheses.
    func afterMinus(_ m: Math) -> String {
        let part = r(m)
        return part.1 < Self.productLevel - 1 || part.1 == Self.negLevel ? paren(part.0) : part.0
    }

    /// A symbol written as a fraction (∂L/∂z), which needs an explicit product sign.
    func isFraction(_ m: Math) -> Bool { if case let .symbol(_, p) = m { return p.contains("/") }; return false }

    /// A symbol or a power of one (σ, σ²), which follows a number without a sign: 2σ².
    func isSymbolic(_ m: Math) -> Bool {
        switch m {
        case .symbol: return true
        case let .pow(a, _): return isSymbolic(a)
        default: return false
        }
    }

    /// Whether the text of `m` begins with a digit or a bracket around numbers (so a product
    /// needs its dot: 2·0.5², not "2 0.5²").
    func startsWithNumber(_ m: Math) -> Bool {
        switch m {
        case .number, .vector, .matrix, .div: return true
        case let .neg(a), let .pow(a, _): return startsWithNumber(a)
        case let .mul(t), let .add(t): return t.first.map(startsWithNumber) ?? false
        case let .sub(a, _): return startsWithNumber(a)
        default: return false
        }
    }

    func isNumeric(_ m: Math) -> Bool {
        switch m {
        case .number: return true
        case let .neg(a): return isNumeric(a)
        case .vector, .matrix: return true
        default: return false
        }
    }

    public func escapeLatexText(_ t: String) -> String {
        var out = ""
        for ch in t {
            switch ch {
            case "\\": out += "\\textbackslash{}"
            case "{", "}", "_", "%", "$", "#", "&": out += "\\" + String(ch)
            case "^": out += "\\^{}"
            case "~": out += "\\~{}"
            default: out.append(ch)
            }
        }
        return out
    }
}
