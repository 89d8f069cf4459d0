import Foundation

// MARK: - RawJSON

/// A JSON value kept as it was read, for a field whose exact value must be written back later
/// (an Argo CD Application's `spec.syncPolicy`). Objects keep every key; `text` writes them
/// sorted, the order `kubectl get -o json` prints a custom resource's maps in.
public indirect enum RawJSON: Sendable, Equatable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([RawJSON])
    case object([String: RawJSON])

    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var out: [String: RawJSON] = [:]
            for key in keyed.allKeys { out[key.stringValue] = (try? keyed.decode(RawJSON.self, forKey: key)) ?? .null }
            self = .object(out)
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var out: [RawJSON] = []
            while !list.isAtEnd {
                guard let item = try? list.decode(RawJSON.self) else { break }
                out.append(item)
            }
            self = .array(out)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? single.decode(Int.self) {
            self = .int(i)
        } else if let d = try? single.decode(Double.self) {
            self = .double(d)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for item in a { try c.encode(item) }
        case .object(let o):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (k, v) in o { try c.encode(v, forKey: AnyKey(stringValue: k)) }
        }
    }

    /// The value at `key` of an object, or nil.
    public subscript(key: String) -> RawJSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Compact JSON, object keys sorted.
    public var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .string(let s): return Self.quoted(s)
        case .array(let a): return "[" + a.map(\.text).joined(separator: ",") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\(Self.quoted($0)):\(o[$0]?.text ?? "null")" }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = ""
        JSONText.writeString(s, into: &out)
        return out
    }
}
