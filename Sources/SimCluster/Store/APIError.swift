// MARK: - APIError

/// A failure the API server answers with a `metav1.Status`, worded the way the real one words it,
/// so that kubectl prints the same messages operators know.
public struct APIError: Error, Sendable, Equatable {
    public let code: Int
    public let reason: String
    public let message: String
    public var details: JSONValue? = nil

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var status: JSONValue {
        var s: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(code),
        ]
        if let details { s["details"] = details }
        return s
    }

    static func resourceName(_ kind: ServedResource) -> String {
        kind.group.isEmpty ? kind.plural : "\(kind.plural).\(kind.group)"
    }

    public static func notFound(_ kind: ServedResource, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(resourceName(kind)) \"\(name)\" not found",
                 details: ["name": .string(name), "group": .string(kind.group), "kind": .string(kind.plural)])
    }

    public static func alreadyExists(_ kind: ServedResource, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(resourceName(kind)) \"\(name)\" already exists",
                 details: ["name": .string(name), "group": .string(kind.group), "kind": .string(kind.plural)])
    }

    public static func conflict(_ kind: ServedResource, _ name: String) -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(resourceName(kind)) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again")
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    /// `Kind.group`, as the API server qualifies a kind in validation messages (`Cluster.postgresql.cnpg.io`).
    static func qualifiedKind(_ kind: ServedResource) -> String {
        kind.group.isEmpty ? kind.kind : "\(kind.kind).\(kind.group)"
    }

    /// One field error, `field: body` (`spec.instances: Required value`).
    public static func invalid(_ kind: ServedResource, _ name: String, _ reason: String) -> APIError {
        invalid(kind, name, causes: [FieldCause(parsing: reason)])
    }

    /// A 422 with one cause per field error, as `apierrors.NewInvalid` builds it: the message joins
    /// them (in brackets when there are several) and the details carry them, which is what kubectl
    /// prints as `The Cluster "x" is invalid: …`.
    public static func invalid(_ kind: ServedResource, _ name: String, causes: [FieldCause]) -> APIError {
        var unique: [FieldCause] = []
        for c in causes where !unique.contains(c) { unique.append(c) }
        let joined = unique.count == 1 ? unique[0].text : "[" + unique.map(\.text).joined(separator: ", ") + "]"
        return APIError(code: 422, reason: "Invalid", message: "\(qualifiedKind(kind)) \"\(name)\" is invalid: \(joined)",
                        details: ["name": .string(name), "group": .string(kind.group), "kind": .string(kind.kind),
                                  "causes": .array(unique.map(\.status))])
    }

    /// The 400 that strict field validation answers for fields the schema does not declare.
    public static func strictDecoding(_ kind: ServedResource, version: String, unknownFields: [String]) -> APIError {
        let fields = unknownFields.map { "unknown field \(goQuote($0))" }.joined(separator: ", ")
        return badRequest("\(kind.kind) in version \(goQuote(version)) cannot be handled as a \(kind.kind): strict decoding error: \(fields)")
    }

    public static func pathNotFound() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }

    public static func methodNotAllowed(_ method: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource (\(method))")
    }

    public static func unsupportedMediaType(_ type: String) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf; got \(type)")
    }

    /// The wording of an RBAC denial: `jobs.batch is forbidden: User "x" cannot create resource "jobs" in API group "batch" in the namespace "ns"`.
    public static func forbidden(user: String, verb: String, group: String, resource: String, subresource: String? = nil, namespace: String?, name: String? = nil) -> APIError {
        let full = group.isEmpty ? resource : "\(resource).\(group)"
        var what = "\(full)"
        if let name { what += " \"\(name)\"" }
        let res = subresource.map { "\(resource)/\($0)" } ?? resource
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        return APIError(code: 403, reason: "Forbidden",
                        message: "\(what) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(res)\" in API group \"\(group)\" \(scope)",
                        details: ["group": .string(group), "kind": .string(resource)])
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")
}

// MARK: - FieldCause

/// One `field.Error` as a `metav1.StatusCause`: its type, the field path, and the error body
/// (`Invalid value: "x": why`).
public struct FieldCause: Sendable, Equatable {
    public enum CauseType: String, Sendable {
        case required = "FieldValueRequired"
        case invalid = "FieldValueInvalid"
        case typeInvalid = "FieldValueTypeInvalid"
        case notSupported = "FieldValueNotSupported"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case forbidden = "FieldValueForbidden"
    }

    public let type: CauseType
    public let field: String
    public let body: String

    public init(_ type: CauseType, field: String, body: String) {
        self.type = type
        self.field = field
        self.body = body
    }

    /// Reads `field: body` and types it by the body's first words.
    public init(parsing reason: String) {
        let parts = reason.split(separator: ": ", maxSplits: 1, omittingEmptySubsequences: false)
        let (field, body) = parts.count == 2 ? (String(parts[0]), String(parts[1])) : ("", reason)
        let type: CauseType = if body.hasPrefix("Required value") { .required }
            else if body.hasPrefix("Unsupported value") { .notSupported }
            else if body.hasPrefix("Too long") { .tooLong }
            else if body.hasPrefix("Too many") { .tooMany }
            else if body.hasPrefix("Forbidden") { .forbidden }
            else { .invalid }
        self.init(type, field: field, body: body)
    }

    /// `spec.instances: Invalid value: "string": spec.instances in body must be of type integer: "string"`.
    static func typeInvalid(_ path: String, actual: JSONValue, expected: String) -> FieldCause {
        let actualType = goQuote(jsonTypeName(actual))
        let subject = path.isEmpty ? "body" : "\(path) in body"
        return FieldCause(.typeInvalid, field: path, body: "Invalid value: \(actualType): \(subject) must be of type \(expected): \(actualType)")
    }

    public var text: String { field.isEmpty ? body : "\(field): \(body)" }

    var status: JSONValue { ["reason": .string(type.rawValue), "message": .string(body), "field": .string(field)] }
}
