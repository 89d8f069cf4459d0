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

    public static func invalid(_ kind: ServedResource, _ name: String, _ reason: String) -> APIError {
        APIError(code: 422, reason: "Invalid", message: "\(kind.kind) \"\(name)\" is invalid: \(reason)")
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
