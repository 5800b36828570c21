import Foundation

/// Inputs of executed cells, for `history_request`: in memory for this kernel, and appended to
/// a JSON-lines file (Jupyter's data dir) so tail and search reach earlier sessions too.
final class History: @unchecked Sendable {
    struct Entry { var session: Int, line: Int, input: String }
    private var entries: [Entry] = []
    private let file: URL?
    private let lock = NSLock()
    /// This kernel's session number: one more than the last one in the file.
    let session: Int
    /// Lines kept from earlier sessions.
    static let keep = 10_000

    init(file: URL?) {
        self.file = file
        var old = [Entry]()
        if let file, let text = try? String(contentsOf: file, encoding: .utf8) {
            for line in text.split(separator: "\n").suffix(History.keep) {
                guard let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [Any], o.count == 3,
                      let s = o[0] as? Int, let n = o[1] as? Int, let i = o[2] as? String else { continue }
                old.append(Entry(session: s, line: n, input: i))
            }
        }
        entries = old
        session = (old.last?.session ?? 0) + 1
    }

    func append(line: Int, input: String) {
        lock.lock(); defer { lock.unlock() }
        entries.append(Entry(session: session, line: line, input: input))
        guard let file, let data = try? JSONSerialization.data(withJSONObject: [session, line, input]) else { return }
        if !FileManager.default.fileExists(atPath: file.path) {
            try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        if let h = try? FileHandle(forWritingTo: file) {
            h.seekToEndOfFile()
            h.write(data + Data("\n".utf8))
            try? h.close()
        }
    }

    func tail(_ n: Int) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        return Array(entries.suffix(max(n, 0)))
    }

    /// Session 0 means this one; negative sessions count back from it, as IPython does.
    func range(session s: Int, start: Int, stop: Int?) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        let target = s <= 0 ? session + s : s
        return entries.filter { e in e.session == target && e.line >= start && (stop.map { e.line < $0 } ?? true) }
    }

    func search(pattern: String, unique: Bool, n: Int?) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        var found = entries.filter { fnmatch(pattern, $0.input, 0) == 0 }
        if unique {
            var seen = Set<String>()
            found = found.reversed().filter { seen.insert($0.input).inserted }.reversed()
        }
        if let n, n > 0 { found = Array(found.suffix(n)) }
        return found
    }
}
