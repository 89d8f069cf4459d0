import Foundation
import PaperDomain
import PaperKube
import TestSupport
import Testing
@testable import PaperUI

/// The dashboard's keys and `paperctl-tui backup` plan with the same functions: for the same
/// cluster they run the same command with the same arguments and body, or refuse for the same reason.
@Suite struct PlanParityTests {
    static let target = KubeTarget(kubeconfig: "/k/config", context: "prod", namespace: "paperless-ngx")

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var cluster: String
        var jobs: [String]
        var backups: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "in-tree, idle", cluster: Objects.cluster(.barmanObjectStore), jobs: [Objects.job("paperless-ngx-backup-1", status: Objects.complete)], backups: []),
        Case(name: "plugin, idle", cluster: Objects.cluster(.plugin), jobs: [], backups: [Objects.backup("b-old", phase: "completed")]),
        Case(name: "volume snapshots, idle", cluster: Objects.cluster(.volumeSnapshot), jobs: [], backups: []),
        Case(name: "in-tree, busy", cluster: Objects.cluster(.barmanObjectStore), jobs: [Objects.job("manual-backup-9", status: Objects.running)],
             backups: [Objects.backup("b-queued", phase: nil)]),
        Case(name: "plugin, busy", cluster: Objects.cluster(.plugin), jobs: [Objects.job("paperless-ngx-backup-2", status: Objects.running)],
             backups: [Objects.backup("b-wal", phase: "walArchivingFailing")]),
    ]

    /// The TUI: the key on a dashboard whose last refresh saw these objects.
    static func tui(_ c: Case, key: Character) -> ActionDecision {
        var s = Fixtures.actionState(Fixtures.facts(jobs: c.jobs, cluster: c.cluster, backups: c.backups, target: target))
        _ = update(&s, .key(.char(key)))
        guard case .dialog(let d) = s.mode else { return .refuse("no dialog") }
        switch d.kind {
        case .confirm(let plan): return .plan(plan)
        case .notice: return .refuse(d.body)
        }
    }

    /// The CLI: `backup files|db` reading the same objects through kubectl.
    static func cli(_ c: Case, kind: ManualBackup.Kind) async -> ActionDecision {
        let runner = FakeRunner { cmd throws(KubectlError) in
            let a = cmd.arguments
            if a.contains("create") { return .ok("created\n") }
            if a.contains("cronjobs.batch") { return .ok(Objects.cronJob) }
            if a.contains("jobs.batch") { return .ok(Objects.list(c.jobs)) }
            if a.contains(ResourceKind.cnpgCluster.qualifiedName) { return .ok(c.cluster) }
            if a.contains(ResourceKind.cnpgBackup.qualifiedName) { return .ok(Objects.list(c.backups)) }
            return .failure("unexpected \(a)")
        }
        let session = ManualBackupSession(config: PaperConfig(), target: target, runner: runner, now: { Fixtures.now }, sleep: { _ in }, pollInterval: 1)
        let outcome = await session.run(kind, wait: false, timeout: 10) { _ in }
        if case .refused(let reason) = outcome { return .refuse(reason) }
        guard let create = runner.commands.first(where: { $0.arguments.contains("create") }) else { return .refuse("CLI created nothing: \(outcome)") }
        // Rebuild the plan from what the CLI actually ran.
        return .plan(ActionPlan(kind: kind == .files ? .fileBackup : .databaseBackup, title: create.logPolicy.title ?? "",
                                arguments: create.arguments, stdin: create.stdin.map { String(decoding: $0, as: UTF8.self) },
                                objectName: kind == .files ? ManualBackup.fileBackupName(now: Fixtures.now) : ManualBackup.databaseBackupName(cluster: "paperless-ngx-db", now: Fixtures.now)))
    }

    @Test(arguments: cases)
    func fileBackupKeyAndCLIPlanTheSame(c: Case) async {
        let tui = Self.tui(c, key: "b")
        let cli = await Self.cli(c, kind: .files)
        #expect(tui == cli)
        if c.name.hasSuffix("busy") { #expect(tui.plan == nil, "a running Job must refuse") } else { #expect(tui.plan != nil) }
    }

    @Test(arguments: cases)
    func databaseBackupKeyAndCLIPlanTheSame(c: Case) async {
        let tui = Self.tui(c, key: "B")
        let cli = await Self.cli(c, kind: .db)
        #expect(tui == cli)
        if c.name.hasSuffix("busy") { #expect(tui.plan == nil, "a queued or failing Backup must refuse") } else { #expect(tui.plan != nil) }
        if c.name.hasPrefix("volume"), let stdin = tui.plan?.stdin { #expect(stdin.contains(#""method": "volumeSnapshot""#)) }
        if c.name.hasPrefix("plugin"), let stdin = tui.plan?.stdin { #expect(stdin.contains("barman-cloud.cloudnative-pg.io")) }
    }
}

extension KubectlCommand.LogPolicy {
    var title: String? {
        if case .action(let t) = self { t } else { nil }
    }
}
