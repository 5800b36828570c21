import ArgumentParser
import Foundation

/// `nabla report`: executes notebooks with this kernel and writes HTML and PDF reports. The work
/// is done by the `nabla_report` Python package (nbclient, nbconvert, MathJax, Chromium), run by
/// the Python of the active environment.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Execute notebooks with the Nabla kernel and write reports/NAME.html and reports/NAME.pdf (title, contents, page numbers, nothing cut at the page edge).")

    @Argument(help: "Notebook files, or parts of the names of notebooks in ./notebooks (default: all of them).") var notebooks: [String] = []
    @Option(help: "The folder for the reports.") var out = "reports"

    func run() throws {
        // The environment's Python: the active venv's, else the first python3 on PATH.
        let env = ProcessInfo.processInfo.environment
        let python = env["VIRTUAL_ENV"].map { $0 + "/bin/python" }.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python ?? "/usr/bin/env")
        process.arguments = (python == nil ? ["python3"] : []) + ["-c", Report.launcher, "--out", out] + notebooks
        do { try process.run() } catch {
            FileHandle.standardError.write(Data("nabla report: cannot start Python: \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
        process.waitUntilExit()
        throw ExitCode(process.terminationStatus)
    }

    /// Runs nabla_report, or says how to install it when it is missing.
    static let launcher = """
    import sys
    sys.argv[0] = 'nabla report'
    try:
        import nabla_report
    except ImportError as e:
        sys.exit(f'nabla report needs the nabla_report Python package ({e}); install it with: pip install ./python/nabla_report (make lab and make test do)')
    sys.exit(nabla_report.cli())
    """
}
