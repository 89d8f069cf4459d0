// MARK: - BackupPhase

/// `status.phase` of a Backup (all lower-case in the API). Since CNPG 1.27 a queued backup
/// has no status at all, which is `.none`.
public enum BackupPhase: Sendable, Equatable, CustomStringConvertible {
    case none, pending, started, running, finalizing, completed, failed, walArchivingFailing
    case unknown(String)

    init(_ text: String?) {
        switch text {
        case nil, "": self = .none
        case "pending": self = .pending
        case "started": self = .started
        case "running": self = .running
        case "finalizing": self = .finalizing
        case "completed": self = .completed
        case "failed": self = .failed
        case "walArchivingFailing": self = .walArchivingFailing
        case let other?: self = .unknown(other)
        }
    }

    public var description: String {
        switch self {
        case .none: "(no status)"
        case .pending: "pending"
        case .started: "started"
        case .running: "running"
        case .finalizing: "finalizing"
        case .completed: "completed"
        case .failed: "failed"
        case .walArchivingFailing: "walArchivingFailing"
        case .unknown(let text): text
        }
    }

    /// Started, running or finalizing.
    public var isInProgress: Bool { self == .started || self == .running || self == .finalizing }
}
