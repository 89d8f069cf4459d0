import PaperKube

// MARK: - ServedResource

/// One served resource type: what discovery advertises, how objects are keyed, and the columns
/// the server's `Table` rendering shows for plain `kubectl get`.
public struct ServedResource: Sendable {
    public let group: String
    /// Every served version, preferred first. Objects are stored once and re-labelled per version.
    public private(set) var versions: [String]
    public let kind: String
    public let plural: String
    public let singular: String
    public let shortNames: [String]
    public let namespaced: Bool
    public let categories: [String]
    public let subresources: [String]
    public let columns: [TableColumn]

    public init(
        group: String, versions: [String], kind: String, plural: String, shortNames: [String] = [],
        namespaced: Bool = true, categories: [String] = [], subresources: [String] = ["status"], columns: [TableColumn] = []
    ) {
        self.group = group
        self.versions = versions
        self.kind = kind
        self.plural = plural
        self.singular = kind.lowercased()
        self.shortNames = shortNames
        self.namespaced = namespaced
        self.categories = categories
        self.subresources = subresources
        self.columns = columns
    }

    /// The same type served only in `versions` (an older operator that predates a version).
    public func serving(_ versions: [String]) -> ServedResource {
        var copy = self
        copy.versions = versions
        return copy
    }

    /// `group/plural`, the storage key that does not depend on the version asked for.
    public var storageKey: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public func apiVersion(_ version: String) -> String { group.isEmpty ? version : "\(group)/\(version)" }

    public var preferredVersion: String { versions.first ?? "v1" }

    /// The verbs discovery advertises.
    public var verbs: [String] { ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] }
}

// MARK: - TableColumn

/// A server-side printer column: kubectl prints exactly these for a plain `get`.
public struct TableColumn: Sendable {
    public let name: String
    public let type: String
    public let format: String
    public let priority: Int
    public let description: String
    public let cell: @Sendable (JSONValue, Double) -> JSONValue

    public init(_ name: String, type: String = "string", format: String = "", priority: Int = 0, description: String = "",
                cell: @escaping @Sendable (JSONValue, Double) -> JSONValue) {
        self.name = name
        self.type = type
        self.format = format
        self.priority = priority
        self.description = description.isEmpty ? name : description
        self.cell = cell
    }

    static let name = TableColumn("Name", format: "name", description: "Name must be unique within a namespace.") { obj, _ in
        obj.value(at: "metadata.name") ?? ""
    }

    static let age = TableColumn("Age", description: "CreationTimestamp is a timestamp representing the server time when this object was created.") { obj, now in
        guard let created = obj.value(at: "metadata.creationTimestamp")?.stringValue, let t = UTCTime.parse(created) else { return "<unknown>" }
        return .string(UTCTime.humanDuration(now - t))
    }

    static func path(_ name: String, _ dotted: String, type: String = "string", priority: Int = 0, empty: JSONValue = "") -> TableColumn {
        TableColumn(name, type: type, priority: priority) { obj, _ in obj.value(at: dotted) ?? empty }
    }

    static func conditionStatus(_ name: String, type conditionType: String, field: String = "status") -> TableColumn {
        TableColumn(name) { obj, _ in
            for c in obj.value(at: "status.conditions")?.arrayValue ?? [] where c["type"]?.stringValue == conditionType {
                return c[field] ?? ""
            }
            return ""
        }
    }

    static func ageOf(_ name: String, _ dotted: String) -> TableColumn {
        TableColumn(name) { obj, now in
            guard let s = obj.value(at: dotted)?.stringValue, let t = UTCTime.parse(s) else { return "<none>" }
            return .string(UTCTime.humanDuration(now - t))
        }
    }
}
