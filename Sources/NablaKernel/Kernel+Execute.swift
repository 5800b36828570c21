import Foundation
import NablaDisplay
import NablaLanguage

/// execute_request: run the cell, stream its output on iopub, reply with the outcome.
extension Kernel {
    func execute(_ msg: Message, _ channel: Channel) throws {
        let r = try msg.decode(ExecuteRequest.self)
        let code = r.code ?? ""
        let silent = r.silent ?? false
        let storeHistory = (r.store_history ?? true) && !silent
        if storeHistory { executionCount += 1 }
        let count = executionCount
        if !silent { publish(ExecuteInput(code: code, execution_count: count), parent: msg) }

        let sink = KernelSink(kernel: self, parent: msg, allowStdin: r.allow_stdin ?? false, silent: silent)
        let outcome = session.execute(code, sink: sink)
        if storeHistory { history.append(line: count, input: code) }

        switch outcome {
        case let .ok(value):
            if let value, !silent {
                let b = renderer.bundle(value, interpreter: session.interpreter)
                publish(ExecuteResult(execution_count: count, data: Kernel.data(b), metadata: Kernel.metadata(b)), parent: msg)
            }
            var payload = sink.paged.isEmpty ? [] : [Payload(source: "page", data: ["text/plain": sink.paged], start: 0)]
            if sink.exitRequested { payload.append(Payload(source: "ask_exit", keepkernel: false)) }
            reply(msg, channel, ExecuteReply(status: "ok", execution_count: count,
                                             user_expressions: userExpressions(r.user_expressions ?? [:]), payload: payload))
        case let .error(e):
            let content = errorContent(e)
            if !silent { publish(content, parent: msg) }
            // Requests queued before this reply was sent are aborted (after this request's
            // idle, as ipykernel does); later ones run.
            if r.stop_on_error ?? true && channel == .shell { toAbort += transport.takeQueuedRequests() }
            reply(msg, channel, ExecuteReply(status: "error", execution_count: count, user_expressions: [:], payload: [],
                                             ename: content.ename, evalue: content.evalue, traceback: content.traceback),
                  metadata: ["status": "error"])
        }
    }

    /// A MIME bundle's data and metadata as message JSON.
    /// A bundle's data; `…json` MIME types (a widget's view) are JSON objects, not strings.
    static func data(_ b: MimeBundle) -> [String: JSON] {
        var out = [String: JSON]()
        for (type, text) in b.data {
            out[type] = type.hasSuffix("json") ? (try? JSONReader.parse(Data(text.utf8))) ?? .string(text) : .string(text)
        }
        return out
    }
    static func metadata(_ b: MimeBundle) -> [String: JSON] { b.metadata.mapValues { .object($0.mapValues { .string($0) }) } }

    /// ename, evalue and the ANSI-coloured caret traceback Jupyter frontends render.
    func errorContent(_ e: NablaError) -> ErrorContent {
        let formatter = DiagnosticFormatter(color: true)
        let count = executionCount
        let lines = formatter.lines(e, source: { session.interpreter.sources[$0] },
                                    cellName: { [interp = session.interpreter] cell in
                                        cell == interp.cellCount ? "Cell In[\(count)]" : "an earlier cell" })
        return ErrorContent(ename: e.kind.rawValue, evalue: e.message, traceback: lines)
    }

    /// Evaluates each user expression (silently) into a MIME bundle or an error.
    func userExpressions(_ exprs: [String: String]) -> [String: ExpressionResult] {
        var out = [String: ExpressionResult]()
        for (name, code) in exprs {
            let sink = KernelSink(kernel: self, parent: nil, allowStdin: false, silent: true)
            switch session.execute(code, sink: sink) {
            case let .ok(v):
                let b = renderer.bundle(v ?? .none, interpreter: session.interpreter)
                out[name] = ExpressionResult(status: "ok", data: Kernel.data(b), metadata: Kernel.metadata(b))
            case let .error(e):
                let c = errorContent(e)
                out[name] = ExpressionResult(status: "error", ename: c.ename, evalue: c.evalue, traceback: c.traceback)
            }
        }
        return out
    }

    /// Asks the frontend for a line of input; nil when none will come (interrupted), or when
    /// the reply's value is not a string.
    func inputReply(prompt: String, password: Bool, parent: Message) -> String? {
        streams.flush()
        var request = Message(identities: parent.identities, header: header(InputRequest.msgType), parentHeader: parent.header,
                              body: .encoded(encoded(InputRequest(prompt: prompt, password: password))))
        request.rawParent = parent.rawHeader
        guard let answer = transport.askInput(request) else { return nil }
        do { return try answer.decode(InputReply.self).value } catch {
            log("refused input_reply: \(error)")
            return nil
        }
    }
}

/// Where a cell's prints and displays go while it runs: iopub messages tied to the request.
final class KernelSink: OutputSink {
    let kernel: Kernel
    let parent: Message?
    let allowStdin: Bool
    let silent: Bool

    /// Text for the pager, returned in the execute_reply's payload.
    var paged = ""

    func page(_ text: String) { paged += text }

    var exitRequested = false
    func requestExit() { exitRequested = true }

    init(kernel: Kernel, parent: Message?, allowStdin: Bool, silent: Bool) {
        self.kernel = kernel; self.parent = parent; self.allowStdin = allowStdin; self.silent = silent
    }

    func write(_ text: String, stream: String) {
        guard !silent, let parent else { return }
        kernel.streams.write(text, stream: stream == "stderr" ? "stderr" : "stdout", parent: parent)
    }

    func display(_ value: Value, id: String?, update: Bool) {
        guard !silent, let parent else { return }
        let b = kernel.renderer.bundle(value, interpreter: kernel.session.interpreter)
        let data = Kernel.data(b), metadata = Kernel.metadata(b)
        if update, let id {
            kernel.publish(UpdateDisplayData(data: data, metadata: metadata, transient: Transient(display_id: id)), parent: parent)
        } else {
            kernel.publish(DisplayData(data: data, metadata: metadata, transient: id.map(Transient.init)), parent: parent)
        }
    }

    func clearOutput(wait: Bool) {
        guard !silent, let parent else { return }
        kernel.publish(ClearOutput(wait: wait), parent: parent)
    }

    func readInput(prompt: String, password: Bool) throws -> String {
        guard allowStdin, let parent else {
            throw NablaError(.value, "input() is not available: this frontend does not accept input")
        }
        guard let v = kernel.inputReply(prompt: prompt, password: password, parent: parent) else {
            // Interrupted while it waits: a KeyboardInterrupt, as ipykernel raises, the request used up.
            kernel.session.interpreter.token.reset()
            throw NablaError(.keyboardInterrupt, "Interrupted by user")
        }
        return v
    }
}
