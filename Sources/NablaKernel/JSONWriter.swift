import Foundation

/// Serializes `JSON` values to compact UTF-8 bytes, the inverse of `JSONReader`. Non-finite
/// numbers become null, as JSON has no NaN.
enum JSONWriter {
    static func data(_ value: JSON) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(value, into: &out)
        return Data(out)
    }

    /// Indented, keys sorted, newline at the end: for files people read (kernel.json, connection files).
    static func pretty(_ value: JSON) -> Data {
        var out = [UInt8]()
        indented(value, level: 0, into: &out)
        out.append(10)
        return Data(out)
    }

    static func indented(_ value: JSON, level: Int, into out: inout [UInt8]) {
        func pad(_ n: Int) { out += [10] + Array(repeating: 32, count: 2 * n) }
        switch value {
        case let .object(o) where !o.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                pad(level + 1)
                string(k, into: &out)
                out += Array(": ".utf8)
                indented(o[k] ?? .null, level: level + 1, into: &out)
            }
            pad(level)
            out.append(UInt8(ascii: "}"))
        case let .array(a) where !a.isEmpty:
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                pad(level + 1)
                indented(v, level: level + 1, into: &out)
            }
            pad(level)
            out.append(UInt8(ascii: "]"))
        default: write(value, into: &out)
        }
    }

    static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out += [110, 117, 108, 108]
        case let .bool(b): out += b ? [116, 114, 117, 101] : [102, 97, 108, 115, 101]
        case let .int(i): integer(i, into: &out)
        case let .double(d): number(d, into: &out)
        case let .string(s): string(s, into: &out)
        case let .object(o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                string(k, into: &out)
                out.append(UInt8(ascii: ":"))
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let .array(a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// The shortest form that reads back as the same Double, always with a fraction or an
    /// exponent (`2.0`, `1e+20`), so a float stays a float for the client, as Python writes it.
    static func number(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else { out += Array("null".utf8); return }
        out += Array(d.description.utf8)
    }

    /// A string literal: runs of bytes that need no escape are copied whole.
    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { buf in
            var start = 0
            for i in 0..<buf.count {
                let b = buf[i]
                if b >= 32 && b != 34 && b != 92 { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<i]))
                escape(b, into: &out)
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    static func escape(_ b: UInt8, into out: inout [UInt8]) {
        switch b {
        case UInt8(ascii: "\""): out += [92, 34]
        case UInt8(ascii: "\\"): out += [92, 92]
        case 10: out += [92, 110]
        case 13: out += [92, 114]
        case 9: out += [92, 116]
        default:
            let hex: StaticString = "0123456789abcdef"
            out += [92, 117, 48, 48, hex.utf8Start[Int(b >> 4)], hex.utf8Start[Int(b & 15)]]
        }
    }

    /// An integer's decimal digits, without an intermediate String.
    static func integer(_ i: Int, into out: inout [UInt8]) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        var m = i.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - n] = UInt8(truncatingIfNeeded: m % 10) + 48
                m /= 10
                n += 1
            } while m > 0
            out.append(contentsOf: d[(20 - n)...])
        }
    }
}
