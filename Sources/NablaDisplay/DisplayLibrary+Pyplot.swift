import Foundation
import NablaLanguage
import NablaTensor

// `import matplotlib.pyplot as plt` over Nabla's SVG figures: pyplot's state machine (the
// current figure and axes), format strings ('r--', 'bo'), subplots, imshow, and figures shown
// at the end of the cell as the inline backend shows them. Each drawing call is declared once,
// as an Axes method; `plt.name` applies it to the current axes.

/// One panel of a figure: a plot, or an image drawn by imshow.
final class Axes: NablaObject {
    let plot = Plot()
    var image: PILImage?
    var hidden = false
    var used = false

    init() { plot.showLegend = false }

    var typeName: String { "Axes" }
    var text: String { "<Axes: \(plot.title.isEmpty ? "" : "title='\(plot.title)'")>" }
    var attributeNames: [String] { Pyplot.calls.map(\.axes) }
    func attribute(_ name: String) -> Value? {
        Pyplot.calls.first { $0.axes == name }.map { .builtin($0.builtin.bound(to: .object(self))) }
    }
}

/// A figure: a grid of axes, shown as one SVG.
final class Figure: RichObject {
    var rows = 1, cols = 1
    var axes: [Int: Axes] = [:]
    var current = 1
    var suptitle = ""

    var typeName: String { "Figure" }
    var text: String { "<Figure size \(Int(Plot.width) * cols)x\(Int(Plot.height) * rows) with \(axes.count) Axes>" }
    var attributeNames: [String] { ["savefig", "suptitle"] }
    func attribute(_ name: String) -> Value? { nil }

    var gca: Axes {
        if let a = axes[current] { return a }
        let a = Axes(); axes[current] = a; return a
    }

    func panelSVG(_ a: Axes) -> String {
        guard let img = a.image, let png = img.png else { return a.plot.svg() }
        let (W, H) = (Plot.width, Plot.height)
        let iw = Double(img.width), ih = Double(img.height)
        let scale = min((W - 40) / iw, (H - 60) / ih)
        let (w, h) = (iw * scale, ih * scale)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(W))\" height=\"\(Int(H))\" viewBox=\"0 0 \(Int(W)) \(Int(H))\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(Int(W))\" height=\"\(Int(H))\" fill=\"#ffffff\"/>\n"
        if !a.plot.title.isEmpty { s += "<text x=\"\(W / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(escapeHTML(a.plot.title))</text>\n" }
        s += String(format: "<image x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" style=\"image-rendering:pixelated\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,", (W - w) / 2, 36 + (H - 56 - h) / 2, w, h)
        s += Data(png).base64EncodedString() + "\"/>\n"
        if !a.hidden { s += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", (W - w) / 2, 36 + (H - 56 - h) / 2, w, h) }
        return s + "</svg>\n"
    }

    func svg() -> String {
        if rows == 1, cols == 1, suptitle.isEmpty { return panelSVG(gca) }
        let (W, H) = (Plot.width, Plot.height), top = suptitle.isEmpty ? 0.0 : 40.0
        let total = (Double(cols) * W, Double(rows) * H + top)
        let shown = min(total.0, 980)
        var s = String(format: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n", shown, shown / total.0 * total.1, total.0, total.1)
        s += String(format: "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", total.0, total.1)
        if !suptitle.isEmpty { s += String(format: "<text x=\"%.0f\" y=\"28\" text-anchor=\"middle\" font-size=\"20\" font-weight=\"bold\">", total.0 / 2) + escapeHTML(suptitle) + "</text>\n" }
        for (k, a) in axes.sorted(by: { $0.key < $1.key }) {
            let r = (k - 1) / cols, c = (k - 1) % cols
            let inner = panelSVG(a)
            s += String(format: "<svg x=\"%.0f\" y=\"%.0f\" ", Double(c) * W, top + Double(r) * H) + inner.dropFirst(5)
        }
        return s + "</svg>\n"
    }

    func mimeData(precision: Int) -> [String: String] { ["image/svg+xml": svg(), "text/plain": text] }
}

/// pyplot's state: the open figures (shown and closed at the end of each cell, or by show()).
final class Pyplot {
    var figures: [Figure] = []

    var gcf: Figure {
        if let f = figures.last { return f }
        let f = Figure(); figures.append(f); return f
    }

    /// Shows every open figure that has something drawn, then closes them all.
    func flush(_ i: Interpreter) {
        let open = figures
        figures = []
        for f in open where f.axes.values.contains(where: { $0.used }) || !f.suptitle.isEmpty {
            i.sink?.display(.object(f), id: nil, update: false)
        }
    }

    /// A drawing call: its pyplot name, its Axes method name, and what it does to an axes.
    struct Call {
        let plt: String?, axes: String
        let builtin: Builtin
    }

    static func target(_ a: Args) throws -> Axes {
        guard case let .object(ax as Axes)? = a.named["self"] else { throw NablaError(.type, "\(a.builtin.name)() needs an Axes") }
        ax.used = true
        return ax
    }

    /// matplotlib's one-letter colours, mapped to the nearest colour of the palette.
    static let colors: [Character: Int] = ["b": 0, "r": 1, "g": 2, "y": 3, "m": 4, "k": 5, "c": 7]
    static let named = ["blue": 0, "tab:blue": 0, "red": 1, "tab:red": 1, "green": 2, "tab:green": 2, "orange": 3, "tab:orange": 3,
                        "purple": 4, "tab:purple": 4, "brown": 5, "black": 5, "pink": 6, "cyan": 7, "b": 0, "r": 1, "g": 2, "y": 3, "m": 4, "k": 5, "c": 7]

    /// Parses a format string such as 'r--o': colour, marker, line style.
    static func format(_ f: String) throws -> (color: Int?, marker: Plot.Marker?, line: String?) {
        var color: Int?, marker: Plot.Marker?, line: String?
        var rest = Substring(f)
        for style in ["--", "-.", "-", ":"] where rest.contains(style) {
            line = style
            if let r = rest.range(of: style) { rest.removeSubrange(r) }
            break
        }
        for ch in rest {
            if let c = colors[ch] { color = c } else if ch == "w" { color = nil }
            else if let m = Plot.Marker(rawValue: String(ch)) { marker = m }
            else if ".,v<>*phd".contains(ch) { marker = ch == "d" ? .diamond : .circle }
            else { throw NablaError(.value, "'\(f)' is not a valid format string (colour b g r c m y k, marker o s ^ D x + ., line - -- -. :)") }
        }
        return (color, marker, line)
    }

    static func dash(_ line: String?) -> String? {
        switch line {
        case "--"?: return "7,4"
        case ":"?: return "2,3"
        case "-."?: return "7,3,2,3"
        default: return nil
        }
    }

    static func color(_ a: Args) throws -> Int? {
        for key in ["color", "c"] {
            guard case let .string(s)? = a.named[key] else { continue }
            guard let c = named[s.lowercased()] else { return nil }
            return c
        }
        return nil
    }

    static func numbers(_ a: Args, _ v: Value, _ what: String) throws -> [Double] {
        let t = try a.interpreter.toVariable(v, span: a.span, what: what).value
        return t.data
    }

    static let lineParameters: [Parameter] = [.any("self"), .args("args"), .string("label", default: nil), .any("color", default: nil), .any("c", default: nil),
                                              .string("marker", default: nil), .string("linestyle", default: nil), .string("ls", default: nil), .kwargs("kwargs")]

    /// plot's groups (y), (x, y), (x, y, fmt), … as series of the axes.
    static func lines(_ a: Args) throws -> Value {
        let ax = try target(a)
        // Split the positional arguments into groups: y | x, y | either followed by a format string.
        var groups = [(x: Value?, y: Value, fmt: String?)]()
        var k = 0
        let args = a.rest
        while k < args.count {
            var x: Value?, y = args[k]
            k += 1
            if k < args.count, !isString(args[k]) { x = y; y = args[k]; k += 1 }
            var fmt: String?
            if k < args.count, case let .string(f) = args[k] { fmt = f; k += 1 }
            groups.append((x, y, fmt))
        }
        let style = try a.optionalString("linestyle") ?? a.optionalString("ls")
        for g in groups {
            let ys = try numbers(a, g.y, "plot(): y")
            let xs = try g.x.map { try numbers(a, $0, "plot(): x") } ?? ys.indices.map(Double.init)
            guard xs.count == ys.count else { throw NablaError(.value, "x and y must have same first dimension, but have shapes (\(xs.count),) and (\(ys.count),)") }
            let f: (color: Int?, marker: Plot.Marker?, line: String?) = try g.fmt.map(format) ?? (nil, nil, nil)
            let line = style ?? f.line
            let marker = try a.optionalString("marker").map { Plot.Marker(rawValue: $0) ?? .circle } ?? f.marker
            // A format with a marker and no line style ('bo', 'r.') draws markers only, as matplotlib does.
            let markersOnly = ["", "None", "none", " "].contains(line ?? "-") || (g.fmt != nil && f.marker != nil && f.line == nil && style == nil)
            var series = Plot.Series(xs: xs, ys: ys, label: try a.optionalString("label"), scatter: markersOnly, marker: marker, color: try color(a) ?? f.color)
            series.dash = dash(line)
            ax.plot.series.append(series)
        }
        return .none
    }

    static func isString(_ v: Value) -> Bool { if case .string = v { return true }; return false }

    /// The drawing calls, declared once (made per access: a Builtin is not Sendable, so no static table).
    static var calls: [Call] { [
        Call(plt: "plot", axes: "plot", builtin: Builtin("plot", lineParameters, doc: "Lines as matplotlib draws them: plot(y), plot(x, y), plot(x, y, 'r--'), several groups in one call; label= names it in the legend.") { a in
            try lines(a)
        }),
        Call(plt: "semilogy", axes: "semilogy", builtin: Builtin("semilogy", lineParameters, doc: "plot with a log y axis.") { a in
            try target(a).plot.logy = true; return try lines(a)
        }),
        Call(plt: "semilogx", axes: "semilogx", builtin: Builtin("semilogx", lineParameters, doc: "plot with a log x axis.") { a in
            try target(a).plot.logx = true; return try lines(a)
        }),
        Call(plt: "loglog", axes: "loglog", builtin: Builtin("loglog", lineParameters, doc: "plot with log x and y axes.") { a in
            let ax = try target(a); ax.plot.logx = true; ax.plot.logy = true; return try lines(a)
        }),
        Call(plt: "scatter", axes: "scatter", builtin: Builtin("scatter", [.any("self"), .any("x"), .any("y"), .any("s", default: nil), .any("c", default: nil), .string("marker", default: nil),
                                                                         .string("label", default: nil), .kwargs("kwargs")], doc: "Points at (x, y); c= a list of class numbers colours them by class.") { a in
            let ax = try target(a)
            let xs = try numbers(a, a.value("x") ?? .none, "scatter(): x"), ys = try numbers(a, a.value("y") ?? .none, "scatter(): y")
            guard xs.count == ys.count else { throw NablaError(.value, "x and y must be the same size") }
            let marker = try a.optionalString("marker").map { Plot.Marker(rawValue: $0) ?? .circle }
            if let c = a.value("c"), case .string = c {
                ax.plot.series.append(.init(xs: xs, ys: ys, label: try a.optionalString("label"), scatter: true, marker: marker, color: try color(a)))
            } else if let c = a.value("c") {
                let classes = try numbers(a, c, "scatter(): c").map { Int($0.rounded()) }
                guard classes.count == xs.count else { throw NablaError(.value, "'c' argument has \(classes.count) elements, which is inconsistent with 'x' and 'y' with size \(xs.count)") }
                for cls in Set(classes).sorted() {
                    let idx = classes.indices.filter { classes[$0] == cls }
                    ax.plot.series.append(.init(xs: idx.map { xs[$0] }, ys: idx.map { ys[$0] }, label: nil, scatter: true, marker: marker, color: ((cls % 8) + 8) % 8))
                }
            } else {
                ax.plot.series.append(.init(xs: xs, ys: ys, label: try a.optionalString("label"), scatter: true, marker: marker))
            }
            return .none
        }),
        Call(plt: "imshow", axes: "imshow", builtin: Builtin("imshow", [.any("self"), .any("X"), .string("cmap", default: nil), .number("vmin", default: nil), .number("vmax", default: nil), .kwargs("kwargs")],
                                                       doc: "An image: (height, width, 3 or 4) colours (0–1, or 0–255 numbers), or (height, width) values through cmap ('viridis', 'gray', 'Greys', 'binary').") { a in
            let ax = try target(a)
            ax.image = try image(a)
            return .none
        }),
        Call(plt: "title", axes: "set_title", builtin: Builtin("title", [.any("self"), .string("label"), .kwargs("kwargs")], doc: "The axes' title.") { a in
            try target(a).plot.title = try a.string("label"); return .none
        }),
        Call(plt: "xlabel", axes: "set_xlabel", builtin: Builtin("xlabel", [.any("self"), .string("xlabel"), .kwargs("kwargs")], doc: "The x axis label.") { a in
            try target(a).plot.xlabel = try a.string("xlabel"); return .none
        }),
        Call(plt: "ylabel", axes: "set_ylabel", builtin: Builtin("ylabel", [.any("self"), .string("ylabel"), .kwargs("kwargs")], doc: "The y axis label.") { a in
            try target(a).plot.ylabel = try a.string("ylabel"); return .none
        }),
        Call(plt: "legend", axes: "legend", builtin: Builtin("legend", [.any("self"), .any("labels", default: nil), .any("loc", default: nil), .kwargs("kwargs")], doc: "Shows the legend: the series' label=, or legend(['train', 'val']) naming the series in order.") { a in
            let ax = try target(a)
            if a.has("labels") {
                let names = try a.sequence("labels").map { a.interpreter.str($0) }
                for (k, n) in names.enumerated() where k < ax.plot.series.count { ax.plot.series[k].label = n }
            }
            ax.plot.showLegend = true
            return .none
        }),
        Call(plt: "xscale", axes: "set_xscale", builtin: Builtin("xscale", [.any("self"), .choice("value", ["linear", "log"])], doc: "'log' or 'linear' x axis.") { a in
            try target(a).plot.logx = try a.string("value") == "log"; return .none
        }),
        Call(plt: "yscale", axes: "set_yscale", builtin: Builtin("yscale", [.any("self"), .choice("value", ["linear", "log"])], doc: "'log' or 'linear' y axis.") { a in
            try target(a).plot.logy = try a.string("value") == "log"; return .none
        }),
        Call(plt: "xlim", axes: "set_xlim", builtin: Builtin("xlim", [.any("self"), .any("left"), .any("right", default: nil)], doc: "The x range: xlim(lo, hi) or xlim((lo, hi)).") { a in
            try target(a).plot.xlim = try limits(a, "left", "right"); return .none
        }),
        Call(plt: "ylim", axes: "set_ylim", builtin: Builtin("ylim", [.any("self"), .any("bottom"), .any("top", default: nil)], doc: "The y range: ylim(lo, hi) or ylim((lo, hi)).") { a in
            try target(a).plot.ylim = try limits(a, "bottom", "top"); return .none
        }),
        Call(plt: "axvline", axes: "axvline", builtin: Builtin("axvline", [.any("self"), .number("x", default: 0), .kwargs("kwargs")], doc: "A dashed vertical line at x.") { a in
            try target(a).plot.marks.append(try a.double("x")); return .none
        }),
        Call(plt: "axis", axes: "axis", builtin: Builtin("axis", [.any("self"), .any("arg", default: nil)], doc: "axis('off') hides an image's frame; axis('equal') gives both axes one unit.") { a in
            let ax = try target(a)
            switch a.value("arg") {
            case .string("off")?: ax.hidden = true
            case .string("equal")?, .string("scaled")?: ax.plot.equalAspect = true
            default: break
            }
            return .none
        }),
        Call(plt: "grid", axes: "grid", builtin: Builtin("grid", [.any("self"), .any("visible", default: nil), .kwargs("kwargs")], doc: "Grid lines (Nabla's plots always have them).") { a in
            _ = try target(a); return .none
        }),
    ] }

    static func limits(_ a: Args, _ lo: String, _ hi: String) throws -> (Double, Double) {
        var pair = [Double]()
        if case let .tuple(t)? = a.value(lo) { pair = try t.map { try numbers(a, $0, "limits").first ?? 0 } }
        else if case let .list(l)? = a.value(lo) { pair = try l.items.map { try numbers(a, $0, "limits").first ?? 0 } }
        else { pair = [try a.double(lo), try a.double(hi)] }
        guard pair.count == 2, pair.allSatisfy(\.isFinite), pair[0] != pair[1] else { throw NablaError(.value, "\(a.builtin.name)(): give two different finite limits") }
        return (pair[0], pair[1])
    }

    /// imshow's picture: colours taken as they are (0–1, or 0–255 when larger), or values through a colormap.
    static func image(_ a: Args) throws -> PILImage {
        var x = try a.interpreter.toVariable(a.value("X") ?? .none, span: a.span, what: "imshow(): X").value
        if x.rank == 3, x.shape[2] == 1 { x = try x.reshaped([x.shape[0], x.shape[1]]) }
        guard (x.rank == 2 || (x.rank == 3 && (x.shape[2] == 3 || x.shape[2] == 4))), x.shape[0] >= 1, x.shape[1] >= 1, x.count <= 1 << 24 else {
            throw NablaError(.type, "Invalid shape \(formatShape(x.shape)) for image data (expected (height, width), (height, width, 3) or (height, width, 4))")
        }
        let (h, w) = (x.shape[0], x.shape[1])
        if x.rank == 3 {
            let scale = (x.data.max() ?? 0) > 1 ? 1.0 : 255.0
            let px = x.data.map { UInt8(Swift.min(Swift.max(($0.isFinite ? $0 : 0) * scale, 0), 255).rounded()) }
            return try picture(w, h, x.shape[2], px)
        }
        let finite = x.data.filter(\.isFinite)
        let lo = try a.optionalDouble("vmin") ?? finite.min() ?? 0, hi = try a.optionalDouble("vmax") ?? finite.max() ?? 1
        let cmap = try a.optionalString("cmap") ?? "viridis"
        let stops: [(Double, Double, Double)]
        switch cmap {
        case "gray", "grey": stops = [(0, 0, 0), (255, 255, 255)]
        case "Greys", "binary", "gray_r", "Greys_r" where cmap != "Greys_r": stops = [(255, 255, 255), (0, 0, 0)]
        case "Greys_r": stops = [(0, 0, 0), (255, 255, 255)]
        case "viridis": stops = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        case "hot": stops = [(10, 0, 0), (255, 0, 0), (255, 255, 0), (255, 255, 255)]
        default: throw NablaError(.value, "imshow(): cmap '\(cmap)' is not available in Nabla (use 'viridis', 'gray', 'Greys', 'binary' or 'hot')")
        }
        var px = [UInt8](), n = Double(stops.count - 1)
        px.reserveCapacity(h * w * 3)
        for v in x.data {
            let f = hi > lo && v.isFinite ? Swift.min(Swift.max((v - lo) / (hi - lo), 0), 1) : 0
            let k = Swift.min(Int(f * n), stops.count - 2), t = f * n - Double(k)
            let (p, q) = (stops[k], stops[k + 1])
            px += [p.0 + (q.0 - p.0) * t, p.1 + (q.1 - p.1) * t, p.2 + (q.2 - p.2) * t].map { UInt8($0.rounded()) }
        }
        return try picture(w, h, 3, px)
    }

    static func picture(_ w: Int, _ h: Int, _ c: Int, _ px: [UInt8]) throws -> PILImage {
        guard let img = PILImage(width: w, height: h, channels: c, pixels: px) else { throw NablaError(.value, "imshow(): cannot make a \(w)×\(h) image of \(c) channels") }
        return img
    }
}

extension DisplayLibrary {
    /// matplotlib and matplotlib.pyplot, and the end-of-cell display of open figures.
    static func pyplot(in i: Interpreter) {
        let state = Pyplot()
        var members = [String: Value]()
        for call in Pyplot.calls {
            guard let name = call.plt else { continue }
            members[name] = .builtin(call.builtin.applied { .object(state.gcf.gca) })
        }
        func add(_ b: Builtin) { members[b.name] = .builtin(b) }
        add(Builtin("figure", [.any("num", default: nil), .any("figsize", default: nil), .kwargs("kwargs")], doc: "Starts a new figure (figsize is accepted; Nabla's figures have one size per panel).") { _ in
            let f = Figure(); state.figures.append(f); return .object(f)
        })
        add(Builtin("subplot", [.int("nrows"), .int("ncols", default: nil), .int("index", default: nil)], doc: "Chooses panel index (from 1) of an nrows × ncols grid: subplot(2, 3, 1) or subplot(231).") { a in
            var (r, c, k) = (try a.int("nrows"), try a.optionalInt("ncols"), try a.optionalInt("index"))
            if c == nil, k == nil, (111...999).contains(r) { (r, c, k) = (r / 100, (r / 10) % 10, r % 10) }
            guard let cols = c, let index = k, (1...20).contains(r), (1...20).contains(cols), (1...(r * cols)).contains(index) else {
                throw NablaError(.value, "subplot(nrows, ncols, index): index must be between 1 and nrows × ncols, with at most 20 rows and columns")
            }
            let f = state.gcf
            (f.rows, f.cols, f.current) = (r, cols, index)
            return .object(f.gca)
        })
        add(Builtin("subplots", [.int("nrows", default: 1), .int("ncols", default: 1), .any("figsize", default: nil), .kwargs("kwargs")], doc: "A new figure and its axes: fig, ax = subplots(), or fig, axes = subplots(2, 3) with axes[row][col] (a flat list for one row or column).") { a in
            let (r, c) = (try a.int("nrows"), try a.int("ncols"))
            guard (1...20).contains(r), (1...20).contains(c) else { throw NablaError(.value, "subplots(): nrows and ncols must be between 1 and 20") }
            let f = Figure(); (f.rows, f.cols) = (r, c)
            state.figures.append(f)
            let all = (1...(r * c)).map { k -> Value in f.current = k; return .object(f.gca) }
            f.current = 1
            let axes: Value = r == 1 && c == 1 ? all[0] : r == 1 || c == 1 ? .list(ListRef(all)) : .list(ListRef((0..<r).map { .list(ListRef(Array(all[($0 * c)..<(($0 + 1) * c)]))) }))
            return .tuple([.object(f), axes])
        })
        add(Builtin("suptitle", [.string("t"), .kwargs("kwargs")], doc: "A title over the whole figure.") { a in state.gcf.suptitle = try a.string("t"); return .none })
        add(Builtin("show", [.kwargs("kwargs")], doc: "Shows the open figures now (the end of the cell shows them too).") { a in state.flush(a.interpreter); return .none })
        add(Builtin("close", [.any("fig", default: nil)], doc: "Discards the open figures without showing them.") { _ in state.figures = []; return .none })
        add(Builtin("gcf", [], doc: "The current figure.") { _ in .object(state.gcf) })
        add(Builtin("gca", [], doc: "The current axes.") { _ in .object(state.gcf.gca) })
        add(Builtin("tight_layout", [.kwargs("kwargs")], doc: "Accepted: Nabla lays panels out on a fixed grid.") { _ in .none })
        add(Builtin("savefig", [.string("fname"), .kwargs("kwargs")], doc: "Writes the current figure as SVG (the file name must end in .svg).") { a in
            let path = try a.string("fname")
            guard path.lowercased().hasSuffix(".svg") else { throw NablaError(.value, "savefig(): Nabla saves figures as SVG; use a name ending in .svg, got '\(path)'") }
            do { try state.gcf.svg().write(toFile: path, atomically: true, encoding: .utf8) } catch { throw NablaError(.os, "savefig(): cannot write '\(path)': \(error.localizedDescription)") }
            return .none
        })
        let module = Module(name: "matplotlib.pyplot", members: members)
        i.provideModule("matplotlib.pyplot", module)
        i.provideModule("matplotlib", Module(name: "matplotlib", members: ["pyplot": .module(module), "__version__": .string("3.9.0")]))
        i.cellEndHooks.append { state.flush($0) }
    }
}
