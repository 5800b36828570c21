import Foundation
import NablaAutograd
import NablaLanguage
import NablaTensor

/// How a value was computed, with the numbers substituted, one step per line:
/// `max(0, 5.1 − 3.2 + 1) + max(0, −1.7 − 3.2 + 1) = max(0, 2.9) + max(0, −3.9) = 2.9 + 0 = 2.9`.
/// Scalar graphs get this form; any other graph gets a line per op (`z = matmul(W, a) = …`).
public final class Explanation: RichObject {
    let plainSteps: [String]
    let latexSteps: [String]
    let opLines: [String]

    /// An expression tree over numbers: every op node keeps the value it had.
    indirect enum E {
        case num(Double)
        case op(String, [E], Double, constant: Double?)

        var value: Double {
            switch self {
            case let .num(v): return v
            case let .op(_, _, v, _): return v
            }
        }
    }

    static let arithmetic: Set<String> = ["add", "sub", "mul", "div", "neg"]
    static let maxTreeSize = 300

    public init(_ root: Variable, precision: Int) {
        var size = 0
        if let tree = Explanation.tree(root, size: &size), size <= Explanation.maxTreeSize {
            var steps = [tree]
            var cur = tree
            while case .op = cur, steps.count < 40 {
                cur = Explanation.collapse(cur)
                steps.append(cur)
            }
            plainSteps = Explanation.dedupe(steps.map { Explanation.render($0, latex: false, precision: precision).0 })
            latexSteps = Explanation.dedupe(steps.map { Explanation.render($0, latex: true, precision: precision).0 })
            opLines = []
        } else {
            plainSteps = []; latexSteps = []
            opLines = Explanation.opList(root, precision: precision)
        }
    }

    static func dedupe(_ xs: [String]) -> [String] {
        var out = [String]()
        for x in xs where out.last != x { out.append(x) }
        return out
    }

    /// The expression tree of a scalar graph, or nil when some value is not a scalar.
    static func tree(_ v: Variable, size: inout Int) -> E? {
        size += 1
        guard size <= maxTreeSize, v.value.count == 1 else { return nil }
        let x = v.value.data[0]
        if v.isLeaf || v.op == "detach" { return .num(x) }
        if v.op == "hinge", let s = v.inputs.first?.value, s.rank == 1, let y = v.attributes["label"].map({ Int($0) }),
           let margin = v.attributes["margin"], y >= 0, y < s.count {
            // Σ_{j≠y} max(0, s_j − s_y + Δ), as the lecture writes it.
            let sy = s.data[y]
            var terms = [E]()
            for j in 0..<s.count where j != y {
                let m = s.data[j] - sy + margin
                terms.append(.op("relu", [.op("add", [.op("sub", [.num(s.data[j]), .num(sy)], s.data[j] - sy, constant: nil)], m, constant: margin)], max(0, m), constant: nil))
            }
            guard var acc = terms.first else { return .num(x) }
            for t in terms.dropFirst() { acc = .op("add", [acc, t], acc.value + t.value, constant: nil) }
            return acc
        }
        if v.op == "reshape" || v.op == "index" && v.inputs.first?.value.count == 1, let only = v.inputs.first { return tree(only, size: &size) }
        var kids = [E]()
        for i in v.inputs {
            guard let k = tree(i, size: &size) else { return nil }
            kids.append(k)
        }
        return .op(v.op, kids, x, constant: v.attributes["c"])
    }

    /// One step: a pure-arithmetic subtree over numbers becomes its value at once; any other
    /// op whose arguments are all numbers becomes its value; otherwise step inside.
    static func collapse(_ e: E) -> E {
        guard case let .op(name, kids, value, c) = e else { return e }
        if arithmetic.contains(name) && allArithmeticOverNumbers(e) { return .num(value) }
        if kids.allSatisfy({ if case .num = $0 { return true }; return false }) { return .num(value) }
        return .op(name, kids.map(collapse), value, constant: c)
    }

    static func allArithmeticOverNumbers(_ e: E) -> Bool {
        switch e {
        case .num: return true
        case let .op(name, kids, _, _): return arithmetic.contains(name) && kids.allSatisfy(allArithmeticOverNumbers)
        }
    }

    /// Renders with the fewest parentheses; returns the text and its precedence.
    static func render(_ e: E, latex: Bool, precision: Int) -> (String, Int) {
        func num(_ x: Double) -> String {
            var s = Tensor.formatNumber(x, precision: precision)
            if latex, let i = s.firstIndex(of: "e") { s = "\(s[..<i]) \\times 10^{\(Int(s[s.index(after: i)...]) ?? 0)}" }
            return s.hasPrefix("-") ? (latex ? "-" : "−") + s.dropFirst() : s
        }
        switch e {
        case let .num(x): return (num(x), x < 0 ? 3 : 9)
        case let .op(name, kids, _, c):
            let r = kids.map { render($0, latex: latex, precision: precision) }
            func wrap(_ k: (String, Int), _ min: Int) -> String { k.1 < min ? (latex ? "\\left(\(k.0)\\right)" : "(\(k.0))") : k.0 }
            func call(_ f: String, _ args: [String]) -> String {
                latex ? "\(f)\\left(\(args.joined(separator: ", "))\\right)" : "\(f)(\(args.joined(separator: ", ")))"
            }
            let minus = latex ? " - " : " − ", times = latex ? " \\cdot " : " · "
            switch (name, r.count) {
            case ("add", 2): return (wrap(r[0], 1) + " + " + wrap(r[1], 2), 1)
            case ("add", 1):
                let k = c ?? 0
                return (wrap(r[0], 1) + (k < 0 ? minus + num(-k) : " + " + num(k)), 1)
            case ("sub", 2): return (wrap(r[0], 1) + minus + wrap(r[1], 2), 1)
            case ("mul", 2): return (wrap(r[0], 2) + times + wrap(r[1], 3), 2)
            case ("mul", 1): return (wrap(r[0], 2) + times + (c.map { $0 < 0 ? "(" + num($0) + ")" : num($0) } ?? "?"), 2)
            case ("div", 2): return latex ? ("\\frac{\(r[0].0)}{\(r[1].0)}", 9) : (wrap(r[0], 2) + " / " + wrap(r[1], 3), 2)
            case ("neg", 1): return ((latex ? "-" : "−") + wrap(r[0], 3), 3)
            case ("pow", _):
                let p = r.count == 2 ? r[1].0 : "?"
                return latex ? ("{\(wrap(r[0], 9))}^{\(p)}", 4) : (wrap(r[0], 9) + "^" + (r.count == 2 ? wrap(r[1], 9) : "?"), 4)
            case ("maximum", 2): return (call("max", [r[0].0, r[1].0]), 9)
            case ("minimum", 2): return (call("min", [r[0].0, r[1].0]), 9)
            case ("relu", 1): return (call("max", ["0", r[0].0]), 9)
            case ("exp", 1): return latex ? ("e^{\(r[0].0)}", 9) : ("e^" + wrap(r[0], 9), 4)
            case ("log", 1): return (call(latex ? "\\ln" : "ln", [r[0].0]), 9)
            case ("sqrt", 1): return latex ? ("\\sqrt{\(r[0].0)}", 9) : ("√" + wrap(r[0], 9), 9)
            case ("abs", 1): return ("|\(r[0].0)|", 9)
            case ("sigmoid", 1): return (call(latex ? "\\sigma" : "σ", [r[0].0]), 9)
            default: return (call(latex ? "\\operatorname{\(name.replacingOccurrences(of: "_", with: "\\_"))}" : name, r.map(\.0)), 9)
            }
        }
    }

    /// The fallback for tensors: every op of the graph in creation order with its value.
    static func opList(_ root: Variable, precision: Int) -> [String] {
        var seen = Set<ObjectIdentifier>(), order = [Variable](), stack = [root]
        while let v = stack.popLast(), order.count < 200 {
            guard seen.insert(ObjectIdentifier(v)).inserted else { continue }
            order.append(v)
            stack.append(contentsOf: v.inputs)
        }
        var names = [ObjectIdentifier: String]()
        var k = 0
        func name(_ v: Variable) -> String {
            if let n = v.name { return n }
            if let n = names[ObjectIdentifier(v)] { return n }
            if v.isLeaf { return v.value.count == 1 ? Tensor.formatNumber(v.value.data[0], precision: precision) : "const" + formatShape(v.value.shape) }
            k += 1
            names[ObjectIdentifier(v)] = "t\(k)"
            return "t\(k)"
        }
        return order.sorted { $0.creationIndex < $1.creationIndex }.filter { !$0.isLeaf }.map { v in
            let args = v.inputs.map(name) + (v.attributes["c"].map { [Tensor.formatNumber($0, precision: precision)] } ?? [])
            let value = v.value.count <= 12 ? v.value.formatted(precision: precision).replacingOccurrences(of: "\n", with: "") : "tensor of shape \(formatShape(v.value.shape))"
            return "\(name(v)) = \(v.op)(\(args.joined(separator: ", "))) = \(value)"
        }
    }

    public var typeName: String { "explanation" }
    public var attributeNames: [String] { [] }
    public func attribute(_ name: String) -> Value? { nil }

    public var text: String {
        if !plainSteps.isEmpty { return plainSteps.enumerated().map { $0 == 0 ? $1 : "= " + $1 }.joined(separator: "\n") }
        return opLines.joined(separator: "\n")
    }

    public func mimeData(precision: Int) -> [String: String] {
        guard !latexSteps.isEmpty else { return ["text/plain": text] }
        let body = latexSteps.enumerated().map { $0 == 0 ? "& " + $1 : "&= " + $1 }.joined(separator: " \\\\\n")
        return ["text/latex": "$$\\begin{aligned}\n" + body + "\n\\end{aligned}$$", "text/plain": text]
    }
}
