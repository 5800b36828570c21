import Foundation

/// Parses JSON into Swift values ([String: Any], [Any], String, Int, Double, Bool, NSNull).
/// Foundation's JSONSerialization builds NSObjects on Linux and cost most of a round trip;
/// this reads the bytes directly. Nesting is limited, so hostile input cannot exhaust the stack.
struct JSONReader {
    static let maxDepth = 512
    let bytes: [UInt8]
    var i = 0

    static func object(_ data: Data) -> [String: Any]? {
        var r = JSONReader(bytes: [UInt8](data))
        guard let v = try? r.value(depth: 0) else { return nil }
        r.skipSpace()
        guard r.i == r.bytes.count else { return nil }
        return v as? [String: Any]
    }

    struct Bad: Error {}

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 10 || bytes[i] == 13 || bytes[i] == 9 { i += 1 }
    }

    mutating func value(depth: Int) throws -> Any {
        guard depth < JSONReader.maxDepth else { throw Bad() }
        skipSpace()
        guard i < bytes.count else { throw Bad() }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var o = [String: Any]()
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return o }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Bad() }
                let k = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw Bad() }
                i += 1
                o[k] = try value(depth: depth + 1)
                skipSpace()
                guard i < bytes.count else { throw Bad() }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return o }
                throw Bad()
            }
        case UInt8(ascii: "["):
            i += 1
            var a = [Any]()
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return a }
            while true {
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw Bad() }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return a }
                throw Bad()
            }
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t"): return try literal("true", true)
        case UInt8(ascii: "f"): return try literal("false", false)
        case UInt8(ascii: "n"): return try literal("null", NSNull())
        default: return try number()
        }
    }

    mutating func literal(_ word: String, _ v: Any) throws -> Any {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw Bad() }
        i += w.count
        return v
    }

    mutating func number() throws -> Any {
        let start = i
        var isInt = true
        while i < bytes.count {
            let c = bytes[i]
            if (48...57).contains(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { i += 1; continue }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isInt = false; i += 1; continue }
            break
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInt, let n = Int(text) { return n }
        guard let d = Double(text) else { throw Bad() }
        return d
    }

    mutating func string() throws -> String {
        i += 1  // opening quote
        var out = [UInt8]()
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { throw Bad() }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                    }
                    out += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                default: out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw Bad()
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else { throw Bad() }
        i += 4
        return v
    }
}
