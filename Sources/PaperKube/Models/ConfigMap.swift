// MARK: - ConfigMap

/// A `v1` ConfigMap. Only the ones this tool wrote (labelled `app.kubernetes.io/managed-by:
/// paperctl`, such as the drill record) keep their `data`; the app's own ConfigMaps are listed
/// by name only, so a large one costs nothing to hold.
public struct ConfigMap: Sendable, Equatable, Decodable {
    public var metadata: ObjectMeta
    public var data: [String: String]

    public init(metadata: ObjectMeta, data: [String: String] = [:]) {
        self.metadata = metadata
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case metadata, data }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = c.object(ObjectMeta.self, .metadata) ?? ObjectMeta(name: "")
        data = metadata.labels["app.kubernetes.io/managed-by"] == "paperctl" ? c.stringMap(.data) : [:]
    }
}
