/// A formula as a tree, so that an op can state its math once and the display layer can
/// typeset it as LaTeX or as Unicode text, symbols or numbers alike.
public indirect enum Math: Equatable, Sendable {
    case number(Double)
    /// A symbol in both notations: `\sigma` and `σ`, `p_{i}` and `pᵢ`.
    case symbol(latex: String, plain: String)
    /// Upright text (`if`, `otherwise`).
    case text(String)
    /// A sum of terms; a negated term is written with a minus.
    case add([Math])
    case sub(Math, Math)
    case mul([Math])
    /// Elementwise product ⊙.
    case hadamard(Math, Math)
    case div(Math, Math)
    case neg(Math)
    case pow(Math, Math)
    /// A named function: `ln x`, `max(0, x)`, `σ(z)`.
    case call(latex: String, plain: String, [Math])
    case exp(Math)
    case sqrt(Math)
    case abs(Math)
    /// Σ over `index` (with an optional condition such as j ≠ y) of `body`.
    case sum(index: Math, body: Math)
    /// A row of values (a vector written out): (0.1, 0.2, …).
    case vector([Math])
    /// Rows of values (a matrix written out).
    case matrix([[Math]])
    case ellipsis
    /// `lhs = rhs`, inside a larger line (a condition, a definition).
    case equation(Math, Math)
    /// Transpose: Wᵀ.
    case transpose(Math)
    /// Juxtaposed product without an operator sign (Wx, dz aᵀ).
    case apply([Math])

    /// A symbol written the same way in both notations.
    public static func sym(_ s: String) -> Math { .symbol(latex: s, plain: s) }

    /// `base` with a subscript: `p_{i}` / `pᵢ` (Unicode subscripts where they exist).
    public static func indexed(_ base: String, _ index: String, latexBase: String? = nil) -> Math {
        let plainIndex = index.hasSuffix("_i") ? "_" + index.dropLast(2) + "ᵢ" : subscripted(index)
        return .symbol(latex: "\(latexBase ?? base)_{\(index)}", plain: base + plainIndex)
    }

    public static func ln(_ x: Math) -> Math { .call(latex: "\\ln", plain: "ln", [x]) }
    public static func log(_ x: Math, base: Double) -> Math {
        if base == 2 { return .call(latex: "\\log_2", plain: "log₂", [x]) }
        if base == 10 { return .call(latex: "\\log_{10}", plain: "log₁₀", [x]) }
        return ln(x)
    }
    public static func max(_ a: Math, _ b: Math) -> Math { .call(latex: "\\max", plain: "max", [a, b]) }
    public static func sigma(_ x: Math) -> Math { .call(latex: "\\sigma", plain: "σ", [x]) }

    /// Unicode subscripts for the letters and digits that have them; `_x` otherwise.
    public static func subscripted(_ s: String) -> String {
        let map: [Character: Character] = ["0": "₀", "1": "₁", "2": "₂", "3": "₃", "4": "₄", "5": "₅", "6": "₆", "7": "₇", "8": "₈", "9": "₉",
                                           "i": "ᵢ", "j": "ⱼ", "k": "ₖ", "n": "ₙ", "m": "ₘ", "t": "ₜ", "x": "ₓ", "+": "₊", "-": "₋", "=": "₌",
                                           "a": "ₐ", "e": "ₑ", "o": "ₒ", "h": "ₕ", "l": "ₗ", "p": "ₚ", "s": "ₛ", "r": "ᵣ", "u": "ᵤ", "v": "ᵥ"]
        var out = ""
        for ch in s {
            guard let m = map[ch] else { return "_" + (s.count == 1 ? s : "{\(s)}") }
            out.append(m)
        }
        return out
    }
}

/// One derivation: what is being computed, then each line a student would write, the last
/// being the value (`H(p) = −Σ pᵢ log pᵢ = −(0.5 ln 0.5 + 0.5 ln 0.5) = … = 0.6931`).
public struct Derivation: Sendable {
    /// The left-hand side: `H(p)`, `L`, `dz`.
    public var lhs: Math
    /// The right-hand sides in order: the formula, the numbers substituted, intermediate values, the result.
    public var steps: [Math]
    /// A short caption (`per example`, `output size`), or nil.
    public var note: String?
    /// An update (`w ← w − η∇w`): the first relation is an assignment, not an equality.
    public var assigns = false

    public init(_ lhs: Math, _ steps: [Math], note: String? = nil, assigns: Bool = false) {
        self.lhs = lhs; self.steps = steps; self.note = note; self.assigns = assigns
    }
}
