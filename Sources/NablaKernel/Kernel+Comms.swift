import Foundation
import NablaDisplay
import NablaLanguage

/// Comms (messaging spec, "Custom messages") routed to the session's CommManager, which the
/// display layer's widgets register their targets with; the kernel only carries messages.
/// Handlers run on the interpreter's thread, with the request as the parent of what they
/// publish; a failing handler is logged (and its output shown), never fatal.
extension Kernel {
    /// Connects the comm manager's output to iopub (called once, at init).
    func installComms() {
        comms.log = log
        comms.emit = { [unowned self] type, content, metadata, buffers in
            streams.flush()
            transport.send(Message(identities: [Data(type.utf8)], header: header(type), parentHeader: commParent?.header ?? [:],
                                   metadata: metadata, content: content, buffers: buffers), on: .iopub)
        }
    }

    /// Runs one comm request on the session's thread, its prints and errors tied to it.
    private func runComm(_ msg: Message, _ body: @escaping () throws -> Void) {
        let saved = commParent
        commParent = msg
        defer { commParent = saved }
        let sink = KernelSink(kernel: self, parent: msg, allowStdin: false, silent: false)
        var failure: Error?
        if let e = session.perform(sink: sink, { _ in
            do { try body() } catch let e as NablaError { throw e } catch { failure = error }
        }) {
            // An error in a student's handler: shown on stderr under the request, as a traceback.
            let lines = errorContent(e)["traceback"] as? [String] ?? [e.message]
            sink.write(lines.joined(separator: "\n") + "\n", stream: "stderr")
            log("\(msg.msgType): \(e.kind.rawValue): \(e.message)")
        }
        if let failure { log("\(msg.msgType): \(failure)") }
        streams.flush()
    }

    func commOpen(_ msg: Message, _ channel: Channel) {
        runComm(msg) { [comms] in try comms.receiveOpen(msg.content, buffers: msg.buffers) }
    }

    func commMsg(_ msg: Message, _ channel: Channel) {
        runComm(msg) { [comms] in try comms.receiveMessage(msg.content, buffers: msg.buffers) }
    }

    func commClose(_ msg: Message, _ channel: Channel) {
        runComm(msg) { [comms] in try comms.receiveClose(msg.content) }
    }

    /// comm_info_request: the open comms, of `target_name` only when it is given.
    func commInfo(_ msg: Message, _ channel: Channel) {
        let comms = session.onSessionThread { [comms] in comms.info(target: msg.string("target_name")) }
        reply(msg, channel, "comm_info_reply", ["status": "ok", "comms": comms])
    }
}
