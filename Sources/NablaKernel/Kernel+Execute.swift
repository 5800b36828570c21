import Foundation
import NablaDisplay
import NablaLanguage

/// execute_request: run the cell, stream its output on iopub, reply with the outcome.
extension Kernel {
    func execute(_ msg: Message, _ channel: Channel) {
        let c = msg.content
        let code = c["code"] as? String ?? ""
        let silent = c["silent"] as? Bool ?? false
        let storeHistory = (c["store_history"] as? Bool ?? true) && !silent
        let allowStdin = c["allow_stdin"] as? Bool ?? false
        let stopOnError = c["stop_on_error"] as? Bool ?? true
        if storeHistory { executionCount += 1 }
        let count = executionCount
        if !silent { publish("execute_input", ["code": code, "execution_count": count], parent: msg) }

        let sink = KernelSink(kernel: self, parent: msg, allowStdin: allowStdin, silent: silent)
        let outcome = session.execute(code, sink: sink)
        if storeHistory { history.append(line: count, input: code) }

        switch outcome {
        case let .ok(value):
            if let value, !silent {
                let b = renderer.bundle(value, interpreter: session.interpreter)
                publish("execute_result", ["execution_count": count, "data": b.wireData, "metadata": b.metadata], parent: msg)
            }
            let exprs = c["user_expressions"] as? [String: Any] ?? [:]
            var payload: [Any] = sink.paged.isEmpty ? [] : [["source": "page", "data": ["text/plain": sink.paged], "start": 0] as JSONObject]
            if sink.exitRequested { payload.append(["source": "ask_exit", "keepkernel": false] as JSONObject) }
            reply(msg, channel, "execute_reply", ["status": "ok", "execution_count": count,
                                                   "user_expressions": userExpressions(exprs), "payload": payload])
        case let .error(e):
            let content = errorContent(e)
            if !silent { publish("error", content, parent: msg) }
            var r = content
            r["status"] = "error"
            r["execution_count"] = count
            r["user_expressions"] = [:] as JSONObject
            r["payload"] = [Any]()
            // Requests queued before this reply was sent are aborted (after this request's
            // idle, as ipykernel does); later ones run.
            if stopOnError && channel == .shell { toAbort += transport.takeQueuedRequests() }
            reply(msg, channel, "execute_reply", r, metadata: ["status": "error"])
        }
    }

    /// ename, evalue and the ANSI-coloured caret traceback Jupyter frontends render.
    func errorContent(_ e: NablaError) -> JSONObject {
        let formatter = DiagnosticFormatter(color: true)
        let count = executionCount
        let lines = formatter.lines(e, source: { session.interpreter.sources[$0] },
                                    cellName: { [interp = session.interpreter] cell in
                                        cell == interp.cellCount ? "Cell In[\(count)]" : "an earlier cell" })
        return ["ename": e.kind.rawValue, "evalue": e.message, "traceback": lines]
    }

    /// Evaluates each user expression (silently) into a MIME bundle or an error.
    func userExpressions(_ exprs: [String: Any]) -> JSONObject {
        var out = JSONObject()
        for (name, value) in exprs {
            guard let code = value as? String else { continue }
            let sink = KernelSink(kernel: self, parent: nil, allowStdin: false, silent: true)
            switch session.execute(code, sink: sink) {
            case let .ok(v):
                let b = renderer.bundle(v ?? .none, interpreter: session.interpreter)
                out[name] = ["status": "ok", "data": b.wireData, "metadata": b.metadata] as JSONObject
            case let .error(e):
                var r = errorContent(e)
                r["status"] = "error"
                out[name] = r
            }
        }
        return out
    }

    func inputReply(prompt: String, password: Bool, parent: Message) -> String? {
        streams.flush()
        let request = Message(identities: parent.identities, header: header("input_request"), parentHeader: parent.header,
                              content: ["prompt": prompt, "password": password])
        return transport.askInput(request)?.content["value"] as? String
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
        var content: JSONObject = ["data": b.wireData, "metadata": b.metadata]
        if let id { content["transient"] = ["display_id": id] }
        kernel.publish(update && id != nil ? "update_display_data" : "display_data", content, parent: parent)
    }

    func clearOutput(wait: Bool) {
        guard !silent, let parent else { return }
        kernel.publish("clear_output", ["wait": wait], parent: parent)
    }

    func readInput(prompt: String, password: Bool) throws -> String {
        guard allowStdin, let parent else {
            throw NablaError(.value, "input() is not available: this frontend does not accept input")
        }
        guard let v = kernel.inputReply(prompt: prompt, password: password, parent: parent) else {
            throw NablaError(.interrupted, "input() was cancelled")
        }
        return v
    }
}
