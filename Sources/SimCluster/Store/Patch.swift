// MARK: - Patch

/// The three patch forms kubectl sends: JSON merge patch (RFC 7386), strategic merge patch
/// (approximated: lists of named objects merge by `name`, `$patch: delete|replace` honoured) and
/// JSON patch (RFC 6902).
public enum PatchKind: String, Sendable {
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case json = "application/json-patch+json"
    case apply = "application/apply-patch+yaml"
}

public struct PatchError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

public enum Patcher {
    public static func apply(_ kind: PatchKind, patch: JSONValue, to target: JSONValue) throws(PatchError) -> JSONValue {
        switch kind {
        case .merge: return mergePatch(target, patch)
        case .strategic: return strategicMerge(target, patch)
        case .json: return try jsonPatch(target, patch)
        case .apply: throw PatchError(reason: "server-side apply is not supported by the simulator; use client-side kubectl apply")
        }
    }

    /// RFC 7386: objects merge, `null` deletes, anything else replaces.
    public static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let p) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in p {
            if value == .null {
                result.removeValue(forKey: key)
            } else {
                result[key] = mergePatch(result[key] ?? .null, value)
            }
        }
        return .object(result)
    }

    public static func strategicMerge(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(var p) = patch else { return patch }
        if p["$patch"]?.stringValue == "replace" {
            p.removeValue(forKey: "$patch")
            return .object(p)
        }
        var result = target.objectValue ?? [:]
        for (key, value) in p {
            if key.hasPrefix("$") { continue }
            if value == .null {
                result.removeValue(forKey: key)
            } else if case .array(let patchItems) = value, case .array(let baseItems)? = result[key],
                patchItems.allSatisfy({ $0["name"]?.stringValue != nil }), baseItems.allSatisfy({ $0["name"]?.stringValue != nil })
            {
                var merged = baseItems
                for item in patchItems {
                    guard let name = item["name"]?.stringValue else { continue }
                    let index = merged.firstIndex { $0["name"]?.stringValue == name }
                    if item["$patch"]?.stringValue == "delete" {
                        if let index { merged.remove(at: index) }
                    } else if let index {
                        merged[index] = strategicMerge(merged[index], item)
                    } else {
                        merged.append(strategicMerge(.object([:]), item))
                    }
                }
                result[key] = .array(merged)
            } else {
                result[key] = strategicMerge(result[key] ?? .null, value)
            }
        }
        return .object(result)
    }

    /// RFC 6902 operations: add, remove, replace, move, copy, test.
    public static func jsonPatch(_ target: JSONValue, _ patch: JSONValue) throws(PatchError) -> JSONValue {
        do {
            return try applyOperations(target, patch)
        } catch let error as PatchError {
            throw error
        } catch {
            throw PatchError(reason: "\(error)")
        }
    }

    static func applyOperations(_ target: JSONValue, _ patch: JSONValue) throws -> JSONValue {
        guard case .array(let ops) = patch else { throw PatchError(reason: "a JSON patch must be an array of operations") }
        var doc = target
        for op in ops {
            guard let name = op["op"]?.stringValue, let path = op["path"]?.stringValue else {
                throw PatchError(reason: "each JSON patch operation needs \"op\" and \"path\"")
            }
            let tokens = try pointer(path)
            switch name {
            case "add":
                guard let value = op["value"] else { throw PatchError(reason: "add at \(path) needs a value") }
                doc = try modify(doc, tokens, path: path) { container, last in try insert(&container, last, value, path: path, replace: false) }
            case "replace":
                guard let value = op["value"] else { throw PatchError(reason: "replace at \(path) needs a value") }
                _ = try get(doc, tokens, path: path)
                doc = try modify(doc, tokens, path: path) { container, last in try insert(&container, last, value, path: path, replace: true) }
            case "remove":
                _ = try get(doc, tokens, path: path)
                doc = try modify(doc, tokens, path: path) { container, last in try remove(&container, last, path: path) }
            case "test":
                let actual = try get(doc, tokens, path: path)
                guard actual == op["value"] else { throw PatchError(reason: "test operation failed at \(path)") }
            case "move", "copy":
                guard let from = op["from"]?.stringValue else { throw PatchError(reason: "\(name) needs \"from\"") }
                let fromTokens = try pointer(from)
                let value = try get(doc, fromTokens, path: from)
                if name == "move" {
                    doc = try modify(doc, fromTokens, path: from) { container, last in try remove(&container, last, path: from) }
                }
                doc = try modify(doc, tokens, path: path) { container, last in try insert(&container, last, value, path: path, replace: false) }
            default:
                throw PatchError(reason: "unknown JSON patch operation \"\(name)\"")
            }
        }
        return doc
    }

    static func pointer(_ path: String) throws(PatchError) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw PatchError(reason: "JSON pointer \"\(path)\" must start with /") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences("~1", "/").replacingOccurrences("~0", "~")
        }
    }

    static func get(_ doc: JSONValue, _ tokens: [String], path: String) throws(PatchError) -> JSONValue {
        var current = doc
        for t in tokens {
            switch current {
            case .object(let o):
                guard let next = o[t] else { throw PatchError(reason: "path \(path) does not exist") }
                current = next
            case .array(let a):
                guard let i = Int(t), a.indices.contains(i) else { throw PatchError(reason: "path \(path) does not exist") }
                current = a[i]
            default:
                throw PatchError(reason: "path \(path) does not exist")
            }
        }
        return current
    }

    static func modify(
        _ doc: JSONValue, _ tokens: [String], path: String, _ body: (inout JSONValue, String) throws -> Void
    ) throws -> JSONValue {
        guard let last = tokens.last else { throw PatchError(reason: "cannot modify the document root") }
        if tokens.count == 1 {
            var d = doc
            try body(&d, last)
            return d
        }
        let head = tokens[0]
        switch doc {
        case .object(var o):
            guard let child = o[head] else { throw PatchError(reason: "path \(path) does not exist") }
            o[head] = try modify(child, Array(tokens.dropFirst()), path: path, body)
            return .object(o)
        case .array(var a):
            guard let i = Int(head), a.indices.contains(i) else { throw PatchError(reason: "path \(path) does not exist") }
            a[i] = try modify(a[i], Array(tokens.dropFirst()), path: path, body)
            return .array(a)
        default:
            throw PatchError(reason: "path \(path) does not exist")
        }
    }

    static func insert(_ container: inout JSONValue, _ key: String, _ value: JSONValue, path: String, replace: Bool) throws(PatchError) {
        switch container {
        case .object(var o):
            o[key] = value
            container = .object(o)
        case .array(var a):
            if key == "-" && !replace {
                a.append(value)
            } else if let i = Int(key), replace ? a.indices.contains(i) : (0...a.count).contains(i) {
                if replace { a[i] = value } else { a.insert(value, at: i) }
            } else {
                throw PatchError(reason: "array index \(key) out of range at \(path)")
            }
            container = .array(a)
        default:
            throw PatchError(reason: "path \(path) does not point into an object or array")
        }
    }

    static func remove(_ container: inout JSONValue, _ key: String, path: String) throws(PatchError) {
        switch container {
        case .object(var o):
            o.removeValue(forKey: key)
            container = .object(o)
        case .array(var a):
            guard let i = Int(key), a.indices.contains(i) else { throw PatchError(reason: "array index \(key) out of range at \(path)") }
            a.remove(at: i)
            container = .array(a)
        default:
            throw PatchError(reason: "path \(path) does not exist")
        }
    }
}

extension Substring {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        String(self).replacingOccurrences(target, replacement)
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            result += rest[..<r.lowerBound]
            result += replacement
            rest = rest[r.upperBound...]
        }
        result += rest
        return result
    }
}
