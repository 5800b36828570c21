/// Scripts and notebooks-as-text: cells separated by `# %%` lines, as in VS Code and Jupytext.
public enum Script {
    /// The cells of a script and the line each starts on (1-based).
    public static func cells(_ source: String) -> [(code: String, firstLine: Int)] {
        var cells = [(String, Int)]()
        var current = [Substring](), start = 1
        for (n, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("# %%") {
                if !current.isEmpty { cells.append((current.joined(separator: "\n"), start)) }
                current = []; start = n + 2
            } else { current.append(line) }
        }
        if current.contains(where: { !$0.allSatisfy(\.isWhitespace) }) { cells.append((current.joined(separator: "\n"), start)) }
        return cells
    }
}

/// A sink that collects a cell's output as plain text (for `nabla run` and golden tests).
public final class TextSink: OutputSink {
    public private(set) var stdout = ""
    public private(set) var stderr = ""
    let interpreter: Interpreter
    /// Lines `input()` returns, in order; when empty, `readLine()` is asked if allowed.
    public var inputs: [String]
    public var readsStandardInput: Bool

    public init(interpreter: Interpreter, inputs: [String] = [], readsStandardInput: Bool = false) {
        self.interpreter = interpreter; self.inputs = inputs; self.readsStandardInput = readsStandardInput
    }

    public func take() -> (String, String) {
        defer { stdout = ""; stderr = "" }
        return (stdout, stderr)
    }

    public func write(_ text: String, stream: String) {
        if stream == "stderr" { stderr += text } else { stdout += text }
    }

    public func display(_ value: Value, id: String?, update: Bool) {
        stdout += interpreter.repr(value) + "\n"
    }

    public func clearOutput(wait: Bool) {}

    public func readInput(prompt: String, password: Bool) throws -> String {
        stdout += prompt
        if !inputs.isEmpty { return inputs.removeFirst() }
        if readsStandardInput, let line = readLine() { return line }
        throw NablaError(.value, "input() has no input to read")
    }
}
