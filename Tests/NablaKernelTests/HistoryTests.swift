import Foundation
import Testing
@testable import NablaKernel

/// The SQLite history: sessions shared between kernels, queries, the JSON-lines import, faults.
@Suite struct HistoryTests {
    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nabla-history-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    final class Warnings: @unchecked Sendable {   // filled and read on the test's thread
        var lines: [String] = []
        func add(_ s: String) { lines.append(s) }
    }

    @Test func kernelsSharingADatabaseGetTheirOwnSessions() throws {
        let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("h.sqlite")
        let w = Warnings()
        let a = History(file: file, warn: w.add), b = History(file: file, warn: w.add)
        #expect(a.persistent && b.persistent && a.session != b.session)
        for n in 1...5 { a.append(line: n, input: "a\(n)"); b.append(line: n, input: "b\(n)") }
        #expect(b.tail(3).map(\.input) == ["b3", "b4", "b5"])
        #expect(a.range(session: 0, start: 2, stop: 4).map(\.input) == ["a2", "a3"])
        #expect(a.range(session: b.session, start: 1, stop: nil).map(\.input) == (1...5).map { "b\($0)" })
        // A later kernel sees both, and numbers its session after them.
        let c = History(file: file, warn: w.add)
        #expect(c.session > max(a.session, b.session))
        #expect(c.range(session: -1, start: 1, stop: nil).count == 5)
        #expect(c.tail(100).count == 10)
        #expect(w.lines.isEmpty)
    }

    /// A kernel starting while another connection writes to a new file (rollback journal,
    /// RESERVED lock) keeps its history in it: SQLite refuses the switch to WAL at once, without
    /// its busy handler, and that refusal is waited out. (Three kernels starting together on a
    /// new file lost one kernel's history about one time in ten.)
    @Test func openingWhileAnotherConnectionWritesANewFile() throws {
        let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("h.sqlite")
        final class Writer: @unchecked Sendable {   // used by one thread at a time: here, then by the timer
            let db: SQLiteDatabase
            init(_ db: SQLiteDatabase) { self.db = db }
        }
        let writer = Writer(try SQLiteDatabase(path: file.path))
        try writer.db.run("BEGIN IMMEDIATE")
        try writer.db.run("CREATE TABLE other (x)")
        let committed = DispatchSemaphore(value: 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { _ = try? writer.db.run("COMMIT"); committed.signal() }
        let w = Warnings()
        let h = History(file: file, warn: w.add)
        #expect(h.persistent)
        committed.wait()
        h.append(line: 1, input: "x = 1")
        #expect(w.lines.isEmpty, "\(w.lines)")
        #expect(try writer.db.run("SELECT source FROM history").map { $0.first as? String } == ["x = 1"])
    }

    @Test func searchGlobsAndUnique() throws {
        let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let h = History(file: dir.appendingPathComponent("h.sqlite"))
        for (n, s) in ["x = 1", "y = 2", "x = 1", "x = 3"].enumerated() { h.append(line: n + 1, input: s) }
        #expect(h.search(pattern: "x*", unique: false, n: nil).map(\.line) == [1, 3, 4])
        #expect(h.search(pattern: "x*", unique: true, n: nil).map(\.line) == [3, 4])
        #expect(h.search(pattern: "? = ?", unique: false, n: 2).map(\.line) == [3, 4])
        #expect(h.search(pattern: "[y]*", unique: false, n: 0).map(\.input) == ["y = 2"])
    }

    @Test func importsTheJSONLinesHistoryOnce() throws {
        let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let legacy = dir.appendingPathComponent("nabla_history.jsonl")
        // The last line is corrupt: a lone surrogate escape and no closing bracket.
        try Data("[1, 1, \"a = 1\"]\n[1, 2, \"b = 2\"]\n[3, 1, \"c = \\ud800\"]\n[3, 2, \"\\ud800\\u0041".utf8).write(to: legacy)
        let w = Warnings()
        let h = History(file: dir.appendingPathComponent("nabla_history.sqlite"), warn: w.add)
        #expect(h.persistent && h.session == 4)
        #expect(h.tail(10).map(\.input) == ["a = 1", "b = 2", "c = \u{FFFD}"])
        #expect(w.lines.count == 1 && w.lines[0].contains("skipped 1"))
        h.append(line: 1, input: "d")
        let again = History(file: dir.appendingPathComponent("nabla_history.sqlite"), warn: w.add)
        #expect(again.tail(10).count == 4 && again.session == 5)
        #expect(w.lines.count == 1)
    }

    @Test func aDirectoryOrACorruptFileFallsBackToMemory() throws {
        let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let garbage = dir.appendingPathComponent("garbage.sqlite")
        try Data(repeating: 0x5A, count: 10_000).write(to: garbage)
        for file in [dir, garbage, URL(fileURLWithPath: "/proc/nabla-cannot-exist/h.sqlite")] {
            let w = Warnings()
            let h = History(file: file, warn: w.add)
            #expect(!h.persistent)
            for n in 1...3 { h.append(line: n, input: "cell \(n)") }
            #expect(h.tail(10).map(\.input) == ["cell 1", "cell 2", "cell 3"])
            #expect(h.range(session: 0, start: 2, stop: nil).map(\.line) == [2, 3])
            #expect(w.lines.count == 1, "\(file.path): \(w.lines)")
        }
    }

    @Test func inMemoryWithoutAFile() {
        let w = Warnings()
        let h = History(file: nil, warn: w.add)
        h.append(line: 1, input: "1 + 1")
        #expect(h.tail(5).map(\.input) == ["1 + 1"] && w.lines.isEmpty && !h.persistent)
    }
}
