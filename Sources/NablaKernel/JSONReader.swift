import Foundation

/// Parses JSON (RFC 8259) into `JSON` values, straight from the bytes: with the Codable
/// decoder over `JSON`, a round trip's messages cost a third of the instructions Foundation's
/// JSONDecoder/JSONEncoder take for the same structs (callgrind; README "Messages"). No input can trap it: nesting is limited (hostile input
/// cannot exhaust the stack), indices are checked, and invalid UTF-16 escapes (lone or
/// mismatched surrogates) decode as U+FFFD, as Python's json does with errors='replace'.
struct JSONReader {
    /// Deepest nesting of arrays and objects accepted.
    static let maxDepth = 512
    let bytes: [UInt8]
    var i = 0

    /// The object `data` holds, or nil when it is not exactly one JSON object.
    static func object(_ data: Data) -> JSON? {
        try? parseObject(data)
    }

    /// The value `data` holds, or why it is not exactly one JSON value.
    static func parse(_ data: Data) throws -> JSON {
        var r = JSONReader(bytes: [UInt8](data))
        let v = try r.value(depth: 0)
        r.skipSpace()
        guard r.i == r.bytes.count else { throw JSONReaderError.trailingBytes(offset: r.i) }
        return v
    }

    /// The object `data` holds, or why it is not one.
    static func parseObject(_ data: Data) throws -> JSON {
        let v = try parse(data)
        guard case .object = v else { throw JSONReaderError.notAnObject }
        return v
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 10 || bytes[i] == 13 || bytes[i] == 9 { i += 1 }
    }

    func fail(_ what: String) -> JSONReaderError { .unexpected(what, offset: i) }

    mutating func value(depth: Int) throws -> JSON {
        skipSpace()
        guard i < bytes.count else { throw JSONReaderError.truncated }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            guard depth < JSONReader.maxDepth else { throw JSONReaderError.tooDeep(JSONReader.maxDepth) }
            i += 1
            var o = [String: JSON]()
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
            while true {
                skipSpace()
                guard i < bytes.count else { throw JSONReaderError.truncated }
                guard bytes[i] == UInt8(ascii: "\"") else { throw fail("a key") }
                let k = try string()
                skipSpace()
                guard i < bytes.count else { throw JSONReaderError.truncated }
                guard bytes[i] == UInt8(ascii: ":") else { throw fail("':'") }
                i += 1
                o[k] = try value(depth: depth + 1)
                skipSpace()
                guard i < bytes.count else { throw JSONReaderError.truncated }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                throw fail("',' or '}'")
            }
        case UInt8(ascii: "["):
            guard depth < JSONReader.maxDepth else { throw JSONReaderError.tooDeep(JSONReader.maxDepth) }
            i += 1
            var a = [JSON]()
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw JSONReaderError.truncated }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                throw fail("',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("a value")
        }
    }

    mutating func literal(_ word: StaticString, _ v: JSON) throws -> JSON {
        let n = word.utf8CodeUnitCount
        guard bytes.count - i >= n else { throw JSONReaderError.truncated }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { throw fail("\(word)") }
        i += n
        return v
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`: an Int when it has neither fraction nor
    /// exponent and fits, else a Double (±infinity beyond its range).
    mutating func number() throws -> JSON {
        let start = i
        func digits() -> Int {
            let s = i
            while i < bytes.count, (48...57).contains(bytes[i]) { i += 1 }
            return i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        guard digits() > 0 else { throw fail("a digit") }
        guard bytes[intStart] != 48 || i - intStart == 1 else { throw fail("no leading zero") }
        var isInt = true
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1; isInt = false
            guard digits() > 0 else { throw fail("a digit after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1; isInt = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail("a digit in the exponent") }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInt, let n = Int(text) { return .int(n) }
        guard let d = Double(text) else { throw fail("a number") }
        return .double(d)
    }

    mutating func string() throws -> String {
        i += 1  // opening quote
        // Fast path: no escape before the closing quote, the bytes are the string.
        var j = i
        while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\") { j += 1 }
        if j < bytes.count, bytes[j] == UInt8(ascii: "\"") {
            defer { i = j + 1 }
            return String(decoding: bytes[i..<j], as: UTF8.self)
        }
        var out = [UInt8](bytes[i..<j])
        i = j
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            guard c == UInt8(ascii: "\\") else { out.append(c); i += 1; continue }
            guard i + 1 < bytes.count else { throw JSONReaderError.truncated }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"): appendScalar(try unicodeEscape(), to: &out)
            default:
                i -= 1
                throw fail("a valid escape")
            }
        }
        throw JSONReaderError.truncated
    }

    /// The scalar of a `\uXXXX` escape (its `\u` already read): a surrogate pair combines;
    /// a high surrogate not followed by a low one, or a lone low surrogate, is U+FFFD and the
    /// escape after it is read on its own.
    mutating func unicodeEscape() throws -> Unicode.Scalar {
        let unit = try hex4()
        switch unit {
        case 0xD800..<0xDC00:
            guard bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return "\u{FFFD}" }
            let save = i
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { i = save; return "\u{FFFD}" }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
        case 0xDC00..<0xE000: return "\u{FFFD}"
        default: return Unicode.Scalar(unit) ?? "\u{FFFD}"
        }
    }

    func appendScalar(_ s: Unicode.Scalar, to out: inout [UInt8]) {
        UTF8.encode(s) { out.append($0) }
    }

    /// Four hex digits as a UTF-16 code unit (0...0xFFFF).
    mutating func hex4() throws -> UInt32 {
        guard bytes.count - i >= 4 else { throw JSONReaderError.truncated }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = bytes[i + k]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 97...102: d = UInt32(c - 87)
            case 65...70: d = UInt32(c - 55)
            default: i += k; throw fail("a hex digit")
            }
            v = v << 4 | d
        }
        i += 4
        return v
    }
}

/// Why bytes are not a JSON object; rendered with the byte offset where reading stopped.
enum JSONReaderError: Error, Equatable, CustomStringConvertible {
    case truncated
    case unexpected(String, offset: Int)
    case tooDeep(Int)
    case trailingBytes(offset: Int)
    case notAnObject

    var description: String {
        switch self {
        case .truncated: return "the JSON ends too early"
        case let .unexpected(what, offset): return "expected \(what) at byte \(offset)"
        case let .tooDeep(n): return "nested deeper than \(n) levels"
        case let .trailingBytes(offset): return "bytes after the value at byte \(offset)"
        case .notAnObject: return "not a JSON object"
        }
    }
}
