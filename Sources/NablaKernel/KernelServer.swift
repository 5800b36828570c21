import CZeroMQ
import Foundation
import NablaTensor
import Synchronization

/// Serves a Kernel over libzmq with xeus-zmq's split thread model, no locks around sockets:
/// - the session thread owns shell and stdin: it polls shell, runs each request and answers on
///   shell itself, and asks for input on stdin;
/// - the I/O thread owns control and iopub: it answers control requests itself (so they work
///   while a cell runs) and publishes what the session thread sends it over an inproc PAIR
///   (the session thread never touches iopub), with the stream flush timer;
/// - heartbeat is `zmq_proxy` echoing on a thread of its own.
public final class KernelServer: KernelTransport, @unchecked Sendable {   // each socket is used only by the thread that owns it (above)
    /// Where the sockets are bound (ports chosen by the system filled in).
    public let info: ConnectionInfo
    let wire: Wire
    let context: ZMQContext
    let shell: ZMQSocket, control: ZMQSocket, stdin: ZMQSocket, iopub: ZMQSocket, heartbeat: ZMQSocket
    /// The I/O thread's end of the link to the session thread, and the session's end.
    let ioLink: ZMQSocket, sessionLink: ZMQSocket
    /// Stops the heartbeat proxy.
    let heartbeatControl: ZMQSocket, heartbeatSteer: ZMQSocket
    /// The I/O and session threads, to route `send` (set when they start).
    nonisolated(unsafe) var ioThread: pthread_t?   // written once, before the threads start
    nonisolated(unsafe) var sessionThread: pthread_t?   // likewise
    /// iopub messages sent before any client subscribed (I/O thread only): a frontend may show
    /// its prompt before its subscription reaches the kernel, and a cell run in that moment
    /// would lose its output and its idle status (jupyter console then waits forever). They go
    /// out after the first subscriber's welcome; past `maxHeldBytes`, the oldest are dropped.
    nonisolated(unsafe) var iopubHeld: [[Data]] = [], iopubHeldBytes = 0, iopubSubscribed = false
    static let maxHeldBytes = 64 << 20
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
        ioLink = try ZMQSocket(context, type: ZMQ_PAIR)
        sessionLink = try ZMQSocket(context, type: ZMQ_PAIR)
        for s in [ioLink, sessionLink] { s.setOption(ZMQ_SNDHWM, 0); s.setOption(ZMQ_RCVHWM, 0) }
        try ioLink.bind("inproc://nabla-session")
        try sessionLink.connect("inproc://nabla-session")
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

    /// Whether the session thread owns `channel`'s socket (shell, stdin); the I/O thread owns the rest.
    static func sessionOwns(_ channel: Channel) -> Bool { channel == .shell || channel == .stdin }

    /// A message goes straight out on a socket the calling thread owns; the session thread's
    /// iopub (and control) messages go over the link, and the I/O thread sends them in order.
    public func send(_ message: Message, on channel: Channel) {
        let frames = wire.frames(message)
        let me = pthread_self()
        if let session = sessionThread, pthread_equal(session, me) != 0 {
            if KernelServer.sessionOwns(channel) {
                do { try socket(channel).send(frames) } catch { log("send on \(channel.rawValue) failed: \(error)") }
            } else {
                do { try sessionLink.send(frames, tag: channel == .iopub ? KernelServer.iopubTag : KernelServer.controlTag) } catch { log("send to the I/O thread failed: \(error)") }
            }
        } else if let io = ioThread, pthread_equal(io, me) != 0, !KernelServer.sessionOwns(channel) {
            forwardFromSession()
            sendOut(frames, on: channel)
        } else {
            log("dropped a \(message.msgType) for \(channel.rawValue) sent from a thread that does not own it")
        }
    }

    /// Each channel's name, the first frame of what the session sends the I/O thread.
    static let controlTag = Data(Channel.control.rawValue.utf8), iopubTag = Data(Channel.iopub.rawValue.utf8)

    func socket(_ channel: Channel) -> ZMQSocket {
        switch channel {
        case .shell: return shell
        case .control: return control
        case .stdin: return stdin
        case .iopub: return iopub
        }
    }

    /// Sends on control or iopub (I/O thread only).
    func sendOut(_ frames: WireFrames, on channel: Channel) {
        // A subscriber that joined since the last send gets its welcome before anything else.
        if channel == .iopub {
            welcomeSubscribers()
            if !iopubSubscribed { hold(frames.data); return }
        }
        do { try socket(channel).send(frames) } catch { log("send on \(channel.rawValue) failed: \(error)") }
    }

    /// Keeps an iopub message until a client subscribes (I/O thread only).
    func hold(_ frames: [Data]) {
        iopubHeld.append(frames)
        iopubHeldBytes += frames.reduce(0) { $0 + $1.count }
        while iopubHeldBytes > KernelServer.maxHeldBytes, !iopubHeld.isEmpty {
            iopubHeldBytes -= iopubHeld.removeFirst().reduce(0) { $0 + $1.count }
        }
    }

    /// Sends out everything the session thread has queued on the link (I/O thread only): the
    /// frames after each channel tag move to their socket uncopied.
    func forwardFromSession() {
        do {
            while let (tag, more) = try ioLink.receiveFirstNow() {
                guard more else { continue }
                let channel = Channel(rawValue: String(decoding: tag, as: UTF8.self))
                guard let channel, !KernelServer.sessionOwns(channel) else {
                    try ioLink.moveRest(to: nil)
                    continue
                }
                if channel == .iopub {
                    welcomeSubscribers()
                    if !iopubSubscribed { hold(try ioLink.receiveRest()); continue }
                }
                try ioLink.moveRest(to: socket(channel))
            }
        } catch { log("forwarding from the session failed: \(error)") }
    }

    func decode(_ frames: [Data], _ channel: String) -> Message? {
        do { return try wire.decode(frames) } catch {
            log("dropped a message on \(channel): \(error)")
            return nil
        }
    }

    // MARK: The session thread

    /// The session thread's loop: one shell request at a time, in the order they came; stdin
    /// messages arriving while no input() waits are stray and dropped.
    func sessionLoop() {
        var poller = SocketPoller([shell, stdin])
        while running.get() {
            let ready = poller.wait(timeout: 100)
            if ready[1] { dropStrayInput() }
            guard ready[0] else { continue }
            while running.get(), let frames = try? shell.receiveNow() {
                if let msg = decode(frames, "shell") { kernel.handle(msg, on: .shell) }
            }
        }
    }

    func dropStrayInput() {
        while (try? stdin.receiveNow()) != nil { log("dropped a message on stdin: no input() is waiting") }
    }

    /// Every shell request that has reached the kernel and waits its turn (session thread only).
    public func takeQueuedRequests() -> [Message] {
        var queued = [Message]()
        while let frames = try? shell.receiveNow() {
            if let m = decode(frames, "shell") { queued.append(m) }
        }
        return queued
    }

    /// Sends the input_request and waits for its input_reply; shell requests arriving meanwhile
    /// wait their turn on the socket, and a reply naming another request as its parent is
    /// ignored. Replies that come after input() gave up are dropped as stray by the session loop.
    public func askInput(_ request: Message) -> Message? {
        send(request, on: .stdin)
        while running.get() {
            guard let frames = try? stdin.receive(timeout: 50) else {
                if kernel.session.interpreter.token.isCancelled { return nil }
                continue
            }
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

    /// The I/O thread: polls control, iopub's subscriptions and the link until the session
    /// thread is done, then sends what it left.
    func ioLoop(until sessionDone: ManagedAtomicFlag) {
        let parent = getppid()
        var poller = SocketPoller([control, iopub, ioLink])
        var lastCheck = KernelServer.seconds()
        while !sessionDone.get() {
            let ready = poller.wait(timeout: 25)
            if ready[2] { forwardFromSession() }
            if ready[1] { welcomeSubscribers() }
            if ready[0] { serveControl() }
            kernel.flushStreamsIfDue()
            // An orphaned kernel (its frontend died without shutting it down) exits.
            let now = KernelServer.seconds()
            if now - lastCheck >= 0.1 {
                lastCheck = now
                if running.get() && parent > 1 && getppid() != parent {
                    log("parent process \(parent) is gone; exiting")
                    running.set(false)
                    kernel.session.interrupt()
                }
            }
        }
        forwardFromSession()
    }

    /// A coarse monotonic clock (no system call) for checks made every so often.
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
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

    /// iopub is an XPUB socket: a subscription arrives as a frame `\u{1}topic`, answered with
    /// an `iopub_welcome` message (protocol 5.5), so a client knows its subscription is live.
    func welcomeSubscribers() {
        while let frames = try? iopub.receiveNow() {
            // Unsubscriptions (0x00) and anything else are read and dropped.
            guard let frame = frames.first, frames.count == 1, frame.first == 1 else { continue }
            let topic = String(decoding: frame.dropFirst(), as: UTF8.self)
            // Straight onto the socket, ahead of what the session queued: a new subscriber's
            // first message is its welcome (it answers no request, so nothing has to precede it).
            let m = Message(identities: [Data(IOPubWelcome.msgType.utf8)], header: kernel.header(IOPubWelcome.msgType), parentHeader: nil,
                            body: .encoded(kernel.encoded(IOPubWelcome(subscription: topic))))
            do { try iopub.send(wire.frames(m)) } catch { log("send of iopub_welcome failed: \(error)") }
            if !iopubSubscribed {
                iopubSubscribed = true
                for frames in iopubHeld {
                    do { try iopub.send(frames) } catch { log("send of a held iopub message failed: \(error)") }
                }
                iopubHeld = []
                iopubHeldBytes = 0
            }
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

    nonisolated(unsafe) static var sigintToken: CancellationToken?   // set before the handler is installed; the handler only reads it

    /// Stack of the I/O and heartbeat threads: whatever RLIMIT_STACK is, room for JSON
    /// nested to `JSONReader.maxDepth` many times over.
    static let threadStack = 16 << 20

    static let controlMessages: Set<String> = ["kernel_info_request", "interrupt_request", "shutdown_request"]
}

/// A Bool shared between threads.
final class ManagedAtomicFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func get() -> Bool { value.load(ordering: .acquiring) }
    func set(_ v: Bool) { value.store(v, ordering: .releasing) }
}
