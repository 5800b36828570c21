import CZeroMQ
import Foundation
import NablaTensor

/// Serves a Kernel over libzmq: shell on the calling thread, control and heartbeat on threads
/// of their own (so they answer while a cell runs), iopub and stdin shared under locks.
public final class KernelServer: KernelTransport, @unchecked Sendable {
    let info: ConnectionInfo
    let wire: Wire
    let context: ZMQContext
    let shell: ZMQSocket, control: ZMQSocket, stdin: ZMQSocket, iopub: ZMQSocket, heartbeat: ZMQSocket
    let iopubLock = NSLock(), stdinLock = NSLock(), shellLock = NSLock(), controlLock = NSLock()
    public private(set) lazy var kernel = Kernel(transport: self, historyFile: historyFile, log: log)
    let historyFile: URL?
    let running = ManagedAtomicFlag()
    let log: (String) -> Void

    public init(info: ConnectionInfo, historyFile: URL? = nil, log: @escaping (String) -> Void) throws {
        self.info = info
        self.log = log
        self.historyFile = historyFile
        wire = Wire(key: info.key, scheme: info.signatureScheme)
        context = try ZMQContext()
        shell = try ZMQSocket(context, type: ZMQ_ROUTER)
        control = try ZMQSocket(context, type: ZMQ_ROUTER)
        stdin = try ZMQSocket(context, type: ZMQ_ROUTER)
        iopub = try ZMQSocket(context, type: ZMQ_XPUB)
        var verbose: Int32 = 1   // report every subscription, so each new client is welcomed
        zmq_setsockopt(iopub.handle, ZMQ_XPUB_VERBOSE, &verbose, MemoryLayout<Int32>.size)
        heartbeat = try ZMQSocket(context, type: ZMQ_REP)
        try shell.bind(info.endpoint(info.shellPort))
        try control.bind(info.endpoint(info.controlPort))
        try stdin.bind(info.endpoint(info.stdinPort))
        try iopub.bind(info.endpoint(info.iopubPort))
        try heartbeat.bind(info.endpoint(info.hbPort))
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

    /// True while a cell waits in input(): only then is stdin read for replies.
    let awaitingInput = ManagedAtomicFlag()

    /// Reads and drops what arrives on stdin when no input() waits, so a misbehaving client
    /// cannot fill the socket's queue.
    func dropStrayInput() {
        while !awaitingInput.get() {
            stdinLock.lock()
            let frames = try? stdin.receive(timeout: 0)
            stdinLock.unlock()
            guard frames != nil else { return }
            log("dropped a message on stdin: no input() is waiting")
        }
    }

    public func receiveInputReply() -> Message? {
        awaitingInput.set(true)
        defer { awaitingInput.set(false) }
        while running.get() {
            stdinLock.lock()
            let frames = try? stdin.receive(timeout: 50)
            stdinLock.unlock()
            guard let frames else {
                if kernel.session.interpreter.token.isCancelled { return nil }
                continue
            }
            guard let m = decode(frames, "stdin") else { continue }
            if m.msgType == "input_reply" { return m }
            log("ignoring \(m.msgType) on stdin")
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
                controlLock.lock()
                let frames = try? control.receive(timeout: 50)
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
        t.start()
    }

    /// SIGINT (the kernelspec's signal mode, or Ctrl-C in a terminal) interrupts the running cell.
    public func installSigintHandler() {
        KernelServer.sigintToken = kernel.session.interpreter.token
        signal(SIGINT) { _ in KernelServer.sigintToken?.cancel() }
    }

    nonisolated(unsafe) static var sigintToken: CancellationToken?

    static let controlMessages: Set<String> = ["kernel_info_request", "interrupt_request", "shutdown_request"]
}

/// A Bool shared between threads.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func get() -> Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ v: Bool) { lock.lock(); value = v; lock.unlock() }
}
