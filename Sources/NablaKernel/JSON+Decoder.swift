import Foundation

/// Why a message's JSON does not fit its typed struct: rendered for the client in an error
/// reply (`ename` is Python's exception name for the same mistake).
public enum MessageError: Error, Equatable, CustomStringConvertible {
    /// A field holds a value of another JSON type (`expected` names the type wanted).
    case wrongType(field: String, expected: String, got: String)
    /// A required field is absent (or null).
    case missing(field: String)

    public var ename: String {
        switch self {
        case .wrongType: return "TypeError"
        case .missing: return "KeyError"
        }
    }

    public var description: String {
        switch self {
        case let .wrongType(field, expected, got): return "'\(field)' must be \(expected), not \(got)"
        case let .missing(field): return "'\(field)' is required"
        }
    }

    /// The dotted path of a coding path: `user_expressions.x`, `history[2]`.
    static func path(_ codingPath: [CodingKey]) -> String {
        var s = ""
        for k in codingPath {
            if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : "." + k.stringValue }
        }
        return s.isEmpty ? "content" : s
    }
}

/// Decodes a Decodable from a `JSON` value (the kernel's one decoder). Strict about types (a
/// string where a bool belongs throws `MessageError.wrongType`), lenient about range: an integer
/// too large for its Swift type is clamped (a cursor of 2⁶⁴ is "past the end", as in Python).
struct JSONValueDecoder: Decoder {
    let value: JSON
    /// The path to the container holding this value, and its key there: joined only when
    /// asked (an error, a nested container), not for every member read.
    let parentPath: [CodingKey]
    let key: CodingKey?
    var codingPath: [CodingKey] { key.map { parentPath + [$0] } ?? parentPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSON, codingPath: [CodingKey]) { self.value = value; parentPath = codingPath; key = nil }
    init(value: JSON, in parentPath: [CodingKey], at key: CodingKey) { self.value = value; self.parentPath = parentPath; self.key = key }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSON) throws -> T {
        try JSONValueDecoder(value: value, codingPath: []).decode(type)
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSON.self, let v = value as? T { return v }
        return try T(from: self)
    }

    func mismatch(_ expected: String) -> MessageError {
        value == .null ? .missing(field: MessageError.path(codingPath)) : .wrongType(field: MessageError.path(codingPath), expected: expected, got: value.typeName)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .object(o) = value else { throw mismatch("a dict") }
        return KeyedDecodingContainer(Keyed<Key>(object: o, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case let .array(a) = value else { throw mismatch("a list") }
        return Unkeyed(array: a, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { Single(decoder: self) }

    // MARK: Primitives

    func bool() throws -> Bool {
        guard case let .bool(b) = value else { throw mismatch("a bool") }
        return b
    }

    func string() throws -> String {
        guard case let .string(s) = value else { throw mismatch("a str") }
        return s
    }

    func double() throws -> Double {
        switch value {
        case let .double(d): return d
        case let .int(i): return Double(i)
        default: throw mismatch("a number")
        }
    }

    /// An integer, clamped into `T`'s range. A number written with a fraction or exponent is
    /// not an integer unless it is beyond Int64's range (JSON readers turn huge integers into doubles).
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        switch value {
        case let .int(i): return T(clamping: i)
        case let .double(d) where d.rounded() == d && Swift.abs(d) >= 0x1p63:
            return d < 0 ? T.min : T.max
        default: throw mismatch("an int")
        }
    }

    struct Single: SingleValueDecodingContainer {
        let decoder: JSONValueDecoder
        var codingPath: [CodingKey] { decoder.codingPath }
        func decodeNil() -> Bool { decoder.value == .null }
        func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool() }
        func decode(_ type: String.Type) throws -> String { try decoder.string() }
        func decode(_ type: Double.Type) throws -> Double { try decoder.double() }
        func decode(_ type: Float.Type) throws -> Float { Float(try decoder.double()) }
        func decode(_ type: Int.Type) throws -> Int { try decoder.integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: [String: JSON]
        let codingPath: [CodingKey]
        var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }
        func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

        /// The member's decoder; an absent member reads as null (so a required one reports `missing`).
        func member(_ key: Key) -> JSONValueDecoder {
            JSONValueDecoder(value: object[key.stringValue] ?? .null, in: codingPath, at: key)
        }

        /// The decoder of a member that is there and not null (one lookup, where the default
        /// `decodeIfPresent` makes three).
        func present(_ key: Key) -> JSONValueDecoder? {
            guard let v = object[key.stringValue] else { return nil }
            if case .null = v { return nil }
            return JSONValueDecoder(value: v, in: codingPath, at: key)
        }

        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key)?.bool() }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key)?.string() }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key)?.integer(type) }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try present(key)?.decode(type) }
        func decodeNil(forKey key: Key) throws -> Bool { (object[key.stringValue] ?? .null) == .null }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try member(key).bool() }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try member(key).string() }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try member(key).double() }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try member(key).double()) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try member(key).integer(type) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try member(key).integer(type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try member(key).integer(type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try member(key).integer(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try member(key).integer(type) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try member(key).integer(type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try member(key).integer(type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try member(key).integer(type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try member(key).integer(type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try member(key).integer(type) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try member(key).decode(type) }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try member(key).container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try member(key).unkeyedContainer() }
        func superDecoder() throws -> Decoder { JSONValueDecoder(value: .object(object), codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> Decoder { member(key) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let array: [JSON]
        let codingPath: [CodingKey]
        var currentIndex = 0
        var count: Int? { array.count }
        var isAtEnd: Bool { currentIndex >= array.count }

        init(array: [JSON], codingPath: [CodingKey]) { self.array = array; self.codingPath = codingPath }

        mutating func next() throws -> JSONValueDecoder {
            let key = AnyKey(index: currentIndex)
            guard !isAtEnd else { throw MessageError.missing(field: MessageError.path(codingPath + [key])) }
            defer { currentIndex += 1 }
            return JSONValueDecoder(value: array[currentIndex], in: codingPath, at: key)
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, array[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try next().bool() }
        mutating func decode(_ type: String.Type) throws -> String { try next().string() }
        mutating func decode(_ type: Double.Type) throws -> Double { try next().double() }
        mutating func decode(_ type: Float.Type) throws -> Float { Float(try next().double()) }
        mutating func decode(_ type: Int.Type) throws -> Int { try next().integer(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().integer(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().integer(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().integer(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().integer(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try next().integer(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().integer(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().integer(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().integer(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().integer(type) }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> Decoder { try next() }
    }
}
