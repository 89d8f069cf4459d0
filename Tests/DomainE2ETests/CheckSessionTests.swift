import Foundation
import PaperKube
import Testing
@testable import PaperDomain

// MARK: - A whole check run against a scripted kubectl

@Suite("CheckSession with a scripted kubectl")
struct CheckSessionTests {
    /// A kubectl that answers from the fixtures and logs each invocation to `calls.log`.
    func scriptedKubectl(_ dir: ScriptDirectory) throws -> String {
        try dir.script("kubectl", """
            echo "$*" >> "\(dir.path)/calls.log"
            case "$*" in
              *api-resources*) printf 'pods\\ndeployments.apps\\njobs.batch\\ncronjobs.batch\\npersistentvolumeclaims\\nevents\\nnetworkpolicies.networking.k8s.io\\ningresses.networking.k8s.io\\nclusters.postgresql.cnpg.io\\nbackups.postgresql.cnpg.io\\nscheduledbackups.postgresql.cnpg.io\\nexternalsecrets.external-secrets.io\\nclustersecretstores.external-secrets.io\\nsecretstores.external-secrets.io\\n' ;;
              *--raw*) cat "\(Fixtures.path("stats-summary.json"))" ;;
              *" logs "*) cat "\(Fixtures.path("app-logs-redis-errors.txt"))" ;;
              *) cat "\(Fixtures.path("get-all-healthy.json"))" ;;
            esac
            """)
    }

    @Test func reportFromAScriptedClusterAndTheProcessBudget() async throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        let kubectl = try scriptedKubectl(dir)
        let discovery = DiscoveryCache(directory: "\(dir.path)/cache")
        let target = KubeTarget(kubeconfig: "\(dir.path)/kubeconfig", context: "demo", namespace: "paperless-ngx")
        let first = await CheckSession.report(config: PaperConfig(), target: target, kubectlPath: kubectl, discovery: discovery, clock: { Fixtures.now })
        #expect(first.kubectlProcesses == 4)
        #expect(first.context == "demo")
        // The recorded log lines carry a Redis password; the report must not.
        #expect(first.overall == .critical)
        #expect(first.checks.first { $0.id == .logs }?.verdict == .critical)
        #expect(!first.json().contains("Sup3rS3cretRedisPw"))
        #expect(first.checks.filter { $0.id != .logs }.allSatisfy { $0.verdict == .ok })

        let second = await CheckSession.report(config: PaperConfig(), target: target, kubectlPath: kubectl, only: [.storage],
                                               discovery: DiscoveryCache(directory: "\(dir.path)/cache"), clock: { Fixtures.now })
        #expect(second.kubectlProcesses == 3)
        #expect(second.checks.map(\.id) == [.storage])
        let calls = String(decoding: FileManager.default.contents(atPath: "\(dir.path)/calls.log") ?? Data(), as: UTF8.self)
        #expect(calls.split(separator: "\n").filter { $0.contains("api-resources") }.count == 1)
        #expect(calls.contains("--kubeconfig \(dir.path)/kubeconfig --context demo --namespace paperless-ngx logs deploy/paperless-ngx -c paperless-ngx --since=1h --timestamps --pod-running-timeout=2s"))
    }

    @Test func aHangingKubectlGivesUnknownTimeoutAndIsKilled() async throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        let pidFile = "\(dir.path)/kubectl.pid"
        let kubectl = try dir.script("kubectl", "echo $$ > \"\(pidFile)\"\nexec sleep 600")
        let start = ContinuousClock.now
        let report = await CheckSession.report(config: PaperConfig(), target: Fixtures.target, kubectlPath: kubectl, timeout: 1, clock: { Fixtures.now })
        // The behaviour: every check says timeout, and the hung kubectl is gone. The bound only
        // tells a watchdog that fired (1 s) from none (600 s), with room for a busy machine.
        let elapsed = start.duration(to: .now)
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        #expect(report.overall == .unknown && report.exitCode == 3)
        #expect(report.checks.allSatisfy { $0.reason.contains("kubectl timed out after 1 s and was killed") })
        #expect(report.kubectlProcesses == 1)
        let pid = try #require(Int32(String(decoding: FileManager.default.contents(atPath: pidFile) ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await ProcessProbe.isGone(pid), "the hung kubectl \(pid) survived the watchdog")
    }

    @Test func expiredCredentialsAreNamed() async throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        let kubectl = try dir.script("kubectl", "echo 'error: You must be logged in to the server (Unauthorized)' >&2\nexit 1")
        let report = await CheckSession.report(config: PaperConfig(), target: Fixtures.target, kubectlPath: kubectl, clock: { Fixtures.now })
        #expect(report.overall == .unknown)
        #expect(report.checks.first?.reason == "cannot read pods: not authorized, credentials rejected or expired: You must be logged in to the server (Unauthorized)")
    }
}
