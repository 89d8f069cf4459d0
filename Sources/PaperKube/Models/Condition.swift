// MARK: - Condition

/// A status condition (`metav1.Condition` and the older per-type condition structs).
public struct Condition: Sendable, Equatable, Decodable {
    public var type: String
    /// `"True"`, `"False"` or `"Unknown"` as the API writes it.
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: Double?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: Double? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    enum CodingKeys: String, CodingKey { case type, status, reason, message, lastTransitionTime }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = c.string(.type) ?? ""
        status = c.string(.status) ?? "Unknown"
        reason = c.string(.reason)
        message = c.string(.message)
        lastTransitionTime = c.time(.lastTransitionTime)
    }

    public var isTrue: Bool { status == "True" }
    public var isFalse: Bool { status == "False" }
}

extension Array where Element == Condition {
    /// The condition of the given type, if reported.
    public subscript(type type: String) -> Condition? { first { $0.type == type } }
}
