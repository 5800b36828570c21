import Foundation
import NablaAutograd
import NablaLanguage
import NablaTensor

/// `explain(expr)`: how a value was computed, as the notes derive it. Each op with a formula
/// of its own gets a derivation (formula, numbers substituted, values worked out, result),
/// inputs before the ops that use them; arithmetic between them is written inline; a
/// `grad(L, x)` is derived by the chain rule. Everything is read from the ops' declarations.
public final class Explanation: RichObject {
    public let derivations: [Derivation]
    let precision: Int

    /// Bounds that keep any explanation small, whatever the graph.
    static let maxNodes = 5000, maxDerivations = 24, maxBytes = 20_000

    public init(_ root: Variable, precision: Int) {
        self.precision = precision
        var builder = Builder()
        builder.visit(root, isRoot: true)
        derivations = builder.derivations
    }

    /// Derivations made elsewhere (an optimizer's last update).
    public init(_ derivations: [Derivation], precision: Int) {
        self.precision = precision
        self.derivations = derivations
    }

    public var typeName: String { "explanation" }
    public var attributeNames: [String] { ["value"] }
    public func attribute(_ name: String) -> Value? { nil }

    /// Every line in both notations, deduplicated where two steps print the same.
    func lines(latex: Bool) -> [(lhs: String, steps: [String], note: String?, assigns: Bool)] {
        let r = MathRenderer(precision: precision, latex: latex)
        var out = [(lhs: String, steps: [String], note: String?, assigns: Bool)]()
        var bytes = 0
        for d in derivations {
            var steps = [String]()
            for s in d.steps.map(r.render) where steps.last != s { steps.append(s) }
            let lhs = r.render(d.lhs)
            bytes += lhs.utf8.count + steps.reduce(0) { $0 + $1.utf8.count }
            if bytes > Explanation.maxBytes {
                out.append((lhs: latex ? "\\dots" : "…", steps: [], note: "explanation shortened", assigns: false))
                break
            }
            out.append((lhs: lhs, steps: steps, note: d.note, assigns: d.assigns))
        }
        return out
    }

    public var text: String {
        lines(latex: false).map { line in
            guard !line.steps.isEmpty else { return line.lhs + (line.note.map { "  (\($0))" } ?? "") }
            let pad = String(repeating: " ", count: line.lhs.isEmpty ? 0 : line.lhs.count + 1)
            var s = (line.lhs.isEmpty ? "" : line.lhs + (line.assigns ? " ← " : " = ")) + line.steps[0]
            for step in line.steps.dropFirst() { s += "\n" + pad + "= " + step }
            if let note = line.note { s += "    (\(note))" }
            return s
        }.joined(separator: "\n")
    }

    public func mimeData(precision: Int) -> [String: String] {
        let rows = lines(latex: true).map { line -> String in
            let note = line.note.map { " \\quad \\text{(\(MathRenderer(precision: precision, latex: true).escapeLatexText($0)))}" } ?? ""
            guard !line.steps.isEmpty else { return line.lhs + " &" + note }
            let first = line.lhs.isEmpty ? "& " + line.steps[0] : line.lhs + (line.assigns ? " &\\leftarrow " : " &= ") + line.steps[0]
            return ([first] + line.steps.dropFirst().map { "&= " + $0 }).joined(separator: " \\\\\n") + note
        }
        return ["text/latex": "$$\\begin{aligned}\n" + rows.joined(separator: " \\\\[6pt]\n") + "\n\\end{aligned}$$", "text/plain": text]
    }
}

/// Walks a graph once, inputs first, writing a derivation for each op that has a formula.
struct Builder {
    var derivations = [Derivation]()
    /// What each visited node stands for inside the formulas of the ops that use it.
    var inline = [ObjectIdentifier: Math]()
    var visits = 0

    /// The symbol a node's derivation gave it (z₂, a, H), for the formulas of the ops that use it.
    var given = [ObjectIdentifier: Math]()

    /// What a node is called in a formula: the student's name, or the symbol its derivation gave it.
    func symbol(of v: Variable) -> Math? { Builder.named(v) ?? given[ObjectIdentifier(v)] }

    /// How many derivations each left-hand side has had, to number repeats (z, z₂, z₃).
    var lhsCount = [String: Int]()

    /// `d` with its left-hand side numbered if an earlier derivation had the same one.
    mutating func numbered(_ d: Derivation) -> Derivation {
        let key = d.lhs.plainText
        guard !key.isEmpty, d.lhs.latexText.count > 0 else { return d }
        let k = lhsCount[key, default: 0] + 1
        lhsCount[key] = k
        guard k > 1 else { return d }
        var out = d
        out.lhs = .symbol(latex: "\(d.lhs.latexText)_{\(k)}", plain: key + Math.subscripted(String(k)))
        return out
    }

    /// A node's value written out: a number, a short vector, a small matrix.
    static func numeric(_ t: Tensor) -> Math { Derive.vector(t) }

    /// The name a student gave a node, as a symbol.
    static func named(_ v: Variable) -> Math? {
        guard let n = v.name else { return nil }
        return .symbol(latex: latexName(n), plain: n)
    }

    /// `dz2` → `dz_{2}`, `W1` → `W_{1}`, `alpha` → `\alpha`.
    static func latexName(_ n: String) -> String {
        let greek = ["alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "sigma", "tau", "phi", "omega"]
        var base = Substring(n), digits = ""
        while let c = base.last, c.isNumber { digits = String(c) + digits; base = base.dropLast() }
        var b = String(base).replacingOccurrences(of: "_", with: "\\_")
        if greek.contains(String(base)) { b = "\\" + base }
        if b.count > 1 && !b.hasPrefix("\\") { b = "\\mathrm{\(b)}" }
        return digits.isEmpty ? b : "\(b)_{\(digits)}"
    }

    /// Visits `v` (its inputs first) and returns what stands for it in a consumer's formula.
    @discardableResult
    mutating func visit(_ v: Variable, isRoot: Bool = false) -> Math {
        if let m = inline[ObjectIdentifier(v)] { return m }
        visits += 1
        guard visits <= Explanation.maxNodes, derivations.count < Explanation.maxDerivations else { return Builder.numeric(v.value) }
        let m = describe(v, isRoot: isRoot)
        inline[ObjectIdentifier(v)] = m
        return m
    }

    mutating func describe(_ v: Variable, isRoot: Bool) -> Math {
        if v.isLeaf {
            // Nothing was computed: the value itself is the whole story.
            if isRoot { derivations.append(Derivation(Builder.named(v) ?? .sym(""), [Builder.numeric(v.value)], note: "nothing was computed")) }
            return Builder.numeric(v.value)
        }
        switch v.op {
        case .gradient:
            if v.inputs.count == 2 { derivations += ChainRule.derive(loss: v.inputs[0], wrt: v.inputs[1]) }
            return Builder.numeric(v.value)
        case .reshape, .expandDims, .broadcast, .index, .pick, .clip, .transpose, .concat, .setitem, .pad:
            // Bookkeeping: stands for its input (a scalar picked out of a tensor is its number).
            if v.value.count == 1 || v.inputs.count != 1 { for i in v.inputs { visit(i) }; return Builder.numeric(v.value) }
            return visit(v.inputs[0])
        default: break
        }
        // z = Wx + b: one derivation for the layer, in the names of its weights and input.
        if v.op == .add, v.inputs.count == 2, let (mm, b) = Builder.linearParts(v),
           var d = Derive.product(mm.inputs[0].value, mm.inputs[1].value, bias: b.value, v.value, lhs: Builder.named(v) ?? .sym("z")) {
            for i in mm.inputs + [b] { visit(i) }
            var names = [String: Math]()
            for (p, input) in zip(["W", "x", "b"], [mm.inputs[0], mm.inputs[1], b]) { if let m = symbol(of: input) { names[p] = m } }
            if let f = d.steps.first { d.steps[0] = f.substituting(names) }
            d = numbered(d)
            given[ObjectIdentifier(v)] = d.lhs
            derivations.append(d)
            return Builder.numeric(v.value)
        }
        let args = v.inputs.map { visit($0) }
        let scalarArgs = v.inputs.allSatisfy { $0.value.count == 1 }
        // Arithmetic and scalar functions are written inline in the formula of their consumer.
        if let expression = Builder.inlineForm(v.op, args, scalarArgs: scalarArgs) {
            if isRoot || v.name != nil {
                let lhs = Builder.named(v) ?? .sym("")
                let symbolic = Builder.symbolic(v, depth: 0)
                let worked = Derive.derivation(lhs, formula: symbolic == expression ? nil : symbolic, substituted: expression, result: v.value)
                derivations.append(worked)
                return Builder.numeric(v.value)
            }
            return expression
        }
        // The declared formula in the symbols its inputs already have (σ(z₂) = 1/(1 + e^(−z₂))),
        // the result under the student's name or the notes' own (a = σ(z) for an activation).
        let declaration = v.op.declaration
        var inputNames = [String: Math]()
        for (p, input) in zip(declaration.parameters, v.inputs) { if let m = symbol(of: input) { inputNames[p.plainText] = m } }
        let declared = declaration.lhs.substituting(inputNames)
        var own = Builder.named(v)
        // Inside a network (its input has a symbol, or its result feeds more), an activation's result is a.
        if own == nil, declaration.isActivation, !inputNames.isEmpty || !isRoot { own = numbered(Derivation(.sym("a"), [])).lhs }
        let lhs: Math = own.map { $0 == declared ? declared : .equation($0, declared) } ?? declared
        if let ds = v.op.derivations(v.inputs.map(\.value), v.value, lhs: lhs) {
            var out = ds.map { d -> Derivation in
                var d = d
                if let f = d.steps.first, f == declaration.formula { d.steps[0] = f.substituting(inputNames) }
                return own == nil ? numbered(d) : d
            }
            if out.count == 1, case .symbol = out[0].lhs { given[ObjectIdentifier(v)] = out[0].lhs }
            if let own { given[ObjectIdentifier(v)] = own }
            derivations += out
            out.removeAll()
        } else {
            // No formula of its own: the op's name applied to its arguments, then the value.
            derivations.append(Derive.derivation(Builder.named(v) ?? v.op.declaration.symbol, formula: nil,
                                                 substituted: .call(latex: "\\operatorname{\(v.op.name.replacingOccurrences(of: "_", with: "\\_"))}", plain: v.op.name, args),
                                                 result: v.value))
        }
        return Builder.numeric(v.value)
    }

    /// `v` in the student's names where it has them (w − lr·∂L/∂w), numbers elsewhere.
    static func symbolic(_ v: Variable, depth: Int) -> Math {
        if depth > 0, let n = named(v) { return n }
        if v.isLeaf || depth > 40 { return numeric(v.value) }
        if v.op == .gradient, v.inputs.count == 2 {
            var names = Names()
            return ChainRule.partial(names.symbol(v.inputs[0], fallback: "L"), names.symbol(v.inputs[1], fallback: "x"))
        }
        let args = v.inputs.map { symbolic($0, depth: depth + 1) }
        if let inline = inlineForm(v.op, args, scalarArgs: v.inputs.allSatisfy { $0.value.count == 1 }) { return inline }
        // A function of the student's values: its name applied to them, relu(W1).
        return depth > 0 ? .call(latex: "\\operatorname{\(v.op.name.replacingOccurrences(of: "_", with: "\\_"))}", plain: v.op.name, args) : numeric(v.value)
    }

    /// (the matmul node, the bias) when `v` is W @ x + b.
    static func linearParts(_ v: Variable) -> (Variable, Variable)? {
        for (k, i) in v.inputs.enumerated() where i.op == .matmul && i.inputs.count == 2 && i.value.rank >= 1 {
            let b = v.inputs[1 - k]
            if b.op != .matmul { return (i, b) }
        }
        return nil
    }

    /// The inline form of arithmetic and of scalar elementwise functions; nil for ops that
    /// get a derivation of their own.
    static func inlineForm(_ op: Op, _ a: [Math], scalarArgs: Bool) -> Math? {
        switch (op, a.count) {
        case (.add, 2): return .add([a[0], a[1]])
        case (.sub, 2): return .sub(a[0], a[1])
        case (.mul, 2): return .mul([a[0], a[1]])
        case (.div, 2): return .div(a[0], a[1])
        case (.neg, 1): return .neg(a[0])
        case (.addScalar(let c), 1): return .add([a[0], .number(c)])
        case (.mulScalar(let c), 1): return .mul([.number(c), a[0]])
        case (.pow, 2): return .pow(a[0], a[1])
        case (.maximum, 2): return .max(a[0], a[1])
        case (.minimum, 2): return .call(latex: "\\min", plain: "min", [a[0], a[1]])
        case (.mod, 2): return .call(latex: "\\operatorname{mod}", plain: "mod", [a[0], a[1]])
        case (.powScalar(let e), 1): return .pow(a[0], .number(e))
        case (.exp, 1), (.log, 1), (.log2, 1), (.log10, 1), (.sqrt, 1), (.abs, 1), (.sin, 1), (.cos, 1), (.erf, 1):
            guard scalarArgs, let f = op.declaration.formula, let p = op.declaration.parameters.first, case let .symbol(_, name) = p else { return nil }
            return f.substituting([name: a[0]])
        default: return nil
        }
    }
}
