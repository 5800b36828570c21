import Foundation
import Testing
@testable import NablaKernel

/// JSON no client should send, which must never trap the reader: invalid surrogates, bad
/// escapes and numbers, deep nesting, random bytes.
@Suite struct HostileJSONTests {
    func string(_ json: String) -> String? {
        JSONReader.object(Data("{\"s\": \"\(json)\"}".utf8))?["s"]?.stringValue
    }

    @Test func invalidSurrogatesBecomeReplacementCharacters() {
        #expect(string(#"\ud800\u0041"#) == "\u{FFFD}A")
        #expect(string(#"\ud800\ud800"#) == "\u{FFFD}\u{FFFD}")
        #expect(string(#"\ud800\u0000"#) == "\u{FFFD}\u{0}")
        #expect(string(#"\udc00"#) == "\u{FFFD}")
        #expect(string(#"\udfff\ud83d\ude00"#) == "\u{FFFD}😀")
        #expect(string(#"\ud800"#) == "\u{FFFD}")
        #expect(string(#"\ud800x"#) == "\u{FFFD}x")
        #expect(string(#"\ud800\ud83d\ude00"#) == "\u{FFFD}😀")
        #expect(string(#"\ud800\n"#) == "\u{FFFD}\n")
        #expect(string(#"\uDBFF\uDFFF"#) == "\u{10FFFF}")
    }

    @Test func truncatedAndMalformedEscapesAreRefused() {
        for bad in [#"{"s": "\ud800\u00"}"#, #"{"s": "\u12"}"#, #"{"s": "\u+123"}"#, #"{"s": "\u-123"}"#, #"{"s": "\x"}"#,
                    #"{"s": "\"#, #"{"s": "\ud800\"#, #"{"s": "\ud800\u"}"#, "{\"s\": \"\\u"] {
            #expect(JSONReader.object(Data(bad.utf8)) == nil, "\(bad)")
        }
    }

    @Test func numbersFollowTheGrammar() throws {
        for bad in ["+1", "01", "1.", ".5", "1e", "1e+", "--1", "-", "1.2.3", "0x10", "NaN", "Infinity", "1-2"] {
            #expect(JSONReader.object(Data("{\"n\": \(bad)}".utf8)) == nil, "\(bad)")
        }
        let o = try #require(JSONReader.object(Data(#"{"a": -9223372036854775808, "b": 9223372036854775808, "c": 1e400, "d": -0, "e": 2.5E-3}"#.utf8)))
        #expect(o["a"] == .int(Int.min))
        #expect(o["b"] == .double(9223372036854775808.0))
        #expect(o["c"] == .double(.infinity))
        #expect(o["d"] == .int(0) && o["e"] == .double(0.0025))
    }

    @Test func nestingIsBoundedAtTheLimitNotBeyond() {
        @Sendable func nested(_ n: Int) -> String { "{\"a\":" + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "}" }
        #expect(JSONReader.object(Data(nested(JSONReader.maxDepth - 1).utf8)) != nil)
        #expect(throws: JSONReaderError.tooDeep(JSONReader.maxDepth)) { try JSONReader.parseObject(Data(nested(JSONReader.maxDepth).utf8)) }
        // The limit holds on a thread with a small stack (2 MiB, an eighth of the control thread's).
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var parsed = false   // written before the semaphore signals, read after
        let t = Thread { parsed = JSONReader.object(Data(nested(JSONReader.maxDepth - 1).utf8)) != nil; done.signal() }
        t.stackSize = 2 << 20
        t.start()
        done.wait()
        #expect(parsed)
    }

    @Test func randomBytesNeverTrap() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":,\u0123456789abcdefABCDEF-+.eE truefalsenull"#.utf8) + [0, 0xC3, 0xA9, 0xFF, 0xED, 0xA0, 0x80]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0..<40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            _ = JSONReader.object(Data(bytes))
            _ = JSONReader.object(Data("{\"k\":\"".utf8) + Data(bytes) + Data("\"}".utf8))
        }
    }
}
