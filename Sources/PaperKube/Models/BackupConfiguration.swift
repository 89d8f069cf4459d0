// MARK: - BackupConfiguration

/// Which backup mechanism a Cluster uses; decides which ScheduledBackup method is consistent.
public enum BackupConfiguration: Sendable, Equatable {
    case none
    case barmanObjectStore(destinationPath: String?)
    case volumeSnapshot
    case plugin(name: String, objectStore: String?, serverName: String?)

    /// The ScheduledBackup/Backup `method` that matches this configuration.
    public var expectedMethod: String? {
        switch self {
        case .none: nil
        case .barmanObjectStore: "barmanObjectStore"
        case .volumeSnapshot: "volumeSnapshot"
        case .plugin: "plugin"
        }
    }
}
