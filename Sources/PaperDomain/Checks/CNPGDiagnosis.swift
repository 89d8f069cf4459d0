import PaperKube

// MARK: - CNPGDiagnosis

/// Why a CloudNativePG backup or WAL archiving failed, from the message CNPG (or barman-cloud)
/// wrote into `status.error` or the `ContinuousArchiving` condition.
public enum CNPGDiagnosis {
    /// The cause for `message`, or nil when the message names none this tool knows.
    public static func diagnose(_ message: String, source: String) -> CheckResult.Cause? {
        let m = message.lowercased()
        func cause(_ kind: String, _ next: String) -> CheckResult.Cause { CheckResult.Cause(kind: kind, evidence: message, nextStep: next, source: source) }
        if m.contains("expected empty archive") || m.contains("wal archive check failed") {
            return cause("archive already in use",
                         "another cluster already archives to this serverName: give this cluster a serverName of its own (spec.backup…serverName or the plugin's parameters.serverName); never point two clusters at one archive")
        }
        if ["accessdenied", "access denied", "invalidaccesskeyid", "signaturedoesnotmatch", "403", "expiredtoken", "credentials"].contains(where: m.contains) {
            return cause("object storage refused the credentials",
                         "check the S3 credentials Secret the backup configuration references (and its ExternalSecret's sync), then take a backup by hand")
        }
        if m.contains("nosuchbucket") || m.contains("bucket does not exist") || m.contains("no such bucket") {
            return cause("bucket missing", "check destinationPath's bucket name and region, or create the bucket")
        }
        if ["i/o timeout", "timeout", "timed out", "connection refused", "no such host", "could not resolve", "network is unreachable", "connection reset"].contains(where: m.contains) {
            return cause("object storage unreachable",
                         "check the database pods' egress NetworkPolicy to the object store (443) and the endpointURL; then watch ContinuousArchiving recover")
        }
        if m.contains("no target backup found") {
            return cause("no base backup at the source", "the recovery source's destinationPath or serverName does not match where the live cluster archives")
        }
        if m.contains("no space left") || m.contains("disk full") {
            return cause("volume full", "grow the database's WAL or data volume; failing archiving keeps WAL files until it recovers")
        }
        return nil
    }
}
