import Foundation
import NablaLanguage

extension MimeBundle {
    /// The data as a Jupyter message carries it: JSON MIME types (`…+json`) as objects, the rest as text.
    public var wireData: [String: Any] {
        var out = [String: Any]()
        for (k, v) in data {
            if k.hasSuffix("json"), let d = v.data(using: .utf8), let o = try? JSONSerialization.jsonObject(with: d) { out[k] = o } else { out[k] = v }
        }
        return out
    }
}

/// What an Output widget holds, and the sink that fills it while `with out:` runs: prints
/// become stream outputs, displays display_data, errors tracebacks. The outputs are sent as
/// the widget's `outputs` state, so every frontend (and the saved notebook) shows them with
/// no message capture on its side.
final class OutputCapture: OutputSink {
    unowned let widget: Widget
    var outputs: [JSONDict] = []
    /// clear_output(wait=True): cleared when the next output arrives.
    var pendingClear = false
    /// The sinks that `with` replaced (nested `with out:` blocks).
    var outer: [OutputSink?] = []
    var dirty = false
    var lastSent: UInt64 = 0
    /// Seconds between updates while output keeps coming (the rest is sent when the block ends).
    static let interval: UInt64 = 100_000_000

    init(_ w: Widget) { widget = w }

    static func of(_ w: Widget) -> OutputCapture {
        if let c = w.capture { return c }
        let c = OutputCapture(w)
        w.capture = c
        return c
    }

    func clearIfPending() {
        if pendingClear { outputs = []; pendingClear = false }
    }

    func write(_ text: String, stream: String) {
        clearIfPending()
        if var last = outputs.last, last["output_type"] as? String == "stream", last["name"] as? String == stream {
            last["text"] = (last["text"] as? String ?? "") + text
            outputs[outputs.count - 1] = last
        } else {
            outputs.append(["output_type": "stream", "name": stream, "text": text])
        }
        dirty = true
        flushIfDue()
    }

    func display(_ value: Value, id: String?, update: Bool) {
        guard let interp = widget.registry.interpreter else { return }
        clearIfPending()
        let b = Renderer(precision: interp.precision).bundle(value, interpreter: interp)
        outputs.append(["output_type": "display_data", "data": b.wireData, "metadata": JSONDict()])
        dirty = true
        flushIfDue()
    }

    func clearOutput(wait: Bool) {
        if wait { pendingClear = true } else { outputs = []; pendingClear = false; dirty = true }
    }

    func readInput(prompt: String, password: Bool) throws -> String {
        guard let o = outer.last ?? nil else { throw NablaError(.value, "input() is not available here") }
        return try o.readInput(prompt: prompt, password: password)
    }

    /// An error as the notebook shows one: ename, evalue, the coloured traceback.
    func error(_ e: NablaError) {
        clearIfPending()
        let interp = widget.registry.interpreter
        let lines = DiagnosticFormatter(color: true).lines(e, source: { interp?.sources[$0] }, cellName: { _ in "a cell" })
        outputs.append(["output_type": "error", "ename": e.kind.rawValue, "evalue": e.message, "traceback": lines])
        dirty = true
    }

    /// Sends the outputs (as the `outputs` state) if they changed.
    func flush() {
        guard dirty else { return }
        dirty = false
        lastSent = DispatchTime.now().uptimeNanoseconds
        try? widget.apply([("outputs", .tuple(outputs.map(WidgetRegistry.value(fromJSON:))))])
    }

    func flushIfDue() {
        if DispatchTime.now().uptimeNanoseconds &- lastSent >= OutputCapture.interval { flush() }
    }
}

/// `with out:` for an Output widget: the block's output goes into it. An error in the block is
/// shown in the Output and not raised further (as ipywidgets does in IPython); an interrupt
/// is shown and still stops the cell.
extension Widget: ContextManager {
    public func enter(interpreter: Interpreter) throws -> Value {
        guard className == "Output" else { throw NablaError(.type, "'\(className)' object does not support the context manager protocol") }
        let c = OutputCapture.of(self)
        c.outer.append(interpreter.sink)
        interpreter.sink = c
        return .object(self)
    }

    public func exit(interpreter: Interpreter, error: NablaError?) throws -> Bool {
        let c = OutputCapture.of(self)
        if let error { c.error(error) }
        c.flush()
        if let o = c.outer.popLast() { interpreter.sink = o }
        guard let error else { return false }
        return error.kind != .keyboardInterrupt
    }
}
