import Crypto
import Foundation

/// One Jupyter message (protocol 5.5): routing identities, the header, the parent header (nil
/// when the message answers none), metadata, content and binary buffers. A request's content is
/// kept as JSON until its handler decodes it into the typed struct of its msg_type (`decode`);
/// what the kernel sends is encoded to bytes once, from its typed struct.
public struct Message: Sendable {
    public var identities: [Data] = []
    public var header: Header
    public var parentHeader: Header?
    public var metadata: JSON
    public var buffers: [Data] = []
    var body: Body
    /// The content as JSON (bytes the kernel encoded are parsed when this is read).
    public var content: JSON {
        get { body.json }
        set { body = .json(newValue) }
    }
    /// The header's bytes as the client sent them (set by `Wire.decode`).
    var rawHeader: Data?
    /// The parent header's bytes when they are a request's `rawHeader`: replies echo the
    /// request's header verbatim (fields the kernel does not know included), as ipykernel does.
    var rawParent: Data?

    public var msgType: String { header.msg_type }
    public var msgID: String { header.msg_id }

    public init(identities: [Data] = [], header: Header, parentHeader: Header? = nil, metadata: JSON = [:], content: JSON, buffers: [Data] = []) {
        self.identities = identities; self.header = header; self.parentHeader = parentHeader
        self.metadata = metadata; self.body = .json(content); self.buffers = buffers
    }

    init(identities: [Data], header: Header, parentHeader: Header?, metadata: JSON = [:], body: Body, buffers: [Data] = []) {
        self.identities = identities; self.header = header; self.parentHeader = parentHeader
        self.metadata = metadata; self.body = body; self.buffers = buffers
    }

    /// Content read (JSON) or written (its bytes).
    enum Body: Sendable {
        case json(JSON)
        case encoded([UInt8])

        var json: JSON {
            switch self {
            case let .json(j): return j
            case let .encoded(b): return JSONReader.object(Data(b)) ?? [:]
            }
        }
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
/// Sendable by hand: swift-crypto's SHA256 is a value (its context copied on write) but not
/// marked so.
public struct Wire: @unchecked Sendable {
    public static let delimiter = Data("<IDS|MSG>".utf8)
    /// HMAC-SHA256 (RFC 2104) as two SHA-256 states that have absorbed the padded key
    /// (`key ⊕ ipad`, `key ⊕ opad`), copied for each message: keying is done once, and
    /// `SHA256.update(bufferPointer:)` skips the generic DataProtocol path of swift-crypto's
    /// HMAC (a third of signing a message).
    let keyed: (inner: SHA256, outer: SHA256)?

    public init(key: String, scheme: String = "hmac-sha256") {
        guard !key.isEmpty else { keyed = nil; return }
        var block = Array(key.utf8)
        if block.count > SHA256.blockByteCount { block = Array(SHA256.hash(data: block)) }
        block += [UInt8](repeating: 0, count: SHA256.blockByteCount - block.count)
        var inner = SHA256(), outer = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        outer.update(data: block.map { $0 ^ 0x5c })
        keyed = (inner, outer)
    }

    /// HMAC-SHA256 of the bytes, nil when unsigned.
    func mac(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        guard var (inner, outer) = keyed else { return nil }
        inner.update(bufferPointer: bytes)
        return Wire.finish(inner, &outer)
    }

    /// HMAC-SHA256 of the parts one after another, nil when unsigned.
    func mac(_ parts: [Data]) -> [UInt8]? {
        guard var (inner, outer) = keyed else { return nil }
        for p in parts { p.withUnsafeBytes { inner.update(bufferPointer: $0) } }
        return Wire.finish(inner, &outer)
    }

    /// The outer hash over the inner one's digest: the MAC.
    static func finish(_ inner: SHA256, _ outer: inout SHA256) -> [UInt8] {
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes { [UInt8]($0) }
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
        let parentJSON = try object(rest[2], "parent_header")
        let parent = parentJSON == [:] ? nil : try? JSONValueDecoder.decode(Header.self, from: parentJSON)
        var m = Message(identities: Array(frames[..<d]), header: header, parentHeader: parent,
                        metadata: try object(rest[3], "metadata"), content: try object(rest[4], "content"), buffers: Array(rest[5...]))
        m.rawHeader = rest[1]
        return m
    }

    /// The message's frames: its four JSON parts written one after another into one buffer,
    /// which is signed in one pass and sent from in place.
    public func frames(_ m: Message) -> WireFrames {
        var body = [UInt8]()
        body.reserveCapacity(512)
        m.header.write(into: &body)
        let headerEnd = body.count
        if let raw = m.rawParent {
            raw.withUnsafeBytes { body.append(contentsOf: $0) }
        } else if let parent = m.parentHeader {
            parent.write(into: &body)
        } else {
            body += [UInt8(ascii: "{"), UInt8(ascii: "}")]
        }
        let parentEnd = body.count
        JSONWriter.write(m.metadata, into: &body)
        let metadataEnd = body.count
        switch m.body {
        case let .encoded(bytes): body += bytes
        case let .json(json): JSONWriter.write(json, into: &body)
        }
        let signature = body.withUnsafeBytes { mac($0) }.map { Wire.hex($0) } ?? ""
        return WireFrames(identities: m.identities, signature: Data(utf8Of: signature), body: body,
                          ends: (headerEnd, parentEnd, metadataEnd, body.count), buffers: m.buffers)
    }

    public func encode(_ m: Message) -> [Data] { frames(m).data }
}

/// One message's frames as `Wire.frames` writes them: the identities, the delimiter, the
/// signature, the four JSON parts (slices of `body`) and the binary buffers.
public struct WireFrames: Sendable {
    public var identities: [Data]
    public var signature: Data
    public var body: [UInt8]
    /// Where header, parent header, metadata and content end in `body`.
    var ends: (Int, Int, Int, Int)
    public var buffers: [Data]

    /// The four JSON parts' ranges in `body`.
    var parts: [Range<Int>] { [0..<ends.0, ends.0..<ends.1, ends.1..<ends.2, ends.2..<ends.3] }

    /// Every frame as its own Data.
    public var data: [Data] {
        identities + [Wire.delimiter, signature] + parts.map { Data(body[$0]) } + buffers
    }
}

extension Data {
    /// A string's UTF-8 bytes, copied whole (`Data(s.utf8)` goes through the generic
    /// sequence initializer byte by byte).
    init(utf8Of string: String) {
        var s = string
        self = s.withUTF8 { Data(buffer: $0) }
    }
}

extension Header {
    /// The header's JSON, written field by field (every message carries one).
    func write(into out: inout [UInt8]) {
        let start = out.count
        out.append(UInt8(ascii: "{"))
        func field(_ key: String, _ value: String?) {
            guard let value else { return }
            if out.count > start + 1 { out.append(UInt8(ascii: ",")) }
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
    }
}
