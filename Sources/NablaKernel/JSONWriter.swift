import Foundation

/// Serializes the JSON values messages are built from ([String: Any] trees of strings,
/// numbers, bools, nulls, arrays and objects). Foundation's JSONSerialization bridges every
/// value through NSObject on Linux and was most of a round trip's time; this writes bytes
/// directly. Non-finite numbers become null, as JSON has no NaN.
enum JSONWriter {
    static func data(_ value: Any) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(value, into: &out)
        return Data(out)
    }

    static func write(_ value: Any, into out: inout [UInt8]) {
        switch value {
        case let s as String: string(s, into: &out)
        case let o as [String: Any]:
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
        case let a as [Any]:
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let n as NSNumber where !(value is Int) && !(value is Double) && !(value is Bool):
            // Numbers decoded by JSONSerialization: booleans keep their type code.
            let t = String(cString: n.objCType)
            if t == "c" || t == "B" { out += Array((n.boolValue ? "true" : "false").utf8) } else if t == "d" || t == "f" {
                number(n.doubleValue, into: &out)
            } else { out += Array(n.stringValue.utf8) }
        case let b as Bool where type(of: value) == Bool.self: out += Array((b ? "true" : "false").utf8)
        case let i as Int: out += Array(String(i).utf8)
        case let d as Double: number(d, into: &out)
        case is NSNull: out += Array("null".utf8)
        case let n as NSNumber: out += Array(n.stringValue.utf8)
        default: out += Array("null".utf8)
        }
    }

    static func number(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else { out += Array("null".utf8); return }
        if d == d.rounded(), Swift.abs(d) < 1e15 { out += Array(String(Int64(d)).utf8) } else { out += Array("\(d)".utf8) }
    }

    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [92, 34]
            case UInt8(ascii: "\\"): out += [92, 92]
            case 10: out += [92, 110]
            case 13: out += [92, 114]
            case 9: out += [92, 116]
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                out += [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
