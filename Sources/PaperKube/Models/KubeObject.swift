// MARK: - KubeObject

/// One item of a `kubectl get A,B,C -o json` List, decoded by its `kind` and API group.
public enum KubeObject: Sendable, Equatable, Decodable {
    case pod(Pod)
    case deployment(Deployment)
    case job(Job)
    case cronJob(CronJob)
    case persistentVolumeClaim(PersistentVolumeClaim)
    case event(KubeEvent)
    case networkPolicy(NetworkPolicy)
    case ingress(Ingress)
    case configMap(ConfigMap)
    case lease(Lease)
    case cnpgCluster(CNPGCluster)
    case cnpgBackup(CNPGBackup)
    case cnpgScheduledBackup(CNPGScheduledBackup)
    case barmanObjectStore(BarmanObjectStore)
    case externalSecret(ExternalSecret)
    case secretStore(SecretStore)
    case argoApplication(ArgoApplication)
    case argoApplicationSet(ArgoApplicationSet)
    case argoAppProject(ArgoAppProject)
    /// A type this tool does not model; kept so it can be counted.
    case other(kind: String, apiVersion: String)

    enum CodingKeys: String, CodingKey { case kind, apiVersion }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = c.string(.kind) ?? ""
        let apiVersion = c.string(.apiVersion) ?? ""
        guard let resource = ResourceKind(kind: kind, apiVersion: apiVersion) else {
            self = .other(kind: kind, apiVersion: apiVersion)
            return
        }
        switch resource {
        case .pod: self = .pod(try Pod(from: decoder))
        case .deployment: self = .deployment(try Deployment(from: decoder))
        case .job: self = .job(try Job(from: decoder))
        case .cronJob: self = .cronJob(try CronJob(from: decoder))
        case .persistentVolumeClaim: self = .persistentVolumeClaim(try PersistentVolumeClaim(from: decoder))
        case .event: self = .event(try KubeEvent(from: decoder))
        case .networkPolicy: self = .networkPolicy(try NetworkPolicy(from: decoder))
        case .ingress: self = .ingress(try Ingress(from: decoder))
        case .configMap: self = .configMap(try ConfigMap(from: decoder))
        case .lease: self = .lease(try Lease(from: decoder))
        case .cnpgCluster: self = .cnpgCluster(try CNPGCluster(from: decoder))
        case .cnpgBackup: self = .cnpgBackup(try CNPGBackup(from: decoder))
        case .cnpgScheduledBackup: self = .cnpgScheduledBackup(try CNPGScheduledBackup(from: decoder))
        case .barmanObjectStore: self = .barmanObjectStore(try BarmanObjectStore(from: decoder))
        case .externalSecret: self = .externalSecret(try ExternalSecret(from: decoder))
        case .secretStore, .clusterSecretStore: self = .secretStore(try SecretStore(from: decoder))
        case .argoApplication: self = .argoApplication(try ArgoApplication(from: decoder))
        case .argoApplicationSet: self = .argoApplicationSet(try ArgoApplicationSet(from: decoder))
        case .argoAppProject: self = .argoAppProject(try ArgoAppProject(from: decoder))
        }
    }
}
