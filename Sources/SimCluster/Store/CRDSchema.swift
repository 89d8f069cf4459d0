import Foundation
import Yams

// MARK: - SchemaNode

/// One node of a CRD's structural OpenAPI v3 schema: the subset of keywords the API server
/// enforces on custom resources that paperctl's manifests can trip over. Descriptions, defaults,
/// list-type markers and CEL rules (`x-kubernetes-validations`) are not read.
final class SchemaNode: Sendable {
    let type: String?
    let properties: [String: SchemaNode]
    let required: [String]
    /// The schema of map values (`additionalProperties: {…}`).
    let additionalProperties: SchemaNode?
    /// `additionalProperties: true`: any value under any key.
    let allowsAnyAdditional: Bool
    let items: SchemaNode?
    let preservesUnknownFields: Bool
    let intOrString: Bool
    let nullable: Bool
    let enumValues: [JSONValue]
    /// What the API server fills in when the field is absent (it stores the defaulted object).
    let defaultValue: JSONValue?
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Bool
    let exclusiveMaximum: Bool
    let minLength: Int?
    let maxLength: Int?
    let minItems: Int?
    let maxItems: Int?
    let pattern: String?
    /// `x-kubernetes-embedded-resource`: apiVersion, kind and metadata of an embedded object.
    let embeddedResource: Bool

    init(_ node: Node) {
        let map = node.mapping
        func text(_ key: String) -> String? { map?[key]?.scalar?.string }
        func flag(_ key: String) -> Bool { text(key) == "true" }
        func number(_ key: String) -> Double? { text(key).flatMap(Double.init) }
        func count(_ key: String) -> Int? { text(key).flatMap { Int($0) } }
        type = text("type")
        var props: [String: SchemaNode] = [:]
        if let declared = map?["properties"]?.mapping {
            for (key, value) in declared {
                if let name = key.scalar?.string { props[name] = SchemaNode(value) }
            }
        }
        properties = props
        required = map?["required"]?.sequence?.compactMap { $0.scalar?.string } ?? []
        switch map?["additionalProperties"] {
        case .mapping(let m)?:
            additionalProperties = SchemaNode(.mapping(m))
            allowsAnyAdditional = false
        case .scalar(let s)?:
            additionalProperties = nil
            allowsAnyAdditional = s.string == "true"
        default:
            additionalProperties = nil
            allowsAnyAdditional = false
        }
        items = map?["items"].map(SchemaNode.init)
        preservesUnknownFields = flag("x-kubernetes-preserve-unknown-fields")
        intOrString = flag("x-kubernetes-int-or-string")
        nullable = flag("nullable")
        embeddedResource = flag("x-kubernetes-embedded-resource")
        enumValues = map?["enum"]?.sequence?.map(SchemaNode.json) ?? []
        defaultValue = map?["default"].map(SchemaNode.json)
        minimum = number("minimum")
        maximum = number("maximum")
        exclusiveMinimum = flag("exclusiveMinimum")
        exclusiveMaximum = flag("exclusiveMaximum")
        minLength = count("minLength")
        maxLength = count("maxLength")
        minItems = count("minItems")
        maxItems = count("maxItems")
        pattern = text("pattern")
    }

    /// A YAML value (an enum member, a default) as JSON.
    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return typed(scalar)
        case .sequence(let items):
            return .array(items.map(json))
        case .mapping(let pairs):
            var object: [String: JSONValue] = [:]
            for (key, value) in pairs { object[key.scalar?.string ?? ""] = json(value) }
            return .object(object)
        case .alias:
            return .null
        }
    }

    /// A YAML scalar as JSON: the schema is composed without tag resolution (much faster), so
    /// enum values are typed here the way YAML 1.1's core schema would type a plain scalar.
    static func typed(_ scalar: Node.Scalar) -> JSONValue {
        guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
        let s = scalar.string
        switch s {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case "null", "Null", "NULL", "~", "": return .null
        default:
            if let i = Int(s) { return .int(i) }
            if let d = Double(s), s.contains(where: \.isNumber) { return .double(d) }
            return .string(s)
        }
    }
}

// MARK: - CRDSchema

/// A CustomResourceDefinition's schemas by served version.
struct CRDSchema: Sendable {
    let group: String
    let kind: String
    let versions: [String: SchemaNode]

    init(yaml: String) throws {
        // The basic resolver leaves every scalar a string: resolving tags runs a regular
        // expression per scalar, and the schema reads only a handful of them as numbers.
        guard let root = try Yams.compose(yaml: yaml, .basic)?.mapping,
              let spec = root["spec"]?.mapping else {
            throw CRDSchemaError.malformed("no spec")
        }
        group = spec["group"]?.scalar?.string ?? ""
        kind = spec["names"]?.mapping?["kind"]?.scalar?.string ?? ""
        var versions: [String: SchemaNode] = [:]
        for version in spec["versions"]?.sequence ?? [] {
            guard let v = version.mapping, v["served"]?.scalar?.string == "true", let name = v["name"]?.scalar?.string,
                  let schema = v["schema"]?.mapping?["openAPIV3Schema"] else { continue }
            versions[name] = SchemaNode(schema)
        }
        self.versions = versions
    }
}

enum CRDSchemaError: Error, CustomStringConvertible {
    case malformed(String)
    case missing(String)

    var description: String {
        switch self {
        case .malformed(let why): "malformed CRD: \(why)"
        case .missing(let file): "CRD \(file) not found next to the executable nor in the source tree"
        }
    }
}

// MARK: - Vendored CRDs

/// The real CloudNativePG and Barman Cloud plugin CRDs, vendored unmodified in
/// `Sources/SimCluster/Resources/crds` (source and version in the README there). Each file is
/// parsed once, on first use, and kept for the life of the process.
enum VendoredCRDs {
    static let clusters = load("postgresql.cnpg.io_clusters.yaml")
    static let backups = load("postgresql.cnpg.io_backups.yaml")
    static let scheduledBackups = load("postgresql.cnpg.io_scheduledbackups.yaml")
    static let objectStores = load("barmancloud.cnpg.io_objectstores.yaml")

    /// The CRD that defines a served kind, or nil for kinds the simulator does not check by schema.
    static func crd(for kind: ServedResource) -> Result<CRDSchema, CRDSchemaError>? {
        switch kind.storageKey {
        case "clusters.postgresql.cnpg.io": clusters
        case "backups.postgresql.cnpg.io": backups
        case "scheduledbackups.postgresql.cnpg.io": scheduledBackups
        case "objectstores.barmancloud.cnpg.io": objectStores
        default: nil
        }
    }

    /// The object with its schema defaults filled in, as the API server stores (and reads back)
    /// every custom resource: what the simulator plants itself looks the same as what kubectl created.
    static func defaulted(_ object: JSONValue, kind: ServedResource) -> JSONValue {
        guard case .success(let crd)? = crd(for: kind), let version = object["apiVersion"]?.stringValue?.split(separator: "/").last,
              let schema = crd.versions[String(version)] else { return object }
        return SchemaValidator.check(object, against: schema).pruned
    }

    static func load(_ file: String) -> Result<CRDSchema, CRDSchemaError> {
        guard let url = directory?.appendingPathComponent(file), let data = FileManager.default.contents(atPath: url.path) else {
            return .failure(.missing(file))
        }
        do {
            return .success(try CRDSchema(yaml: String(decoding: data, as: UTF8.self)))
        } catch let error as CRDSchemaError {
            return .failure(error)
        } catch {
            return .failure(.malformed("\(file): \(error)"))
        }
    }

    /// SwiftPM copies `Resources/crds` into the target's resource bundle next to the built
    /// executable (and the test runner). `Bundle.module` is not used because it stops the process
    /// when the bundle is missing; a binary copied elsewhere falls back to the source tree.
    static let directory: URL? = {
        let bundleName = "paperctl-tui_SimCluster"
        var candidates: [URL] = []
        for base in [Bundle.main.bundleURL, Bundle.main.resourceURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap({ $0 }) {
            for suffix in ["resources", "bundle"] {
                let bundle = base.appendingPathComponent("\(bundleName).\(suffix)")
                candidates.append(bundle.appendingPathComponent("crds"))
                candidates.append(bundle.appendingPathComponent("Contents/Resources/crds"))
            }
        }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/crds"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("postgresql.cnpg.io_clusters.yaml").path) }
    }()
}
