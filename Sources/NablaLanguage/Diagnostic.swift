/// A range of source text, 1-based lines and columns (columns count Unicode characters).
/// `cell` numbers the executed sources of a session, so an error inside a function defined
/// in an earlier cell points into that cell's text.
public struct Span: Equatable, Sendable {
    public var line: Int, column: Int, endLine: Int, endColumn: Int
    public var cell: Int = 0

    public init(line: Int, column: Int, endLine: Int, endColumn: Int, cell: Int = 0) {
        self.line = line; self.column = column; self.endLine = endLine; self.endColumn = endColumn; self.cell = cell
    }

    public static let unknown = Span(line: 0, column: 0, endLine: 0, endColumn: 0)

    /// The span from the start of `self` to the end of `other`.
    func through(_ other: Span) -> Span {
        Span(line: line, column: column, endLine: other.endLine, endColumn: other.endColumn, cell: cell)
    }
}

/// The kinds of error a student can meet, named as Python names them where Python has one.
public enum ErrorKind: String, Sendable, CaseIterable {
    case syntax = "SyntaxError"
    case name = "NameError"
    case type = "TypeError"
    case shape = "ShapeError"
    case index = "IndexError"
    case value = "ValueError"
    case assertion = "AssertionError"
    case recursion = "RecursionError"
    case memory = "MemoryError"
    case key = "KeyError"
    case zeroDivision = "ZeroDivisionError"
    case notImplemented = "NotImplementedError"
    case runtime = "RuntimeError"
    case attribute = "AttributeError"
    case overflow = "OverflowError"
    case stopIteration = "StopIteration"
    case unboundLocal = "UnboundLocalError"
    case importError = "ImportError"
    case moduleNotFound = "ModuleNotFoundError"
    case os = "OSError"
    case fileNotFound = "FileNotFoundError"
    case fileExists = "FileExistsError"
    case exception = "Exception"
    case arithmetic = "ArithmeticError"
    case lookup = "LookupError"
    /// Also what the frontend's interrupt raises (`Interpreter.interrupted`).
    case keyboardInterrupt = "KeyboardInterrupt"
}

/// The exception object a `raise` threw (an instance of a class), carried with the error so
/// `except E as e` gets it back.
public final class ExceptionPayload: @unchecked Sendable {   // immutable; unchecked because Value holds class references
    public let value: Value
    /// The class name as Python shows it (a user class such as `InsufficientFunds`).
    public let className: String
    init(_ value: Value, className: String) { self.value = value; self.className = className }
}

/// One DSL call on the stack when an error happened: the function and where it was called.
public struct Frame: Equatable, Sendable {
    public var function: String
    public var span: Span
}

/// A typed error from lexing, parsing or running a cell: what, where, and the DSL call stack.
public struct NablaError: Error, Equatable, Sendable, CustomStringConvertible {
    public var kind: ErrorKind
    public var message: String
    public var span: Span
    /// Outermost call first; empty for errors at the top level of a cell.
    public var stack: [Frame] = []
    /// The raised object, when Python code raised one.
    public var payload: ExceptionPayload?

    public init(_ kind: ErrorKind, _ message: String, at span: Span = .unknown) {
        self.kind = kind; self.message = message; self.span = span
    }

    /// The exception's class name: a user-defined class's own name, or the kind's.
    public var typeName: String { payload?.className ?? kind.rawValue }

    public var description: String { message.isEmpty ? typeName : "\(typeName): \(message)" }

    public static func == (a: NablaError, b: NablaError) -> Bool {
        a.kind == b.kind && a.message == b.message && a.span == b.span && a.stack == b.stack && a.typeName == b.typeName
    }
}

/// Renders a NablaError for people: the message, the source line with a caret under the span,
/// and the DSL calls that led there. Plain text, or ANSI-coloured for Jupyter frontends.
public struct DiagnosticFormatter: Sendable {
    public var color: Bool
    public init(color: Bool = false) { self.color = color }

    private func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    /// The lines of a report: location, source excerpt with caret, stack, and the message.
    /// `source` gives the text of a cell and `cellName` what to call it ("In [3]").
    public func lines(_ e: NablaError, source: (Int) -> String?, cellName: (Int) -> String) -> [String] {
        var out = [String]()
        func excerpt(_ span: Span, label: String) {
            guard span.line >= 1 else { return }
            let srcLines = (source(span.cell) ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            out.append(paint("  \(label), line \(span.line)", "32"))
            guard span.line <= srcLines.count else { return }
            let text = srcLines[span.line - 1]
            let trimmed = text.drop { $0 == " " || $0 == "\t" }
            let dropped = text.count - trimmed.count
            out.append("    " + trimmed)
            let start = max(span.column - 1 - dropped, 0)
            let end = span.endLine == span.line ? max(span.endColumn - 1 - dropped, start + 1) : trimmed.count
            let width = max(min(end, trimmed.count + 1) - start, 1)
            out.append("    " + String(repeating: " ", count: start) + paint(String(repeating: "^", count: width), "31;1"))
        }
        if !e.stack.isEmpty {
            out.append("Traceback (most recent call last):")
            // Runaway recursion repeats one frame: show it once with a count, as Python does.
            var k = 0
            while k < e.stack.count {
                let f = e.stack[k]
                var same = 1
                while k + same < e.stack.count, e.stack[k + same] == f { same += 1 }
                excerpt(f.span, label: "\(cellName(f.span.cell)), calling \(f.function)")
                if same > 1 { out.append("  [the call above repeated \(same - 1) more time\(same == 2 ? "" : "s")]") }
                k += same
            }
        }
        excerpt(e.span, label: cellName(e.span.cell))
        out.append(e.message.isEmpty ? paint(e.typeName, "31;1") : paint(e.typeName, "31;1") + ": " + e.message)
        return out
    }

    /// A report for an error in a single source.
    public func render(_ e: NablaError, source: String, name: String = "cell") -> String {
        lines(e, source: { _ in source }, cellName: { _ in name }).joined(separator: "\n")
    }
}
