import PaperKube

// MARK: - FieldManager

/// Who wrote a change, as the API server records it in `metadata.managedFields`.
public struct FieldManager: Sendable, Equatable {
    public var manager: String
    public var operation: String
    public var subresource: String?

    public init(_ manager: String, operation: String = "Update", subresource: String? = nil) {
        self.manager = manager
        self.operation = operation
        self.subresource = subresource
    }
}

// MARK: - ManagedFields

/// A small model of the API server's field ownership: every leaf a write changes (under `spec`,
/// `data` and the like, plus labels and annotations) moves to the writer's `managedFields` entry,
/// leaving the other entries. Lists count as one leaf. Enough to name who last set a Deployment's
/// `spec.replicas` or a CronJob's `spec.suspend`.
enum ManagedFields {
    /// Records `writer` as the owner of what changed from `old` (nil: a create, every leaf) to `object`.
    static func record(_ object: inout JSONValue, old: JSONValue?, writer: FieldManager, time: String) {
        let before = old.map(leaves) ?? [:]
        let after = leaves(object)
        var changed = Set<[String]>()
        for (path, value) in after where before[path] != value { changed.insert(path) }
        let removed = Set(before.keys).subtracting(after.keys)
        guard !changed.isEmpty || !removed.isEmpty else {
            object.set("metadata.managedFields", to: old?.value(at: "metadata.managedFields"))
            return
        }
        var entries = (old?.value(at: "metadata.managedFields")?.arrayValue ?? []).filter { $0["manager"] != nil }
        let touched = changed.union(removed)
        var mine: Set<[String]> = []
        var mineIndex: Int?
        for i in entries.indices {
            var paths = Self.paths(entries[i]["fieldsV1"] ?? [:])
            paths = paths.filter { p in !touched.contains { Self.overlaps($0, p) } }
            let isMine = entries[i]["manager"]?.stringValue == writer.manager && entries[i]["operation"]?.stringValue == writer.operation
                && entries[i]["subresource"]?.stringValue == writer.subresource
            if isMine {
                mineIndex = i
                mine = paths
            }
            entries[i]["fieldsV1"] = Self.fields(paths)
        }
        mine.formUnion(changed)
        var entry: JSONValue = [
            "manager": .string(writer.manager), "operation": .string(writer.operation),
            "apiVersion": object["apiVersion"] ?? "v1", "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": Self.fields(mine),
        ]
        if let sub = writer.subresource { entry["subresource"] = .string(sub) }
        if let i = mineIndex { entries[i] = entry } else { entries.append(entry) }
        entries = entries.filter { ($0["fieldsV1"]?.objectValue?.isEmpty ?? true) == false }
        object.set("metadata.managedFields", to: entries.isEmpty ? nil : .array(entries))
    }

    /// The tracked leaves of an object by path (`status`, identity and server-owned metadata left out).
    static func leaves(_ object: JSONValue) -> [[String]: JSONValue] {
        var out: [[String]: JSONValue] = [:]
        func walk(_ value: JSONValue, _ path: [String]) {
            if case .object(let o) = value, !o.isEmpty {
                for (k, v) in o { walk(v, path + [k]) }
            } else {
                out[path] = value
            }
        }
        for (key, value) in object.objectValue ?? [:] where !["status", "metadata", "apiVersion", "kind"].contains(key) {
            walk(value, [key])
        }
        for key in ["labels", "annotations"] {
            if let v = object.value(at: ["metadata", key]) { walk(v, ["metadata", key]) }
        }
        return out
    }

    static func overlaps(_ a: [String], _ b: [String]) -> Bool {
        a.count <= b.count ? Array(b.prefix(a.count)) == a : Array(a.prefix(b.count)) == b
    }

    /// `{"f:spec":{"f:replicas":{}}}` for `[["spec","replicas"]]`.
    static func fields(_ paths: Set<[String]>) -> JSONValue {
        var root: JSONValue = [:]
        for path in paths {
            root.set(path.map { "f:\($0)" }, to: root.value(at: path.map { "f:\($0)" }) ?? [:])
        }
        return root
    }

    /// The leaf paths of a `fieldsV1` document.
    static func paths(_ fields: JSONValue) -> Set<[String]> {
        var out = Set<[String]>()
        func walk(_ value: JSONValue, _ path: [String]) {
            let children = (value.objectValue ?? [:]).filter { $0.key.hasPrefix("f:") }
            if children.isEmpty {
                if !path.isEmpty { out.insert(path) }
                return
            }
            for (k, v) in children { walk(v, path + [String(k.dropFirst(2))]) }
        }
        walk(fields, [])
        return out
    }
}
