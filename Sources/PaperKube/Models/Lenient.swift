import Foundation

// MARK: - Lenient decoding

/// Decoding helpers that never throw for one bad field.
///
/// Kubernetes objects change between versions and operators add fields freely. A field that
/// is missing, null or of an unexpected type becomes `nil` (or an empty collection), so one
/// odd object never fails the whole snapshot.
extension KeyedDecodingContainer {
    /// The value at `key`, or `nil` when it is absent, null or not a `T`.
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(T.self, forKey: key)) ?? nil
    }

    /// A string at `key`, or `nil`.
    ///
    /// The scalar helpers call the concrete `decodeIfPresent` overloads rather than the generic
    /// one: a decoder can answer those with one key lookup and no boxing (`TapeDecoder` does).
    func string(_ key: Key) -> String? { (try? decodeIfPresent(String.self, forKey: key)) ?? nil }

    /// An integer at `key`; also accepts a whole number written as a string or a float.
    func int(_ key: Key) -> Int? {
        if let v = (try? decodeIfPresent(Int.self, forKey: key)) ?? nil { return v }
        guard contains(key) else { return nil }
        if let d = (try? decodeIfPresent(Double.self, forKey: key)) ?? nil, d.rounded() == d, abs(d) < 9.0e18 { return Int(d) }
        if let s = string(key) { return Int(s) }
        return nil
    }

    /// A boolean at `key`; also accepts the strings `"true"`/`"false"`.
    func bool(_ key: Key) -> Bool? {
        if let v = (try? decodeIfPresent(Bool.self, forKey: key)) ?? nil { return v }
        guard contains(key) else { return nil }
        switch string(key)?.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// An RFC 3339 timestamp at `key` as seconds since the epoch, or `nil`.
    func time(_ key: Key) -> Double? {
        guard let text = string(key) else { return nil }
        return UTCTime.parse(text)
    }

    /// An array at `key`, skipping elements that are not objects of the expected shape.
    func array<T: Decodable>(_ type: T.Type, _ key: Key) -> [T] {
        guard contains(key) else { return [] }
        // Over a JSON tape: one pass, element by element, without an unkeyed container.
        if let tape = (try? superDecoder(forKey: key)) as? TapeDecoder { return tape.lenientElements(T.self) ?? [] }
        // Fast path: every element decodes. Otherwise decode element by element.
        if let all = try? decode([T].self, forKey: key) { return all }
        guard let boxes = lenient([LenientBox<T>].self, key) else { return [] }
        return boxes.compactMap(\.value)
    }

    /// A string map at `key` (labels, annotations, parameters); non-string values are dropped.
    func stringMap(_ key: Key) -> [String: String] {
        guard contains(key) else { return [:] }
        // Over a JSON tape: one pass over the object instead of a lookup per key.
        if let tape = (try? superDecoder(forKey: key)) as? TapeDecoder { return tape.stringMap() ?? [:] }
        if let map = try? decode([String: String].self, forKey: key) { return map }
        guard let map = lenient([String: LenientBox<String>].self, key) else { return [:] }
        return map.compactMapValues(\.value)
    }

    /// A nested object decoded leniently, or `nil` when absent.
    func object<T: Decodable>(_ type: T.Type, _ key: Key) -> T? { lenient(T.self, key) }
}

// MARK: - LenientBox

/// Wraps one element so that a bad element decodes to `nil` instead of failing its array.
struct LenientBox<T: Decodable>: Decodable {
    let value: T?
    init(from decoder: any Decoder) throws {
        value = try? T(from: decoder)
    }
}

// MARK: - AnyKey

/// A coding key made from any string, for objects whose keys are data (maps).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
