// MARK: - LabelSelector

/// A Kubernetes label selector as kubectl sends it in `labelSelector=`:
/// `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated.
public struct LabelSelector: Sendable, Equatable {
    enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case notExists(String)
    }

    var requirements: [Requirement]

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let selector: String
        public let reason: String
        public var description: String { "unable to parse requirement: \(reason) in \"\(selector)\"" }
    }

    public init(parsing text: String) throws(ParseError) {
        requirements = []
        var parts: [String] = []
        var depth = 0
        var current = ""
        for ch in text {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        for raw in parts {
            let part = raw.trimmingSpaces
            if part.isEmpty { continue }
            if let r = part.firstRange(of: " notin ") {
                requirements.append(.notIn(String(part[..<r.lowerBound]).trimmingSpaces, try Self.set(String(part[r.upperBound...]), text)))
            } else if let r = part.firstRange(of: " in ") {
                requirements.append(.isIn(String(part[..<r.lowerBound]).trimmingSpaces, try Self.set(String(part[r.upperBound...]), text)))
            } else if let r = part.firstRange(of: "!=") {
                requirements.append(.notEquals(String(part[..<r.lowerBound]).trimmingSpaces, String(part[r.upperBound...]).trimmingSpaces))
            } else if let r = part.firstRange(of: "==") {
                requirements.append(.equals(String(part[..<r.lowerBound]).trimmingSpaces, String(part[r.upperBound...]).trimmingSpaces))
            } else if let r = part.firstRange(of: "=") {
                requirements.append(.equals(String(part[..<r.lowerBound]).trimmingSpaces, String(part[r.upperBound...]).trimmingSpaces))
            } else if part.hasPrefix("!") {
                requirements.append(.notExists(String(part.dropFirst()).trimmingSpaces))
            } else if part.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) {
                requirements.append(.exists(part))
            } else {
                throw ParseError(selector: text, reason: "invalid requirement \"\(part)\"")
            }
        }
    }

    private static func set(_ text: String, _ selector: String) throws(ParseError) -> Set<String> {
        let t = text.trimmingSpaces
        guard t.hasPrefix("("), t.hasSuffix(")") else { throw ParseError(selector: selector, reason: "expected a parenthesised set") }
        return Set(t.dropFirst().dropLast().split(separator: ",").map { String($0).trimmingSpaces })
    }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { req in
            switch req {
            case .equals(let k, let v): labels[k] == v
            case .notEquals(let k, let v): labels[k] != v
            case .isIn(let k, let vs): labels[k].map(vs.contains) ?? false
            case .notIn(let k, let vs): !(labels[k].map(vs.contains) ?? false)
            case .exists(let k): labels[k] != nil
            case .notExists(let k): labels[k] == nil
            }
        }
    }

    /// Builds a selector from a `matchLabels` map, as controllers use.
    public init(matchLabels: [String: String]) {
        requirements = matchLabels.sorted { $0.key < $1.key }.map { .equals($0.key, $0.value) }
    }
}

// MARK: - FieldSelector

/// A field selector (`metadata.name=x,status.phase!=Running`) evaluated against any JSON path.
public struct FieldSelector: Sendable, Equatable {
    var requirements: [(path: String, value: String, negated: Bool)]

    public static func == (a: FieldSelector, b: FieldSelector) -> Bool {
        a.requirements.map { "\($0.path)\($0.negated ? "!=" : "=")\($0.value)" } == b.requirements.map { "\($0.path)\($0.negated ? "!=" : "=")\($0.value)" }
    }

    public init(parsing text: String) throws(LabelSelector.ParseError) {
        requirements = []
        for raw in text.split(separator: ",") {
            let part = String(raw).trimmingSpaces
            if let r = part.firstRange(of: "!=") {
                requirements.append((String(part[..<r.lowerBound]), String(part[r.upperBound...]), true))
            } else if let r = part.firstRange(of: "==") ?? part.firstRange(of: "=") {
                requirements.append((String(part[..<r.lowerBound]), String(part[r.upperBound...]), false))
            } else {
                throw LabelSelector.ParseError(selector: text, reason: "invalid field selector \"\(part)\"")
            }
        }
    }

    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { req in
            let actual = object.value(at: req.path)?.scalarText ?? ""
            return req.negated ? actual != req.value : actual == req.value
        }
    }
}

extension JSONValue {
    /// `metadata.labels` as a plain dictionary.
    public var labels: [String: String] {
        var out: [String: String] = [:]
        for (k, v) in value(at: "metadata.labels")?.objectValue ?? [:] {
            if let s = v.stringValue { out[k] = s }
        }
        return out
    }
}
