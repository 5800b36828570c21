import Foundation

/// Encodes an Encodable straight to compact JSON bytes (the kernel's one encoder; `JSONWriter`
/// writes the free-form `JSON` parts), members in the order they are encoded. Optionals that
/// are nil are left out, as Jupyter's own messages do. No tree is built: a container is closed
/// when its value is done or when an outer container starts its next member, which is how
/// Codable fills containers (one after another).
final class JSONStreamEncoder {
    fileprivate(set) var out: [UInt8] = []
    /// The closing bracket of each open container, innermost last, and its member count.
    private var open: [(close: UInt8, count: Int)] = []
    /// Where the value of a member handed to a super encoder starts, until the next member:
    /// if nothing was written there, it is an empty object.
    private var pendingValue: Int?

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = JSONStreamEncoder()
        e.out.reserveCapacity(160)
        try e.write(value, depth: 0)
        return e.out
    }

    /// Writes a value whose container, if it opens one, is the `depth`-th open one. Strings,
    /// numbers and `JSON` are written directly (found by their type, not by casting: a failed
    /// cast costs a runtime type lookup); anything else encodes itself through a `Level`.
    func write<T: Encodable>(_ value: T, depth: Int) throws {
        if T.self == String.self { JSONWriter.string(unsafeBitCast(value, to: String.self), into: &out) }
        else if T.self == Int.self { JSONWriter.integer(unsafeBitCast(value, to: Int.self), into: &out) }
        else if T.self == Bool.self { bool(unsafeBitCast(value, to: Bool.self)) }
        else if T.self == Double.self { JSONWriter.number(unsafeBitCast(value, to: Double.self), into: &out) }
        else if T.self == JSON.self { JSONWriter.write(unsafeBitCast(value, to: JSON.self), into: &out) }
        else if T.self == [String: JSON].self { JSONWriter.write(.object(unsafeBitCast(value, to: [String: JSON].self)), into: &out) }
        else {
            let mark = out.count
            try value.encode(to: Level(writer: self, depth: depth))
            close(to: depth)
            if out.count == mark { out += [UInt8(ascii: "{"), UInt8(ascii: "}")] }   // encoded nothing: an empty object, as JSONEncoder writes
        }
    }

    func bool(_ b: Bool) { out += b ? [116, 114, 117, 101] : [102, 97, 108, 115, 101] }

    /// Closes the containers opened deeper than `depth`.
    func close(to depth: Int) {
        if let p = pendingValue, out.count == p { out += [UInt8(ascii: "{"), UInt8(ascii: "}")] }
        pendingValue = nil
        while open.count > depth { out.append(open.removeLast().close) }
    }

    /// The encoder of a member whose value its caller writes later (`superEncoder`).
    func superEncoder(depth: Int) -> Encoder {
        pendingValue = out.count
        return Level(writer: self, depth: depth)
    }

    /// Opens the container of the value at `depth` (or goes back to it, when the same encoder
    /// asks for its container again).
    func openContainer(_ depth: Int, _ opening: UInt8, _ closing: UInt8) {
        if open.count > depth { close(to: depth + 1); return }
        out.append(opening)
        open.append((closing, 0))
    }

    /// Starts the next member of the container at `depth`: closes what its last member left
    /// open and writes the separator.
    func nextMember(of depth: Int) {
        close(to: depth + 1)
        guard depth < open.count else { return }
        if open[depth].count > 0 { out.append(UInt8(ascii: ",")) }
        open[depth].count += 1
    }

    func key(_ key: some CodingKey, of depth: Int) {
        nextMember(of: depth)
        JSONWriter.string(key.stringValue, into: &out)
        out.append(UInt8(ascii: ":"))
    }

    func count(of depth: Int) -> Int { depth < open.count ? open[depth].count : 0 }

    func null() { out += [110, 117, 108, 108] }

    /// The encoder of one value. Coding paths are not kept (nothing the kernel encodes throws,
    /// and building them cost an array per member).
    struct Level: Encoder {
        let writer: JSONStreamEncoder
        let depth: Int
        var codingPath: [CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            writer.openContainer(depth, UInt8(ascii: "{"), UInt8(ascii: "}"))
            return KeyedEncodingContainer(Keyed<Key>(writer: writer, depth: depth))
        }

        func unkeyedContainer() -> UnkeyedEncodingContainer {
            writer.openContainer(depth, UInt8(ascii: "["), UInt8(ascii: "]"))
            return Unkeyed(writer: writer, depth: depth)
        }

        func singleValueContainer() -> SingleValueEncodingContainer { Single(writer: writer, depth: depth) }
    }

    struct Single: SingleValueEncodingContainer {
        let writer: JSONStreamEncoder
        let depth: Int
        var codingPath: [CodingKey] { [] }
        mutating func encodeNil() throws { writer.null() }
        mutating func encode(_ value: String) throws { JSONWriter.string(value, into: &writer.out) }
        mutating func encode(_ value: Int) throws { JSONWriter.integer(value, into: &writer.out) }
        mutating func encode(_ value: Bool) throws { writer.bool(value) }
        mutating func encode(_ value: Double) throws { JSONWriter.number(value, into: &writer.out) }
        mutating func encode<T: Encodable>(_ value: T) throws { try writer.write(value, depth: depth) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let writer: JSONStreamEncoder
        let depth: Int
        var codingPath: [CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws { writer.key(key, of: depth); writer.null() }
        mutating func encode(_ value: String, forKey key: Key) throws { writer.key(key, of: depth); JSONWriter.string(value, into: &writer.out) }
        mutating func encode(_ value: Int, forKey key: Key) throws { writer.key(key, of: depth); JSONWriter.integer(value, into: &writer.out) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { writer.key(key, of: depth); writer.bool(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { writer.key(key, of: depth); JSONWriter.number(value, into: &writer.out) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            writer.key(key, of: depth)
            try writer.write(value, depth: depth + 1)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            writer.key(key, of: depth)
            return Level(writer: writer, depth: depth + 1).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            writer.key(key, of: depth)
            return Level(writer: writer, depth: depth + 1).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder {
            writer.key(AnyKey("super"), of: depth)
            return writer.superEncoder(depth: depth + 1)
        }
        mutating func superEncoder(forKey key: Key) -> Encoder {
            writer.key(key, of: depth)
            return writer.superEncoder(depth: depth + 1)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let writer: JSONStreamEncoder
        let depth: Int
        var codingPath: [CodingKey] { [] }
        var count: Int { writer.count(of: depth) }

        mutating func encodeNil() throws { writer.nextMember(of: depth); writer.null() }
        mutating func encode(_ value: String) throws { writer.nextMember(of: depth); JSONWriter.string(value, into: &writer.out) }
        mutating func encode(_ value: Int) throws { writer.nextMember(of: depth); JSONWriter.integer(value, into: &writer.out) }
        mutating func encode(_ value: Bool) throws { writer.nextMember(of: depth); writer.bool(value) }
        mutating func encode(_ value: Double) throws { writer.nextMember(of: depth); JSONWriter.number(value, into: &writer.out) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            writer.nextMember(of: depth)
            try writer.write(value, depth: depth + 1)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            writer.nextMember(of: depth)
            return Level(writer: writer, depth: depth + 1).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            writer.nextMember(of: depth)
            return Level(writer: writer, depth: depth + 1).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder {
            writer.nextMember(of: depth)
            return writer.superEncoder(depth: depth + 1)
        }
    }
}
