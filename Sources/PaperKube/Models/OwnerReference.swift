// MARK: - OwnerReference

/// `metadata.ownerReferences[]`: which object owns this one.
public struct OwnerReference: Sendable, Equatable, Decodable {
    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    enum CodingKeys: String, CodingKey { case kind, name }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = c.string(.kind) ?? ""
        name = c.string(.name) ?? ""
    }
}
