import Foundation
import NablaLanguage
import NablaTensor

/// A 2-d figure as self-contained SVG (no scripts, no external fonts): line and scatter
/// series with a legend, axis labels, round-number ticks, log scales, vertical marks, and
/// contour lines with a path drawn over them.
public final class Plot: RichObject {
    public struct Series {
        public var xs: [Double], ys: [Double]
        public var label: String?
        public var scatter: Bool
        public var markers: Bool = false
    }

    public struct ContourLevel {
        public var level: Double
        public var segments: [(Double, Double, Double, Double)]
    }

    public var series: [Series] = []
    public var contours: [ContourLevel] = []
    public var marks: [Double] = []
    public var title = "", xlabel = "", ylabel = ""
    public var logx = false, logy = false

    public init() {}

    public var typeName: String { "plot" }
    public var attributeNames: [String] { [] }
    public func attribute(_ name: String) -> Value? { nil }

    public var text: String {
        let names = series.compactMap(\.label)
        return "<plot\(title.isEmpty ? "" : " '\(title)'"): \(series.count) series\(names.isEmpty ? "" : " (" + names.joined(separator: ", ") + ")")\(contours.isEmpty ? "" : ", \(contours.count) contour levels")>"
    }

    public func mimeData(precision: Int) -> [String: String] {
        ["image/svg+xml": svg(), "text/plain": text]
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    static let width = 560.0, height = 380.0
    static let left = 64.0, right = 20.0, top = 36.0, bottom = 52.0

    func tx(_ x: Double) -> Double? { logx ? (x > 0 ? Foundation.log10(x) : nil) : (x.isFinite ? x : nil) }
    func ty(_ y: Double) -> Double? { logy ? (y > 0 ? Foundation.log10(y) : nil) : (y.isFinite ? y : nil) }

    /// Round-number ticks covering [lo, hi]: steps of 1, 2 or 5 × 10^k.
    static func ticks(_ lo: Double, _ hi: Double, target: Int = 6) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo else { return [lo] }
        let raw = (hi - lo) / Double(target)
        let mag = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = Foundation.ceil(lo / step - 1e-9) * step
        var out = [Double]()
        while t <= hi + step * 1e-9, out.count < 50 {
            out.append(Swift.abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    func bounds() -> (Double, Double, Double, Double) {
        var xs = [Double](), ys = [Double]()
        for s in series {
            for (x, y) in zip(s.xs, s.ys) { if let a = tx(x), let b = ty(y) { xs.append(a); ys.append(b) } }
        }
        for c in contours { for s in c.segments { xs += [s.0, s.2]; ys += [s.1, s.3] } }
        for m in marks { if let a = tx(m) { xs.append(a) } }
        guard var x0 = xs.min(), var x1 = xs.max(), var y0 = ys.min(), var y1 = ys.max() else { return (0, 1, 0, 1) }
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        if contours.isEmpty { let pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad }
        return (x0, x1, y0, y1)
    }

    func fmt(_ v: Double) -> String { String(format: "%.2f", v) }

    public func svg() -> String {
        let (W, H, L, R, T, B) = (Plot.width, Plot.height, Plot.left, Plot.right, Plot.top, Plot.bottom)
        let (x0, x1, y0, y1) = bounds()
        let pw = W - L - R, ph = H - T - B
        func px(_ x: Double) -> Double { L + (x - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { T + ph - (y - y0) / (y1 - y0) * ph }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(W))\" height=\"\(Int(H))\" viewBox=\"0 0 \(Int(W)) \(Int(H))\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(Int(W))\" height=\"\(Int(H))\" fill=\"#ffffff\"/>\n"
        if !title.isEmpty { s += "<text x=\"\(fmt(W / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(escapeHTML(title))</text>\n" }
        // Grid, ticks and tick labels.
        func label(_ v: Double, log: Bool) -> String {
            log ? (v == v.rounded() ? "1e\(Int(v))" : Tensor.formatNumber(Foundation.pow(10, v), precision: 3)) : Tensor.formatNumber(v, precision: 4)
        }
        for t in Plot.ticks(x0, x1) where t >= x0 - 1e-12 && t <= x1 + 1e-12 {
            s += "<line x1=\"\(fmt(px(t)))\" y1=\"\(fmt(T))\" x2=\"\(fmt(px(t)))\" y2=\"\(fmt(T + ph))\" stroke=\"#e6e6e6\"/>\n"
            s += "<text x=\"\(fmt(px(t)))\" y=\"\(fmt(T + ph + 16))\" text-anchor=\"middle\">\(escapeHTML(label(t, log: logx)))</text>\n"
        }
        for t in Plot.ticks(y0, y1) where t >= y0 - 1e-12 && t <= y1 + 1e-12 {
            s += "<line x1=\"\(fmt(L))\" y1=\"\(fmt(py(t)))\" x2=\"\(fmt(L + pw))\" y2=\"\(fmt(py(t)))\" stroke=\"#e6e6e6\"/>\n"
            s += "<text x=\"\(fmt(L - 6))\" y=\"\(fmt(py(t) + 4))\" text-anchor=\"end\">\(escapeHTML(label(t, log: logy)))</text>\n"
        }
        s += "<rect x=\"\(fmt(L))\" y=\"\(fmt(T))\" width=\"\(fmt(pw))\" height=\"\(fmt(ph))\" fill=\"none\" stroke=\"#444\"/>\n"
        if !xlabel.isEmpty { s += "<text x=\"\(fmt(L + pw / 2))\" y=\"\(fmt(H - 12))\" text-anchor=\"middle\">\(escapeHTML(xlabel))</text>\n" }
        if !ylabel.isEmpty { s += "<text x=\"16\" y=\"\(fmt(T + ph / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(fmt(T + ph / 2)))\">\(escapeHTML(ylabel))</text>\n" }
        // Contours, coloured from dark blue (low) to yellow (high).
        for (i, c) in contours.enumerated() {
            let f = contours.count > 1 ? Double(i) / Double(contours.count - 1) : 0
            let color = String(format: "#%02x%02x%02x", Int(40 + 200 * f), Int(60 + 150 * f), Int(160 - 120 * f))
            var d = ""
            for seg in c.segments { d += "M\(fmt(px(seg.0))) \(fmt(py(seg.1)))L\(fmt(px(seg.2))) \(fmt(py(seg.3)))" }
            if !d.isEmpty { s += "<path d=\"\(d)\" stroke=\"\(color)\" fill=\"none\" stroke-width=\"1.2\"/>\n" }
        }
        // Vertical marks.
        for m in marks {
            guard let mx = tx(m), mx >= x0, mx <= x1 else { continue }
            s += "<line x1=\"\(fmt(px(mx)))\" y1=\"\(fmt(T))\" x2=\"\(fmt(px(mx)))\" y2=\"\(fmt(T + ph))\" stroke=\"#555\" stroke-dasharray=\"5,4\"/>\n"
            s += "<text x=\"\(fmt(px(mx) + 4))\" y=\"\(fmt(T + 12))\" fill=\"#555\">x = \(escapeHTML(Tensor.formatNumber(m)))</text>\n"
        }
        // Series: polylines broken where a value is missing (non-finite, or ≤ 0 on a log axis).
        for (i, ser) in series.enumerated() {
            let color = Plot.palette[i % Plot.palette.count]
            var runs = [[(Double, Double)]](), cur = [(Double, Double)]()
            for (x, y) in zip(ser.xs, ser.ys) {
                if let a = tx(x), let b = ty(y) { cur.append((px(a), py(b))) } else if !cur.isEmpty { runs.append(cur); cur = [] }
            }
            if !cur.isEmpty { runs.append(cur) }
            for run in runs {
                if !ser.scatter {
                    s += "<polyline points=\"" + run.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " ") + "\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
                }
                if ser.scatter || ser.markers {
                    for p in run { s += "<circle cx=\"\(fmt(p.0))\" cy=\"\(fmt(p.1))\" r=\"3\" fill=\"\(color)\"/>\n" }
                }
            }
        }
        // Legend.
        let labelled = series.enumerated().filter { $0.element.label != nil }
        if !labelled.isEmpty {
            let lw = 20 + 7.0 * Double(labelled.map { $0.element.label?.count ?? 0 }.max() ?? 0) + 24
            let lx = L + pw - lw - 8, ly = T + 8
            s += "<rect x=\"\(fmt(lx))\" y=\"\(fmt(ly))\" width=\"\(fmt(lw))\" height=\"\(fmt(Double(labelled.count) * 18 + 8))\" fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n"
            for (k, (i, ser)) in labelled.enumerated() {
                let color = Plot.palette[i % Plot.palette.count], y = ly + 16 + Double(k) * 18
                s += "<line x1=\"\(fmt(lx + 6))\" y1=\"\(fmt(y - 4))\" x2=\"\(fmt(lx + 26))\" y2=\"\(fmt(y - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
                s += "<text x=\"\(fmt(lx + 32))\" y=\"\(fmt(y))\">\(escapeHTML(ser.label ?? ""))</text>\n"
            }
        }
        return s + "</svg>\n"
    }

    /// Contour segments of `z` (ny × nx grid over xs × ys) at `level`, by marching squares.
    public static func marchingSquares(xs: [Double], ys: [Double], z: [[Double]], level: Double) -> [(Double, Double, Double, Double)] {
        var segs = [(Double, Double, Double, Double)]()
        guard xs.count >= 2, ys.count >= 2 else { return segs }
        func interp(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> (Double, Double) {
            let t = a.2 == b.2 ? 0.5 : (level - a.2) / (b.2 - a.2)
            return (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
        }
        for j in 0..<(ys.count - 1) {
            for i in 0..<(xs.count - 1) {
                let c = [(xs[i], ys[j], z[j][i]), (xs[i + 1], ys[j], z[j][i + 1]), (xs[i + 1], ys[j + 1], z[j + 1][i + 1]), (xs[i], ys[j + 1], z[j + 1][i])]
                guard c.allSatisfy({ $0.2.isFinite }) else { continue }
                // Points where the level crosses each of the 4 edges.
                var pts = [(Double, Double)]()
                for e in 0..<4 {
                    let a = c[e], b = c[(e + 1) % 4]
                    if (a.2 >= level) != (b.2 >= level) { pts.append(interp(a, b)) }
                }
                if pts.count == 2 { segs.append((pts[0].0, pts[0].1, pts[1].0, pts[1].1)) }
                if pts.count == 4 { segs.append((pts[0].0, pts[0].1, pts[1].0, pts[1].1)); segs.append((pts[2].0, pts[2].1, pts[3].0, pts[3].1)) }
            }
        }
        return segs
    }
}
