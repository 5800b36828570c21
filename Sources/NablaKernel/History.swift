import Foundation

/// Inputs of executed cells, for `history_request`, kept as IPython keeps them: an SQLite
/// database (tables `sessions` and `history`, WAL, busy timeout) that several kernels share,
/// each under a session number of its own. Any fault of the database (a directory in its place,
/// a corrupt file, a full disk, RLIMIT_FSIZE) prints one warning and history goes on in memory:
/// this session's cells are always kept there too, so none is lost.
final class History: @unchecked Sendable {   // used only on the thread that runs shell requests
    struct Entry: Equatable { var session: Int, line: Int, input: String }
    /// The database file; nil keeps history in memory.
    private let file: URL?
    /// Whether `open` has run (the database is opened on first use, not at start-up: a
    /// kernel's first reply does not wait for it).
    private var opened = false
    private var sessionNumber = 1
    private var db: SQLiteDatabase?
    /// This session's cells, always.
    private var mine: [Entry] = []
    /// Earlier sessions' cells read back when the database failed, for queries from then on.
    private var earlier: [Entry] = []
    private let lock = NSLock()
    private let warn: (String) -> Void
    /// Most entries read back from the database on a fault.
    static let keep = 10_000

    /// History in the database at `file`, opened (created) on first use; nil keeps it in memory.
    init(file: URL?, warn: @escaping (String) -> Void = { _ in }) {
        self.file = file
        self.warn = warn
    }

    /// This kernel's session number.
    var session: Int {
        lock.lock(); defer { lock.unlock() }
        open()
        return sessionNumber
    }

    /// Opens (creating) the database, importing once the JSON-lines history that earlier
    /// versions kept beside it (same name, `.jsonl`), and starts a session (hold `lock`).
    private func open() {
        guard !opened else { return }
        opened = true
        guard let file else { return }
        let path = file.pathExtension == "jsonl" ? file.deletingPathExtension().appendingPathExtension("sqlite") : file
        let legacy = path.deletingPathExtension().appendingPathExtension("jsonl")
        do {
            try? FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            let db = try SQLiteDatabase(path: path.path)
            try db.enableWAL()
            try db.run("PRAGMA synchronous=NORMAL")
            sessionNumber = try db.transaction {
                try db.run("""
                    CREATE TABLE IF NOT EXISTS sessions (session INTEGER PRIMARY KEY AUTOINCREMENT,
                        start TIMESTAMP, end TIMESTAMP, num_cmds INTEGER, remark TEXT)
                    """)
                try db.run("""
                    CREATE TABLE IF NOT EXISTS history (session INTEGER, line INTEGER, source TEXT, source_raw TEXT,
                        PRIMARY KEY (session, line))
                    """)
                try db.run("CREATE TABLE IF NOT EXISTS nabla_migrations (name TEXT PRIMARY KEY)")
                if try db.run("SELECT 1 FROM nabla_migrations WHERE name = 'jsonl'").isEmpty {
                    try History.migrate(legacy, into: db, warn: warn)
                    try db.run("INSERT INTO nabla_migrations VALUES ('jsonl')")
                }
                try db.run("INSERT INTO sessions (start, remark) VALUES (datetime('now'), '')")
                return db.lastInsertRowID
            }
            self.db = db
        } catch {
            warn("history: \(error); keeping this session's history in memory")
        }
    }

    /// Imports the lines `[session, line, input]` of a JSON-lines history, skipping unreadable ones.
    static func migrate(_ legacy: URL, into db: SQLiteDatabase, warn: (String) -> Void) throws {
        guard let data = FileManager.default.contents(atPath: legacy.path) else { return }
        var skipped = 0, sessions = Set<Int>()
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let e = parse(Data(line)) else { skipped += 1; continue }
            if sessions.insert(e.session).inserted {
                try db.run("INSERT OR IGNORE INTO sessions (session, remark) VALUES (?, 'imported from jsonl')", [.int(e.session)])
            }
            try db.run("INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?)", [.int(e.session), .int(e.line), .text(e.input), .text(e.input)])
        }
        if skipped > 0 { warn("history: skipped \(skipped) unreadable line(s) of \(legacy.path)") }
    }

    /// One line of the JSON-lines history: `[session, line, input]`.
    static func parse(_ line: Data) -> Entry? {
        guard let e = try? JSONValueDecoder.decode(HistoryItem.self, from: JSONReader.parse(line)), !e.withOutput else { return nil }
        return Entry(session: e.session, line: e.line, input: e.input)
    }

    /// Whether history is being written to the database (false after a fault or without one).
    var persistent: Bool { lock.lock(); defer { lock.unlock() }; open(); return db != nil }

    func append(line: Int, input: String) {
        lock.lock(); defer { lock.unlock() }
        open()
        mine.append(Entry(session: sessionNumber, line: line, input: input))
        guard let db else { return }
        do {
            try db.run("INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?)", [.int(sessionNumber), .int(line), .text(input), .text(input)])
        } catch { degrade(error) }
    }

    /// Records the session's end and number of cells (at shutdown; nothing when history was never used).
    func close() {
        lock.lock(); defer { lock.unlock() }
        guard let db else { return }
        do {
            try db.run("UPDATE sessions SET end = datetime('now'), num_cmds = ? WHERE session = ?", [.int(mine.count), .int(sessionNumber)])
        } catch { degrade(error) }
    }

    /// After a fault: one warning, earlier sessions read back as far as possible, memory from now on.
    private func degrade(_ error: Error) {
        guard let db else { return }
        warn("history: \(error); keeping history in memory from now on")
        let rows = (try? db.run("SELECT session, line, source_raw FROM history WHERE session != ? ORDER BY session DESC, line DESC LIMIT ?",
                                [.int(sessionNumber), .int(History.keep)])) ?? []
        earlier = History.entries(rows).reversed()
        self.db = nil
    }

    static func entries(_ rows: [[Any?]]) -> [Entry] {
        rows.compactMap { r in
            guard r.count == 3, let s = r[0] as? Int, let l = r[1] as? Int else { return nil }
            return Entry(session: s, line: l, input: r[2] as? String ?? "")
        }
    }

    /// Rows of a query, or nil (and memory from now on) when the database fails.
    private func query(_ sql: String, _ values: [SQLiteDatabase.Bound]) -> [Entry]? {
        guard let db else { return nil }
        do { return History.entries(try db.run(sql, values)) } catch {
            degrade(error)
            return nil
        }
    }

    private var memory: [Entry] { earlier + mine }

    /// The last `n` cells of all sessions, oldest first.
    func tail(_ n: Int) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        open()
        let n = max(n, 0)
        if let rows = query("SELECT session, line, source_raw FROM history ORDER BY session DESC, line DESC LIMIT ?", [.int(n)]) {
            return rows.reversed()
        }
        return Array(memory.suffix(n))
    }

    /// Lines `start..<stop` of a session; session 0 means this one, negative ones count back
    /// from it, as IPython does.
    func range(session s: Int, start: Int, stop: Int?) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        open()
        let target = s <= 0 ? sessionNumber + s : s
        let stop = stop ?? Int.max
        if let rows = query("SELECT session, line, source_raw FROM history WHERE session = ? AND line >= ? AND line < ? ORDER BY line",
                            [.int(target), .int(start), .int(stop)]) {
            return rows
        }
        return memory.filter { $0.session == target && $0.line >= start && $0.line < stop }
    }

    /// Cells matching a glob pattern (`*`, `?`, `[…]`), oldest first; the last `n` when n > 0;
    /// with `unique`, only the latest cell of each distinct input.
    func search(pattern: String, unique: Bool, n: Int?) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        open()
        let limit = n.map { $0 > 0 ? $0 : -1 } ?? -1
        let sql = unique
            ? """
              SELECT session, line, source_raw FROM (SELECT session, line, source_raw, MAX(session * 4294967296 + line)
                  FROM history WHERE source_raw GLOB ? GROUP BY source_raw) ORDER BY session DESC, line DESC LIMIT ?
              """
            : "SELECT session, line, source_raw FROM history WHERE source_raw GLOB ? ORDER BY session DESC, line DESC LIMIT ?"
        if let rows = query(sql, [.text(pattern), .int(limit)]) { return rows.reversed() }
        var found = memory.filter { fnmatch(pattern, $0.input, 0) == 0 }
        if unique {
            var seen = Set<String>()
            found = found.reversed().filter { seen.insert($0.input).inserted }.reversed()
        }
        if limit > 0 { found = Array(found.suffix(limit)) }
        return found
    }
}
