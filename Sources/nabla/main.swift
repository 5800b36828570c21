import ArgumentParser
import Foundation
import NablaLanguage

/// `nabla`: the one executable. `nabla run FILE` runs a script; the kernel adds its commands.
struct Nabla: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Nabla: a tensor language with autograd, for learning how models learn.",
        subcommands: [Run.self, ReferenceCommand.self])
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a .nabla script, printing results as text. Cells may be separated by '# %%' lines; each cell's final expression is printed.")

    @Argument(help: "The script to run.") var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            FileHandle.standardError.write(Data("nabla: cannot read \(file)\n".utf8))
            throw ExitCode(2)
        }
        let source = String(decoding: data, as: UTF8.self)
        let session = Session()
        let sink = TextSink(interpreter: session.interpreter, readsStandardInput: true)
        let formatter = DiagnosticFormatter(color: false)
        for (code, firstLine) in Script.cells(source) {
            // Leading newlines keep line numbers those of the file.
            let outcome = session.execute(String(repeating: "\n", count: firstLine - 1) + code, sink: sink)
            let (out, err) = sink.take()
            FileHandle.standardOutput.write(Data(out.utf8))
            FileHandle.standardError.write(Data(err.utf8))
            switch outcome {
            case let .ok(v?): FileHandle.standardOutput.write(Data((session.interpreter.repr(v) + "\n").utf8))
            case .ok(nil): break
            case let .error(e):
                let report = formatter.lines(e, source: { session.interpreter.sources[$0] }, cellName: { _ in file }).joined(separator: "\n")
                FileHandle.standardError.write(Data((report + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }
}

struct ReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reference",
        abstract: "Print the builtin reference (Markdown) that docs/language.md includes.")
    func run() { print(Reference.markdown(), terminator: "") }
}

Nabla.main()
