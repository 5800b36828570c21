import Crypto
import Foundation

/// One Jupyter message (protocol 5.5): routing identities, the header, the parent header (nil
/// when the message answers none), metadata, content and binary buffers. The content is kept as
/// JSON until its handler decodes it into the typed struct of its msg_type (`decode`).
public struct Message: Sendable {
    public var identities: [Data] = []
    public var header: Header
    public var parentHeader: Header?
    public var metadata: JSON
    public var content: JSON
    public var buffers: [Data] = []
    /// The header's bytes as the client sent them (set by `Wire.decode`).
    var rawHeader: Data?
    /// The parent header's bytes when they are a request's `rawHeader`: replies echo the
    /// request's header verbatim (fields the kernel does not know included), as ipykernel does.
    var rawParent: Data?

    public var msgType: String { header.msg_type }
    public var msgID: String { header.msg_id }

    public init(identities: [Data] = [], header: Header, parentHeader: Header? = nil, metadata: JSON = [:], content: JSON, buffers: [Data] = []) {
        self.identities = identities; self.header = header; self.parentHeader = parentHeader
        self.metadata = metadata; self.content = content; self.buffers = buffers
    }

    /// The content as its typed struct; throws `MessageError` naming the field that does not fit.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONValueDecoder.decode(type, from: content)
    }
}

/// Why an incoming multipart message was refused. Each is logged and survived.
public enum WireError: Error, Equatable, CustomStringConvertible {
    case noDelimiter
    case tooFewFrames(Int)
    case badSignature
    case badJSON(String)
    case badHeader(String)
    public var description: String {
        switch self {
        case .noDelimiter: return "no <IDS|MSG> delimiter"
        case let .tooFewFrames(n): return "\(n) frames after the delimiter, need 5"
        case .badSignature: return "bad or missing HMAC signature"
        case let .badJSON(part): return "\(part) is not a JSON object"
        case let .badHeader(why): return "unusable header: \(why)"
        }
    }
}

/// Frames ⇄ messages: `[ids…, "<IDS|MSG>", hmac, header, parent, metadata, content, buffers…]`,
/// signed with HMAC-SHA256 over the four JSON frames. An empty key means no signing.
/// Sendable by hand: swift-crypto's HMAC is a value (its digest contexts copied on write) but
/// not marked so.
public struct Wire: @unchecked Sendable {
    public static let delimiter = Data("<IDS|MSG>".utf8)
    /// HMAC-SHA256 with the key already absorbed, copied for each message: keying costs two
    /// SHA-256 blocks and two allocations, a fifth of signing a message.
    let keyed: HMAC<SHA256>?

    public init(key: String, scheme: String = "hmac-sha256") {
        keyed = key.isEmpty ? nil : HMAC<SHA256>(key: SymmetricKey(data: Data(key.utf8)))
    }

    /// HMAC-SHA256 of the parts, nil when unsigned. The parts are joined first: one update
    /// costs less than four (swift-crypto's update is generic over DataProtocol).
    func mac(_ parts: [Data]) -> [UInt8]? {
        guard var h = keyed else { return nil }
        var joined = [UInt8]()
        joined.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for p in parts { p.withUnsafeBytes { joined.append(contentsOf: $0) } }   // a memcpy, not Data's iterator
        joined.withUnsafeBytes { h.update(data: $0) }
        return h.finalize().withUnsafeBytes { [UInt8]($0) }
    }

    /// Hex HMAC-SHA256 of the parts, or "" when unsigned.
    public func sign(_ parts: [Data]) -> String {
        mac(parts).map { Wire.hex($0) } ?? ""
    }

    /// Checks a signature in constant time.
    func verify(_ signature: Data, _ parts: [Data]) -> Bool {
        guard keyed != nil else { return true }
        guard let sig = Wire.unhex(signature), let mac = mac(parts) else { return false }
        return Wire.constantTimeEquals(mac, sig)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex, without String(format:) (slow on Linux: it showed as most of a round trip).
    static func hex(_ d: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in d { out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }

    /// The bytes of a hex string (either case), nil when it is not one.
    static func unhex(_ d: Data) -> [UInt8]? {
        let digits = [UInt8](d)
        guard digits.count % 2 == 0 else { return nil }
        func nib(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let h = nib(digits[i]), let l = nib(digits[i + 1]) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }

    public func decode(_ frames: [Data]) throws -> Message {
        guard let d = frames.firstIndex(of: Wire.delimiter) else { throw WireError.noDelimiter }
        let rest = Array(frames[(d + 1)...])
        guard rest.count >= 5 else { throw WireError.tooFewFrames(rest.count) }
        guard verify(rest[0], Array(rest[1...4])) else { throw WireError.badSignature }
        func object(_ data: Data, _ name: String) throws -> JSON {
            guard let o = JSONReader.object(data) else { throw WireError.badJSON(name) }
            return o
        }
        let header: Header
        do { header = try JSONValueDecoder.decode(Header.self, from: try object(rest[1], "header")) } catch let e as MessageError {
            throw WireError.badHeader(e.description)
        }
        // A parent header that is empty or unusable is no parent: the message is still served.
        let parent = try? JSONValueDecoder.decode(Header.self, from: try object(rest[2], "parent_header"))
        var m = Message(identities: Array(frames[..<d]), header: header, parentHeader: parent,
                        metadata: try object(rest[3], "metadata"), content: try object(rest[4], "content"), buffers: Array(rest[5...]))
        m.rawHeader = rest[1]
        return m
    }

    public func encode(_ m: Message) -> [Data] {
        let parent = m.rawParent ?? m.parentHeader?.json ?? Data("{}".utf8)
        let parts = [m.header.json, parent, JSONWriter.data(m.metadata), JSONWriter.data(m.content)]
        return m.identities + [Wire.delimiter, Data(sign(parts).utf8)] + parts + m.buffers
    }
}

extension Header {
    /// The header's JSON, written field by field: every message carries one, so this skips the
    /// generic encoder (the same bytes: `HeaderTests` checks them against it).
    var json: Data {
        var out = [UInt8]()
        out.reserveCapacity(224)
        out.append(UInt8(ascii: "{"))
        func field(_ key: String, _ value: String?) {
            guard let value else { return }
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            JSONWriter.string(key, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.string(value, into: &out)
        }
        field("msg_id", msg_id)
        field("msg_type", msg_type)
        field("session", session)
        field("username", username)
        field("date", date)
        field("version", version)
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }
}
