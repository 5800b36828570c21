import Foundation
import NablaTensor

/// How each op's numbers are put into its formula, as the notes do it by hand: the formula,
/// the student's numbers substituted, the values worked out level by level, the result.
extension Op {
    /// The derivations of this op for the given input values and result: one, or one per
    /// example of a batch followed by their mean. Nil where the op has no formula worth
    /// writing out (bookkeeping ops, arithmetic the caller writes inline).
    public func derivations(_ inputs: [Tensor], _ out: Tensor, lhs given: Math? = nil) -> [Derivation]? {
        let d = declaration
        let lhs = given ?? d.lhs
        func one(_ substituted: Math, formula: Math? = d.formula, lhs: Math = lhs, note: String? = nil) -> [Derivation] {
            [Derive.derivation(lhs, formula: formula, substituted: substituted, result: out, note: note)]
        }
        switch self {
        case .sigmoid, .tanh, .relu, .leakyRelu, .softplus, .exp, .log, .log2, .log10, .sqrt, .abs, .erf, .sin, .cos, .powScalar:
            guard let x = inputs.first, let formula = d.formula, let param = d.parameters.first, case let .symbol(_, name) = param else { return nil }
            return one(Derive.elementwise(x) { formula.substituting([name: .number($0)]) })
        case .softmax:
            guard let x = inputs.first else { return nil }
            return Derive.rows(x, out, lhs: lhs) { row in
                let e = Derive.terms(row.count) { .exp(.number(row[$0])) }
                return .div(.vector(e), .add(e))
            }.map { rows in rows.map { var r = $0; r.steps.insert(d.formula!, at: 0); return r } }
        case .logSoftmax:
            guard let x = inputs.first, x.rank == 1 else { return nil }
            let e = Derive.terms(x.count) { .exp(.number(x.data[$0])) }
            return one(.sub(Derive.vector(x), .ln(.add(e))))
        case .sum(nil):
            guard let x = inputs.first, x.count >= 2 else { return nil }
            return one(.add(Derive.terms(x.count) { .number(x.data[$0]) }))
        case .mean(nil):
            guard let x = inputs.first, x.count >= 2 else { return nil }
            return one(.div(.add(Derive.terms(x.count) { .number(x.data[$0]) }), .number(Double(x.count))))
        case .prod(nil):
            guard let x = inputs.first, x.count >= 2 else { return nil }
            return one(.mul(Derive.terms(x.count) { .number(x.data[$0]) }))
        case .max(nil), .min(nil):
            guard let x = inputs.first, x.count >= 2, let f = d.formula, case let .call(l, p, _) = f else { return nil }
            return one(.call(latex: l, plain: p, Derive.terms(x.count) { .number(x.data[$0]) }))
        case .norm(nil):
            guard let x = inputs.first, x.count >= 2 else { return nil }
            return one(.sqrt(.add(Derive.terms(x.count) { .pow(.number(x.data[$0]), .number(2)) })))
        case .variance(nil), .std(nil):
            guard let x = inputs.first, x.count >= 2 else { return nil }
            let mean = x.data.reduce(0, +) / Double(x.count)
            let meanLine = Derive.derivation(.symbol(latex: "\\bar{x}", plain: "x̄"), formula: Op.mean(axis: nil).declaration.formula,
                                             substituted: .div(.add(Derive.terms(x.count) { .number(x.data[$0]) }), .number(Double(x.count))), result: Tensor(mean))
            let v = Math.div(.add(Derive.terms(x.count) { .pow(.sub(.number(x.data[$0]), .number(mean)), .number(2)) }), .number(Double(x.count)))
            if case .std = self { return [meanLine] + one(.sqrt(v)) }
            return [meanLine] + one(v)
        case .matmul:
            guard inputs.count == 2 else { return nil }
            return Derive.product(inputs[0], inputs[1], bias: nil, out, lhs: lhs).map { [$0] }
        case let .mse(r), let .mae(r):
            guard inputs.count == 2, let (a, b) = Derive.sameShape(inputs[0], inputs[1]) else { return nil }
            let square = { if case .mse = self { return true }; return false }()
            let terms = Derive.terms(a.count) { k -> Math in
                let diff = Math.sub(.number(a.data[k]), .number(b.data[k]))
                return square ? .pow(diff, .number(2)) : .abs(diff)
            }
            return one(Derive.reduce(terms, r, count: a.count))
        case let .bce(r):
            guard inputs.count == 2, let (p, t) = Derive.sameShape(inputs[0], inputs[1]) else { return nil }
            let floor = 1e-12
            let terms = Derive.terms(p.count) { k -> Math in
                let pk = Swift.min(Swift.max(p.data[k], floor), 1 - floor), tk = t.data[k]
                return .add([.mul([.number(tk), .ln(.number(pk))]), .mul([.number(1 - tk), .ln(.number(1 - pk))])])
            }
            return one(.neg(Derive.reduce(terms, r, count: p.count)))
        case let .crossEntropy(base, r):
            guard inputs.count == 2, inputs[0].shape == inputs[1].shape, inputs[0].rank >= 1 else { return nil }
            let (p, t) = (inputs[0], inputs[1])
            let row: ([Double], [Double]) -> Math = { p, t in
                if let y = Derive.oneHotIndex(t) { return .neg(.log(.number(Swift.max(p[y], 1e-12)), base: base)) }
                return .neg(.add(Derive.terms(p.count) { .mul([.number(t[$0]), .log(.number(Swift.max(p[$0], 1e-12)), base: base)]) }))
            }
            return Derive.perExample(p, t, out, reduction: r, lhs: lhs, formula: d.formula, row: row)
        case let .softmaxCrossEntropy(r):
            guard inputs.count == 2, inputs[0].shape == inputs[1].shape, inputs[0].rank >= 1 else { return nil }
            let row: ([Double], [Double]) -> Math = { s, t in
                let denominator = Math.add(Derive.terms(s.count) { .exp(.number(s[$0])) })
                if let y = Derive.oneHotIndex(t) { return .neg(.ln(.div(.exp(.number(s[y])), denominator))) }
                return .neg(.add(Derive.terms(s.count) { .mul([.number(t[$0]), .ln(.div(.exp(.number(s[$0])), denominator))]) }))
            }
            return Derive.perExample(inputs[0], inputs[1], out, reduction: r, lhs: Math.sym("L"), formula: d.formula, row: row)
        case let .hinge(margin):
            guard inputs.count == 2 else { return nil }
            let (s, labels) = (inputs[0], inputs[1])
            guard s.rank == 1 || s.rank == 2, let ids = try? labels.indices(op: "hinge") else { return nil }
            let c = s.shape[s.rank - 1], rows = s.rank == 1 ? 1 : s.shape[0]
            guard ids.count == rows, ids.allSatisfy({ $0 >= 0 && $0 < c }) else { return nil }
            var out2 = [Derivation]()
            for i in Derive.rowIndices(rows) {
                guard let i else { out2.append(Derivation(.ellipsis, [], note: "\(rows) examples in all")); continue }
                let y = ids[i], sy = s.data[i * c + y]
                var terms = [Math]()
                for j in 0..<c where j != y {
                    terms.append(.max(.number(0), .add([.number(s.data[i * c + j]), .neg(.number(sy)), .number(margin)])))
                }
                let rowLhs = rows == 1 ? lhs : Math.indexed("L", String(i + 1))
                let value = out.count == rows ? Tensor(out.data[i]) : out
                out2.append(Derive.derivation(rowLhs, formula: i == 0 ? d.formula : nil, substituted: .add(terms), result: value))
            }
            return out2
        case let .hingeReduced(_, r):
            guard let per = inputs.first, per.count >= 1 else { return nil }
            let terms = Derive.terms(per.count) { .number(per.data[$0]) }
            return one(r == .mean ? .div(.add(terms), .number(Double(per.count))) : .add(terms))
        case .l1:
            guard let w = inputs.first else { return nil }
            return one(.add(Derive.terms(w.count) { .abs(.number(w.data[$0])) }))
        case .l2:
            guard let w = inputs.first else { return nil }
            return one(.add(Derive.terms(w.count) { .pow(.number(w.data[$0]), .number(2)) }))
        case let .elasticNet(a, b):
            guard let w = inputs.first else { return nil }
            return one(.add([.mul([.number(a), .add(Derive.terms(w.count) { .abs(.number(w.data[$0])) })]),
                             .mul([.number(b), .add(Derive.terms(w.count) { .pow(.number(w.data[$0]), .number(2)) })])]))
        case let .entropy(base):
            guard let p = inputs.first, p.rank >= 1 else { return nil }
            return Derive.rows(p, out, lhs: lhs, formula: d.formula) { row in
                .neg(.add(Derive.terms(row.count) { row[$0] == 0 ? .number(0) : .mul([.number(row[$0]), .log(.number(row[$0]), base: base)]) }))
            }
        case let .kl(base):
            guard inputs.count == 2, inputs[0].shape == inputs[1].shape, inputs[0].rank == 1 else { return nil }
            let (p, q) = (inputs[0], inputs[1])
            return one(.add(Derive.terms(p.count) { k in
                p.data[k] == 0 ? .number(0) : .mul([.number(p.data[k]), .log(.div(.number(p.data[k]), .number(Swift.max(q.data[k], Double.leastNormalMagnitude))), base: base)])
            }))
        case .normalPdf, .normalLogpdf, .normalCdf:
            guard inputs.count == 3, let formula = d.formula else { return nil }
            let n = inputs.map(\.count).max() ?? 0
            guard inputs.allSatisfy({ $0.count == 1 || $0.count == n }), n >= 1, out.count == 1 || out.count == n else { return nil }
            func at(_ t: Tensor, _ k: Int) -> Double { t.count == 1 ? t.data[0] : t.data[k] }
            var lines = [Derivation]()
            for k in Derive.rowIndices(n, show: 4) {
                guard let k else { lines.append(Derivation(.ellipsis, [], note: "\(n) values in all")); continue }
                let (x, m, s) = (at(inputs[0], k), at(inputs[1], k), at(inputs[2], k))
                let values: [String: Math] = ["x": .number(x), "μ": .number(m), "σ": .number(s)]
                let l = n == 1 ? lhs : Math.call(latex: d.symbol.latexText, plain: d.symbol.plainText, [.number(x), .number(m), .number(s)])
                lines.append(Derive.derivation(l, formula: k == 0 ? formula : nil, substituted: formula.substituting(values), result: Tensor(out.count == 1 ? out.data[0] : out.data[k])))
            }
            return lines
        case .logLikelihood, .likelihood:
            guard inputs.count == 3 else { return nil }
            let n = inputs[0].count
            guard n >= 1, inputs[1].count == 1, inputs[2].count == 1 else { return nil }
            let (m, s) = (inputs[1].data[0], inputs[2].data[0])
            let name = self == .likelihood ? "N" : "ln N"
            let terms = Derive.terms(n) { .call(latex: name == "N" ? "N" : "\\ln N", plain: name, [.number(inputs[0].data[$0]), .number(m), .number(s)]) }
            return one(self == .likelihood ? .mul(terms) : .add(terms))
        case let .conv2d(stride, padding):
            return Derive.convolution(inputs, out, stride: stride, padding: padding, lhs: lhs)
        case let .conv2dChannelsLast(stride, pads):
            return Derive.convolutionChannelsLast(inputs, out, stride: stride, pads: pads, formula: declaration.formula)
        case let .maxpool(size, stride), let .avgpool(size, stride):
            return Derive.pooling(inputs.first, out, size: size, stride: stride, max: { if case .maxpool = self { return true }; return false }())
        case let .maxpoolChannelsLast(size, stride, pads), let .avgpoolChannelsLast(size, stride, pads):
            return Derive.poolingChannelsLast(inputs.first, out, size: size, stride: stride, pads: pads, max: { if case .maxpoolChannelsLast = self { return true }; return false }())
        default:
            return nil
        }
    }
}

extension Math {
    /// The LaTeX of a plain symbol (for building a call on an op's symbol).
    public var latexText: String { if case let .symbol(l, _) = self { return l }; return "" }
    public var plainText: String { if case let .symbol(_, p) = self { return p }; return "" }
}

/// Helpers for writing derivations: bounded term lists, rows of a batch, shapes.
public enum Derive {
    /// How many terms a sum writes out before it shortens to the first few, "…", and the last.
    public static let maxTerms = 8

    /// Terms 0..<n, or the first three, an ellipsis and the last when there are more than `maxTerms`.
    public static func terms(_ n: Int, _ f: (Int) -> Math) -> [Math] {
        let shown = shownIndices(n)
        if n <= maxTerms { return shown.map(f) }
        return shown.dropLast().map(f) + [.ellipsis, f(n - 1)]
    }

    /// The indices `terms` writes out of n: all up to `maxTerms`, else the first three and the last.
    public static func shownIndices(_ n: Int) -> [Int] {
        n <= maxTerms ? Array(0..<n) : [0, 1, 2, n - 1]
    }

    /// Row numbers to show: all up to `show`, else the first `show − 1` and nil for "…".
    public static func rowIndices(_ n: Int, show: Int = 4) -> [Int?] {
        n <= show ? Array(0..<n) : Array(0..<(show - 1)) + [nil]
    }

    public static func vector(_ t: Tensor) -> Math {
        if t.count == 1 { return .number(t.data[0]) }
        // Leading axes of size 1 (one image, one channel) add nothing to read.
        if t.rank > 2, t.shape.dropLast(2).allSatisfy({ $0 == 1 }), let m = try? t.reshaped(Array(t.shape.suffix(2))) { return vector(m) }
        if t.rank == 2, t.shape[0] <= 6, t.shape[1] <= 6 {
            return .matrix((0..<t.shape[0]).map { i in (0..<t.shape[1]).map { .number(t.data[i * t.shape[1] + $0]) } })
        }
        return .vector(terms(t.count) { .number(t.data[$0]) })
    }

    /// A per-element formula applied to each value, as a vector (or a single line for a scalar).
    public static func elementwise(_ x: Tensor, _ f: (Double) -> Math) -> Math {
        x.count == 1 ? f(x.data[0]) : .vector(terms(x.count) { f(x.data[$0]) })
    }

    /// The derivation's lines: formula, substituted form, each level worked out, and the
    /// engine's own value last.
    public static func derivation(_ lhs: Math, formula: Math?, substituted: Math, result: Tensor, note: String? = nil) -> Derivation {
        var steps = substituted.workedSteps()
        let r = vector(result)
        if let last = steps.last, last.isNumber || isVectorOfNumbers(last) { steps[steps.count - 1] = r } else { steps.append(r) }
        return Derivation(lhs, (formula.map { [$0] } ?? []) + steps, note: note)
    }

    public static func isVectorOfNumbers(_ m: Math) -> Bool {
        switch m {
        case let .vector(v): return v.allSatisfy { $0.isNumber || $0 == .ellipsis }
        case let .matrix(rows): return rows.allSatisfy { $0.allSatisfy(\.isNumber) }
        default: return false
        }
    }

    public static func sameShape(_ a: Tensor, _ b: Tensor) -> (Tensor, Tensor)? {
        if a.shape == b.shape { return (a, b) }
        guard let shape = try? Tensor.broadcastShape(a.shape, b.shape, op: "explain"),
              let x = try? a.broadcast(to: shape), let y = try? b.broadcast(to: shape) else { return nil }
        return (x, y)
    }

    /// (1/n)·Σ terms as the notes write a mean: (t₁ + … + tₙ)/n; the sum; or the terms.
    public static func reduce(_ terms: [Math], _ r: Reduction, count: Int) -> Math {
        switch r {
        case .mean: return count == 1 ? terms[0] : .div(.add(terms), .number(Double(count)))
        case .sum: return .add(terms)
        case .none: return terms.count == 1 ? terms[0] : .vector(terms)
        }
    }

    /// The class index of a one-hot row, or nil for a soft distribution.
    public static func oneHotIndex(_ t: [Double]) -> Int? {
        guard t.allSatisfy({ $0 == 0 || $0 == 1 }), t.filter({ $0 == 1 }).count == 1 else { return nil }
        return t.firstIndex(of: 1)
    }

    /// One derivation per row of the last axis (one for a vector), each with its own result.
    public static func rows(_ x: Tensor, _ out: Tensor, lhs: Math, formula: Math? = nil, _ f: ([Double]) -> Math) -> [Derivation]? {
        guard x.rank >= 1 else { return nil }
        let c = x.shape[x.rank - 1], n = x.count / Swift.max(c, 1)
        guard c > 0 else { return nil }
        let per = out.count / Swift.max(n, 1)
        return rowIndices(n).map { i in
            guard let i else { return Derivation(.ellipsis, [], note: "\(n) rows in all") }
            let row = Array(x.data[(i * c)..<((i + 1) * c)])
            let value = n == 1 ? out : (try? Tensor(shape: per == 1 ? [] : [per], data: Array(out.data[(i * per)..<((i + 1) * per)]))) ?? out
            return derivation(n == 1 ? lhs : .indexed(lhs.plainText.isEmpty ? "row" : lhs.plainText, String(i + 1)),
                              formula: i == 0 ? formula : nil, substituted: f(row), result: value)
        }
    }

    /// A loss over a batch: each example's Lᵢ, then their mean or sum.
    public static func perExample(_ p: Tensor, _ t: Tensor, _ out: Tensor, reduction: Reduction, lhs: Math, formula: Math?,
                           row: ([Double], [Double]) -> Math) -> [Derivation] {
        let c = p.shape[p.rank - 1], n = p.count / Swift.max(c, 1)
        if n == 1 {
            return [derivation(lhs, formula: formula, substituted: row(p.data, t.data), result: out)]
        }
        var lines = [Derivation](), losses = [Double]()
        for i in 0..<n {
            let pr = Array(p.data[(i * c)..<((i + 1) * c)]), tr = Array(t.data[(i * c)..<((i + 1) * c)])
            let m = row(pr, tr)
            losses.append(m.value ?? .nan)
            if i < 3 || n <= 4 {
                lines.append(derivation(.indexed("L", String(i + 1)), formula: i == 0 ? formula : nil, substituted: m, result: Tensor(m.value ?? .nan)))
            } else if i == 3 {
                lines.append(Derivation(.ellipsis, [], note: "\(n) examples in all"))
            }
        }
        guard reduction != .none else { return lines }
        let terms = Derive.terms(n) { .number(losses[$0]) }
        let total = reduction == .mean ? Math.div(.add(terms), .number(Double(n))) : .add(terms)
        let f: Math = reduction == .mean ? .mul([.div(.number(1), .sym("N")), .sum(index: .sym("i"), body: .indexed("L", "i"))]) : .sum(index: .sym("i"), body: .indexed("L", "i"))
        return lines + [derivation(.sym("L"), formula: f, substituted: total, result: out)]
    }

    /// z = Wx (+ b) written out element by element for small operands.
    public static func product(_ a: Tensor, _ b: Tensor, bias: Tensor?, _ out: Tensor, lhs: Math) -> Derivation? {
        guard a.rank == 2, b.rank == 1 || b.rank == 2, a.shape[1] == b.shape[0], a.shape[1] <= 6, out.count <= 12 else { return nil }
        let (m, inner) = (a.shape[0], a.shape[1])
        let cols = b.rank == 1 ? 1 : b.shape[1]
        if let bias, !(bias.count == 1 || bias.count == out.count || (bias.count == m && cols == 1) || (bias.count == cols && m == 1)) { return nil }
        func biasAt(_ i: Int, _ j: Int) -> Double? {
            guard let bias else { return nil }
            if bias.count == 1 { return bias.data[0] }
            if bias.count == out.count { return bias.data[i * cols + j] }
            return bias.count == m && cols == 1 ? bias.data[i] : bias.data[j]
        }
        func element(_ i: Int, _ j: Int) -> Math {
            var terms: [Math] = (0..<inner).map { k in .mul([.number(a.data[i * inner + k]), .number(b.data[k * cols + j])]) }
            if let c = biasAt(i, j) { terms.append(.number(c)) }
            return .add(terms)
        }
        let substituted: Math = cols == 1 ? .vector((0..<m).map { element($0, 0) }) : .matrix((0..<m).map { i in (0..<cols).map { element(i, $0) } })
        let formula: Math = bias == nil ? .apply([.sym("W"), .sym("x")]) : .add([.apply([.sym("W"), .sym("x")]), .sym("b")])
        return derivation(lhs, formula: formula, substituted: substituted, result: out)
    }

    /// The output-size formula, then the first output element as its sum of products.
    public static func convolution(_ inputs: [Tensor], _ out: Tensor, stride s: Int, padding p: Int, lhs: Math) -> [Derivation]? {
        guard inputs.count >= 2, inputs[0].rank == 4, inputs[1].rank == 4, out.rank == 4, inputs[0].count > 0, inputs[1].count > 0, out.count > 0 else { return nil }
        let (x, k) = (inputs[0], inputs[1])
        let (c, h, w) = (x.shape[1], x.shape[2], x.shape[3]), (kh, kw) = (k.shape[2], k.shape[3])
        var lines = [Derivation]()
        let sizeFormula = Math.add([.div(.add([.sym("n"), .mul([.number(2), .sym("p")]), .neg(.sym("f"))]), .sym("s")), .number(1)])
        func size(_ n: Int, _ f: Int, _ axis: String, _ result: Int) -> Derivation {
            derivation(.sym(axis), formula: sizeFormula,
                       substituted: .add([.div(.add([.number(Double(n)), .mul([.number(2), .number(Double(p))]), .neg(.number(Double(f)))]), .number(Double(s))), .number(1)]),
                       result: Tensor(Double(result)), note: "output size")
        }
        lines.append(size(h, kh, h == w && kh == kw ? "output size" : "output height", out.shape[2]))
        if h != w || kh != kw { lines.append(size(w, kw, "output width", out.shape[3])) }
        // The first output element: Σ over channels and the window of x·K (+ b).
        let padded = (try? x.padded(p)) ?? x
        let (ph, pw) = (padded.shape[2], padded.shape[3])
        var terms = [Math]()
        for ch in 0..<c { for u in 0..<kh { for v in 0..<kw {
            terms.append(.mul([.number(padded.data[(ch * ph + u) * pw + v]), .number(k.data[(ch * kh + u) * kw + v])]))
        } } }
        if terms.count > 12 { terms = Array(terms.prefix(4)) + [.ellipsis] + [terms[terms.count - 1]] }
        if inputs.count == 3, let b = inputs[2].data.first { terms.append(.number(b)) }
        lines.append(derivation(.symbol(latex: "\\mathrm{out}_{0,0}", plain: "out[0,0]"), formula: Op.conv2d(stride: s, padding: p).declaration.formula,
                                substituted: .add(terms), result: Tensor(out.data[0]), note: "first output element"))
        lines.append(Derivation(.sym("out"), [vector(out)]))
        return lines
    }

    /// Channels-last convolution: the output size, then the first output element of the first
    /// filter as its sum of products over the real (unpadded) part of the window, plus the bias.
    public static func convolutionChannelsLast(_ inputs: [Tensor], _ out: Tensor, stride s: Int, pads: Pads, formula: Math?) -> [Derivation]? {
        guard inputs.count >= 2, inputs[0].rank == 4, inputs[1].rank == 4, out.rank == 4, inputs[0].count > 0, inputs[1].count > 0, out.count > 0 else { return nil }
        let (x, k) = (inputs[0], inputs[1])
        let (h, w, c) = (x.shape[1], x.shape[2], x.shape[3]), (kh, kw, f) = (k.shape[0], k.shape[1], k.shape[3])
        var lines = [Derivation]()
        let sizeFormula = Math.add([.div(.add([.sym("n"), .sym("p"), .neg(.sym("f"))]), .sym("s")), .number(1)])
        func size(_ n: Int, _ p: Int, _ kernel: Int, _ axis: String, _ result: Int) -> Derivation {
            derivation(.sym(axis), formula: sizeFormula,
                       substituted: .add([.div(.add([.number(Double(n)), .number(Double(p)), .neg(.number(Double(kernel)))]), .number(Double(s))), .number(1)]),
                       result: Tensor(Double(result)), note: "output size (p: padding before and after)")
        }
        lines.append(size(h, pads.top + pads.bottom, kh, "output height", out.shape[1]))
        lines.append(size(w, pads.left + pads.right, kw, "output width", out.shape[2]))
        var terms = [Math]()
        for u in 0..<kh { for v in 0..<kw {
            let (r, col) = (u - pads.top, v - pads.left)
            guard r >= 0, r < h, col >= 0, col < w else { continue }
            for ch in 0..<c { terms.append(.mul([.number(x.data[(r * w + col) * c + ch]), .number(k.data[((u * kw + v) * c + ch) * f])])) }
        } }
        if terms.count > 12 { terms = Array(terms.prefix(4)) + [.ellipsis] + [terms[terms.count - 1]] }
        if inputs.count == 3, let b = inputs[2].data.first { terms.append(.number(b)) }
        lines.append(derivation(.symbol(latex: "\\mathrm{out}_{0,0,0,0}", plain: "out[0,0,0,0]"), formula: formula,
                                substituted: .add(terms), result: Tensor(out.data[0]), note: "first output element"))
        lines.append(Derivation(.sym("out"), [vector(out)]))
        return lines
    }

    /// One pooling window's line: its max, or the mean of its elements, with a long window's
    /// values shortened to the first four and the last.
    static func windowLine(_ name: Math, _ vals: [Math], max: Bool, result: Double) -> Derivation {
        let shown = vals.count > 12 ? Array(vals.prefix(4)) + [.ellipsis] + [vals[vals.count - 1]] : vals
        let m: Math = max ? .call(latex: "\\max", plain: "max", shown) : .div(.add(shown), .number(Double(vals.count)))
        return derivation(name, formula: nil, substituted: m, result: Tensor(result))
    }

    /// Channels-last pooling: the first windows of the first image's first channel, each with
    /// the max or mean of its real (unpadded) elements.
    public static func poolingChannelsLast(_ x: Tensor?, _ out: Tensor, size k: Int, stride s: Int, pads: Pads, max: Bool) -> [Derivation]? {
        guard let x, x.rank == 4, out.rank == 4, x.count > 0, out.count > 0 else { return nil }
        let (h, w, c) = (x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (out.shape[1], out.shape[2])
        var lines = [Derivation]()
        let windows = oh * ow
        for o in rowIndices(windows, show: 4) {
            guard let o else { lines.append(Derivation(.ellipsis, [], note: "\(windows) windows per image and channel")); continue }
            let (i, j) = (o / ow, o % ow)
            var vals = [Math]()
            for u in 0..<k { for t in 0..<k {
                let (r, col) = (i * s + u - pads.top, j * s + t - pads.left)
                if r >= 0, r < h, col >= 0, col < w { vals.append(.number(x.data[(r * w + col) * c])) }
            } }
            lines.append(windowLine(.symbol(latex: "\\mathrm{out}_{\(i),\(j),0}", plain: "out[\(i),\(j),0]"), vals, max: max, result: out.data[o * c]))
        }
        if windows > 1 { lines.append(Derivation(.sym("out"), [vector(out)])) }
        return lines
    }

    /// The first windows of the first image, each with its max or mean.
    public static func pooling(_ x: Tensor?, _ out: Tensor, size k: Int, stride s: Int, max: Bool) -> [Derivation]? {
        guard let x, x.rank >= 2, x.count > 0, out.count > 0 else { return nil }
        let w = x.shape[x.rank - 1]
        let (oh, ow) = (out.shape[out.rank - 2], out.shape[out.rank - 1])
        var lines = [Derivation]()
        let windows = oh * ow
        for o in rowIndices(windows, show: 4) {
            guard let o else { lines.append(Derivation(.ellipsis, [], note: "\(windows) windows per image")); continue }
            let (i, j) = (o / ow, o % ow)
            var vals = [Math]()
            for u in 0..<k { for t in 0..<k { vals.append(.number(x.data[(i * s + u) * w + j * s + t])) } }
            lines.append(windowLine(.symbol(latex: "\\mathrm{out}_{\(i),\(j)}", plain: "out[\(i),\(j)]"), vals, max: max, result: out.data[o]))
        }
        if windows > 1 { lines.append(Derivation(.sym("out"), [vector(out)])) }
        return lines
    }
}
