import Foundation
import NablaAutograd
import NablaLanguage
import NablaTensor

/// The display builtins: table, plot, scatter, contour, graph, explain, backprop_table.
public enum DisplayLibrary {
    /// Registers the display builtins and the widgets, whose comms go through `comms` (the
    /// kernel's; without a kernel, widgets work and nothing is sent).
    public static func register(in i: Interpreter, comms: CommManager = CommManager()) {
        keras()
        WidgetLibrary.register(in: i, comms: comms)
        i.register(Builtin("table", [.any("data", default: nil), .any("rows", default: nil), .any("cols", default: nil), .any("title", default: nil), .kwargs("columns")], doc: "A labelled table: table(S, rows=['cat', 'car', 'frog'], cols=['x1', 'x2', 'x3']) for a matrix, or columns by name: table(p=softmax(s), y=t). Shown as an HTML table with numbers right-aligned.", example: "table(p=softmax([3.2, 5.1, -1.7]), y=[0, 1, 0])") { a in
            try makeTable(a)
        })
        plots(in: i)
        pyplot(in: i)
        i.register(Builtin("graph", [.tensor("L")], doc: "The autograd graph that computed L: a box per value (name or op, value, and ∂L/∂value when L is a scalar), arrows from inputs to results.", example: "w = param(2.0)\nL = (3 * w - 1) ** 2\ngraph(L)") { a in
            .object(GraphView(try a.tensor("L")))
        })
        i.register(Builtin("explain", [.any("value")], doc: "How a value was computed, as the notes derive it: each op's formula, the numbers put in, the values worked out and the result; grad(L, w) by the chain rule; an optimizer's last update. The argument's computation is recorded even without params.", example: "explain(mse([0.8, 0.3], [1, 0]))", recordsGraph: true) { a in
            if case let .object(o as Derived) = a.value("value") ?? .none {
                let ds = o.derivations()
                return .object(Explanation(ds.isEmpty ? [Derivation(.sym(""), [.text("no update yet: call step() first")])] : ds, precision: a.interpreter.precision))
            }
            return .object(Explanation(try a.tensor("value"), precision: a.interpreter.precision))
        })
        i.register(Builtin("backprop_table", [.any("L"), .any("params")], formula: "dz = ∂L/∂z,  dW = dz·aᵀ,  db = dz,  da_prev = Wᵀ·dz", doc: "For each layer z = W·a + b among params [W1, b1, W2, b2, ...], the lecture's backprop quantities, taken from the autograd graph of L and checked against autograd's own dW.", example: "W1 = param([[0.1, -0.2], [0.4, 0.3]]); b1 = param([0.0, 0.1])\nW2 = param([[0.3, -0.1]]); b2 = param([0.05])\nL = mse(sigmoid(W2 @ sigmoid(W1 @ [1.0, 2.0] + b1) + b2), [1.0])\nbackprop_table(L, [W1, b1, W2, b2])") { a in
            .object(try backpropTable(a))
        })
    }

    static func strings(_ a: Args, _ name: String) throws -> [String]? {
        guard a.has(name) else { return nil }
        return try a.sequence(name).map { a.interpreter.str($0) }
    }

    static func makeTable(_ a: Args) throws -> Value {
        let title = a.has("title") ? try a.string("title") : nil
        if let data = a.value("data") {
            let t = try a.interpreter.toVariable(data, span: a.span, what: "table(): data").value
            let m = t.rank == 2 ? t : try t.reshaped([t.rank == 0 ? 1 : t.shape[0], -1])
            let (r, c) = (m.shape[0], m.shape[1])
            let cols = try strings(a, "cols") ?? (0..<c).map { "\($0)" }
            let rows = try strings(a, "rows")
            guard cols.count == c else { throw NablaError(.value, "table(): \(cols.count) column labels for \(c) columns") }
            if let rows, rows.count != r { throw NablaError(.value, "table(): \(rows.count) row labels for \(r) rows") }
            let cells = (0..<r).map { i in (0..<c).map { j in Table.Cell.number(m.data[i * c + j]) } }
            return .object(Table(columns: cols, rowLabels: rows, cells: cells, title: title))
        }
        guard !a.extraKeywords.isEmpty else { throw NablaError(.type, "table() needs a matrix or named columns, e.g. table(p=probs, y=labels)") }
        var columns = [[Table.Cell]]()
        for (name, v) in a.extraKeywords {
            let items: [Value]
            if case let .tensor(t) = v, t.value.rank <= 1 {
                items = t.value.rank == 0 ? [v] : t.value.data.map { .number($0) }
            } else { items = try a.interpreter.elements(v, span: a.span) }
            columns.append(items.map { item in
                switch item {
                case let .tensor(t) where t.value.count == 1: return .number(t.value.data[0])
                case let .int(n): return .number(Double(n))
                case let .float(d): return .number(d)
                default: return .text(a.interpreter.str(item))
                }
            })
            _ = name
        }
        let n = columns.map(\.count).max() ?? 0
        guard columns.allSatisfy({ $0.count == n }) else {
            throw NablaError(.value, "table(): columns have different lengths \(columns.map(\.count))")
        }
        let rows = try strings(a, "rows")
        if let rows, rows.count != n { throw NablaError(.value, "table(): \(rows.count) row labels for \(n) rows") }
        let cells = (0..<n).map { i in columns.map { $0[i] } }
        return .object(Table(columns: a.extraKeywords.map(\.0), rowLabels: rows, cells: cells, title: title))
    }

    static func numbers(_ a: Args, _ v: Value, _ what: String) throws -> [Double] {
        try a.interpreter.toVariable(v, span: a.span, what: what).value.data
    }

    static func backpropTable(_ a: Args) throws -> Table {
        let L = try a.tensor("L")
        let params = try a.sequence("params").map { try a.interpreter.toVariable($0, span: a.span, what: "backprop_table(): a param") }
        guard params.count % 2 == 0, !params.isEmpty else { throw NablaError(.value, "backprop_table(L, [W1, b1, W2, b2, ...]) takes weight and bias pairs") }
        guard L.requiresGrad, L.value.count == 1 else { throw NablaError(.value, "backprop_table(): L must be a scalar computed from the params") }
        // Every node of L's graph, to find z = W·a + b for each pair.
        var nodes = [Variable](), seen = Set<ObjectIdentifier>(), stack = [L]
        while let v = stack.popLast() {
            guard seen.insert(ObjectIdentifier(v)).inserted else { continue }
            nodes.append(v); stack.append(contentsOf: v.inputs)
        }
        let r = Renderer(precision: a.interpreter.precision)
        func cell(_ t: Tensor) -> Table.Cell { .math(latex: r.latex(t), plain: t.formatted(precision: a.interpreter.precision)) }
        var rows = [[Table.Cell]](), labels = [String]()
        for k in stride(from: 0, to: params.count, by: 2) {
            let (W, b) = (params[k], params[k + 1])
            // z = W @ a + b (the lecture's column form) or z = a @ W + b (a batch of rows).
            guard let z = nodes.first(where: { z in z.op == .add && z.inputs.count == 2 && z.inputs.contains { $0 === b }
                      && z.inputs.contains { $0.op == .matmul && $0.inputs.contains { $0 === W } } }),
                  let mm = z.inputs.first(where: { $0.op == .matmul }),
                  let act = mm.inputs.first(where: { $0 !== W }) ?? mm.inputs.last else {
                throw NablaError(.value, "backprop_table(): no z = \(W.name ?? "W") @ a + \(b.name ?? "b") found in the graph of L")
            }
            let columnForm = mm.inputs.first === W
            let g = try Autograd.grad(L, wrt: [z, W, b])
            let dz = g[0]
            // The lecture's formulas, computed from dz and a, beside autograd's dW and db.
            let av = act.value
            let dWformula: Tensor, daPrev: Tensor
            if columnForm {
                dWformula = try av.rank == 1 && dz.rank == 1 ? Tensor.matmul(dz.reshaped([-1, 1]), av.reshaped([1, -1])) : Tensor.matmul(dz, av.swapLastAxes())
                daPrev = try Tensor.matmul(W.value.transposed(), dz)
            } else {
                dWformula = try av.rank == 1 && dz.rank == 1 ? Tensor.matmul(av.reshaped([-1, 1]), dz.reshaped([1, -1])) : Tensor.matmul(av.swapLastAxes(), dz)
                daPrev = try Tensor.matmul(dz, W.value.transposed())
            }
            let agree = dWformula.shape == g[1].shape && zip(dWformula.data, g[1].data).allSatisfy { Swift.abs($0 - $1) <= 1e-9 * max(1, Swift.abs($1)) }
            labels.append("layer \(k / 2 + 1)")
            rows.append([cell(dz), cell(dWformula), cell(g[2]), cell(daPrev), .text(agree ? "✓ dW = autograd" : "✗ differs from autograd")])
        }
        return Table(columns: ["dz", "dW = dz·aᵀ", "db = dz", "da_prev = Wᵀ·dz", "check"], rowLabels: labels, cells: rows, title: "Backpropagation, layer by layer")
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { i >= 0 && i < count ? self[i] : nil }
}
