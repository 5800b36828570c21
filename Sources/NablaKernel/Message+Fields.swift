import Foundation
import NablaLanguage

/// Typed reads of a request's content: a field of the wrong JSON type reads as absent, so a
/// handler falls back to its default instead of trusting the client.
extension Message {
    func string(_ key: String) -> String? { content[key] as? String }
    func int(_ key: String) -> Int? { content[key] is Bool ? nil : content[key] as? Int }
    func bool(_ key: String) -> Bool? { content[key] as? Bool }
}

extension Kernel {
    /// `cursor_pos` in Unicode code points (protocol 5.2), clamped into `0...count`; absent
    /// or not an integer, the end of the code.
    static func cursor(_ msg: Message, in code: String) -> Int {
        let count = code.unicodeScalars.count
        guard let c = msg.int("cursor_pos") else { return count }
        return min(max(c, 0), count)
    }

    /// IPython's verdict: a trailing newline after a parsed block ends it (`complete`), a
    /// block header or an open bracket asks for more with the next indent, bad syntax is `invalid`.
    static func isComplete(_ code: String) -> Completeness {
        Session.isComplete(code.hasSuffix("\n") && !code.hasSuffix("\n\n") ? code + "\n" : code)
    }
}
