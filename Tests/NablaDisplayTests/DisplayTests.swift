import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import NablaDisplay
import NablaLanguage

/// Golden files per MIME type (`.txt`, `.tex`, `.html`, `.svg`, `.md`) for each kind of value,
/// compared exactly; `NABLA_RECORD=1 swift test` rewrites them.
let goldenDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

let setup = """
s = [3.2, 5.1, -1.7]
W = param([[0.1, 0.2], [0.3, 0.4]])
b = param([0.0, 0.0])
L = mse(sigmoid(W @ [1.0, 2.0] + b), [1.0, 0.0])
W1 = param([[0.1, -0.2], [0.4, 0.3], [0.2, 0.1]]); b1 = param([0.0, 0.1, -0.1])
W2 = param([[0.3, -0.1, 0.2]]); b2 = param([0.05])
L2 = mse(sigmoid(W2 @ sigmoid(W1 @ [1.0, 2.0] + b1) + b2), [1.0])
path = [[-3, 4], [-2.4, 3.2], [-1.92, 2.56], [-1.536, 2.048]]
"""

let cases: [(String, String)] = [
    ("scalar", "tensor(0.5514)"),
    ("tiny", "tensor([9.9e-4, 1.5, -2])"),
    ("vector", "softmax(s)"),
    ("matrix", "tensor([[1, 2.5], [-3, 4e-5]])"),
    ("tensor3", "reshape(arange(8), 2, 2, 2)"),
    ("param_with_grad", "backward(L)\nW"),
    ("string", "'hello'"),
    ("table_matrix", "table([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]], rows=['cat', 'car', 'frog'], cols=['x1', 'x2', 'x3'])"),
    ("table_columns", "table(p=softmax(s), y=[1, 0, 0], name=['cat', 'car', 'frog'])"),
    ("plot_sigmoid", "plot([sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))], -6, 6, labels=['σ(x)', \"σ'(x)\"], title='sigmoid and its derivative', xlabel='x', points=61)"),
    ("plot_normals", "plot([lambda x: normal_pdf(x, 4, 0.5), lambda x: normal_pdf(x, 5, 0.5)], 2, 7, labels=['N(4, 0.5)', 'N(5, 0.5)'], marks=[5], xlabel='weight (kg)', points=51)"),
    ("plot_log", "plot([1, 10, 100, 1000], [0.5, 0.1, 0.02, 0.001], logx=True, logy=True, scatter=True, title='loss')"),
    ("contour_descent", "contour(lambda x: x[0] ** 2 + x[1] ** 2, (-5, 5), (-5, 5), path=path, levels=6, points=21)"),
    ("contour_boundary", "contour(lambda p: p[0] + p[1], (-1, 3), (-1, 3), levels=[2], data=[[0, 0], [1, 0.5], [2, 2], [2.5, 1.5]], c=[0, 0, 1, 1], labels=['cat', 'dog'], aspect='equal', points=11)"),
    ("scatter_classes", "scatter([0, 1, 2, 3, 4, 5], [1, 0, 2, 1, 3, 2], c=['b', 'a', 'c', 'a', 'b', 'c'], marker=None, title='by class')"),
    ("graph", "graph(L)"),
    ("explain_svm", "explain(hinge(s, 0))"),
    ("explain_tensor", "explain(W @ [1.0, 2.0] + b)"),
    ("backprop_table", "backprop_table(L2, [W1, b1, W2, b2])"),
]

func bundles() throws -> [(String, MimeBundle)] {
    let session = Session()
    DisplayLibrary.register(in: session.interpreter)
    let sink = TextSink(interpreter: session.interpreter)
    guard case .ok = session.execute(setup, sink: sink) else { throw NablaError(.value, "setup failed") }
    return try cases.map { name, code in
        guard case let .ok(v?) = session.execute(code, sink: sink) else { throw NablaError(.value, "\(name) gave no value") }
        return (name, Renderer(precision: 4).bundle(v, interpreter: session.interpreter))
    }
}

let extensions = ["text/plain": "txt", "text/latex": "tex", "text/html": "html", "image/svg+xml": "svg", "text/markdown": "md"]

@Suite struct DisplayGoldenTests {
    @Test func everyMimeTypeMatchesItsGolden() throws {
        let record = ProcessInfo.processInfo.environment["NABLA_RECORD"] != nil
        for (name, b) in try bundles() {
            for (mime, text) in b.data {
                guard let ext = extensions[mime] else { Issue.record("unexpected MIME type \(mime)"); continue }
                let url = goldenDir.appendingPathComponent("\(name).\(ext)")
                if record { try text.write(to: url, atomically: true, encoding: .utf8); continue }
                let expected = try? String(contentsOf: url, encoding: .utf8)
                #expect(expected == text, "\(name).\(ext) differs from its golden file")
            }
        }
    }

    @Test func htmlAndSvgAreWellFormedXML() throws {
        for (name, b) in try bundles() {
            for mime in ["text/html", "image/svg+xml"] {
                guard let text = b.data[mime] else { continue }
                let parser = XMLParser(data: Data(("<root>" + text + "</root>").utf8))
                #expect(parser.parse(), "\(name) \(mime) is not well-formed: \(String(describing: parser.parserError))")
            }
        }
    }

    @Test func latexIsBalancedAndUsesKnownCommands() throws {
        let known: Set<String> = ["begin", "end", "quad", "nabla", "times", "infty", "text", "left", "right", "cdot", "frac", "sqrt",
                                  "ln", "sigma", "operatorname", "_", ",", "\\", " ", "sum", "neq", "max", "min", "log", "hat", "bar", "mathrm",
                                  "mathcal", "|", "dots", "leftarrow", "eta", "epsilon", "odot", "top", "partial", "Delta", "Phi", "Pi", "pi", "prod", "mu", "alpha", "beta", "gamma"]
        let explained = try explanations().map { ("explain_" + $0.0, MimeBundle(data: $0.1.mimeData(precision: 4))) }
        for (name, b) in try bundles() + explained {
            guard let tex = b.data["text/latex"] else { continue }
            var depth = 0
            for ch in tex { if ch == "{" { depth += 1 }; if ch == "}" { depth -= 1 }; #expect(depth >= 0, "\(name): unbalanced braces") }
            #expect(depth == 0, "\(name): unbalanced braces")
            #expect(tex.components(separatedBy: "\\begin{").count == tex.components(separatedBy: "\\end{").count, "\(name): begin/end mismatch")
            let chars = Array(tex)
            var i = 0
            while i < chars.count {
                defer { i += 1 }
                guard chars[i] == "\\", i + 1 < chars.count else { continue }
                var j = i + 1
                while j < chars.count, chars[j].isLetter { j += 1 }
                let cmd = j > i + 1 ? String(chars[(i + 1)..<j]) : String(chars[i + 1])
                #expect(known.contains(cmd), "\(name): unknown LaTeX command \\\(cmd)")
                i = j > i + 1 ? j - 1 : i + 1
            }
        }
    }

    @Test func hostileLabelsStayText() throws {
        let session = Session()
        DisplayLibrary.register(in: session.interpreter)
        let sink = TextSink(interpreter: session.interpreter)
        let code = "table([[1]], rows=['<script>alert(1)</script>'], cols=['a&b\"c'], title=\"<img src=x onerror='x'>\")"
        guard case let .ok(t?) = session.execute(code, sink: sink) else { Issue.record("no table"); return }
        let html = Renderer().bundle(t, interpreter: session.interpreter).data["text/html"] ?? ""
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;") && html.contains("a&amp;b&quot;c") && !html.contains("<img"))
        guard case let .ok(p?) = session.execute("plot([1, 2], [3, 4], labels=['</text><script>'], title='<b>&', xlabel=\"'\")", sink: sink) else { Issue.record("no plot"); return }
        let svg = Renderer().bundle(p, interpreter: session.interpreter).data["image/svg+xml"] ?? ""
        #expect(!svg.contains("<script>") && svg.contains("&lt;/text&gt;&lt;script&gt;") && svg.contains("&lt;b&gt;&amp;"))
    }

    /// What a student asks of a plot, checked on the figure itself rather than its pixels.
    @Test func plotOptions() throws {
        let session = Session()
        DisplayLibrary.register(in: session.interpreter)
        let sink = TextSink(interpreter: session.interpreter)
        func plot(_ code: String) throws -> Plot {
            guard case let .ok(.object(p as Plot)?) = session.execute(code, sink: sink) else { throw NablaError(.value, "no plot from \(code)") }
            return p
        }
        // levels as values: one line per distinct value, each labelled with its value.
        let c = try plot("contour(lambda p: p[0] ** 2 + p[1] ** 2, (-2, 2), (-2, 2), levels=[0.5, 2, 0.5], points=31)")
        #expect(c.contours.map(\.level) == [0.5, 2])
        #expect(c.contours.allSatisfy { !$0.segments.isEmpty })
        let svg = c.svg()
        #expect(svg.contains(">0.5</text>") && svg.contains(">2</text>"))
        #expect(!(try plot("contour(lambda p: p[0] ** 2 + p[1] ** 2, (-2, 2), (-2, 2), levels=[1], clabel=False)")).svg().contains(">1</text>"))
        #expect(try plot("contour(lambda p: p[0] + p[1], (0, 1), (0, 1), levels=None)").contours.count == 12)
        // Classes: one series per class, named from labels, each with its own colour and marker.
        let s = try plot("scatter([[0, 0], [1, 1], [2, 2], [3, 3]], c=[1, 0, 1, 2], labels=['cat', 'dog'])")
        #expect(s.series.map(\.label) == ["cat", "dog", "class 2"])
        #expect(s.series.map(\.xs) == [[1], [0, 2], [3]])
        #expect(Set(s.series.compactMap(\.marker)).count == 3 && Set(s.series.compactMap(\.color)).count == 3)
        // Equal aspect: a unit is as many pixels on x as on y.
        let e = try plot("plot([0, 10], [0, 1], aspect='equal')")
        let (x0, x1, y0, y1) = e.bounds()
        let perX = (x1 - x0) / (Plot.width - Plot.left - Plot.right), perY = (y1 - y0) / (Plot.height - Plot.top - Plot.bottom)
        #expect(Swift.abs(perX - perY) < 1e-12 && x0 <= 0 && x1 >= 10)
        let m = try plot("plot([1, 2, 3], [1, 4, 9], marker='^', label='squares', logy=True)")
        #expect(m.series.first?.marker == .triangle && m.series.first?.label == "squares")
        // Mistakes are named.
        for (code, message) in [("scatter([1, 2], [3, 4], c=[0])", "2 points but 1 classes"), ("plot([1], [2], marker='*')", "marker must be one of"),
                                ("plot([1], [2], aspect='square')", "aspect must be 'auto' or 'equal'"), ("scatter([1, 2, 3])", "shape (N, 2)"),
                                ("contour(lambda p: p[0], (0, 1), (0, 1), levels=[])", "1 to 100 finite values"),
                                ("contour(lambda p: p[0], (0, 1), (0, 1), c=[1])", "give data=X too")] {
            guard case let .error(err) = session.execute(code, sink: sink) else { Issue.record("\(code) ran"); continue }
            #expect(err.message.contains(message), "\(code): \(err.message)")
        }
    }

    @Test func logAxisTicksAreRound() {
        #expect(Plot.logTicks(0, Foundation.log10(9)).map { (Foundation.pow(10, $0) * 1000).rounded() / 1000 } == [1, 2, 5])
        #expect(Plot.logTicks(-3, 2) == [-3, -2, -1, 0, 1, 2])
    }

    @Test func niceTicksAndContours() {
        #expect(Plot.ticks(0, 1) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1].map { ($0 * 10).rounded() / 10 } || Plot.ticks(0, 1).count == 6)
        #expect(Plot.ticks(-6, 6).first == -6 && Plot.ticks(-6, 6).last == 6)
        // A circle of radius 1 in z = x² + y² at level 1: every segment end lies near the circle.
        let g = (0..<41).map { -2 + 4 * Double($0) / 40 }
        let z = g.map { y in g.map { x in x * x + y * y } }
        let segs = Plot.marchingSquares(xs: g, ys: g, z: z, level: 1)
        #expect(segs.count > 20)
        #expect(segs.allSatisfy { Swift.abs(($0.0 * $0.0 + $0.1 * $0.1).squareRoot() - 1) < 0.02 })
    }
}
