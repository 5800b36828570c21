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
            guard let content = Kernel.json(foundation: content), let metadata = Kernel.json(foundation: metadata) else {
                log("\(type): content is not JSON; not sent")
                return
            }
            publishNow(type: type, .json(content), parent: commParent, metadata: metadata, buffers: buffers)
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
            sink.write(errorContent(e).traceback.joined(separator: "\n") + "\n", stream: "stderr")
            log("\(msg.msgType): \(e.kind.rawValue): \(e.message)")
        }
        if let failure { log("\(msg.msgType): \(failure)") }
        streams.flush()
    }

    /// The request's content as the comm manager reads it (checked against its typed struct first).
    private func commContent<C: Decodable>(_ msg: Message, _ type: C.Type) throws -> JSONDict {
        _ = try msg.decode(type)
        return msg.content.foundation as? JSONDict ?? [:]
    }

    func commOpen(_ msg: Message, _ channel: Channel) throws {
        let content = try commContent(msg, CommOpen.self)
        runComm(msg) { [comms] in try comms.receiveOpen(content, buffers: msg.buffers) }
    }

    func commMsg(_ msg: Message, _ channel: Channel) throws {
        let content = try commContent(msg, CommMsg.self)
        runComm(msg) { [comms] in try comms.receiveMessage(content, buffers: msg.buffers) }
    }

    func commClose(_ msg: Message, _ channel: Channel) throws {
        let content = try commContent(msg, CommClose.self)
        runComm(msg) { [comms] in try comms.receiveClose(content) }
    }

    /// comm_info_request: the open comms, of `target_name` only when it is given.
    func commInfo(_ msg: Message, _ channel: Channel) throws {
        let target = try msg.decode(CommInfoRequest.self).target_name
        let open = session.onSessionThread { [comms] in comms.info(target: target) }
        var out = [String: CommInfoReply.Comm]()
        for (id, value) in open {
            if let name = (value as? JSONDict)?["target_name"] as? String { out[id] = .init(target_name: name) }
        }
        reply(msg, channel, CommInfoReply(comms: out))
    }

    /// A Foundation JSON object (as the display layer builds it) as the kernel's JSON, through
    /// JSONSerialization, which knows every Foundation number and bool; nil when it is not JSON.
    static func json(foundation object: JSONDict) -> JSON? {
        guard JSONSerialization.isValidJSONObject(object), let data = try? JSONSerialization.data(withJSONObject: object) else { return nil }
        return try? JSONReader.parse(data)
    }
}

extension JSON {
    /// The value as Foundation types (Bool, Int, Double, String, NSNull, arrays, dictionaries).
    var foundation: Any {
        switch self {
        case .null: return NSNull()
        case let .bool(b): return b
        case let .int(i): return i
        case let .double(d): return d
        case let .string(s): return s
        case let .array(a): return a.map(\.foundation)
        case let .object(o): return o.mapValues(\.foundation)
        }
    }
}
