import PaperKube

// MARK: - ObjectVerdict

/// The verdict of one object's row (a database Backup, a restic Job, an ExternalSecret), next to
/// the checks that judge the same objects: nil while it is still under way or says nothing.
public enum ObjectVerdict {
    /// Completed is OK; failed, or completed with WAL archiving failing, is critical.
    public static func of(_ backup: CNPGBackup) -> Verdict? {
        switch backup.phase {
        case .completed: .ok
        case .failed, .walArchivingFailing: .critical
        default: nil
        }
    }

    /// Succeeded is OK, failed is critical; pending and running say nothing yet.
    public static func of(_ job: Job) -> Verdict? {
        switch job.outcome {
        case .succeeded: .ok
        case .failed: .critical
        case .running, .pending: nil
        }
    }

    /// Ready=True is OK, Ready=False is critical; no Ready condition says nothing.
    public static func of(_ secret: ExternalSecret) -> Verdict? {
        switch secret.conditions[type: "Ready"]?.status {
        case "True": .ok
        case "False": .critical
        default: nil
        }
    }
}
