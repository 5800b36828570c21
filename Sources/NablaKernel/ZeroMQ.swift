import CZeroMQ
import Foundation

/// Errors from libzmq, with its message.
public struct ZMQError: Error, CustomStringConvertible {
    public let what: String
    public let code: Int32
    public var description: String { "\(what): \(String(cString: zmq_strerror(code)))" }
    static func last(_ what: String) -> ZMQError { ZMQError(what: what, code: zmq_errno()) }
}

/// A libzmq context (one per process).
public final class ZMQContext: @unchecked Sendable {   // libzmq contexts are thread-safe
    let handle: UnsafeMutableRawPointer
    public init() throws {
        guard let h = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        handle = h
    }
    deinit { zmq_ctx_term(handle) }
}

/// A thin wrapper of one libzmq socket: bind/connect, multipart send and receive, poll.
/// Like libzmq's sockets, not thread-safe: callers serialize access.
public final class ZMQSocket: @unchecked Sendable {   // moved between threads, used by one at a time
    let handle: UnsafeMutableRawPointer
    /// Kept alive while the socket is: zmq_ctx_term waits for every socket to close, so a
    /// context released first (say, when an init throws after a failed bind) would hang.
    let context: ZMQContext
    /// Largest message accepted; a peer sending more is disconnected by libzmq.
    public static let maxMessageSize: Int64 = 512 << 20

    public init(_ context: ZMQContext, type: Int32) throws {
        guard let h = zmq_socket(context.handle, type) else { throw ZMQError.last("zmq_socket") }
        handle = h
        self.context = context
        var linger: Int32 = 1000
        zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        var maxSize = ZMQSocket.maxMessageSize
        zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &maxSize, MemoryLayout<Int64>.size)
    }

    deinit { zmq_close(handle) }

    public func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("bind \(endpoint)") }
    }

    public func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("connect \(endpoint)") }
    }

    /// Sets an integer option (ZMQ_SNDHWM, ZMQ_LINGER, …).
    public func setOption(_ option: Int32, _ value: Int32) {
        var v = value
        zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size)
    }

    public func setOption(_ option: Int32, _ value: Data) {
        value.withUnsafeBytes { p in _ = zmq_setsockopt(handle, option, p.baseAddress, value.count) }
    }

    /// The endpoint actually bound (for port 0 / wildcard binds).
    public var lastEndpoint: String {
        var buf = [CChar](repeating: 0, count: 256)
        var size = buf.count
        zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buf, &size)
        return String(cString: buf)
    }

    /// Sends frames as one multipart message.
    public func send(_ frames: [Data]) throws {
        for (i, f) in frames.enumerated() {
            try f.withUnsafeBytes { try send($0, more: i < frames.count - 1) }
        }
    }

    /// Sends a message's frames, after `tag` when one is given (the link's channel name),
    /// each JSON part straight from the buffer it was written in.
    public func send(_ m: WireFrames, tag: Data? = nil) throws {
        if let tag { try tag.withUnsafeBytes { try send($0, more: true) } }
        for f in m.identities { try f.withUnsafeBytes { try send($0, more: true) } }
        try Wire.delimiter.withUnsafeBytes { try send($0, more: true) }
        try m.signature.withUnsafeBytes { try send($0, more: true) }
        try m.body.withUnsafeBytes { body in
            for (i, r) in m.parts.enumerated() {
                try send(UnsafeRawBufferPointer(rebasing: body[r]), more: i < 3 || !m.buffers.isEmpty)
            }
        }
        for (i, f) in m.buffers.enumerated() { try f.withUnsafeBytes { try send($0, more: i < m.buffers.count - 1) } }
    }

    /// Sends one frame (copied by libzmq).
    func send(_ bytes: UnsafeRawBufferPointer, more: Bool) throws {
        guard zmq_send(handle, bytes.baseAddress, bytes.count, more ? ZMQ_SNDMORE : 0) >= 0 else { throw ZMQError.last("send") }
    }

    /// The descriptor that becomes readable when libzmq has news for the socket (ZMQ_FD):
    /// edge-triggered, so the socket must be drained each time it fires.
    var descriptor: Int32 {
        var fd: Int32 = -1
        var size = MemoryLayout<Int32>.size
        zmq_getsockopt(handle, ZMQ_FD, &fd, &size)
        return fd
    }

    /// Waits up to `timeout` ms (−1: forever) until a message can be read.
    public func poll(timeout: Int) -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        let rc = zmq_poll(&item, 1, timeout)
        return rc > 0 && (item.revents & Int16(ZMQ_POLLIN)) != 0
    }

    /// Receives one multipart message, or nil when none arrives within `timeout` ms.
    public func receive(timeout: Int = -1) throws -> [Data]? {
        guard poll(timeout: timeout) else { return nil }
        return try receiveNow()
    }

    /// Receives one multipart message if one is waiting (never blocks), else nil.
    public func receiveNow() throws -> [Data]? {
        guard let (first, more) = try receiveFirstNow() else { return nil }
        return more ? [first] + (try receiveRest()) : [first]
    }

    /// Receives the first frame of a waiting message (never blocks), else nil; `more` says
    /// whether frames follow (read them with `receiveRest` or `moveRest`).
    public func receiveFirstNow() throws -> (frame: Data, more: Bool)? {
        var msg = zmq_msg_t()
        zmq_msg_init(&msg)
        defer { zmq_msg_close(&msg) }
        while zmq_msg_recv(&msg, handle, ZMQ_DONTWAIT) < 0 {
            let e = zmq_errno()
            if e == EINTR { continue }
            if e == EAGAIN { return nil }
            throw ZMQError.last("recv")
        }
        return (ZMQSocket.bytes(of: &msg), zmq_msg_more(&msg) != 0)
    }

    /// Receives the remaining frames of the message whose first frame was read.
    public func receiveRest() throws -> [Data] {
        var frames = [Data]()
        try eachRemainingFrame { msg, _ in frames.append(ZMQSocket.bytes(of: &msg)) }
        return frames
    }

    /// Moves the remaining frames of the message being received onto `target` (nil: drops
    /// them), without copying them, as zmq_proxy does. A failed send drops the frames left
    /// (read all the same, so the next message starts at its first frame) and is thrown.
    public func moveRest(to target: ZMQSocket?) throws {
        var target = target, failure: ZMQError?
        try eachRemainingFrame { msg, more in
            while let t = target, zmq_msg_send(&msg, t.handle, more ? ZMQ_SNDMORE : 0) < 0 {
                guard zmq_errno() == EINTR else { failure = ZMQError.last("send"); target = nil; break }
            }
        }
        if let failure { throw failure }
    }

    /// Calls `body` with each remaining frame of the message being received and whether more
    /// follow (the frame is closed after `body`).
    private func eachRemainingFrame(_ body: (inout zmq_msg_t, Bool) -> Void) throws {
        while true {
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            defer { zmq_msg_close(&msg) }
            while zmq_msg_recv(&msg, handle, 0) < 0 {
                guard zmq_errno() == EINTR else { throw ZMQError.last("recv") }
            }
            let more = zmq_msg_more(&msg) != 0
            body(&msg, more)
            if !more { return }
        }
    }

    /// A received frame's bytes, copied.
    private static func bytes(of msg: inout zmq_msg_t) -> Data {
        let size = zmq_msg_size(&msg)
        return size > 0 ? Data(bytes: zmq_msg_data(&msg), count: size) : Data()
    }
}

/// Waits on several sockets with poll(2) on their ZMQ_FDs, and reports only the sockets whose
/// descriptor fired, or all of them when none did before the timeout. Cheaper than zmq_poll,
/// which asks every socket for ZMQ_EVENTS (a system call each) before and after it sleeps.
/// The caller drains each socket reported (reads until none is waiting): a descriptor fires
/// once for news, not once per message. A message that slips past (its news taken in by a
/// send on the same socket) is found at the next timeout.
struct SocketPoller {
    private var fds: [pollfd]

    init(_ sockets: [ZMQSocket]) {
        fds = sockets.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
    }

    /// Which sockets to drain, after up to `timeout` ms.
    mutating func wait(timeout: Int32) -> [Bool] {
        let n = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
        guard n > 0 else { return fds.map { _ in true } }
        return fds.map { $0.revents != 0 }
    }
}
