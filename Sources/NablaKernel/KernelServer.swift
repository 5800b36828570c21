import CZeroMQ
import Foundation
import NablaTensor

/// Serves a Kernel over libzmq: shell on the calling thread, control and heartbeat on threads
/// of their own (so they answer while a cell runs), iopub and stdin shared under locks.
public final class KernelServer: KernelTransport, @unchecked Sendable {
    /// Where the sockets are bound (ports chosen by the system filled in).
    public let info: ConnectionInfo
    let wire: Wire
    let context: ZMQContext
    let shell: ZMQSocket, control: ZMQSocket, stdin: ZMQSocket, iopub: ZMQSocket, heartbeat: ZMQSocket
    let iopubLock = NSLock(), stdinLock = NSLock(), shellLock = NSLock(), controlLock = NSLock()
    public private(set) lazy var kernel = Kernel(transport: self, historyFile: historyFile, log: log)
    let historyFile: URL?
    let running = ManagedAtomicFlag()
    let log: (String) -> Void

    /// Binds the five sockets where `info` says; a port of 0 is chosen by the system (read
    /// back into `info`). Throws `KernelError.addressInUse` when another process serves an
    /// endpoint, so a second kernel on one connection file exits instead of hanging or stealing.
    public init(info: ConnectionInfo, historyFile: URL? = nil, log: @escaping (String) -> Void) throws {
        self.log = log
        self.historyFile = historyFile
        wire = Wire(key: info.key, scheme: info.signatureScheme)
        context = try ZMQContext()
        shell = try ZMQSocket(context, type: ZMQ_ROUTER)
        control = try ZMQSocket(context, type: ZMQ_ROUTER)
        stdin = try ZMQSocket(context, type: ZMQ_ROUTER)
        iopub = try ZMQSocket(context, type: ZMQ_XPUB)
        iopub.setOption(ZMQ_XPUB_VERBOSE, 1)   // report every subscription, so each new client is welcomed
        heartbeat = try ZMQSocket(context, type: ZMQ_REP)
        // No high-water mark: a slow reader gets every message late rather than some never
        // (libzmq's PUB silently drops past the mark). Prints are coalesced, so few are queued.
        for s in [shell, control, stdin, iopub] { s.setOption(ZMQ_SNDHWM, 0) }
        var bound = info
        bound.shellPort = try KernelServer.bind(shell, info, info.shellPort, "shell")
        bound.controlPort = try KernelServer.bind(control, info, info.controlPort, "control")
        bound.stdinPort = try KernelServer.bind(stdin, info, info.stdinPort, "stdin")
        bound.iopubPort = try KernelServer.bind(iopub, info, info.iopubPort, "iopub")
        bound.hbPort = try KernelServer.bind(heartbeat, info, info.hbPort, "hb")
        self.info = bound
    }

    /// Binds one socket; returns the port bound (the system's choice for 0).
    static func bind(_ socket: ZMQSocket, _ info: ConnectionInfo, _ port: Int, _ name: String) throws -> Int {
        var port = port
        if info.transport == "ipc" {
            if port == 0 {
                port = 1
                while FileManager.default.fileExists(atPath: "\(info.ip)-\(port)") { port += 1 }
            }
            // libzmq would unlink a live ipc socket and take its place: refuse instead.
            if ConnectionInfo.ipcInUse("\(info.ip)-\(port)") { throw KernelError.addressInUse(name, info.endpoint(port)) }
            try bindOrExplain(socket, info.endpoint(port), name)
            return port
        }
        let endpoint = port == 0 ? "tcp://\(info.ip):*" : info.endpoint(port)
        try bindOrExplain(socket, endpoint, name)
        guard port == 0 else { return port }
        return Int(socket.lastEndpoint.split(separator: ":").last ?? "") ?? 0
    }

    static func bindOrExplain(_ socket: ZMQSocket, _ endpoint: String, _ name: String) throws {
        do { try socket.bind(endpoint) } catch let e as ZMQError {
            if e.code == EADDRINUSE { throw KernelError.addressInUse(name, endpoint) }
            throw KernelError.bind(name, endpoint, e.description)
        }
    }

    // MARK: KernelTransport

    public func send(_ message: Message, on channel: Channel) {
        let frames = wire.encode(message)
        let (socket, lock): (ZMQSocket, NSLock) = {
            switch channel {
            case .shell: return (shell, shellLock)
            case .control: return (control, controlLock)
            case .stdin: return (stdin, stdinLock)
            case .iopub: return (iopub, iopubLock)
            }
        }()
        lock.lock(); defer { lock.unlock() }
        do { try socket.send(frames) } catch { log("send on \(channel.rawValue) failed: \(error)") }
    }

    /// True while a cell waits in input(); read and written only under `stdinLock`, so the
    /// control thread never drops the reply input() waits for.
    var awaitingInput = false

    /// Reads and drops what arrives on stdin when no input() waits, so a misbehaving client
    /// cannot fill the socket's queue.
    func dropStrayInput() {
        while true {
            stdinLock.lock()
            let frames = awaitingInput ? nil : try? stdin.receive(timeout: 0)
            stdinLock.unlock()
            guard frames != nil else { return }
            log("dropped a message on stdin: no input() is waiting")
        }
    }

    /// Sends the input_request and waits for its input_reply: stale messages queued before are
    /// dropped first, and a reply naming another request as its parent is ignored.
    public func askInput(_ request: Message) -> Message? {
        stdinLock.lock()
        while (try? stdin.receive(timeout: 0)) != nil { log("dropped a stale message on stdin") }
        awaitingInput = true
        do { try stdin.send(wire.encode(request)) } catch { log("send on stdin failed: \(error)") }
        stdinLock.unlock()
        defer { stdinLock.lock(); awaitingInput = false; stdinLock.unlock() }
        while running.get() {
            stdinLock.lock()
            let frames = try? stdin.receive(timeout: 50)
            stdinLock.unlock()
            guard let frames else {
                if kernel.session.interpreter.token.isCancelled { return nil }
                continue
            }
            guard let m = decode(frames, "stdin") else { continue }
            guard m.msgType == "input_reply" else { log("ignoring \(m.msgType) on stdin"); continue }
            if let parent = m.parentHeader["msg_id"] as? String, parent != request.msgID {
                log("ignoring an input_reply to another request")
                continue
            }
            return m
        }
        return nil
    }

    func decode(_ frames: [Data], _ channel: String) -> Message? {
        do { return try wire.decode(frames) } catch {
            log("dropped a message on \(channel): \(error)")
            return nil
        }
    }

    // MARK: Serving

    /// Serves until a shutdown_request.
    public func serve() {
        kernel.onShutdown = { [weak self] _ in self?.running.set(false) }
        running.set(true)
        startHeartbeat()
        startControl()
        kernel.start()
        // The shell loop runs on the session's own (large-stack) thread, so executing a cell
        // needs no thread hand-off.
        kernel.session.onSessionThread { [self] in
            while running.get() {
                shellLock.lock()
                let frames = try? shell.receive(timeout: 100)
                shellLock.unlock()
                guard let frames, let msg = decode(frames, "shell") else { continue }
                kernel.handle(msg, on: .shell)
            }
        }
        // Give the last replies time to leave before the sockets close.
        Thread.sleep(forTimeInterval: 0.05)
    }

    public func takeQueuedRequests() -> [Message] {
        var queued = [Message]()
        while true {
            shellLock.lock()
            let frames = try? shell.receive(timeout: 0)
            shellLock.unlock()
            guard let frames else { return queued }
            if let msg = decode(frames, "shell") { queued.append(msg) }
        }
    }

    func startControl() {
        let parent = getppid()
        let t = Thread { [self] in
            while running.get() {
                // An orphaned kernel (its frontend died without shutting it down) exits.
                if parent > 1 && getppid() != parent {
                    log("parent process \(parent) is gone; exiting")
                    running.set(false)
                    kernel.session.interrupt()
                }
                welcomeSubscribers()
                dropStrayInput()
                kernel.flushStreamsIfDue()
                controlLock.lock()
                let frames = try? control.receive(timeout: 25)
                controlLock.unlock()
                guard let frames, let msg = decode(frames, "control") else { continue }
                // Control serves what must work while a cell runs; anything else belongs on
                // shell (the session is busy with it, and waiting would block control).
                guard KernelServer.controlMessages.contains(msg.msgType) else {
                    log("ignoring \(msg.msgType) on control")
                    continue
                }
                kernel.handle(msg, on: .control)
            }
        }
        t.name = "nabla-control"
        t.stackSize = KernelServer.threadStack
        t.start()
    }

    /// iopub is an XPUB socket: a subscription arrives as a frame `\u{1}topic`, answered with
    /// an `iopub_welcome` message (protocol 5.5), so a client knows its subscription is live.
    func welcomeSubscribers() {
        while true {
            iopubLock.lock()
            let frames = try? iopub.receive(timeout: 0)
            iopubLock.unlock()
            guard let frames else { return }
            // Unsubscriptions (0x00) and anything else are read and dropped.
            guard let frame = frames.first, frames.count == 1, frame.first == 1 else { continue }
            let topic = String(decoding: frame.dropFirst(), as: UTF8.self)
            kernel.publish("iopub_welcome", ["subscription": topic], parent: nil)
        }
    }

    /// Echoes every ping, on its own thread, so the frontend sees the kernel alive mid-cell.
    func startHeartbeat() {
        let t = Thread { [self] in
            while running.get() {
                guard let frames = try? heartbeat.receive(timeout: 100) else { continue }
                try? heartbeat.send(frames)
            }
        }
        t.name = "nabla-heartbeat"
        t.stackSize = KernelServer.threadStack
        t.start()
    }

    /// SIGINT (the kernelspec's signal mode, or Ctrl-C in a terminal) interrupts the running cell.
    public func installSigintHandler() {
        KernelServer.sigintToken = kernel.session.interpreter.token
        signal(SIGINT) { _ in KernelServer.sigintToken?.cancel() }
    }

    nonisolated(unsafe) static var sigintToken: CancellationToken?

    /// Stack of the control and heartbeat threads: whatever RLIMIT_STACK is, room for JSON
    /// nested to `JSONReader.maxDepth` many times over.
    static let threadStack = 16 << 20

    static let controlMessages: Set<String> = ["kernel_info_request", "interrupt_request", "shutdown_request"]
}

/// A Bool shared between threads.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func get() -> Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ v: Bool) { lock.lock(); value = v; lock.unlock() }
}
