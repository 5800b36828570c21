import CZeroMQ
import Foundation
import NablaTensor

/// Serves a Kernel over libzmq with as few thread hand-offs as the protocol allows (each one
/// is a futex wake, tens of µs on a loaded machine):
/// - the session thread owns shell and stdin: it polls them, runs each request and answers on
///   them itself, so a request and its reply cross no thread of ours;
/// - the I/O thread owns control and answers its requests there (so they work while a cell
///   runs), flushes printed text on a timer, and welcomes iopub subscribers;
/// - iopub is shared: any thread publishes under `iopubLock`, straight onto the socket (libzmq
///   allows a socket on several threads when a full fence separates their uses, which the lock
///   gives). The I/O thread watches its ZMQ_FD rather than polling the socket, and whoever holds
///   the lock reads the subscriptions waiting;
/// - heartbeat is `zmq_proxy` echoing on a thread of its own.
public final class KernelServer: KernelTransport, @unchecked Sendable {
    /// Where the sockets are bound (ports chosen by the system filled in).
    public let info: ConnectionInfo
    let wire: Wire
    let context: ZMQContext
    let shell: ZMQSocket, control: ZMQSocket, stdin: ZMQSocket, iopub: ZMQSocket, heartbeat: ZMQSocket
    /// Serialises every use of `iopub` after `serve` starts.
    let iopubLock = NSLock()
    /// Stops the heartbeat proxy.
    let heartbeatControl: ZMQSocket, heartbeatSteer: ZMQSocket
    /// The I/O and session threads, to route `send` (set when they start).
    nonisolated(unsafe) var ioThread: pthread_t?
    nonisolated(unsafe) var sessionThread: pthread_t?
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
        if let curve = info.curve {
            for s in [shell, control, stdin, iopub, heartbeat] { curve.serve(on: s) }
        }
        var bound = info
        bound.shellPort = try KernelServer.bind(shell, info, info.shellPort, "shell")
        bound.controlPort = try KernelServer.bind(control, info, info.controlPort, "control")
        bound.stdinPort = try KernelServer.bind(stdin, info, info.stdinPort, "stdin")
        bound.iopubPort = try KernelServer.bind(iopub, info, info.iopubPort, "iopub")
        bound.hbPort = try KernelServer.bind(heartbeat, info, info.hbPort, "hb")
        self.info = bound
        heartbeatControl = try ZMQSocket(context, type: ZMQ_PAIR)
        heartbeatSteer = try ZMQSocket(context, type: ZMQ_PAIR)
        try heartbeatControl.bind("inproc://nabla-heartbeat-control")
        try heartbeatSteer.connect("inproc://nabla-heartbeat-control")
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

    /// Sends on the channel's socket from the thread that owns it: shell and stdin from the
    /// session thread, control from the I/O thread, iopub from any thread (under its lock).
    public func send(_ message: Message, on channel: Channel) {
        let frames = wire.encode(message)
        let socket: ZMQSocket, owner: pthread_t?
        switch channel {
        case .iopub: return publish(frames)
        case .control: (socket, owner) = (control, ioThread)
        case .shell: (socket, owner) = (shell, sessionThread)
        case .stdin: (socket, owner) = (stdin, sessionThread)
        }
        guard let owner, pthread_equal(owner, pthread_self()) != 0 else {
            return log("dropped a \(message.msgType) on \(channel.rawValue), sent from a thread that does not own it")
        }
        sendOut(frames, on: socket, channel)
    }

    func sendOut(_ frames: [Data], on socket: ZMQSocket, _ channel: Channel) {
        do { try socket.send(frames) } catch { log("send on \(channel.rawValue) failed: \(error)") }
    }

    /// Publishes frames on iopub, then welcomes the subscriptions that came meanwhile (the send
    /// may have taken the event that would have woken the I/O thread for them).
    func publish(_ frames: [Data]) {
        iopubLock.lock()
        sendOut(frames, on: iopub, .iopub)
        let topics = takeSubscriptions()
        iopubLock.unlock()
        welcome(topics)
    }

    /// The topics of the subscriptions waiting on iopub (hold `iopubLock`). iopub is an XPUB
    /// socket: a subscription arrives as a frame `\u{1}topic`; unsubscriptions (0x00) and
    /// anything else are read and dropped.
    func takeSubscriptions() -> [String] {
        var topics = [String]()
        while iopub.readable, let frames = try? iopub.receiveNow() {
            guard let frame = frames.first, frames.count == 1, frame.first == 1 else { continue }
            topics.append(String(decoding: frame.dropFirst(), as: UTF8.self))
        }
        return topics
    }

    /// Answers each subscription with an `iopub_welcome` (protocol 5.5), so a client knows its
    /// subscription is live. Sent at once, not after buffered prints: it answers no request.
    func welcome(_ topics: [String]) {
        for topic in topics {
            kernel.publishNow(type: IOPubWelcome.msgType, kernel.json(IOPubWelcome(subscription: topic)), parent: nil)
        }
    }

    func decode(_ frames: [Data], _ channel: String) -> Message? {
        do { return try wire.decode(frames) } catch {
            log("dropped a message on \(channel): \(error)")
            return nil
        }
    }

    // MARK: The session thread

    /// Shell requests read while waiting for something else (an input reply, the queue).
    var pendingShell: [[Data]] = []

    /// The next message on stdin or shell within `timeout` ms (session thread only).
    func nextRequest(timeout: Int) -> (Channel, [Data])? {
        let ready = ZMQSocket.poll([stdin, shell], timeout: timeout)
        if ready[0], let frames = try? stdin.receiveNow() { return (.stdin, frames) }
        if ready[1], let frames = try? shell.receiveNow() { return (.shell, frames) }
        return nil
    }

    /// The session thread's loop: one shell request at a time; stdin messages arriving while
    /// no input() waits are stray and dropped.
    func sessionLoop() {
        while running.get() {
            let frames: [Data]
            if !pendingShell.isEmpty {
                frames = pendingShell.removeFirst()
            } else {
                guard let (channel, f) = nextRequest(timeout: 100) else { continue }
                guard channel == .shell else { log("dropped a message on stdin: no input() is waiting"); continue }
                frames = f
            }
            guard let msg = decode(frames, "shell") else { continue }
            kernel.handle(msg, on: .shell)
        }
    }

    /// Every shell request that has reached the kernel and waits its turn (session thread).
    public func takeQueuedRequests() -> [Message] {
        // poll(0) processes libzmq's pending commands, so a pipe that just woke is read too.
        while shell.poll(timeout: 0), let frames = try? shell.receiveNow() { pendingShell.append(frames) }
        let queued = pendingShell.compactMap { decode($0, "shell") }
        pendingShell = []
        return queued
    }

    /// Sends the input_request and waits for its input_reply; shell requests arriving meanwhile
    /// wait their turn, and a reply naming another request as its parent is ignored. Replies
    /// that come after input() gave up are dropped as stray by the session loop.
    public func askInput(_ request: Message) -> Message? {
        send(request, on: .stdin)
        while running.get() {
            guard let (channel, frames) = nextRequest(timeout: 50) else {
                if kernel.session.interpreter.token.isCancelled { return nil }
                continue
            }
            if channel == .shell { pendingShell.append(frames); continue }
            guard let m = decode(frames, "stdin") else { continue }
            guard m.msgType == "input_reply" else { log("ignoring \(m.msgType) on stdin"); continue }
            if let parent = m.parentHeader?.msg_id, parent != request.msgID {
                log("ignoring an input_reply to another request")
                continue
            }
            return m
        }
        return nil
    }

    // MARK: Serving

    /// Serves until a shutdown_request (or the parent process is gone).
    public func serve() {
        kernel.onShutdown = { [weak self] _ in self?.running.set(false) }
        running.set(true)
        startHeartbeat()
        let ioDone = DispatchSemaphore(value: 0), sessionDone = ManagedAtomicFlag()
        let io = Thread { [self] in
            ioThread = pthread_self()
            kernel.start()
            ioLoop(until: sessionDone)
            ioDone.signal()
        }
        io.name = "nabla-io"
        io.stackSize = KernelServer.threadStack
        io.start()
        kernel.session.onSessionThread { [self] in
            sessionThread = pthread_self()
            sessionLoop()
        }
        sessionDone.set(true)
        ioDone.wait()
        try? heartbeatSteer.send([Data("TERMINATE".utf8)])
        // Give the last replies time to leave before the sockets close.
        Thread.sleep(forTimeInterval: 0.05)
    }

    /// The I/O thread: polls control and iopub's event descriptor until the session thread is done.
    func ioLoop(until sessionDone: ManagedAtomicFlag) {
        let parent = getppid()
        let iopubEvents = iopub.eventDescriptor
        while !sessionDone.get() {
            // An orphaned kernel (its frontend died without shutting it down) exits.
            if running.get() && parent > 1 && getppid() != parent {
                log("parent process \(parent) is gone; exiting")
                running.set(false)
                kernel.session.interrupt()
            }
            let ready = ZMQSocket.poll([control], fds: [iopubEvents], timeout: 25)
            if ready[1] {
                iopubLock.lock()
                let topics = takeSubscriptions()
                iopubLock.unlock()
                welcome(topics)
            }
            if ready[0] { serveControl() }
            kernel.flushStreamsIfDue()
        }
    }

    /// Control requests are answered here, on the I/O thread, even while a cell runs.
    func serveControl() {
        while let frames = try? control.receiveNow() {
            guard let msg = decode(frames, "control") else { continue }
            // Control serves what must work while a cell runs; anything else belongs on
            // shell (the session is busy with it, and waiting would block control).
            guard KernelServer.controlMessages.contains(msg.msgType) else {
                log("ignoring \(msg.msgType) on control")
                continue
            }
            kernel.handle(msg, on: .control)
        }
    }

    /// Echoes every ping with `zmq_proxy` on its own thread, so the frontend sees the kernel
    /// alive mid-cell; `serve` ends it through the steering socket.
    func startHeartbeat() {
        let t = Thread { [self] in
            zmq_proxy_steerable(heartbeat.handle, heartbeat.handle, nil, heartbeatControl.handle)
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

    /// Stack of the I/O and heartbeat threads: whatever RLIMIT_STACK is, room for JSON
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
