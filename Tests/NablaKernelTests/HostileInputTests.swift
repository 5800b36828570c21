import Foundation
import Testing
@testable import NablaKernel

/// Requests no client should send, which must never trap: cursors far outside the code,
/// fields of the wrong type; and the answers IPython gives to is_complete.
@Suite struct HostileFieldTests {
    func reply(_ k: Kernel, _ t: MemoryTransport, _ type: String, _ content: JSON) -> Message? {
        k.handle(request(type, content), on: .shell)
        return t.last(type.replacingOccurrences(of: "_request", with: "_reply"))
    }

    @Test func cursorsAreClamped() throws {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        for code in ["x = sigm", "", "é😀 = sof", "ab\u{301}c"] {
            let n = code.unicodeScalars.count
            for cursor in [Int.min, Int.max, -1, -2, 0, 1, n - 1, n, n + 1, 1 << 40] {
                let c = try #require(reply(k, t, "complete_request", ["code": .string(code), "cursor_pos": .int(cursor)]))
                let start = try #require(c.content["cursor_start"]?.intValue), end = try #require(c.content["cursor_end"]?.intValue)
                #expect(0 <= start && start <= end && end <= n && end == min(max(cursor, 0), n), "\(code) \(cursor)")
                #expect(reply(k, t, "inspect_request", ["code": .string(code), "cursor_pos": .int(cursor)])?.content["status"]?.stringValue == "ok")
            }
        }
        // Code points, not UTF-16 units or bytes: the cursor after "é😀 = sof" is 8.
        let c = reply(k, t, "complete_request", ["code": "é😀 = sof", "cursor_pos": 8])
        #expect(c?.content["cursor_start"]?.intValue == 5 && (c?.content["matches"]?.strings)?.contains("softmax") == true)
    }

    /// Every field of every request, with every JSON type and extreme values: exactly one
    /// reply; an error reply (TypeError naming the field) exactly when the value has the wrong
    /// type; null reads as absent; integers beyond Int64 clamp.
    @Test func wrongTypesGetAnErrorReplyNamingTheField() throws {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        let junk: [JSON] = ["x", 1.5, true, nil, [1, 2], ["a": 1], ["a": "1"], .int(.min), .int(.max), 1e30, -1e30, .double(.nan), 5.0]
        enum Kind { case str, bool, int, strDict }
        let requests: [String: [String: Kind]] = [
            "execute_request": ["code": .str, "silent": .bool, "store_history": .bool, "user_expressions": .strDict, "allow_stdin": .bool, "stop_on_error": .bool],
            "complete_request": ["code": .str, "cursor_pos": .int], "inspect_request": ["code": .str, "cursor_pos": .int, "detail_level": .int],
            "is_complete_request": ["code": .str], "comm_info_request": ["target_name": .str], "shutdown_request": [:], "kernel_info_request": [:],
            "history_request": ["hist_access_type": .str, "output": .bool, "raw": .bool, "session": .int, "start": .int, "stop": .int,
                                "n": .int, "pattern": .str, "unique": .bool],
        ]
        func fits(_ v: JSON, _ kind: Kind) -> Bool {
            switch (v, kind) {
            case (.null, _), (.string, .str), (.bool, .bool), (.int, .int): return true
            case let (.double(d), .int): return d.rounded() == d && abs(d) >= 0x1p63
            case let (.object(o), .strDict): return o.values.allSatisfy { $0.stringValue != nil }
            default: return false
            }
        }
        for (type, fields) in requests {
            for (field, kind) in fields {
                for v in junk {
                    let before = t.sent.count
                    k.handle(request(type, [field: v]), on: .shell)
                    let replies = t.sent[before...].filter { $0.0 == .shell }.map(\.1)
                    try #require(replies.count == 1, "\(type).\(field) = \(v)")
                    let status = replies[0].content["status"]?.stringValue
                    #expect(replies[0].msgType == type.replacingOccurrences(of: "_request", with: "_reply"))
                    if fits(v, kind) {
                        // (code "x" runs and fails with NameError: that is the cell's error, not the request's)
                        let refused = status == "error" && replies[0].content["evalue"]?.stringValue?.hasPrefix(type + ":") == true
                        #expect(!refused, "\(type).\(field) = \(v)")
                    } else {
                        #expect(status == "error" && replies[0].content["ename"]?.stringValue == "TypeError", "\(type).\(field) = \(v)")
                        #expect(replies[0].content["evalue"]?.stringValue?.contains("'\(field)") == true, "\(type).\(field) = \(v)")
                    }
                }
            }
        }
        // A cursor past Int64 is past the end, as in Python: clamped, answered.
        k.handle(request("complete_request", ["code": "x = sigm", "cursor_pos": 1e30]), on: .shell)
        #expect(t.last("complete_reply")?.content["cursor_end"]?.intValue == 8)
        // Comm messages have no reply: a bad one is dropped; a good one still gets its close.
        k.handle(request("comm_open", ["comm_id": 5, "target_name": "t"]), on: .shell)
        #expect(t.last("comm_close") == nil)
        k.handle(request("comm_open", ["comm_id": "c", "target_name": "t", "data": ["deep": [[1, nil, "x"]]]]), on: .shell)
        #expect(t.last("comm_close")?.content["comm_id"]?.stringValue == "c")
        // Still answering correctly afterwards.
        k.handle(request("execute_request", ["code": "1 + 1"]), on: .shell)
        #expect(t.last("execute_result")?.content["data"]?["text/plain"]?.stringValue == "2")
    }

    @Test func isCompleteAsIPython() {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        func verdict(_ code: String) -> (String?, String?) {
            let r = reply(k, t, "is_complete_request", ["code": .string(code)])
            return (r?.content["status"]?.stringValue, r?.content["indent"]?.stringValue)
        }
        #expect(verdict("def f(x):\n    return x\n") == ("complete", nil))
        #expect(verdict("def f(x):") == ("incomplete", "    "))
        #expect(verdict("for i in r:") == ("incomplete", "    "))
        #expect(verdict("for i in r:\n") == ("incomplete", "    "))
        #expect(verdict("x = (1 +").0 == "incomplete")
        #expect(verdict("x = [1,\n").0 == "incomplete")
        #expect(verdict("x = = 1") == ("invalid", nil))
        #expect(verdict("x = 1") == ("complete", nil))
    }

    @Test func helpLinksPointAtNoBuildMachinePath() throws {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        k.handle(request("kernel_info_request", [:]), on: .shell)
        let links = try #require(t.last("kernel_info_reply")?.content["help_links"]?.arrayValue)
        #expect(!links.isEmpty && links.allSatisfy { !($0["url"]?.stringValue ?? "file:").hasPrefix("file:") && !($0["url"]?.stringValue ?? "/").hasPrefix("/") })
    }
}
