import Foundation
import NablaLanguage
import NablaTensor

/// A 2-d figure as self-contained SVG (no scripts, no external fonts): line and scatter
/// series with markers and a legend, axis labels, round-number ticks, log scales, equal aspect,
/// vertical marks, and labelled contour lines with a path or points drawn over them.
public final class Plot: RichObject {
    /// A point's shape; scatter plots by class give each class its own, so print in grey reads too.
    public enum Marker: String, CaseIterable, Sendable {
        case circle = "o", square = "s", triangle = "^", diamond = "D", cross = "x", plus = "+"
    }

    public struct Series {
        public var xs: [Double], ys: [Double]
        public var label: String?
        public var scatter: Bool
        public var markers: Bool = false
        /// The points' shape when drawn (scatter or markers); a circle when nil.
        public var marker: Marker? = nil
        /// Index into the palette; the series' position when nil.
        public var color: Int? = nil
        /// An SVG stroke-dasharray for dashed or dotted lines; solid when nil.
        public var dash: String? = nil
    }

    public struct ContourLevel {
        public var level: Double
        public var segments: [(Double, Double, Double, Double)]
    }

    public var series: [Series] = []
    public var contours: [ContourLevel] = []
    /// Write each contour's value on its line.
    public var labelContours = false
    public var marks: [Double] = []
    public var title = "", xlabel = "", ylabel = ""
    public var logx = false, logy = false
    /// One unit is as long on x as on y (circles stay round, gradients stay perpendicular to contours).
    public var equalAspect = false
    public var showLegend = true
    /// Axis ranges set by the program (matplotlib's xlim/ylim); data outside is clipped.
    public var xlim: (Double, Double)?, ylim: (Double, Double)?

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

    /// Ticks for a log axis spanning 10^lo … 10^hi, as exponents: whole decades when the axis
    /// spans several, else 1, 2, 5 (or every digit) times a power of ten.
    static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo else { return [lo] }
        if hi - lo >= 2 {
            let step = max(1, Foundation.ceil((hi - lo) / 7))
            return stride(from: Foundation.ceil(lo), through: Foundation.floor(hi), by: step).map { $0 }
        }
        for mantissas in [[1.0, 2, 5], [1.0, 2, 3, 4, 5, 6, 7, 8, 9]] {
            var out = [Double]()
            for k in Int(Foundation.floor(lo))...Int(Foundation.ceil(hi)) {
                for m in mantissas {
                    let e = Double(k) + Foundation.log10(m)
                    if e >= lo - 1e-9 && e <= hi + 1e-9 { out.append(e) }
                }
            }
            if out.count >= 3 { return out }
        }
        return ticks(lo, hi)
    }

    func bounds() -> (Double, Double, Double, Double) {
        var xs = [Double](), ys = [Double]()
        for s in series {
            for (x, y) in zip(s.xs, s.ys) { if let a = tx(x), let b = ty(y) { xs.append(a); ys.append(b) } }
        }
        for c in contours { for s in c.segments { xs += [s.0, s.2]; ys += [s.1, s.3] } }
        for m in marks { if let a = tx(m) { xs.append(a) } }
        guard var x0 = xs.min(), var x1 = xs.max(), var y0 = ys.min(), var y1 = ys.max() else {
            return (xlim.flatMap { tx($0.0) } ?? 0, xlim.flatMap { tx($0.1) } ?? 1, ylim.flatMap { ty($0.0) } ?? 0, ylim.flatMap { ty($0.1) } ?? 1)
        }
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        if contours.isEmpty { let pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad }
        if contours.isEmpty, series.contains(where: { $0.scatter }) { let pad = (x1 - x0) * 0.04; x0 -= pad; x1 += pad }
        if let (a, b) = xlim, let a = tx(a), let b = tx(b), b != a { (x0, x1) = (a, b) }
        if let (a, b) = ylim, let a = ty(a), let b = ty(b), b != a { (y0, y1) = (a, b) }
        if equalAspect {
            // Widen the shorter range about its middle until units per pixel agree.
            let pw = Plot.width - Plot.left - Plot.right, ph = Plot.height - Plot.top - Plot.bottom
            let perPixel = max((x1 - x0) / pw, (y1 - y0) / ph)
            let (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2)
            (x0, x1) = (cx - perPixel * pw / 2, cx + perPixel * pw / 2)
            (y0, y1) = (cy - perPixel * ph / 2, cy + perPixel * ph / 2)
        }
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
            guard log else { return Tensor.formatNumber(v, precision: 4) }
            let value = Foundation.pow(10, v)
            return Swift.abs(v) <= 4 ? Tensor.formatNumber(value, precision: 3) : (v == v.rounded() ? "1e\(Int(v))" : Tensor.formatNumber(value, precision: 3))
        }
        for t in (logx ? Plot.logTicks(x0, x1) : Plot.ticks(x0, x1)) where t >= x0 - 1e-12 && t <= x1 + 1e-12 {
            s += "<line x1=\"\(fmt(px(t)))\" y1=\"\(fmt(T))\" x2=\"\(fmt(px(t)))\" y2=\"\(fmt(T + ph))\" stroke=\"#e6e6e6\"/>\n"
            s += "<text x=\"\(fmt(px(t)))\" y=\"\(fmt(T + ph + 16))\" text-anchor=\"middle\">\(escapeHTML(label(t, log: logx)))</text>\n"
        }
        for t in (logy ? Plot.logTicks(y0, y1) : Plot.ticks(y0, y1)) where t >= y0 - 1e-12 && t <= y1 + 1e-12 {
            s += "<line x1=\"\(fmt(L))\" y1=\"\(fmt(py(t)))\" x2=\"\(fmt(L + pw))\" y2=\"\(fmt(py(t)))\" stroke=\"#e6e6e6\"/>\n"
            s += "<text x=\"\(fmt(L - 6))\" y=\"\(fmt(py(t) + 4))\" text-anchor=\"end\">\(escapeHTML(label(t, log: logy)))</text>\n"
        }
        s += "<rect x=\"\(fmt(L))\" y=\"\(fmt(T))\" width=\"\(fmt(pw))\" height=\"\(fmt(ph))\" fill=\"none\" stroke=\"#444\"/>\n"
        if !xlabel.isEmpty { s += "<text x=\"\(fmt(L + pw / 2))\" y=\"\(fmt(H - 12))\" text-anchor=\"middle\">\(escapeHTML(xlabel))</text>\n" }
        if !ylabel.isEmpty { s += "<text x=\"16\" y=\"\(fmt(T + ph / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(fmt(T + ph / 2)))\">\(escapeHTML(ylabel))</text>\n" }
        // Contours, coloured from dark blue (low) to yellow (high) by their value.
        let levelValues = contours.map(\.level)
        let (lowest, highest) = (levelValues.min() ?? 0, levelValues.max() ?? 0)
        var contourLabels = "", placed = [(Double, Double)]()
        for c in contours {
            let f = highest > lowest ? (c.level - lowest) / (highest - lowest) : 0
            let rgb = (40 + 200 * f, 60 + 150 * f, 160 - 120 * f)
            let color = String(format: "#%02x%02x%02x", Int(rgb.0), Int(rgb.1), Int(rgb.2))
            var d = ""
            for seg in c.segments { d += "M\(fmt(px(seg.0))) \(fmt(py(seg.1)))L\(fmt(px(seg.2))) \(fmt(py(seg.3)))" }
            if !d.isEmpty { s += "<path d=\"\(d)\" stroke=\"\(color)\" fill=\"none\" stroke-width=\"1.2\"/>\n" }
            // The value, on a white halo, where the line is far from the frame and from the other labels.
            guard labelContours else { continue }
            var best: (Double, Double, Double)?
            for seg in c.segments {
                let (lx, ly) = (px((seg.0 + seg.2) / 2), py((seg.1 + seg.3) / 2))
                var score = min(lx - L, L + pw - lx, ly - T, T + ph - ly)
                for q in placed { score = min(score, ((lx - q.0) * (lx - q.0) + (ly - q.1) * (ly - q.1)).squareRoot() / 2) }
                if score > (best?.2 ?? -.infinity) { best = (lx, ly, score) }
            }
            if let (lx, ly, _) = best {
                placed.append((lx, ly))
                let dark = String(format: "#%02x%02x%02x", Int(rgb.0 * 0.6), Int(rgb.1 * 0.6), Int(rgb.2 * 0.6))
                contourLabels += "<text x=\"\(fmt(lx))\" y=\"\(fmt(ly + 4))\" text-anchor=\"middle\" font-size=\"10\" fill=\"\(dark)\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\(escapeHTML(Tensor.formatNumber(c.level, precision: 3)))</text>\n"
            }
        }
        s += contourLabels
        // Vertical marks.
        for m in marks {
            guard let mx = tx(m), mx >= x0, mx <= x1 else { continue }
            s += "<line x1=\"\(fmt(px(mx)))\" y1=\"\(fmt(T))\" x2=\"\(fmt(px(mx)))\" y2=\"\(fmt(T + ph))\" stroke=\"#555\" stroke-dasharray=\"5,4\"/>\n"
            s += "<text x=\"\(fmt(px(mx) + 4))\" y=\"\(fmt(T + 12))\" fill=\"#555\">x = \(escapeHTML(Tensor.formatNumber(m)))</text>\n"
        }
        // Series: polylines broken where a value is missing (non-finite, or ≤ 0 on a log axis),
        // clipped to the frame when the program set the axis ranges.
        let clipped = xlim != nil || ylim != nil
        if clipped {
            s += "<clipPath id=\"nabla-frame\"><rect x=\"\(fmt(L))\" y=\"\(fmt(T))\" width=\"\(fmt(pw))\" height=\"\(fmt(ph))\"/></clipPath>\n<g clip-path=\"url(#nabla-frame)\">\n"
        }
        for (i, ser) in series.enumerated() {
            let color = Plot.palette[(ser.color ?? i) % Plot.palette.count]
            var runs = [[(Double, Double)]](), cur = [(Double, Double)]()
            for (x, y) in zip(ser.xs, ser.ys) {
                if let a = tx(x), let b = ty(y) { cur.append((px(a), py(b))) } else if !cur.isEmpty { runs.append(cur); cur = [] }
            }
            if !cur.isEmpty { runs.append(cur) }
            for run in runs {
                if !ser.scatter {
                    s += "<polyline points=\"" + run.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " ") + "\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(ser.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>\n"
                }
                if ser.scatter || ser.markers || ser.marker != nil {
                    for p in run { s += Plot.marker(ser.marker ?? .circle, at: p, color: color) }
                }
            }
        }
        if clipped { s += "</g>\n" }
        // Legend.
        let labelled = series.enumerated().filter { $0.element.label != nil }
        if showLegend, !labelled.isEmpty {
            let lw = 20 + 7.0 * Double(labelled.map { $0.element.label?.count ?? 0 }.max() ?? 0) + 24
            let lh = Double(labelled.count) * 18 + 8
            // The corner that hides the fewest points (top right first).
            let corners = [(L + pw - lw - 8, T + 8), (L + 8, T + 8), (L + pw - lw - 8, T + ph - lh - 8), (L + 8, T + ph - lh - 8)]
            var points = [(Double, Double)]()
            for ser in series {
                let pts = zip(ser.xs, ser.ys).compactMap { x, y in tx(x).flatMap { a in ty(y).map { (px(a), py($0)) } } }
                points += pts
                // Lines cover the space between their points too.
                if !ser.scatter, pts.count > 1, pts.count < 2_000 {
                    for (p, q) in zip(pts, pts.dropFirst()) { for k in 1..<8 { let t = Double(k) / 8; points.append((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1))) } }
                }
            }
            let hidden = corners.map { c in points.filter { $0.0 >= c.0 && $0.0 <= c.0 + lw && $0.1 >= c.1 && $0.1 <= c.1 + lh }.count }
            let (lx, ly) = corners[hidden.indices.min { hidden[$0] < hidden[$1] } ?? 0]
            s += "<rect x=\"\(fmt(lx))\" y=\"\(fmt(ly))\" width=\"\(fmt(lw))\" height=\"\(fmt(lh))\" fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n"
            for (k, (i, ser)) in labelled.enumerated() {
                let color = Plot.palette[(ser.color ?? i) % Plot.palette.count], y = ly + 16 + Double(k) * 18
                if !ser.scatter {
                    s += "<line x1=\"\(fmt(lx + 6))\" y1=\"\(fmt(y - 4))\" x2=\"\(fmt(lx + 26))\" y2=\"\(fmt(y - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
                }
                if ser.scatter || ser.marker != nil { s += Plot.marker(ser.marker ?? .circle, at: (lx + 16, y - 4), color: color) }
                s += "<text x=\"\(fmt(lx + 32))\" y=\"\(fmt(y))\">\(escapeHTML(ser.label ?? ""))</text>\n"
            }
        }
        return s + "</svg>\n"
    }

    /// One point drawn as `marker`, about 6 px across.
    static func marker(_ marker: Marker, at p: (Double, Double), color: String) -> String {
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        let (x, y) = p
        switch marker {
        case .circle: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3\" fill=\"\(color)\"/>\n"
        case .square: return "<rect x=\"\(f(x - 3))\" y=\"\(f(y - 3))\" width=\"6\" height=\"6\" fill=\"\(color)\"/>\n"
        case .triangle: return "<path d=\"M\(f(x)) \(f(y - 3.5))L\(f(x + 3.5)) \(f(y + 3))L\(f(x - 3.5)) \(f(y + 3))Z\" fill=\"\(color)\"/>\n"
        case .diamond: return "<path d=\"M\(f(x)) \(f(y - 4))L\(f(x + 4)) \(f(y))L\(f(x)) \(f(y + 4))L\(f(x - 4)) \(f(y))Z\" fill=\"\(color)\"/>\n"
        case .cross: return "<path d=\"M\(f(x - 3)) \(f(y - 3))L\(f(x + 3)) \(f(y + 3))M\(f(x - 3)) \(f(y + 3))L\(f(x + 3)) \(f(y - 3))\" stroke=\"\(color)\" stroke-width=\"1.8\"/>\n"
        case .plus: return "<path d=\"M\(f(x - 3.5)) \(f(y))L\(f(x + 3.5)) \(f(y))M\(f(x)) \(f(y - 3.5))L\(f(x)) \(f(y + 3.5))\" stroke=\"\(color)\" stroke-width=\"1.8\"/>\n"
        }
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
