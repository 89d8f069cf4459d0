import Foundation
import Subprocess
import PaperDomain
import PaperKube
import SimCluster
import Testing
@testable import PaperUI

/// Object rows from a real simulator snapshot: recent Backups and restic Jobs with their outcomes.
@Suite(.timeLimit(.minutes(1))) struct PanelFactsTests {
    @Test func recentBackupsAndResticJobsAreListedWithOutcomeAndExitMeaning() async throws {
        let sim = try await SimulatedCluster.start(scenarios: [.resticLocked, .dbBackupFailing])
        defer { Task { await sim.stop() } }
        let dir = NSTemporaryDirectory() + "paperctl-facts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try sim.kubeconfig().write(toFile: "\(dir)/kc", atomically: true, encoding: .utf8)
        let kubectl = try KubectlLocator(explicitPath: nil, environment: ProcessInfo.processInfo.environment).locate()
        let config = PaperConfig()
        let fetcher = SnapshotFetcher(runner: KubectlRunner(executable: kubectl, timeout: 20), config: config,
                                      target: KubeTarget(kubeconfig: "\(dir)/kc", context: "demo", namespace: "paperless-ngx"),
                                      discovery: DiscoveryCache(directory: "\(dir)/discovery"), clock: { Date().timeIntervalSince1970 })
        // A backup started by hand with kubectl (it annotates the Job): the panel says who started it.
        let byHand = try await runProcessForFacts(kubectl, ["--kubeconfig", "\(dir)/kc", "create", "job", "--from=cronjob/paperless-ngx-backup", "by-hand-1", "-n", "paperless-ngx"])
        #expect(byHand.contains("created"), "\(byHand)")
        let snapshot = await fetcher.fetch()
        let facts = PanelFacts.rows(from: snapshot, config: config, now: Date().timeIntervalSince1970)
        let jobs = try #require(facts[.fileBackups])
        #expect(jobs.filter { $0.verdict == .critical }.count == 2)
        #expect(jobs.contains { $0.text.contains("exit 11") && $0.text.contains("lock") })
        #expect(jobs.contains { $0.verdict == .ok && $0.text.contains("took") })
        #expect(jobs.contains { $0.text.hasPrefix("by-hand-1 ") && $0.text.contains("by hand (kubectl)") }, "\(jobs.map(\.text))")
        #expect(!jobs.contains { !$0.text.hasPrefix("by-hand-1 ") && $0.text.contains("by hand") }, "scheduled Jobs are not called manual")
        let backups = try #require(facts[.database])
        #expect(backups.count == 9, "a title and the 8 newest Backups")
        #expect(backups.contains { $0.text.contains("walArchivingFailing") })
        // The rows reach the screen in their panels.
        var state = AppState(width: 200, height: 60, context: "demo", namespace: "paperless-ngx", now: Date().timeIntervalSince1970)
        state.data = .loaded(DashboardData(checks: HealthChecks.run(snapshot, config: config, now: state.now), takenAt: snapshot.takenAt, facts: facts))
        state.dashboard.focus = .fileBackups
        _ = update(&state, .key(.char("G")))
        #expect(render(state).text.contains("Recent restic Jobs"))
    }
}

/// kubectl's combined output (stdout then stderr).
func runProcessForFacts(_ kubectl: String, _ args: [String]) async throws -> String {
    let out = try await Subprocess.run(.path(.init(kubectl)), arguments: Arguments(args), output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
    return out.standardOutput + out.standardError
}
