// MARK: - JSONValue

/// A JSON document as a value type: the simulator keeps every Kubernetes object in this form,
/// so that unknown fields survive round trips exactly as they would on a real API server.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public static let emptyObject = JSONValue.object([:])

    // MARK: Accessors

    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let dict) = self { return dict[key] }
            return nil
        }
        set {
            guard case .object(var dict) = self else { return }
            dict[key] = newValue
            self = .object(dict)
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 1e15: return Int(d)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Reads a dotted path such as `metadata.name` or `status.phase`.
    public func value(at path: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for key in path {
            guard let c = current else { return nil }
            if case .array(let items) = c, let index = Int(key), items.indices.contains(index) {
                current = items[index]
            } else {
                current = c[key]
            }
        }
        return current
    }

    public func value(at dotted: String) -> JSONValue? {
        value(at: dotted.split(separator: ".").map(String.init))
    }

    /// Sets a value at a dotted path, creating intermediate objects as needed.
    public mutating func set(_ path: [String], to newValue: JSONValue?) {
        guard let first = path.first else {
            if let newValue { self = newValue }
            return
        }
        guard case .object(var dict) = self else {
            if newValue == nil { return }
            self = .object([:])
            set(path, to: newValue)
            return
        }
        if path.count == 1 {
            dict[first] = newValue
        } else {
            var child = dict[first] ?? .object([:])
            if case .object = child {} else { child = .object([:]) }
            child.set(Array(path.dropFirst()), to: newValue)
            dict[first] = child
        }
        self = .object(dict)
    }

    public mutating func set(_ dotted: String, to newValue: JSONValue?) {
        set(dotted.split(separator: ".").map(String.init), to: newValue)
    }

    /// Text of a scalar, as a field selector or a Table cell compares it.
    public var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var dict: [String: JSONValue] = [:]
        for (k, v) in elements { dict[k] = v }
        self = .object(dict)
    }
    public init(nilLiteral: ()) { self = .null }
}
