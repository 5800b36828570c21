import Foundation
import Synchronization
import NablaDisplay
import NablaLanguage
import NablaTensor

/// The channels a kernel talks on (heartbeat is served by the transport alone).
public enum Channel: String, Sendable { case shell, control, stdin, iopub }

/// How the kernel logic reaches its clients: over libzmq sockets in `KernelServer`, or in
/// memory in tests.
public protocol KernelTransport: AnyObject {
    /// Sends a message; replies carry the request's routing identities.
    func send(_ message: Message, on channel: Channel)
    /// Sends an `input_request` on stdin and waits for its `input_reply` (nil: none will come).
    func askInput(_ request: Message) -> Message?
    /// Shell requests that have arrived and wait their turn (for stop_on_error's aborts).
    func takeQueuedRequests() -> [Message]
}

/// Jupyter kernel logic, independent of sockets: a dispatcher from msg_type to handler, over
/// a language Session. Thread-safety: shell messages are handled one at a time; control
/// messages may arrive on another thread while a cell runs.
public final class Kernel: @unchecked Sendable {
    public static let version = "0.1.0"
    public let session = Session()
    let transport: KernelTransport
    let kernelSessionID = UUID().uuidString.lowercased()
    /// Messages sent so far, numbering msg_ids.
    let sentCount = Atomic<Int>(0)
    var renderer: Renderer { Renderer(precision: session.interpreter.precision) }
    public internal(set) var executionCount = 0
    let history: History
    /// Shell requests that were queued when a cell failed with stop_on_error: once that
    /// request is idle, each is handled with execute requests answered "aborted".
    var toAbort: [Message] = []
    private var aborting = false
    /// Called after a shutdown_request has been answered (restart: whether one is wanted).
    public var onShutdown: ((Bool) -> Void)?
    let log: (String) -> Void
    /// Prints of the running cell, coalesced into few stream messages.
    let streams = StreamBuffer()
    /// The comms frontends and widgets open (see Kernel+Comms).
    let comms = CommManager()
    /// The request whose handling is sending comm messages now (their parent header).
    var commParent: Message?

    /// Sends printed text that has waited long enough (a transport calls this on a timer).
    public func flushStreamsIfDue() { streams.flushIfDue() }

    public init(transport: KernelTransport, historyFile: URL? = nil, log: @escaping (String) -> Void = { _ in }) {
        self.transport = transport
        self.history = History(file: historyFile, warn: log)
        self.log = log
        DisplayLibrary.register(in: session.interpreter, comms: comms)
        installComms()
        streams.emit = { [unowned self] name, text, parent in
            publishNow(type: StreamOutput.msgType, .encoded(encoded(StreamOutput(name: name, text: text))), parent: parent)
        }
    }

    /// A handler reads its request's typed content (`Message.decode`), which throws
    /// `MessageError` when a field does not fit: `handle` then answers with an error reply.
    typealias Handler = @Sendable (Kernel) -> (Message, Channel) throws -> Void

    /// One handler per msg_type the kernel serves.
    static let handlers: [String: Handler] = [
        "kernel_info_request": { $0.kernelInfo },
        "execute_request": { $0.execute },
        "complete_request": { $0.complete },
        "inspect_request": { $0.inspect },
        "is_complete_request": { $0.isComplete },
        "history_request": { $0.historyRequest },
        "comm_info_request": { $0.commInfo },
        "comm_open": { $0.commOpen },
        "comm_msg": { $0.commMsg },
        "comm_close": { $0.commClose },
        "shutdown_request": { $0.shutdown },
        "interrupt_request": { $0.interrupt },
    ]

    /// Handles one decoded request: `busy`, the handler, `idle`, all tied to the request.
    public func handle(_ msg: Message, on channel: Channel) {
        guard let handler = Kernel.handlers[msg.msgType] else {
            log("ignoring unknown message type '\(msg.msgType)' on \(channel.rawValue)")
            return
        }
        publishStatus("busy", parent: msg)
        // Comm messages a shell request causes (widgets made by a cell) answer to it.
        let savedParent = commParent
        if channel == .shell { commParent = msg }
        defer { commParent = savedParent }
        // Abort state belongs to the shell thread; control requests never read it.
        if channel == .shell && aborting && msg.msgType == "execute_request" {
            reply(msg, channel, ExecuteReply(status: "aborted", execution_count: executionCount))
        } else {
            do { try handler(self)(msg, channel) } catch {
                refuse(msg, channel, error)
            }
        }
        publishStatus("idle", parent: msg)
        guard channel == .shell, !aborting, !toAbort.isEmpty else { return }
        aborting = true
        defer { aborting = false }
        while !toAbort.isEmpty { handle(toAbort.removeFirst(), on: .shell) }
    }

    /// Answers a request whose content does not fit its type: an error reply naming the field
    /// (`x_request` → `x_reply`); messages that have no reply (comms) are logged.
    func refuse(_ msg: Message, _ channel: Channel, _ error: Error) {
        let e = error as? MessageError
        let evalue = "\(msg.msgType): \(e?.description ?? "\(error)")"
        log("refused \(evalue)")
        guard msg.msgType.hasSuffix("_request") else { return }
        let type = String(msg.msgType.dropLast("_request".count)) + "_reply"
        reply(msg, channel, type: type, ErrorReply(ename: e?.ename ?? "ValueError", evalue: evalue, traceback: [evalue],
                                                   execution_count: type == "execute_reply" ? executionCount : nil))
    }

    /// Announces the kernel once at start.
    public func start() { publishStatus("starting", parent: nil) }

    // MARK: Message construction

    func header(_ type: String) -> Header {
        Header(msg_id: nextMessageID(), msg_type: type, session: kernelSessionID, username: "nabla",
               date: Kernel.timestamp(), version: "5.5")
    }

    /// A msg_id as jupyter_client makes them: the kernel's session UUID and a count. (A UUID
    /// per message read /dev/urandom each time: three system calls a message.)
    func nextMessageID() -> String {
        "\(kernelSessionID)_\(sentCount.wrappingAdd(1, ordering: .relaxed).newValue)"
    }

    /// Now in UTC, ISO 8601 with microseconds (`2026-01-01T00:00:00.000000Z`), formatted into
    /// bytes by hand: it runs for every message, and String(format:) or padded Strings showed.
    static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = time_t(tv.tv_sec)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        var out = [UInt8]()
        out.reserveCapacity(27)
        func put(_ v: Int, _ width: Int, then separator: Unicode.Scalar) {
            var digits = width, v = max(v, 0)
            var scratch: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &scratch) { b in
                while digits > 0 { digits -= 1; b[digits] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 }
                out.append(contentsOf: b[0..<width])
            }
            out.append(UInt8(ascii: separator))
        }
        put(Int(tmv.tm_year) + 1900, 4, then: "-"); put(Int(tmv.tm_mon) + 1, 2, then: "-"); put(Int(tmv.tm_mday), 2, then: "T")
        put(Int(tmv.tm_hour), 2, then: ":"); put(Int(tmv.tm_min), 2, then: ":"); put(Int(tmv.tm_sec), 2, then: ".")
        put(Int(tv.tv_usec), 6, then: "Z")
        return String(decoding: out, as: UTF8.self)
    }

    /// Content as JSON bytes (our structs always encode; a failure is logged and sends `{}`).
    func encoded(_ content: some Encodable) -> [UInt8] {
        do { return try JSONStreamEncoder.encode(content) } catch {
            log("could not encode \(type(of: content)): \(error)")
            return Array("{}".utf8)
        }
    }

    func reply<C: MessageContent>(_ request: Message, _ channel: Channel, _ content: C, metadata: JSON = [:]) {
        reply(request, channel, type: C.msgType, content, metadata: metadata)
    }

    func reply(_ request: Message, _ channel: Channel, type: String, _ content: some Encodable, metadata: JSON = [:]) {
        var m = Message(identities: request.identities, header: header(type), parentHeader: request.header, metadata: metadata, body: .encoded(encoded(content)))
        m.rawParent = request.rawHeader
        transport.send(m, on: channel)
    }

    /// Publishes on iopub, after any buffered stream text so output keeps its order.
    func publish<C: MessageContent>(_ content: C, parent: Message?, metadata: JSON = [:], buffers: [Data] = []) {
        streams.flush()
        publishNow(type: C.msgType, .encoded(encoded(content)), parent: parent, metadata: metadata, buffers: buffers)
    }

    func publishNow(type: String, _ content: Message.Body, parent: Message?, metadata: JSON = [:], buffers: [Data] = []) {
        var m = Message(identities: [Data(utf8Of: type)], header: header(type), parentHeader: parent?.header,
                        metadata: metadata, body: content, buffers: buffers)
        m.rawParent = parent?.rawHeader
        transport.send(m, on: .iopub)
    }

    func publishStatus(_ state: String, parent: Message?) {
        publish(Status(execution_state: state), parent: parent)
    }

    // MARK: Handlers

    /// The language reference for `help_links`: `NABLA_DOCS_URL` when set, else the
    /// reference's path in the project (never a path of the machine that built the binary).
    static var docsURL: String {
        if let url = KernelProcess.environment("NABLA_DOCS_URL"), !url.isEmpty { return url }
        return "docs/language.md"
    }

    /// The BLAS library, its core and threads (read once: it does not change while the kernel runs).
    static let blas = BLAS.summary

    func kernelInfo(_ msg: Message, _ channel: Channel) throws {
        _ = try msg.decode(KernelInfoRequest.self)
        reply(msg, channel, KernelInfoReply(
            protocol_version: "5.5", implementation: "nabla", implementation_version: Kernel.version,
            language_info: .init(name: "nabla", version: Kernel.version, mimetype: "text/x-nabla", file_extension: ".nabla",
                                 pygments_lexer: "python", codemirror_mode: "python", nbconvert_exporter: "script"),
            banner: "Nabla \(Kernel.version) — tensors, autograd and the lecture's loss functions. help(name) documents any builtin.\nBLAS: \(Kernel.blas)",
            help_links: [.init(text: "Nabla language reference", url: Kernel.docsURL)], debugger: false))
    }

    func complete(_ msg: Message, _ channel: Channel) throws {
        let r = try msg.decode(CompleteRequest.self)
        let code = r.code ?? ""
        let c = session.complete(code, cursor: Kernel.cursor(r.cursor_pos, in: code))
        reply(msg, channel, CompleteReply(matches: c.matches, cursor_start: c.start, cursor_end: c.end))
    }

    func inspect(_ msg: Message, _ channel: Channel) throws {
        let r = try msg.decode(InspectRequest.self)
        let code = r.code ?? ""
        let text = session.inspect(code, cursor: Kernel.cursor(r.cursor_pos, in: code))
        reply(msg, channel, InspectReply(found: text != nil, data: text.map { ["text/plain": .string($0)] } ?? [:]))
    }

    func isComplete(_ msg: Message, _ channel: Channel) throws {
        let r = try msg.decode(IsCompleteRequest.self)
        switch Kernel.isComplete(r.code ?? "") {
        case .complete: reply(msg, channel, IsCompleteReply(status: "complete"))
        case let .incomplete(indent): reply(msg, channel, IsCompleteReply(status: "incomplete", indent: indent))
        case .invalid: reply(msg, channel, IsCompleteReply(status: "invalid"))
        }
    }

    func historyRequest(_ msg: Message, _ channel: Channel) throws {
        let r = try msg.decode(HistoryRequest.self)
        let entries: [History.Entry]
        switch r.hist_access_type ?? "tail" {
        case "range": entries = history.range(session: r.session ?? 0, start: r.start ?? 0, stop: r.stop)
        case "search": entries = history.search(pattern: r.pattern ?? "*", unique: r.unique ?? false, n: r.n)
        default: entries = history.tail(r.n ?? 10)
        }
        let output = r.output ?? false
        reply(msg, channel, HistoryReply(history: entries.map { HistoryItem(session: $0.session, line: $0.line, input: $0.input, withOutput: output) }))
    }

    func shutdown(_ msg: Message, _ channel: Channel) throws {
        let restart = try msg.decode(ShutdownRequest.self).restart ?? false
        session.interrupt()
        history.close()
        reply(msg, channel, ShutdownReply(restart: restart))
        onShutdown?(restart)
    }

    func interrupt(_ msg: Message, _ channel: Channel) throws {
        _ = try msg.decode(InterruptRequest.self)
        session.interrupt()
        reply(msg, channel, InterruptReply())
    }
}
