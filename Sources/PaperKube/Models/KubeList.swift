// MARK: - KubeList

/// A `kind: List` (or any `…List`) as kubectl prints it; items that are not objects are skipped.
public struct KubeList: Sendable, Equatable, Decodable {
    public var items: [KubeObject]

    public init(items: [KubeObject]) { self.items = items }

    enum CodingKeys: String, CodingKey { case items }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.items) else {
            // A single object (kubectl prints one object without a List wrapper).
            items = [try KubeObject(from: decoder)]
            return
        }
        items = c.array(KubeObject.self, .items)
    }
}
