import PaperKube
// MARK: - HealthCheck

/// One runbook check: a pure function from a snapshot, the config and "now" to a result.
public protocol HealthCheck: Sendable {
    var id: CheckID { get }
    func evaluate(_ context: CheckContext) -> CheckResult
}
