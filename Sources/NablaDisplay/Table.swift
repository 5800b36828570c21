import Foundation
import NablaAutograd
import NablaLanguage
import NablaTensor

/// A labelled table: `table(S, rows=[...], cols=[...])` or columns `table(p=..., y=...)`.
/// Cells are numbers or text; rendered as an HTML table, Markdown and aligned plain text.
public final class Table: RichObject {
    public let columns: [String]
    public let rowLabels: [String]?
    public let cells: [[Cell]]
    public let title: String?

    public enum Cell {
        case number(Double), text(String)
        /// Typeset math in HTML (MathJax), with a plain-text form for text/plain.
        case math(latex: String, plain: String)
    }

    public init(columns: [String], rowLabels: [String]?, cells: [[Cell]], title: String? = nil) {
        self.columns = columns; self.rowLabels = rowLabels; self.cells = cells; self.title = title
    }

    public var typeName: String { "table" }
    public var attributeNames: [String] { [] }
    public func attribute(_ name: String) -> Value? { nil }

    func format(_ c: Cell, _ precision: Int) -> String {
        switch c {
        case let .number(x): return Tensor.formatNumber(x, precision: precision)
        case let .text(s): return s
        case let .math(_, plain): return plain
        }
    }

    public var text: String { plain(precision: 4) }

    func plain(precision: Int) -> String {
        let head = (rowLabels == nil ? [] : [""]) + columns
        let body = cells.enumerated().map { i, row in (rowLabels.map { [$0[i]] } ?? []) + row.map { format($0, precision) } }
        let all = [head] + body
        // Cells may span several lines (matrices): pad each row to its tallest cell.
        let widths = (0..<head.count).map { j in all.map { $0[j].split(separator: "\n").map(\.count).max() ?? 0 }.max() ?? 0 }
        var lines = title.map { [$0] } ?? []
        for r in all {
            let parts = r.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
            let height = parts.map(\.count).max() ?? 1
            for k in 0..<height {
                lines.append(parts.enumerated().map { j, p in
                    let s = k < p.count ? p[k] : ""
                    let pad = String(repeating: " ", count: widths[j] - s.count)
                    return p.count == 1 ? pad + s : s + pad   // numbers and labels right-aligned
                }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
            }
        }
        return lines.joined(separator: "\n")
    }

    public func mimeData(precision: Int) -> [String: String] {
        var html = "<table class=\"nabla-table\">"
        if let title { html += "<caption>\(escapeHTML(title))</caption>" }
        html += "<thead><tr>" + (rowLabels == nil ? "" : "<th></th>") + columns.map { "<th>\(escapeHTML($0))</th>" }.joined() + "</tr></thead><tbody>"
        for (i, row) in cells.enumerated() {
            html += "<tr>"
            if let rowLabels { html += "<th>\(escapeHTML(rowLabels[i]))</th>" }
            for c in row {
                switch c {
                case .number: html += "<td style=\"text-align:right\">\(escapeHTML(format(c, precision)))</td>"
                case .text: html += "<td style=\"text-align:left\">\(escapeHTML(format(c, precision)))</td>"
                case let .math(latex, _): html += "<td style=\"text-align:center\">\\(\(escapeHTML(latex))\\)</td>"
                }
            }
            html += "</tr>"
        }
        html += "</tbody></table>"
        func md(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        let mdHead = (rowLabels == nil ? [] : [""]) + columns
        var markdown = "| " + mdHead.map(md).joined(separator: " | ") + " |\n|" + mdHead.map { _ in "---:|" }.joined() + "\n"
        for (i, row) in cells.enumerated() {
            markdown += "| " + ((rowLabels.map { [md($0[i])] } ?? []) + row.map { md(format($0, precision)) }).joined(separator: " | ") + " |\n"
        }
        return ["text/html": html, "text/markdown": markdown, "text/plain": plain(precision: precision)]
    }
}
