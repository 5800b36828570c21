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
        subcommands: [Run.self, KernelCommand.self, Install.self, Report.self, ReferenceCommand.self])
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
    func run() { print(Reference.markdown { DisplayLibrary.register(in: $0) }, terminator: "") }
}

struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kernel",
        abstract: "Run as a Jupyter kernel (what kernel.json starts).",
        discussion: "Without -f (or with a file that does not exist yet), the kernel picks free ports and a random key, writes the connection file (in Jupyter's runtime dir by default) and prints its path.")

    @Option(name: .short, help: "The connection file Jupyter wrote.") var f: String?
    @Flag(help: "In a connection file the kernel writes itself, add CurveZMQ keys (curve_publickey, curve_secretkey): every socket then encrypts.") var curve = false

    func run() throws { try KernelCommand.serve(connectionFile: f, curve: curve) }

    /// Serves the kernel on the connection file `f` (written first when it does not exist).
    static func serve(connectionFile f: String?, curve: Bool) throws {
        KernelProcess.ignoreSignals()
        let log = KernelProcess.log
        var info: ConnectionInfo
        var written: String? = nil
        if let f, FileManager.default.fileExists(atPath: f) {
            do { info = try ConnectionInfo(file: f) } catch {
                log("\(error)")
                throw ExitCode(2)
            }
        } else {
            info = .fresh()
            if curve {
                do { info.curve = try CurveKeys.generate() } catch {
                    log("\(error)")
                    throw ExitCode(2)
                }
            }
            written = f ?? KernelProcess.runtimeDir().appendingPathComponent("kernel-\(getpid()).json").path
        }
        let server: KernelServer
        do {
            server = try KernelServer(info: info, historyFile: KernelProcess.historyFile(), log: log)
            if let written {
                try server.info.write(to: written)
                KernelProcess.say("To connect another client to this kernel, use:\n    --existing \(written)\n")
            }
        } catch {
            log("\(error)")
            throw ExitCode(1)
        }
        defer { if let written { try? FileManager.default.removeItem(atPath: written) } }
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
Allocator.keepLargeBuffers()
// What a kernelspec starts, `nabla kernel -f FILE`, skips ArgumentParser: its parse (reflection
// over every protocol conformance in the binary) was a fifth of the kernel's start-up.
let arguments = CommandLine.arguments.dropFirst()
if arguments.count == 3, arguments.first == "kernel", arguments.dropFirst().first == "-f",
   let file = arguments.last, !file.hasPrefix("-") {
    do { try KernelCommand.serve(connectionFile: file, curve: false) } catch { KernelCommand.exit(withError: error) }
} else {
    Nabla.main()
}
