import Foundation
import NablaAutograd
import NablaLanguage
import NablaTensor

/// The autograd graph of a value as SVG: one box per node (name or op, value, gradient),
/// edges from inputs to results, laid out left to right by depth. No Graphviz needed.
public final class GraphView: RichObject {
    public static let maxNodes = 60
    let nodes: [Variable]
    let depth: [ObjectIdentifier: Int]
    let grads: [ObjectIdentifier: Tensor]
    let totalCount: Int

    public init(_ root: Variable) {
        // Every node reachable through inputs, found iteratively (graphs can be long chains).
        var seen = Set<ObjectIdentifier>(), order = [Variable](), stack = [root]
        while let v = stack.popLast(), order.count <= 5000 {
            guard seen.insert(ObjectIdentifier(v)).inserted else { continue }
            order.append(v)
            stack.append(contentsOf: v.inputs)
        }
        totalCount = order.count
        nodes = order.count <= GraphView.maxNodes ? order.reversed() : []
        var d = [ObjectIdentifier: Int]()
        let byCreation = nodes.sorted(by: { GraphView.creation($0) < GraphView.creation($1) })
        for v in byCreation {
            d[ObjectIdentifier(v)] = v.inputs.map { (d[ObjectIdentifier($0)] ?? 0) + 1 }.max() ?? 0
        }
        // Leaves sit just left of their first consumer, so their edges stay short.
        var leafColumn = [ObjectIdentifier: Int]()
        for v in byCreation where !v.inputs.isEmpty {
            for i in v.inputs where i.isLeaf {
                let want = (d[ObjectIdentifier(v)] ?? 1) - 1
                leafColumn[ObjectIdentifier(i)] = min(leafColumn[ObjectIdentifier(i)] ?? want, want)
            }
        }
        d.merge(leafColumn) { _, new in new }
        depth = d
        var g = [ObjectIdentifier: Tensor]()
        if !nodes.isEmpty, root.requiresGrad, root.value.count == 1 {
            let targets = nodes.filter(\.requiresGrad)
            if let gs = try? Autograd.grad(root, wrt: targets) {
                for (v, t) in zip(targets, gs) { g[ObjectIdentifier(v)] = t }
            }
        }
        grads = g
    }

    /// Creation order stands in for a topological order (inputs are always older).
    static func creation(_ v: Variable) -> Int { v.creationIndex }

    public var typeName: String { "graph" }
    public var attributeNames: [String] { [] }
    public func attribute(_ name: String) -> Value? { nil }

    static func short(_ t: Tensor) -> String {
        if t.count == 1 { return Tensor.formatNumber(t.data[0], precision: 4) }
        if t.rank == 1 && t.count <= 3 { return "[" + t.data.map { Tensor.formatNumber($0, precision: 3) }.joined(separator: ", ") + "]" }
        return "shape " + formatShape(t.shape)
    }

    func title(_ v: Variable) -> String {
        let label = v.op.name
        if let n = v.name { return v.isLeaf ? "\(n) (\(label))" : "\(n) = \(label)" }
        return label
    }

    public var text: String {
        if nodes.isEmpty { return "<autograd graph of \(totalCount)\(totalCount > 5000 ? "+" : "") nodes: too large to draw (limit \(GraphView.maxNodes))>" }
        return nodes.map { v in
            let ins = v.inputs.map { title($0) }.joined(separator: ", ")
            return title(v) + (ins.isEmpty ? "" : " ← " + ins) + " = " + GraphView.short(v.value)
                + (grads[ObjectIdentifier(v)].map { ", grad " + GraphView.short($0) } ?? "")
        }.joined(separator: "\n")
    }

    public func mimeData(precision: Int) -> [String: String] { ["image/svg+xml": svg(), "text/plain": text] }

    public func svg() -> String {
        let boxW = 150.0, boxH = 52.0, gapX = 56.0, gapY = 18.0, pad = 16.0
        if nodes.isEmpty {
            let msg = "Autograd graph of \(totalCount)\(totalCount > 5000 ? "+" : "") nodes: too large to draw (the limit is \(GraphView.maxNodes)). Draw a smaller piece, e.g. one layer."
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"60\" viewBox=\"0 0 640 60\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"13\"><rect width=\"640\" height=\"60\" fill=\"#ffffff\"/><text x=\"12\" y=\"34\">\(escapeHTML(msg))</text></svg>\n"
        }
        var columns = [Int: [Variable]]()
        for v in nodes { columns[depth[ObjectIdentifier(v)] ?? 0, default: []].append(v) }
        let maxDepth = columns.keys.max() ?? 0
        let maxRows = columns.values.map(\.count).max() ?? 1
        let W = pad * 2 + Double(maxDepth + 1) * boxW + Double(maxDepth) * gapX
        let H = pad * 2 + Double(maxRows) * boxH + Double(maxRows - 1) * gapY
        var pos = [ObjectIdentifier: (Double, Double)]()
        for (d, col) in columns {
            let colH = Double(col.count) * boxH + Double(col.count - 1) * gapY
            for (i, v) in col.enumerated() {
                pos[ObjectIdentifier(v)] = (pad + Double(d) * (boxW + gapX), pad + (H - 2 * pad - colH) / 2 + Double(i) * (boxH + gapY))
            }
        }
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(W))\" height=\"\(Int(H))\" viewBox=\"0 0 \(Int(W)) \(Int(H))\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"11\">\n"
        s += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0L10 5L0 10z\" fill=\"#666\"/></marker></defs>\n"
        s += "<rect width=\"\(Int(W))\" height=\"\(Int(H))\" fill=\"#ffffff\"/>\n"
        for v in nodes {
            guard let (x, y) = pos[ObjectIdentifier(v)] else { continue }
            for i in v.inputs {
                guard let (ix, iy) = pos[ObjectIdentifier(i)] else { continue }
                s += "<path d=\"M\(f(ix + boxW)) \(f(iy + boxH / 2))C\(f(ix + boxW + gapX / 2)) \(f(iy + boxH / 2)) \(f(x - gapX / 2)) \(f(y + boxH / 2)) \(f(x)) \(f(y + boxH / 2))\" fill=\"none\" stroke=\"#666\" marker-end=\"url(#arrow)\"/>\n"
            }
        }
        for v in nodes {
            guard let (x, y) = pos[ObjectIdentifier(v)] else { continue }
            let fill = v.op == .param ? "#fff3cd" : (v.isLeaf ? "#eeeeee" : "#dbe8fb")
            s += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(boxW))\" height=\"\(f(boxH))\" rx=\"6\" fill=\"\(fill)\" stroke=\"#4a6fa5\"/>\n"
            s += "<text x=\"\(f(x + 8))\" y=\"\(f(y + 16))\" font-weight=\"bold\">\(escapeHTML(String(title(v).prefix(22))))</text>\n"
            s += "<text x=\"\(f(x + 8))\" y=\"\(f(y + 31))\">value \(escapeHTML(GraphView.short(v.value)))</text>\n"
            if let g = grads[ObjectIdentifier(v)] {
                s += "<text x=\"\(f(x + 8))\" y=\"\(f(y + 45))\" fill=\"#a0301e\">grad \(escapeHTML(GraphView.short(g)))</text>\n"
            }
        }
        return s + "</svg>\n"
    }
}
