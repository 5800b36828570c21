import Foundation

/// Encodes an Encodable into a `JSON` value (the kernel's one encoder; `JSONWriter` then
/// writes the bytes). Optionals that are nil are left out, as Jupyter's own messages do.
final class JSONValueEncoder: Encoder {
    /// A value under construction: containers fill it, `json` reads the finished tree.
    final class Node {
        enum Kind { case value(JSON), object([String: Node]), array([Node]) }
        var kind: Kind = .value(.null)

        var json: JSON {
            switch kind {
            case let .value(v): return v
            case let .object(o): return .object(o.mapValues(\.json))
            case let .array(a): return .array(a.map(\.json))
            }
        }
    }

    let node: Node
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: Node = Node(), codingPath: [CodingKey] = []) { self.node = node; self.codingPath = codingPath }

    static func encode<T: Encodable>(_ value: T) throws -> JSON {
        if let v = value as? JSON { return v }
        let e = JSONValueEncoder()
        try value.encode(to: e)
        return e.node.json
    }

    /// The encoding of a member: JSON and strings directly, anything else through a child encoder.
    static func child<T: Encodable>(_ value: T, path: [CodingKey]) throws -> Node {
        let n = Node()
        switch value {
        case let v as JSON: n.kind = .value(v)
        case let s as String: n.kind = .value(.string(s))
        case let b as Bool: n.kind = .value(.bool(b))
        case let i as Int: n.kind = .value(.int(i))
        // MIME bundles and free-form maps: no container per member.
        case let o as [String: JSON]: n.kind = .value(.object(o))
        case let o as [String: String]: n.kind = .value(.object(o.mapValues(JSON.string)))
        case let a as [String]: n.kind = .value(.array(a.map(JSON.string)))
        default: try value.encode(to: JSONValueEncoder(node: n, codingPath: path))
        }
        return n
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.kind {} else { node.kind = .object([:]) }
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.kind {} else { node.kind = .array([]) }
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [CodingKey]
        mutating func encodeNil() throws { node.kind = .value(.null) }
        mutating func encode(_ value: Bool) throws { node.kind = .value(.bool(value)) }
        mutating func encode(_ value: String) throws { node.kind = .value(.string(value)) }
        mutating func encode(_ value: Double) throws { node.kind = .value(.double(value)) }
        mutating func encode(_ value: Float) throws { node.kind = .value(.double(Double(value))) }
        mutating func encode(_ value: Int) throws { node.kind = .value(.int(value)) }
        mutating func encode(_ value: Int8) throws { node.kind = .value(.int(Int(value))) }
        mutating func encode(_ value: Int16) throws { node.kind = .value(.int(Int(value))) }
        mutating func encode(_ value: Int32) throws { node.kind = .value(.int(Int(value))) }
        mutating func encode(_ value: Int64) throws { node.kind = .value(.int(Int(value))) }
        mutating func encode(_ value: UInt) throws { node.kind = .value(.int(Int(clamping: value))) }
        mutating func encode(_ value: UInt8) throws { node.kind = .value(.int(Int(value))) }
        mutating func encode(_ value: UInt16) throws { node.kind = .value(.int(Int(value))) }
        mutating func encode(_ value: UInt32) throws { node.kind = .value(.int(Int(value))) }
        mutating func encode(_ value: UInt64) throws { node.kind = .value(.int(Int(clamping: value))) }
        mutating func encode<T: Encodable>(_ value: T) throws { node.kind = try JSONValueEncoder.child(value, path: codingPath).kind }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [CodingKey]

        func put(_ key: Key, _ child: Node) {
            guard case var .object(o) = node.kind else { return }
            node.kind = .value(.null)   // o is now the only reference: inserting does not copy
            o[key.stringValue] = child
            node.kind = .object(o)
        }
        func put(_ key: Key, _ value: JSON) {
            let n = Node()
            n.kind = .value(value)
            put(key, n)
        }

        mutating func encodeNil(forKey key: Key) throws { put(key, .null) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { put(key, .bool(value)) }
        mutating func encode(_ value: String, forKey key: Key) throws { put(key, .string(value)) }
        mutating func encode(_ value: Double, forKey key: Key) throws { put(key, .double(value)) }
        mutating func encode(_ value: Float, forKey key: Key) throws { put(key, .double(Double(value))) }
        mutating func encode(_ value: Int, forKey key: Key) throws { put(key, .int(value)) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { put(key, .int(Int(value))) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { put(key, .int(Int(value))) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { put(key, .int(Int(value))) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { put(key, .int(Int(value))) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { put(key, .int(Int(clamping: value))) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { put(key, .int(Int(value))) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { put(key, .int(Int(value))) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { put(key, .int(Int(value))) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { put(key, .int(Int(clamping: value))) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            put(key, try JSONValueEncoder.child(value, path: codingPath + [key]))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let n = Node()
            put(key, n)
            return JSONValueEncoder(node: n, codingPath: codingPath + [key]).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            let n = Node()
            put(key, n)
            return JSONValueEncoder(node: n, codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { JSONValueEncoder(node: node, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> Encoder {
            let n = Node()
            put(key, n)
            return JSONValueEncoder(node: n, codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [CodingKey]
        var count: Int { if case let .array(a) = node.kind { return a.count }; return 0 }

        func append(_ child: Node) {
            guard case var .array(a) = node.kind else { return }
            node.kind = .value(.null)
            a.append(child)
            node.kind = .array(a)
        }
        func append(_ value: JSON) {
            let n = Node()
            n.kind = .value(value)
            append(n)
        }
        var path: [CodingKey] { codingPath + [AnyKey(index: count)] }

        mutating func encodeNil() throws { append(.null) }
        mutating func encode(_ value: Bool) throws { append(.bool(value)) }
        mutating func encode(_ value: String) throws { append(.string(value)) }
        mutating func encode(_ value: Double) throws { append(.double(value)) }
        mutating func encode(_ value: Float) throws { append(.double(Double(value))) }
        mutating func encode(_ value: Int) throws { append(.int(value)) }
        mutating func encode(_ value: Int8) throws { append(.int(Int(value))) }
        mutating func encode(_ value: Int16) throws { append(.int(Int(value))) }
        mutating func encode(_ value: Int32) throws { append(.int(Int(value))) }
        mutating func encode(_ value: Int64) throws { append(.int(Int(value))) }
        mutating func encode(_ value: UInt) throws { append(.int(Int(clamping: value))) }
        mutating func encode(_ value: UInt8) throws { append(.int(Int(value))) }
        mutating func encode(_ value: UInt16) throws { append(.int(Int(value))) }
        mutating func encode(_ value: UInt32) throws { append(.int(Int(value))) }
        mutating func encode(_ value: UInt64) throws { append(.int(Int(clamping: value))) }
        mutating func encode<T: Encodable>(_ value: T) throws { append(try JSONValueEncoder.child(value, path: path)) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let n = Node()
            let p = path
            append(n)
            return JSONValueEncoder(node: n, codingPath: p).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            let n = Node()
            let p = path
            append(n)
            return JSONValueEncoder(node: n, codingPath: p).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder {
            let n = Node()
            let p = path
            append(n)
            return JSONValueEncoder(node: n, codingPath: p)
        }
    }
}
