import CSQLite
import Foundation

/// Why an SQLite call failed: the call, SQLite's extended result code and its message.
enum SQLiteError: Error, CustomStringConvertible {
    case open(path: String, code: Int32, message: String)
    case statement(sql: String, code: Int32, message: String)

    var description: String {
        switch self {
        case let .open(path, code, message): return "cannot open \(path): \(message) (SQLite error \(code))"
        case let .statement(sql, code, message):
            let head = sql.split(separator: " ").prefix(3).joined(separator: " ")
            return "\(head)…: \(message) (SQLite error \(code))"
        }
    }
}

/// One SQLite connection (used from one thread at a time): statements with bound values and
/// rows read back as Int64/String. SQLITE_TRANSIENT copies bound text, so no lifetimes leak.
final class SQLiteDatabase {
    private let db: OpaquePointer
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Opens (creating) `path`, waiting up to `busyTimeout` ms for other connections' locks.
    init(path: String, busyTimeout: Int32 = 10_000) throws {
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let handle { sqlite3_close_v2(handle) }
            throw SQLiteError.open(path: path, code: rc, message: message)
        }
        db = handle
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeout)
    }

    deinit { sqlite3_close_v2(db) }

    /// A value bound to a `?` parameter.
    enum Bound { case int(Int), text(String), null }

    /// Runs one statement; returns its rows, each column as Int, String or nil.
    @discardableResult
    func run(_ sql: String, _ values: [Bound] = []) throws -> [[Any?]] {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else { throw error(sql) }
        defer { sqlite3_finalize(stmt) }
        for (k, v) in values.enumerated() {
            let idx = Int32(k + 1)
            switch v {
            case let .int(n): sqlite3_bind_int64(stmt, idx, Int64(n))
            case let .text(s): sqlite3_bind_text(stmt, idx, s, -1, SQLiteDatabase.transient)
            case .null: sqlite3_bind_null(stmt, idx)
            }
        }
        var rows = [[Any?]]()
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return rows }
            guard rc == SQLITE_ROW else { throw error(sql) }
            var row = [Any?]()
            for c in 0..<sqlite3_column_count(stmt) {
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: row.append(Int(sqlite3_column_int64(stmt, c)))
                case SQLITE_NULL: row.append(nil)
                default:
                    let n = Int(sqlite3_column_bytes(stmt, c))
                    if let p = sqlite3_column_text(stmt, c) {
                        row.append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
                    } else { row.append("") }
                }
            }
            rows.append(row)
        }
    }

    /// Switches the file to write-ahead logging. While another connection is switching the same
    /// new file, SQLite answers SQLITE_BUSY at once, without asking the busy handler (three
    /// kernels starting on one new history file lost one kernel's history about one time in
    /// ten): that answer is retried for up to `patience` seconds.
    func enableWAL(patience: Double = 10) throws {
        let deadline = Date().addingTimeInterval(patience)
        while true {
            do { try run("PRAGMA journal_mode=WAL"); return } catch let SQLiteError.statement(_, code, _) where code & 0xff == SQLITE_BUSY && Date() < deadline {
                usleep(5_000)
            }
        }
    }

    /// Runs `body` in a transaction that takes the write lock at once (BEGIN IMMEDIATE), so
    /// kernels sharing the file serialize their read-then-write steps.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try run("BEGIN IMMEDIATE")
        do {
            let v = try body()
            try run("COMMIT")
            return v
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
    }

    var lastInsertRowID: Int { Int(sqlite3_last_insert_rowid(db)) }

    private func error(_ sql: String) -> SQLiteError {
        .statement(sql: sql, code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)))
    }
}
