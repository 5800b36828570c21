import Foundation
import NablaAutograd
import NablaLanguage
import NablaTensor

/// The display builtins: table, plot, contour, graph, explain, backprop_table.
public enum DisplayLibrary {
    /// Registers the display builtins and the widgets, whose comms go through `comms` (the
    /// kernel's; without a kernel, widgets work and nothing is sent).
    public static func register(in i: Interpreter, comms: CommManager = CommManager()) {
        keras()
        WidgetLibrary.register(in: i, comms: comms)
        i.register(Builtin("table(data=None, rows=None, cols=None, title=None, **columns)", doc: "A labelled table: table(S, rows=['cat', 'car', 'frog'], cols=['x1', 'x2', 'x3']) for a matrix, or columns by name: table(p=softmax(s), y=t). Shown as an HTML table with numbers right-aligned.") { a in
            try makeTable(a)
        })
        i.register(Builtin("plot(x, *ys, labels=None, title='', xlabel='', ylabel='', scatter=False, logx=False, logy=False, marks=None, points=200)", doc: "A line (or scatter) plot of one or more series against x, as SVG. plot(f, a, b) plots a function (or a list of functions) over [a, b]; marks=[5] draws dashed vertical lines.") { a in
            .object(try makePlot(a))
        })
        i.register(Builtin("contour(f, xrange, yrange, path=None, levels=12, title='', xlabel='x0', ylabel='x1', points=60)", formula: "lines where f([x0, x1]) = c for evenly spaced c", doc: "Contour lines of a function of a 2-vector over xrange × yrange (each (lo, hi)), with an optional path of points (N, 2) drawn over them, e.g. the steps of gradient descent.") { a in
            .object(try makeContour(a))
        })
        i.register(Builtin("graph(L)", doc: "The autograd graph that computed L: a box per value (name or op, value, and ∂L/∂value when L is a scalar), arrows from inputs to results.") { a in
            .object(GraphView(try a.tensor("L")))
        })
        i.register(Builtin("explain(value)", doc: "How a value was computed, as the notes derive it: each op's formula, the numbers put in, the values worked out and the result; grad(L, w) by the chain rule; an optimizer's last update. The argument's computation is recorded even without params.", recordsGraph: true) { a in
            if case let .object(o as Derived) = a.value("value") ?? .none {
                let ds = o.derivations()
                return .object(Explanation(ds.isEmpty ? [Derivation(.sym(""), [.text("no update yet: call step() first")])] : ds, precision: a.interpreter.precision))
            }
            return .object(Explanation(try a.tensor("value"), precision: a.interpreter.precision))
        })
        i.register(Builtin("backprop_table(L, params)", formula: "dz = ∂L/∂z,  dW = dz·aᵀ,  db = dz,  da_prev = Wᵀ·dz", doc: "For each layer z = W·a + b among params [W1, b1, W2, b2, ...], the lecture's backprop quantities, taken from the autograd graph of L and checked against autograd's own dW.") { a in
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

    static func isFunction(_ v: Value) -> Bool {
        switch v {
        case .function, .builtin: return true
        default: return false
        }
    }

    static func makePlot(_ a: Args) throws -> Plot {
        let p = Plot()
        p.title = try a.string("title", default: ""); p.xlabel = try a.string("xlabel", default: ""); p.ylabel = try a.string("ylabel", default: "")
        p.logx = try a.bool("logx", default: false); p.logy = try a.bool("logy", default: false)
        let scatter = try a.bool("scatter", default: false)
        let labels = try strings(a, "labels")
        if a.has("marks") { p.marks = try numbers(a, a.value("marks") ?? .none, "plot(): marks") }
        let x = a.value("x") ?? .none
        var fns = [Value]()
        if isFunction(x) { fns = [x] } else if case let .list(l) = x, !l.items.isEmpty, l.items.allSatisfy(isFunction) { fns = l.items }
        if !fns.isEmpty {
            guard a.rest.count == 2 else { throw NablaError(.type, "plot(f, a, b): give the interval's ends a and b") }
            let lo = try a.interpreter.toVariable(a.rest[0], span: a.span, what: "plot(): a").value.data.first ?? 0
            let hi = try a.interpreter.toVariable(a.rest[1], span: a.span, what: "plot(): b").value.data.first ?? 1
            let n = try a.int("points", default: 200)
            guard (2...10_000).contains(n) else { throw NablaError(.value, "plot(): points must be between 2 and 10000") }
            let xs = (0..<n).map { lo + (hi - lo) * Double($0) / Double(n - 1) }
            for (k, f) in fns.enumerated() {
                let ys = try xs.map { xv -> Double in
                    let r = try a.interpreter.call(f, [.number(xv)], [], span: a.span)
                    let t = try a.interpreter.toVariable(r, span: a.span, what: "plot(): the function's value").value
                    return t.count == 1 ? t.data[0] : .nan
                }
                p.series.append(.init(xs: xs, ys: ys, label: labels?[safe: k], scatter: scatter))
            }
            return p
        }
        var ys = a.rest
        var xs = try numbers(a, x, "plot(): x")
        if ys.isEmpty { ys = [x]; xs = (0..<xs.count).map(Double.init) }
        for (k, y) in ys.enumerated() {
            let v = try numbers(a, y, "plot(): y")
            guard v.count == xs.count else { throw NablaError(.shape, "plot(): x has \(xs.count) values but series \(k + 1) has \(v.count)") }
            p.series.append(.init(xs: xs, ys: v, label: labels?[safe: k], scatter: scatter))
        }
        return p
    }

    static func makeContour(_ a: Args) throws -> Plot {
        guard let f = a.value("f") else { throw NablaError(.type, "contour() needs a function of a 2-vector") }
        let xr = try numbers(a, a.value("xrange") ?? .none, "contour(): xrange"), yr = try numbers(a, a.value("yrange") ?? .none, "contour(): yrange")
        guard xr.count == 2, yr.count == 2, xr[0] < xr[1], yr[0] < yr[1] else { throw NablaError(.value, "contour(): xrange and yrange are (lo, hi) pairs with lo < hi") }
        let n = try a.int("points", default: 60), levels = try a.int("levels", default: 12)
        guard (3...200).contains(n), (1...100).contains(levels) else { throw NablaError(.value, "contour(): points must be 3–200 and levels 1–100") }
        let xs = (0..<n).map { xr[0] + (xr[1] - xr[0]) * Double($0) / Double(n - 1) }
        let ys = (0..<n).map { yr[0] + (yr[1] - yr[0]) * Double($0) / Double(n - 1) }
        let z = try ys.map { y in try xs.map { x -> Double in
            let r = try a.interpreter.call(f, [.tensor(Tensor([x, y]))], [], span: a.span)
            let t = try a.interpreter.toVariable(r, span: a.span, what: "contour(): the function's value").value
            return t.count == 1 ? t.data[0] : .nan
        } }
        let flat = z.flatMap { $0 }.filter(\.isFinite)
        let p = Plot()
        p.title = try a.string("title", default: ""); p.xlabel = try a.string("xlabel", default: "x0"); p.ylabel = try a.string("ylabel", default: "x1")
        if let lo = flat.min(), let hi = flat.max(), hi > lo {
            for k in 1...levels {
                let level = lo + (hi - lo) * Double(k) / Double(levels + 1)
                p.contours.append(.init(level: level, segments: Plot.marchingSquares(xs: xs, ys: ys, z: z, level: level)))
            }
        }
        if let path = a.value("path") {
            let t = try a.interpreter.toVariable(path, span: a.span, what: "contour(): path").value
            guard t.rank == 2, t.shape[1] == 2 else { throw NablaError(.shape, "contour(): path must have shape (N, 2), got \(formatShape(t.shape))") }
            p.series.append(.init(xs: stride(from: 0, to: t.count, by: 2).map { t.data[$0] }, ys: stride(from: 1, to: t.count, by: 2).map { t.data[$0] },
                                  label: "path", scatter: false, markers: true))
        }
        return p
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
