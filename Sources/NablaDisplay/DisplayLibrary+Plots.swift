import Foundation
import NablaAutograd
import NablaLanguage
import NablaTensor

/// plot, scatter and contour: the figures lessons need, as SVG.
extension DisplayLibrary {
    static func plots(in i: Interpreter) {
        i.register(Builtin("plot", [.any("x"), .args("ys"), .sequence("labels", default: nil), .string("label", default: nil)] + figure(xlabel: "", ylabel: "")
                           + [.bool("scatter", default: false), .string("marker", default: nil), .sequence("marks", default: nil), .int("points", default: 200)], doc: "A line (or scatter) plot of one or more series against x, as SVG. plot(f, a, b) plots a function (or a list of functions) over [a, b]; labels=[…] (or label= for one series) fills the legend; marker='o' (s, ^, D, x, +) marks the points; logx/logy use log scales; aspect='equal' gives both axes the same unit; marks=[5] draws dashed vertical lines.", example: "plot([sigmoid, relu], -5, 5, labels=['σ(x)', 'relu(x)'], title='activations')") { a in
            .object(try makePlot(a))
        })
        i.register(Builtin("scatter", [.any("x"), .any("y", default: nil), .sequence("c", default: nil), .sequence("labels", default: nil)] + figure(xlabel: "", ylabel: "")
                              + [.string("marker", default: nil)], doc: "Points as SVG: scatter(X) for an (N, 2) array, or scatter(x, y). c=labels colours them by class, one colour and marker per class (labels=['cat', 'dog'] names classes 0 and 1), e.g. to see a decision boundary's data.", example: "scatter([[0, 0], [1, 1], [2, 0.5], [3, 2]], c=[0, 0, 1, 1], labels=['cat', 'dog'])") { a in
            .object(try makeScatter(a))
        })
        i.register(Builtin("contour", [.callable("f"), .sequence("xrange"), .sequence("yrange"), .any("path", default: nil), .any("levels", default: 12), .bool("clabel", default: true),
                                      .any("data", default: nil), .sequence("c", default: nil), .sequence("labels", default: nil)] + figure(xlabel: "x0", ylabel: "x1", log: false)
                              + [.int("points", default: 60)], formula: "lines where f([x0, x1]) = c, for each level c", doc: "Contour lines of a function of a 2-vector over xrange × yrange (each (lo, hi)). levels is a count (evenly spaced) or a list of values (levels=[0.5] draws a decision boundary); clabel writes each value on its line. path, an (N, 2) array of points, is drawn over them (the steps of gradient descent); data=X with c=y adds points coloured by class.", example: "contour(lambda w: w[0] ** 2 + 10 * w[1] ** 2, (-3, 3), (-1, 1), levels=[1, 4, 9], aspect='equal')") { a in
            .object(try makeContour(a))
        })
    }

    static func isFunction(_ v: Value) -> Bool {
        switch v {
        case .function, .builtin: return true
        default: return false
        }
    }

    /// The options every figure takes: title, axis labels, log scales, aspect, legend.
    static func figure(xlabel: Default, ylabel: Default, log: Bool = true) -> [Parameter] {
        [.string("title", default: ""), .string("xlabel", default: xlabel), .string("ylabel", default: ylabel)]
            + (log ? [.bool("logx", default: false), .bool("logy", default: false)] : [])
            + [.choice("aspect", ["auto", "equal"], default: "auto"), .bool("legend", default: true)]
    }

    /// Reads the options `figure` declares into `p`.
    static func style(_ p: Plot, _ a: Args) throws {
        p.title = try a.string("title"); p.xlabel = try a.string("xlabel"); p.ylabel = try a.string("ylabel")
        if a.builtin.parameter("logx") != nil { p.logx = try a.bool("logx"); p.logy = try a.bool("logy") }
        p.showLegend = try a.bool("legend")
        p.equalAspect = try a.string("aspect") == "equal"
        if p.equalAspect && (p.logx || p.logy) { throw NablaError(.value, "\(a.builtin.name)(): aspect='equal' needs linear axes") }
    }

    static func marker(_ a: Args) throws -> Plot.Marker? {
        guard let m = try a.optionalString("marker") else { return nil }
        if m == "." { return .circle }
        guard let marker = Plot.Marker(rawValue: m) else {
            throw NablaError(.value, "\(a.builtin.name)(): marker must be one of \(Plot.Marker.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")), got '\(m)'")
        }
        return marker
    }

    static func makePlot(_ a: Args) throws -> Plot {
        let p = Plot()
        try style(p, a)
        let scatter = try a.bool("scatter"), mark = try marker(a)
        var labels = try strings(a, "labels")
        if labels == nil, let label = try a.optionalString("label") { labels = [label] }
        if a.has("marks") { p.marks = try numbers(a, a.value("marks") ?? .none, "plot(): marks") }
        let x = a.value("x") ?? .none
        var fns = [Value]()
        if isFunction(x) { fns = [x] } else if case let .list(l) = x, !l.items.isEmpty, l.items.allSatisfy(isFunction) { fns = l.items }
        if !fns.isEmpty {
            guard a.rest.count == 2 else { throw NablaError(.type, "plot(f, a, b): give the interval's ends a and b") }
            let lo = try a.interpreter.toVariable(a.rest[0], span: a.span, what: "plot(): a").value.data.first ?? 0
            let hi = try a.interpreter.toVariable(a.rest[1], span: a.span, what: "plot(): b").value.data.first ?? 1
            let n = try a.int("points")
            guard (2...10_000).contains(n) else { throw NablaError(.value, "plot(): points must be between 2 and 10000") }
            let xs = (0..<n).map { lo + (hi - lo) * Double($0) / Double(n - 1) }
            for (k, f) in fns.enumerated() {
                let ys = try xs.map { xv -> Double in
                    let r = try a.interpreter.call(f, [.number(xv)], [], span: a.span)
                    let t = try a.interpreter.toVariable(r, span: a.span, what: "plot(): the function's value").value
                    return t.count == 1 ? t.data[0] : .nan
                }
                p.series.append(.init(xs: xs, ys: ys, label: labels?[safe: k], scatter: scatter, marker: mark))
            }
            return p
        }
        var ys = a.rest
        var xs = try numbers(a, x, "plot(): x")
        if ys.isEmpty { ys = [x]; xs = (0..<xs.count).map(Double.init) }
        for (k, y) in ys.enumerated() {
            let v = try numbers(a, y, "plot(): y")
            guard v.count == xs.count else { throw NablaError(.shape, "plot(): x has \(xs.count) values but series \(k + 1) has \(v.count)") }
            p.series.append(.init(xs: xs, ys: v, label: labels?[safe: k], scatter: scatter, marker: mark))
        }
        return p
    }

    /// The x and y of points given as one (N, 2) array.
    static func columns(_ a: Args, _ v: Value, _ what: String) throws -> ([Double], [Double]) {
        let t = try a.interpreter.toVariable(v, span: a.span, what: what).value
        guard t.rank == 2, t.shape[1] == 2 else { throw NablaError(.shape, "\(what) must have shape (N, 2), got \(formatShape(t.shape))") }
        return (stride(from: 0, to: t.count, by: 2).map { t.data[$0] }, stride(from: 1, to: t.count, by: 2).map { t.data[$0] })
    }

    /// Points split into one scatter series per class of `c` (numbers or strings), each with its
    /// own colour and marker; `names` names numeric classes 0, 1, ….
    static func classSeries(_ a: Args, xs: [Double], ys: [Double], c: Value?, names: [String]?, marker: Plot.Marker?) throws -> [Plot.Series] {
        guard let c else { return [Plot.Series(xs: xs, ys: ys, label: names?.first, scatter: true, marker: marker)] }
        let items = try a.interpreter.elements(c, span: a.span)
        guard items.count == xs.count else { throw NablaError(.shape, "\(a.builtin.name)(): \(xs.count) points but \(items.count) classes in c") }
        // Each point's class key; each class once, with its number when it has one.
        var keys = [String](), classes = [(key: String, number: Double?)]()
        for item in items {
            let key: String, number: Double?
            switch item {
            case let .string(s): key = s; number = nil
            default:
                let v = try a.interpreter.toVariable(item, span: a.span, what: "\(a.builtin.name)(): a class in c").value
                guard v.count == 1 else { throw NablaError(.value, "\(a.builtin.name)(): c holds one class per point, got a value of shape \(formatShape(v.shape))") }
                number = v.data[0]; key = Tensor.formatNumber(v.data[0])
            }
            keys.append(key)
            if !classes.contains(where: { $0.key == key }) { classes.append((key, number)) }
        }
        guard classes.count <= 50 else { throw NablaError(.value, "\(a.builtin.name)(): c has \(classes.count) classes; colours are for at most 50") }
        classes.sort { l, r in
            if let x = l.number, let y = r.number { return x < y }
            return l.key < r.key
        }
        return classes.enumerated().map { k, cls in
            let idx = keys.indices.filter { keys[$0] == cls.key }
            var label = cls.key
            if let v = cls.number {
                label = v == v.rounded() && Swift.abs(v) < 1e9 ? names?[safe: Int(v)] ?? "class \(cls.key)" : "class \(cls.key)"
            }
            return Plot.Series(xs: idx.map { xs[$0] }, ys: idx.map { ys[$0] }, label: label, scatter: true,
                               marker: marker ?? Plot.Marker.allCases[k % Plot.Marker.allCases.count], color: k)
        }
    }

    static func makeScatter(_ a: Args) throws -> Plot {
        let p = Plot()
        try style(p, a)
        let xs: [Double], ys: [Double]
        if let y = a.value("y") {
            xs = try numbers(a, a.value("x") ?? .none, "scatter(): x"); ys = try numbers(a, y, "scatter(): y")
            guard xs.count == ys.count else { throw NablaError(.shape, "scatter(): x has \(xs.count) values but y has \(ys.count)") }
        } else {
            (xs, ys) = try columns(a, a.value("x") ?? .none, "scatter(): x")
        }
        p.series = try classSeries(a, xs: xs, ys: ys, c: a.value("c"), names: try strings(a, "labels"), marker: try marker(a))
        return p
    }

    static func makeContour(_ a: Args) throws -> Plot {
        guard let f = a.value("f") else { throw NablaError(.type, "contour() needs a function of a 2-vector") }
        let xr = try numbers(a, a.value("xrange") ?? .none, "contour(): xrange"), yr = try numbers(a, a.value("yrange") ?? .none, "contour(): yrange")
        guard xr.count == 2, yr.count == 2, xr[0] < xr[1], yr[0] < yr[1] else { throw NablaError(.value, "contour(): xrange and yrange are (lo, hi) pairs with lo < hi") }
        let n = try a.int("points")
        guard (3...200).contains(n) else { throw NablaError(.value, "contour(): points must be 3–200") }
        let xs = (0..<n).map { xr[0] + (xr[1] - xr[0]) * Double($0) / Double(n - 1) }
        let ys = (0..<n).map { yr[0] + (yr[1] - yr[0]) * Double($0) / Double(n - 1) }
        let z = try ys.map { y in try xs.map { x -> Double in
            let r = try a.interpreter.call(f, [.tensor(Tensor([x, y]))], [], span: a.span)
            let t = try a.interpreter.toVariable(r, span: a.span, what: "contour(): the function's value").value
            return t.count == 1 ? t.data[0] : .nan
        } }
        let p = Plot()
        try style(p, a)
        p.labelContours = try a.bool("clabel")
        // levels: a count of evenly spaced values between the grid's extremes, or the values themselves.
        var levels = [Double]()
        // None means the declared default, as matplotlib's levels=None does.
        let given = a.value("levels") ?? a.builtin.parameter("levels")?.defaultValue.value ?? .none
        switch given {
        case let .int(count):
            guard (1...100).contains(count) else { throw NablaError(.value, "contour(): levels must be a count from 1 to 100, or a list of values") }
            let flat = z.flatMap { $0 }.filter(\.isFinite)
            if let lo = flat.min(), let hi = flat.max(), hi > lo {
                levels = (1...count).map { lo + (hi - lo) * Double($0) / Double(count + 1) }
            }
        case let v:
            levels = try numbers(a, v, "contour(): levels")
            guard (1...100).contains(levels.count), levels.allSatisfy(\.isFinite) else { throw NablaError(.value, "contour(): levels must be 1 to 100 finite values") }
            levels = Array(Set(levels)).sorted()
        }
        for level in levels {
            p.contours.append(.init(level: level, segments: Plot.marchingSquares(xs: xs, ys: ys, z: z, level: level)))
        }
        if let data = a.value("data") {
            let (px, py) = try columns(a, data, "contour(): data")
            p.series += try classSeries(a, xs: px, ys: py, c: a.value("c"), names: try strings(a, "labels"), marker: nil)
        } else if a.has("c") {
            throw NablaError(.type, "contour(): c colours the points of data=; give data=X too")
        }
        if let path = a.value("path") {
            let (px, py) = try columns(a, path, "contour(): path")
            p.series.append(.init(xs: px, ys: py, label: "path", scatter: false, markers: true, color: p.series.count))
        }
        return p
    }
}
