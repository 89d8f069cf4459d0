import Foundation

// MARK: - Typed lists and watch events

/// The API server's own lists and watch events, where items carry no `kind` (unlike
/// `kubectl get -o json`): the caller says which type it asked for.
extension KubeObject {
    /// The objects and the list's `resourceVersion` of a raw `GET …/<resource>` answer.
    public static func list(of kind: ResourceKind, from data: Data) throws -> (resourceVersion: String?, items: [KubeObject]) {
        let list = try KubeJSON.decode(RawList.self, from: data)
        return (list.resourceVersion, try list.items.map { try $0.object(as: kind) })
    }

    /// One line of a watch stream.
    public static func watchEvent(of kind: ResourceKind, from data: Data) throws -> WatchEvent {
        let head = try KubeJSON.decode(RawEvent.self, from: data)
        switch head.type {
        case "ADDED", "MODIFIED", "DELETED":
            guard let object = head.object else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a \(head.type) event without an object")) }
            let decoded = try object.object(as: kind)
            let change: WatchEvent.Change = head.type == "ADDED" ? .added : head.type == "MODIFIED" ? .modified : .deleted
            return .object(change, decoded, resourceVersion: object.resourceVersion)
        case "BOOKMARK":
            return .bookmark(resourceVersion: head.object?.resourceVersion)
        case "ERROR":
            return .error(code: head.object?.code ?? 0, reason: head.object?.reason ?? "", message: head.object?.message ?? "")
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown watch event type \(head.type)"))
        }
    }

    /// The name an object is kept under (its type's objects are unique by name in one namespace).
    public var name: String {
        switch self {
        case .pod(let v): v.metadata.name
        case .deployment(let v): v.metadata.name
        case .job(let v): v.metadata.name
        case .cronJob(let v): v.metadata.name
        case .persistentVolumeClaim(let v): v.metadata.name
        case .event(let v): v.metadata.name
        case .networkPolicy(let v): v.metadata.name
        case .ingress(let v): v.metadata.name
        case .configMap(let v): v.metadata.name
        case .lease(let v): v.metadata.name
        case .cnpgCluster(let v): v.metadata.name
        case .cnpgBackup(let v): v.metadata.name
        case .cnpgScheduledBackup(let v): v.metadata.name
        case .barmanObjectStore(let v): v.metadata.name
        case .externalSecret(let v): v.metadata.name
        case .secretStore(let v): v.metadata.name
        case .argoApplication(let v): v.metadata.name
        case .argoApplicationSet(let v): v.metadata.name
        case .argoAppProject(let v): v.metadata.name
        case .other(let kind, _): kind
        }
    }

    /// The key an object is kept under among its type's: the name, or `namespace/name` for a
    /// type read across namespaces.
    public var storeKey: String {
        switch self {
        case .argoApplication(let v): "\(v.metadata.namespace ?? "")/\(v.metadata.name)"
        case .argoApplicationSet(let v): "\(v.metadata.namespace ?? "")/\(v.metadata.name)"
        case .argoAppProject(let v): "\(v.metadata.namespace ?? "")/\(v.metadata.name)"
        default: name
        }
    }
}

// MARK: - WatchEvent

/// One event of a watch stream, decoded for the type that was watched.
public enum WatchEvent: Sendable, Equatable {
    public enum Change: Sendable, Equatable { case added, modified, deleted }
    case object(Change, KubeObject, resourceVersion: String?)
    /// The server's progress mark: nothing changed up to `resourceVersion`.
    case bookmark(resourceVersion: String?)
    /// The server ended the watch (410 Expired: the resourceVersion is too old, list again).
    case error(code: Int, reason: String, message: String)
}

// MARK: - Raw decoding

/// An item decoded lazily: the decoder is kept so the typed model can be read for a known kind.
struct RawItem: Decodable {
    let decoder: any Decoder
    let resourceVersion: String?
    let code: Int?
    let reason: String?
    let message: String?

    enum CodingKeys: String, CodingKey { case metadata, code, reason, message }
    enum MetaKeys: String, CodingKey { case resourceVersion }

    init(from decoder: any Decoder) throws {
        self.decoder = decoder
        let c = try decoder.container(keyedBy: CodingKeys.self)
        resourceVersion = (try? c.nestedContainer(keyedBy: MetaKeys.self, forKey: .metadata))?.string(.resourceVersion)
        code = (try? c.decodeIfPresent(Int.self, forKey: .code)) ?? nil
        reason = c.string(.reason)
        message = c.string(.message)
    }

    func object(as kind: ResourceKind) throws -> KubeObject {
        switch kind {
        case .pod: .pod(try Pod(from: decoder))
        case .deployment: .deployment(try Deployment(from: decoder))
        case .job: .job(try Job(from: decoder))
        case .cronJob: .cronJob(try CronJob(from: decoder))
        case .persistentVolumeClaim: .persistentVolumeClaim(try PersistentVolumeClaim(from: decoder))
        case .event: .event(try KubeEvent(from: decoder))
        case .networkPolicy: .networkPolicy(try NetworkPolicy(from: decoder))
        case .ingress: .ingress(try Ingress(from: decoder))
        case .configMap: .configMap(try ConfigMap(from: decoder))
        case .lease: .lease(try Lease(from: decoder))
        case .cnpgCluster: .cnpgCluster(try CNPGCluster(from: decoder))
        case .cnpgBackup: .cnpgBackup(try CNPGBackup(from: decoder))
        case .cnpgScheduledBackup: .cnpgScheduledBackup(try CNPGScheduledBackup(from: decoder))
        case .barmanObjectStore: .barmanObjectStore(try BarmanObjectStore(from: decoder))
        case .externalSecret: .externalSecret(try ExternalSecret(from: decoder))
        case .secretStore, .clusterSecretStore: .secretStore(try Self.store(decoder, kind: kind))
        case .argoApplication: .argoApplication(try ArgoApplication(from: decoder))
        case .argoApplicationSet: .argoApplicationSet(try ArgoApplicationSet(from: decoder))
        case .argoAppProject: .argoAppProject(try ArgoAppProject(from: decoder))
        }
    }

    /// List items carry no kind: a ClusterSecretStore is told apart by the type asked for.
    static func store(_ decoder: any Decoder, kind: ResourceKind) throws -> SecretStore {
        var store = try SecretStore(from: decoder)
        store.kind = kind.kind
        return store
    }
}

struct RawList: Decodable {
    var resourceVersion: String?
    var items: [RawItem]

    enum CodingKeys: String, CodingKey { case metadata, items }
    enum MetaKeys: String, CodingKey { case resourceVersion }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        resourceVersion = (try? c.nestedContainer(keyedBy: MetaKeys.self, forKey: .metadata))?.string(.resourceVersion)
        items = (try c.decodeIfPresent([RawItem].self, forKey: .items)) ?? []
    }
}

struct RawEvent: Decodable {
    var type: String
    var object: RawItem?
}
