import Foundation
import PaperKube

// MARK: - CheckSession

/// One complete `check` run: find kubectl, take a snapshot, run the checks, build the report.
///
/// This is what `paperctl-tui check` does, exposed so end-to-end tests (and the dashboard's
/// first frame) can call it without parsing command lines.
public enum CheckSession {
    /// Runs the checks in `only` (all when empty) against `target` and returns the report.
    /// Never throws: a missing kubectl or a dead cluster makes every check unknown.
    public static func report(
        config: PaperConfig,
        target: KubeTarget,
        kubectlPath: String? = nil,
        timeout: Double? = nil,
        only: [CheckID] = [],
        discovery: DiscoveryCache = DiscoveryCache(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) async -> CheckReport {
        var snapshot: Snapshot
        do {
            let executable = try KubectlLocator(explicitPath: kubectlPath, environment: environment).locate()
            let runner = KubectlRunner(executable: executable, timeout: timeout ?? config.timeoutSeconds)
            snapshot = await SnapshotFetcher(runner: runner, config: config, target: target, discovery: discovery, clock: clock).fetch()
        } catch {
            snapshot = Snapshot(takenAt: clock(), target: target)
            snapshot.markAllUnreadable(error)
        }
        let results = HealthChecks.run(snapshot, config: config, now: clock(), only: only)
        let context = target.context ?? KubeconfigContext.current(kubeconfig: target.kubeconfig, environment: environment) ?? "(current)"
        return CheckReport(context: context, namespace: target.namespace, now: snapshot.takenAt, checks: results, kubectlProcesses: snapshot.processCount,
                           gitops: GitOpsReport(GitOps.detect(snapshot, config: config)))
    }
}
