import Foundation

// MARK: - KubeJSON

/// Decodes kubectl's JSON output through `JSONTape`, several times faster than
/// `JSONDecoder` for the lenient models here, with the same results.
public enum KubeJSON {
    /// Decodes `T` from `data`; throws `JSONTape.SyntaxError` or `DecodingError`.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let tape = try JSONTape(data)
        return try T(from: TapeDecoder(tape: tape, index: 0, codingPath: []))
    }
}

// MARK: - TapeDecoder

/// A `Decoder` over one node of a `JSONTape`.
struct TapeDecoder: Decoder {
    let tape: JSONTape
    let index: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var kind: JSONTape.Kind { tape.nodes[index].kind }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard kind == .object else { throw mismatch([String: Int].self, "expected an object") }
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(tape: tape, object: index, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard kind == .array else { throw mismatch([Int].self, "expected an array") }
        return TapeUnkeyedContainer(tape: tape, array: index, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func mismatch(_ type: Any.Type, _ text: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: text))
    }
}

// MARK: - Single value

extension TapeDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { kind == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch kind {
        case .true: return true
        case .false: return false
        default: throw mismatch(type, "expected a boolean")
        }
    }

    func decode(_ type: String.Type) throws -> String {
        guard kind == .string else { throw mismatch(type, "expected a string") }
        return tape.string(at: index)
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard kind == .number, let value = Double(tape.literal(at: index)) else { throw mismatch(type, "expected a number") }
        return value
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard kind == .number else { throw mismatch(type, "expected an integer") }
        if let wide = tape.integer(at: index), let value = I(exactly: wide) { return value }
        if let double = Double(tape.literal(at: index)), let value = I(exactly: double) { return value }
        throw mismatch(type, "number does not fit \(type)")
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }
}

// MARK: - Lenient collections

extension TapeDecoder {
    /// This node as a string map, in one pass: values that are not strings are dropped. Nil
    /// when the node is not an object.
    func stringMap() -> [String: String]? {
        guard kind == .object else { return nil }
        let pairs = Int(tape.nodes[index].count)
        var map = [String: String](minimumCapacity: pairs)
        var key = index + 1
        for _ in 0..<pairs {
            let value = key + 1
            if tape.nodes[value].kind == .string { map[tape.string(at: key)] = tape.string(at: value) }
            key = Int(tape.nodes[value].next)
        }
        return map
    }

    /// The elements of this array node that decode as `T`, skipping the others. Nil when the
    /// node is not an array.
    func lenientElements<T: Decodable>(_ type: T.Type) -> [T]? {
        guard kind == .array else { return nil }
        let count = Int(tape.nodes[index].count)
        var elements: [T] = []
        elements.reserveCapacity(count)
        var node = index + 1
        for _ in 0..<count {
            if let element = try? T(from: TapeDecoder(tape: tape, index: node, codingPath: codingPath)) { elements.append(element) }
            node = Int(tape.nodes[node].next)
        }
        return elements
    }
}

// MARK: - TapeKeyedContainer

/// Keyed access to an object node: keys are found by a linear byte comparison.
struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let tape: JSONTape
    let object: Int
    let codingPath: [any CodingKey]

    var allKeys: [Key] {
        var keys: [Key] = []
        var child = object + 1
        for _ in 0..<tape.nodes[object].count {
            if let key = Key(stringValue: tape.string(at: child)) { keys.append(key) }
            child = Int(tape.nodes[child + 1].next)
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { tape.value(forKey: key.stringValue, inObject: object) != nil }

    func decoder(for key: Key) throws -> TapeDecoder {
        guard let index = tape.value(forKey: key.stringValue, inObject: object) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for key"))
        }
        // The path is not extended: building it costs an allocation per field, and these
        // models swallow decoding errors anyway.
        return TapeDecoder(tape: tape, index: index, codingPath: codingPath)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let index = tape.value(forKey: key.stringValue, inObject: object) else { return true }
        return tape.nodes[index].kind == .null
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = tape.value(forKey: key.stringValue, inObject: object), tape.nodes[index].kind != .null else { return nil }
        return try T(from: TapeDecoder(tape: tape, index: index, codingPath: codingPath))
    }

    // One key lookup for the optional scalars the lenient helpers read most. The protocol's
    // default implementations look the key up three times (contains, decodeNil, decode).
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try present(key).map { try TapeDecoder(tape: tape, index: $0, codingPath: codingPath).decode(type) }
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try present(key).map { try TapeDecoder(tape: tape, index: $0, codingPath: codingPath).decode(type) }
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try present(key).map { try TapeDecoder(tape: tape, index: $0, codingPath: codingPath).decode(type) }
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try present(key).map { try TapeDecoder(tape: tape, index: $0, codingPath: codingPath).decode(type) }
    }

    /// The node of `key`'s value, or nil when the key is absent or null.
    private func present(_ key: Key) -> Int? {
        guard let index = tape.value(forKey: key.stringValue, inObject: object), tape.nodes[index].kind != .null else { return nil }
        return index
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder(for: key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder(for: key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder(for: key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder(for: key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder(for: key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder(for: key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder(for: key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder(for: key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder(for: key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder(for: key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder(for: key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder(for: key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder(for: key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder(for: key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: decoder(for: key)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { TapeDecoder(tape: tape, index: object, codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try decoder(for: key) }
}

// MARK: - TapeUnkeyedContainer

/// Sequential access to an array node.
struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let tape: JSONTape
    let codingPath: [any CodingKey]
    let count: Int?
    private(set) var currentIndex = 0
    private var node: Int

    init(tape: JSONTape, array: Int, codingPath: [any CodingKey]) {
        self.tape = tape
        self.codingPath = codingPath
        self.count = Int(tape.nodes[array].count)
        self.node = array + 1
    }

    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    private mutating func next() throws -> TapeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "array is at its end"))
        }
        let decoder = TapeDecoder(tape: tape, index: node, codingPath: codingPath)
        node = Int(tape.nodes[node].next)
        currentIndex += 1
        return decoder
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, tape.nodes[node].kind == .null else { return false }
        _ = try next()
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}
