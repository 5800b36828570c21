import Foundation
import NablaAutograd
import NablaLanguage
import NablaTensor

/// A value rendered for Jupyter: MIME type → text, plus per-type metadata.
public struct MimeBundle: Equatable, Sendable {
    public var data: [String: String]
    public var metadata: [String: [String: String]]
    public init(data: [String: String], metadata: [String: [String: String]] = [:]) {
        self.data = data; self.metadata = metadata
    }
}

/// Turns language values into MIME bundles. No sockets here: the kernel sends the bundles.
public struct Renderer {
    public let precision: Int
    public init(precision: Int = 4) { self.precision = precision }

    public func bundle(_ v: Value, interpreter: Interpreter) -> MimeBundle {
        var data = ["text/plain": interpreter.repr(v)]
        switch v {
        case let .tensor(t):
            data["text/latex"] = "$" + latex(t.value) + "$"
            // Frontends that prefer HTML (JupyterLab ranks it above LaTeX) still get the typeset matrix.
            if t.value.rank == 2 { data["text/html"] = "<div class=\"nabla-tensor\">\\(" + escapeHTML(latex(t.value)) + "\\)</div>" }
            if let g = t.grad, t.isLeaf {
                data["text/latex"] = "$" + latex(t.value) + ",\\quad \\nabla = " + latex(g) + "$"
                data["text/plain"] = interpreter.repr(v) + "\ngrad: " + g.formatted(precision: precision)
            }
        case let .object(o as RichObject):
            data.merge(o.mimeData(precision: precision)) { _, new in new }
        case let .object(img as PILImage):
            if let png = img.png { data["image/png"] = Data(png).base64EncodedString() }
        default: break
        }
        return MimeBundle(data: data)
    }

    /// LaTeX for a tensor: scalars plain, vectors as a column, matrices as a bmatrix.
    public func latex(_ t: Tensor) -> String {
        func num(_ x: Double) -> String {
            let s = Tensor.formatNumber(x, precision: precision)
            guard let e = s.firstIndex(of: "e") else { return s.replacingOccurrences(of: "inf", with: "\\infty").replacingOccurrences(of: "nan", with: "\\text{nan}") }
            let mant = s[..<e], exp = Int(s[s.index(after: e)...]) ?? 0
            return "\(mant) \\times 10^{\(exp)}"
        }
        switch t.rank {
        case 0: return num(t.data[0])
        case 1:
            if t.count > 40 { return "\\text{tensor of shape } " + formatShape(t.shape).replacingOccurrences(of: ",", with: ",\\,") }
            return "\\begin{bmatrix}" + t.data.map(num).joined(separator: " \\\\ ") + "\\end{bmatrix}"
        case 2 where t.shape[0] <= 30 && t.shape[1] <= 30:
            let (r, c) = (t.shape[0], t.shape[1])
            let rows = (0..<r).map { i in (0..<c).map { j in num(t.data[i * c + j]) }.joined(separator: " & ") }
            return "\\begin{bmatrix}" + rows.joined(separator: " \\\\ ") + "\\end{bmatrix}"
        default:
            return "\\text{tensor of shape } " + formatShape(t.shape).replacingOccurrences(of: ",", with: ",\\,")
        }
    }

}

/// Objects with rich forms of their own (tables, plots, graphs) give their MIME data here.
public protocol RichObject: NablaObject {
    func mimeData(precision: Int) -> [String: String]
}

/// Escapes text for HTML and SVG: every label a student types stays text.
public func escapeHTML(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for ch in s {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(ch)
        }
    }
    return out
}
