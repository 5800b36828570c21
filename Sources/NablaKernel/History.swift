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

    /// Earlier sessions' entries are read on the first history request, not at start-up;
    /// only the file's last line is read now, for the session number.
    private var loaded = false

    init(file: URL?) {
        self.file = file
        var last = 0
        if let file, let h = try? FileHandle(forReadingFrom: file) {
            let end = h.seekToEndOfFile()
            h.seek(toFileOffset: end > 4096 ? end - 4096 : 0)
            let tail = h.readDataToEndOfFile()
            try? h.close()
            if let line = String(decoding: tail, as: UTF8.self).split(separator: "\n").last,
               let e = History.parse(line) { last = e.session }
        }
        session = last + 1
    }

    static func parse(_ line: Substring) -> Entry? {
        guard let o = JSONReader.object(Data("{\"e\":".utf8) + Data(line.utf8) + Data("}".utf8))?["e"] as? [Any], o.count == 3,
              let s = o[0] as? Int, let n = o[1] as? Int, let i = o[2] as? String else { return nil }
        return Entry(session: s, line: n, input: i)
    }

    /// Reads earlier sessions from the file once (call with the lock held).
    private func loadIfNeeded() {
        guard !loaded else { return }
        loaded = true
        guard let file, let text = try? String(contentsOf: file, encoding: .utf8) else { return }
        let old = text.split(separator: "\n").suffix(History.keep).compactMap(History.parse).filter { $0.session < session }
        entries = old + entries
    }

    func append(line: Int, input: String) {
        lock.lock(); defer { lock.unlock() }
        entries.append(Entry(session: session, line: line, input: input))
        guard let file else { return }
        if writer == nil {
            if !FileManager.default.fileExists(atPath: file.path) {
                try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                FileManager.default.createFile(atPath: file.path, contents: nil)
            }
            writer = try? FileHandle(forWritingTo: file)
        }
        guard let writer else { return }
        writer.seekToEndOfFile()
        writer.write(JSONWriter.data([session, line, input] as [Any]) + Data("\n".utf8))
    }

    /// Kept open for the kernel's life; each cell appends a line.
    private var writer: FileHandle?

    func tail(_ n: Int) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        loadIfNeeded()
        return Array(entries.suffix(max(n, 0)))
    }

    /// Session 0 means this one; negative sessions count back from it, as IPython does.
    func range(session s: Int, start: Int, stop: Int?) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        loadIfNeeded()
        let target = s <= 0 ? session + s : s
        return entries.filter { e in e.session == target && e.line >= start && (stop.map { e.line < $0 } ?? true) }
    }

    func search(pattern: String, unique: Bool, n: Int?) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        loadIfNeeded()
        var found = entries.filter { fnmatch(pattern, $0.input, 0) == 0 }
        if unique {
            var seen = Set<String>()
            found = found.reversed().filter { seen.insert($0.input).inserted }.reversed()
        }
        if let n, n > 0 { found = Array(found.suffix(n)) }
        return found
    }
}
