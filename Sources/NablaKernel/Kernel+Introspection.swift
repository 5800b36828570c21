import Foundation
import NablaLanguage

extension Kernel {
    /// `cursor_pos` in Unicode code points (protocol 5.2), clamped into `0...count`; absent,
    /// the end of the code.
    static func cursor(_ pos: Int?, in code: String) -> Int {
        let count = code.unicodeScalars.count
        guard let pos else { return count }
        return min(max(pos, 0), count)
    }

    /// IPython's verdict: a trailing newline after a parsed block ends it (`complete`), a
    /// block header or an open bracket asks for more with the next indent, bad syntax is `invalid`.
    static func isComplete(_ code: String) -> Completeness {
        Session.isComplete(code.hasSuffix("\n") && !code.hasSuffix("\n\n") ? code + "\n" : code)
    }
}
