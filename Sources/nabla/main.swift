import ArgumentParser
import Foundation
import NablaDisplay
import NablaKernel
import NablaLanguage
import NablaTensor

/// `nabla`: the one executable. `nabla run FILE` runs a script; the kernel adds its commands.
struct Nabla: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Nabla: a tensor language with autograd, for learning how models learn.",
        version: "nabla \(Kernel.version)\nBLAS: \(BLAS.summary)",
        subcommands: [Run.self, KernelCommand.self, Install.self, ReferenceCommand.self])
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
        DisplayLibrary.register(in: session.interpreter)
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

struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kernel",
        abstract: "Run as a Jupyter kernel (what kernel.json starts).")

    @Option(name: .short, help: "The connection file Jupyter wrote.") var f: String

    func run() throws {
        setvbuf(stderr, nil, _IONBF, 0)
        let log: (String) -> Void = { FileHandle.standardError.write(Data("[nabla] \($0)\n".utf8)) }
        let info: ConnectionInfo
        do { info = try ConnectionInfo(file: f) } catch {
            log("\(error)")
            throw ExitCode(2)
        }
        let dataDir = ProcessInfo.processInfo.environment["JUPYTER_DATA_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/jupyter")
        // NABLA_HISTORY_FILE names the history file; set empty, history stays in memory.
        let historyFile: URL?
        if let h = ProcessInfo.processInfo.environment["NABLA_HISTORY_FILE"] {
            historyFile = h.isEmpty ? nil : URL(fileURLWithPath: h)
        } else {
            historyFile = dataDir.appendingPathComponent("nabla_history.jsonl")
        }
        let server = try KernelServer(info: info, historyFile: historyFile, log: log)
        server.installSigintHandler()
        server.serve()
    }
}

struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install the Nabla kernelspec so Jupyter can start this binary.")

    @Flag(help: "Install for the current user (the default).") var user = false
    @Flag(name: .customLong("sys-prefix"), help: "Install into the active Python environment (VIRTUAL_ENV).") var sysPrefix = false
    @Option(help: "Install into PREFIX/share/jupyter/kernels.") var prefix: String?
    @Option(help: "The kernelspec's name.") var name = "nabla"
    @Option(help: "Folder holding kernel.json and the logos.") var template: String?

    func run() throws {
        let location: KernelspecInstaller.Location = prefix.map { .prefix($0) } ?? (sysPrefix ? .sysPrefix : .user)
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath().path
        let resolved = exe.hasPrefix("/") ? exe : FileManager.default.currentDirectoryPath + "/" + exe
        let defaultTemplate = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("kernelspec")
        let dir = try KernelspecInstaller.install(name: name, location: location, executable: Install.executablePath() ?? resolved,
                                                  template: template.map { URL(fileURLWithPath: $0) } ?? defaultTemplate)
        print("Installed kernelspec \(name) in \(dir.path)")
    }

    /// The absolute path of the running binary.
    static func executablePath() -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    }
}

// OpenBLAS's kernels and threads first: this may re-execute the program once.
if let warning = BLAS.configureAtStartup() { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
Nabla.main()
