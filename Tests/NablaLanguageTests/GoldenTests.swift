import Foundation
import Testing
@testable import NablaLanguage

/// Golden cases, literate style: each `.nabla` file in Golden/ is a sequence of cells split by
/// `# %%` lines; the `#> ` lines ending a cell are the output it must produce (prints, the
/// final value, or the rendered diagnostic). `NABLA_RECORD=1 swift test` rewrites them.
let goldenDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

func goldenFiles() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: goldenDir.path)) ?? []).filter { $0.hasSuffix(".nabla") }.sorted()
}

/// Runs one cell and renders what a student would read, as plain text.
func runCell(_ session: Session, _ code: String) -> String {
    let sink = TextSink(interpreter: session.interpreter, inputs: ["42"])
    let outcome = session.execute(code, sink: sink)
    var out = sink.stdout + sink.stderr
    switch outcome {
    case let .ok(v?): out += session.interpreter.repr(v) + "\n"
    case .ok(nil): break
    case let .error(e):
        out += DiagnosticFormatter().lines(e, source: { session.interpreter.sources[$0] }, cellName: { "cell \($0)" }).joined(separator: "\n") + "\n"
    }
    return out
}

@Suite struct GoldenTests {
    @Test(arguments: goldenFiles())
    func golden(_ file: String) throws {
        let url = goldenDir.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let session = Session()
        var rewritten = [String]()
        let chunks = text.components(separatedBy: "\n# %%\n")
        for (n, chunk) in chunks.enumerated() {
            let lines = chunk.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let code = lines.filter { !$0.hasPrefix("#>") }
            let expected = lines.filter { $0.hasPrefix("#>") }.map { String($0.dropFirst(2)).trimmed(" ") == "" ? "" : String($0.dropFirst(3)) }
            var codeText = code
            while codeText.last == "" { codeText.removeLast() }
            let actual = runCell(session, codeText.joined(separator: "\n"))
            var actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if actualLines.last == "" { actualLines.removeLast() }
            rewritten.append((codeText + actualLines.map { $0.isEmpty ? "#>" : "#> " + $0 }).joined(separator: "\n") + (n == chunks.count - 1 ? "\n" : ""))
            if ProcessInfo.processInfo.environment["NABLA_RECORD"] == nil {
                #expect(actualLines == expected, "\(file), cell \(n + 1):\n\(codeText.joined(separator: "\n"))")
            }
        }
        if ProcessInfo.processInfo.environment["NABLA_RECORD"] != nil {
            try rewritten.joined(separator: "\n# %%\n").write(to: url, atomically: true, encoding: .utf8)
        }
    }
}
