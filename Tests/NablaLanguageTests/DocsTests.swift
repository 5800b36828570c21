import Foundation
import Testing
@testable import NablaLanguage

/// docs/language.md is checked: its examples run with the output it shows, and its builtin
/// reference is the one generated from the docstrings (`nabla reference`).
let docsURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/language.md")

@Suite struct DocsTests {
    /// (That the reference in docs/language.md is current is checked in NablaDisplayTests, which
    /// sees the display builtins too.)
    @Test func everyBuiltinHasAnExample() throws {
        for name in Interpreter().builtins.keys {
            #expect(Interpreter().builtins[name]?.example != nil || ["append"].contains(name), "builtin \(name) has no example")
        }
    }

    @Test func proseExamplesRunAsShown() throws {
        let doc = try String(contentsOf: docsURL, encoding: .utf8)
        // The explain and widgets sections need the display layer; NablaDisplayTests runs them.
        var prose = doc.components(separatedBy: "<!-- reference:start -->")[0]
        for section in ["explain", "widgets"] {
            if let a = prose.range(of: "<!-- \(section):start -->"), let b = prose.range(of: "<!-- \(section):end -->") { prose.removeSubrange(a.lowerBound..<b.upperBound) }
        }
        let blocks = prose.components(separatedBy: "```python\n").dropFirst()
        let session = Session()
        var checked = 0
        for block in blocks {
            let code = block.components(separatedBy: "\n```")[0]
            let sink = TextSink(interpreter: session.interpreter)
            var shown = ""
            switch session.execute(code, sink: sink) {
            case let .ok(v?): shown = sink.stdout + session.interpreter.repr(v) + "\n"
            case .ok(nil): shown = sink.stdout
            case let .error(e): shown = sink.stdout + "\(e)\n"
            }
            let rest = block.components(separatedBy: "\n```\n").dropFirst().joined(separator: "\n```\n")
            if rest.hasPrefix("```text\n") {
                let expected = rest.dropFirst("```text\n".count).components(separatedBy: "```")[0]
                #expect(shown == expected, "example:\n\(code)")
                checked += 1
            }
        }
        #expect(checked >= 8)
    }
}
