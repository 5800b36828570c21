import Foundation
import Testing
@testable import NablaKernel

/// Requests no client should send, which must never trap: cursors far outside the code,
/// fields of the wrong type; and the answers IPython gives to is_complete.
@Suite struct HostileFieldTests {
    func reply(_ k: Kernel, _ t: MemoryTransport, _ type: String, _ content: JSONObject) -> Message? {
        k.handle(request(type, content), on: .shell)
        return t.last(type.replacingOccurrences(of: "_request", with: "_reply"))
    }

    @Test func cursorsAreClamped() throws {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        for code in ["x = sigm", "", "é😀 = sof", "ab\u{301}c"] {
            let n = code.unicodeScalars.count
            for cursor in [Int.min, Int.max, -1, -2, 0, 1, n - 1, n, n + 1, 1 << 40] {
                let c = try #require(reply(k, t, "complete_request", ["code": code, "cursor_pos": cursor]))
                let start = try #require(c.content["cursor_start"] as? Int), end = try #require(c.content["cursor_end"] as? Int)
                #expect(0 <= start && start <= end && end <= n && end == min(max(cursor, 0), n), "\(code) \(cursor)")
                #expect(reply(k, t, "inspect_request", ["code": code, "cursor_pos": cursor])?.content["status"] as? String == "ok")
            }
        }
        // Code points, not UTF-16 units or bytes: the cursor after "é😀 = sof" is 8.
        let c = reply(k, t, "complete_request", ["code": "é😀 = sof", "cursor_pos": 8])
        #expect(c?.content["cursor_start"] as? Int == 5 && (c?.content["matches"] as? [String])?.contains("softmax") == true)
    }

    @Test func wrongTypesFallBackToDefaults() {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        let junk: [Any] = ["x", 1.5, true, NSNull(), [1, 2] as [Any], ["a": 1] as JSONObject, Int.min, Int.max, Double.nan]
        let requests: [String: [String]] = [
            "execute_request": ["code", "silent", "store_history", "user_expressions", "allow_stdin", "stop_on_error"],
            "complete_request": ["code", "cursor_pos"], "inspect_request": ["code", "cursor_pos", "detail_level"],
            "is_complete_request": ["code"], "comm_info_request": ["target_name"], "kernel_info_request": [],
            "history_request": ["hist_access_type", "output", "raw", "session", "start", "stop", "n", "pattern", "unique"],
            "comm_open": ["comm_id", "target_name", "data"],
        ]
        for (type, fields) in requests {
            for field in fields {
                for v in junk {
                    let before = t.sent.count
                    k.handle(request(type, [field: v]), on: .shell)
                    let replies = t.sent[before...].filter { $0.0 == .shell }
                    #expect(type == "comm_open" || replies.count == 1, "\(type).\(field) = \(v)")
                }
            }
        }
        // Still answering correctly afterwards.
        k.handle(request("execute_request", ["code": "1 + 1"]), on: .shell)
        #expect((t.last("execute_result")?.content["data"] as? [String: String])?["text/plain"] == "2")
    }

    @Test func isCompleteAsIPython() {
        let t = MemoryTransport()
        let k = Kernel(transport: t)
        func verdict(_ code: String) -> (String?, String?) {
            let r = reply(k, t, "is_complete_request", ["code": code])
            return (r?.content["status"] as? String, r?.content["indent"] as? String)
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
        let links = try #require(t.last("kernel_info_reply")?.content["help_links"] as? [[String: String]])
        #expect(!links.isEmpty && links.allSatisfy { !($0["url"] ?? "file:").hasPrefix("file:") && !($0["url"] ?? "/").hasPrefix("/") })
    }
}
