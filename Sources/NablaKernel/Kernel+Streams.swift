import Foundation

/// Coalesces a cell's prints into few `stream` messages, as ipykernel's OutStream does: text
/// is buffered and sent when it is `interval` old, reaches `maxChunk` bytes, changes stream
/// or parent, or before any other iopub message, so output stays complete and in order.
final class StreamBuffer: @unchecked Sendable {   // its state is guarded by lock
    /// Oldest buffered text is sent after this many seconds.
    static let interval: UInt64 = 50_000_000
    /// Largest `text` of one stream message, in UTF-8 bytes (longer text is split at scalars).
    static let maxChunk = 1 << 20

    private let lock = NSLock()
    private var name: String?
    private var parent: Message?
    private var text = ""
    private var bytes = 0
    private var since: UInt64 = 0
    /// Sends one stream message (set once by the kernel, before any output).
    var emit: (_ name: String, _ text: String, _ parent: Message) -> Void = { _, _, _ in }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    func write(_ s: String, stream: String, parent: Message) {
        lock.lock(); defer { lock.unlock() }
        if name != nil, name != stream || self.parent?.msgID != parent.msgID { flushLocked() }
        if name == nil { name = stream; self.parent = parent; since = StreamBuffer.now() }
        text += s
        bytes += s.utf8.count
        if bytes >= StreamBuffer.maxChunk || StreamBuffer.now() &- since >= StreamBuffer.interval { flushLocked() }
    }

    /// Sends whatever is buffered.
    func flush() {
        lock.lock(); defer { lock.unlock() }
        flushLocked()
    }

    /// Sends buffered text that has waited `interval` (called by a timer while a cell runs).
    func flushIfDue() {
        lock.lock(); defer { lock.unlock() }
        if name != nil, StreamBuffer.now() &- since >= StreamBuffer.interval { flushLocked() }
    }

    private func flushLocked() {
        guard let name, let parent else { return }
        let pending = text
        self.name = nil; self.parent = nil; text = ""; bytes = 0
        for chunk in StreamBuffer.chunks(pending, max: StreamBuffer.maxChunk) { emit(name, chunk, parent) }
    }

    /// `text` cut into pieces of at most `max` UTF-8 bytes, never inside a scalar.
    static func chunks(_ text: String, max: Int) -> [String] {
        let utf8 = Array(text.utf8)
        guard utf8.count > max else { return text.isEmpty ? [] : [text] }
        var out = [String](), start = 0
        while start < utf8.count {
            var end = Swift.min(start + Swift.max(max, 4), utf8.count)
            while end < utf8.count, end > start + 1, utf8[end] & 0xC0 == 0x80 { end -= 1 }
            out.append(String(decoding: utf8[start..<end], as: UTF8.self))
            start = end
        }
        return out
    }
}
