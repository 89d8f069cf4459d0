import Foundation
import PaperDomain
import PaperKube
import PaperRuntime
import Synchronization
import TestSupport
import Testing
@testable import PaperUI

/// Issue 24's parity test: for the same cluster, `paperctl-tui restore …` (the PaperDomain
/// session) and the wizard (keys through `update`, its tasks run by the app's own task code and
/// plan runner) send the same writes: the same commands, the same Job, Cluster, Backup and
/// ConfigMap bodies, in the same order, on every restore path. Only the restore Lease's own
/// writes are left out (who holds it and for what is said differently, by design).
@Suite(.timeLimit(.minutes(1))) struct RestoreParityTests {
    enum Path: String, CaseIterable, Sendable {
        case filesSideBySide, filesSideBySidePath, filesInPlace, database, both, fileDrill, databaseDrill, unlock
    }

    static var namespace: String { Fixtures.target.namespace }

    /// The dashboard's facts: the data volume of 10 GiB (the drill's scratch limit), one replica.
    static func facts() -> ActionFacts {
        var f = WizardFixtures.facts()
        f.dataVolume = .init(claim: PersistentVolumeClaim(metadata: ObjectMeta(name: "paperless-ngx-data"), phase: "Bound", capacityBytes: 10 << 30),
                             stats: VolumeStats(name: "data", pvcName: "paperless-ngx-data", usedBytes: 4 << 30, capacityBytes: 10 << 30, availableBytes: 6 << 30))
        return f
    }

    static let failedBackup = "paperless-ngx-backup-29000000"

    /// The same cluster the facts describe, answering kubectl. `locked`: the newest backup Job
    /// failed on a stale restic lock (the unlock path).
    static func cluster(locked: Bool = false) -> FakeCluster {
        let snapshot = #"{"id":"0a2b3c4d5e6f7a8b9c0d","short_id":"0a2b3c4d","time":"\#(UTCTime.rfc3339(Fixtures.now - 4 * 3600))","hostname":"paperless-ngx","paths":["/data"],"tags":["paperless-ngx"]}"#
        let deployment = #"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"paperless-ngx"},"spec":{"replicas":1,"selector":{"matchLabels":{"app.kubernetes.io/name":"paperless-ngx"}},
             "template":{"spec":{"containers":[{"name":"paperless-ngx","volumeMounts":[{"mountPath":"/usr/src/paperless/data","name":"data"}]}],
              "volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"paperless-ngx-data"}}]}}},"status":{"replicas":1,"readyReplicas":1}}
            """#
        let claim = #"{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"paperless-ngx-data"},"spec":{"resources":{"requests":{"storage":"10Gi"}}},"status":{"phase":"Bound","capacity":{"storage":"10Gi"}}}"#
        let lock = "Fatal: unable to create lock in backend: repository is already locked exclusively by PID 27 on paperless-ngx-backup-29000000-abcde by root (UID 0, GID 0)"
        return FakeCluster(.init(
            cronJob: WizardFixtures.cronJob,
            jobs: Objects.list(locked ? [Objects.job(failedBackup, status: Objects.failed)] : []),
            logs: [
                "paperctl-restic-snapshots": "restic 0.17.3 compiled with go1.23.1 on linux/amd64\n[\(snapshot)]",
                "paperctl-restic-ls": #"{"struct_type":"node","path":"/data/media/documents/originals/a.pdf","type":"file","size":100}"#,
                "paperctl-restic-restore": #"{"message_type":"summary","total_files":3,"files_restored":3,"total_bytes":300}"#,
                "paperctl-restic-safety-backup": "snapshot 9f8e7d6c saved",
                "paperctl-restic-drill": "finished verifying 3 files\npaperctl-drill: files=3 bytes=300",
                "paperctl-restic-unlock": "repository 1234abcd opened\nsuccessfully removed 1 locks",
                failedBackup: lock,
            ],
            deployment: deployment, claim: claim, liveCluster: "paperless-ngx-db", clusterJSON: DatabaseWizardTests.clusterJSON,
            backups: Objects.list([])))
    }

    /// The engine both drive, on `cluster`, its clock at the fixtures' now (so Job names agree).
    static func toolkit(_ cluster: FakeCluster) -> RestoreToolkit {
        // The clock stands still, so a wait that never ends would spin: past 200 polls the task is cancelled (the wait says so).
        let polls = Mutex(0)
        let sleep: @Sendable (Double) async -> Void = { _ in
            if polls.withLock({ $0 += 1; return $0 }) > 200 { withUnsafeCurrentTask { $0?.cancel() } }
        }
        var executor = RestoreExecutor(runner: cluster.runner, target: Fixtures.target, config: PaperConfig(), now: { Fixtures.now }, sleep: sleep,
                                       pollInterval: 1, stepTimeout: 60)
        executor.lease = RestoreLeaseKeeper(runner: cluster.runner, target: Fixtures.target, identity: "alice@laptop pid 7", clock: { Fixtures.now })
        return RestoreToolkit(executor: executor)
    }

    // MARK: The CLI

    final class Lines: Sendable {
        let all = Mutex<[String]>([])
        var text: String { all.withLock { $0.joined(separator: "\n") } }
    }

    static func cli(_ path: Path, _ cluster: FakeCluster, said: Lines) async -> RestoreSessionEnd {
        let toolkit = toolkit(cluster)
        let out: RestoreSessionOutput = { line in
            switch line {
            case .say(let t), .fail(let t): said.all.withLock { $0.append(t) }
            case .journal: break
            }
        }
        let facts = facts()
        switch path {
        case .filesSideBySide:
            return await FileRestoreSession(toolkit: toolkit).run(.init(snapshot: "latest", target: .sideBySide, yes: true, wait: true), facts: facts, out: out)
        case .filesSideBySidePath:
            return await FileRestoreSession(toolkit: toolkit).run(.init(snapshot: "latest", path: "media/documents/originals", target: .sideBySide, yes: true, wait: true),
                                                                  facts: facts, out: out)
        case .filesInPlace:
            return await FileRestoreSession(toolkit: toolkit).run(.init(snapshot: "latest", target: .inPlace, confirmNamespace: namespace), facts: facts, out: out)
        case .database:
            return await DatabaseRestoreSession(toolkit: toolkit).run(.init(to: "latest", yes: true, wait: true), out: out)
        case .both:
            return await BothRestoreSession(toolkit: toolkit).run(.init(to: "latest", confirmNamespace: namespace), facts: facts, out: out)
        case .fileDrill:
            return await FileDrillSession(toolkit: toolkit).run(out: out)
        case .databaseDrill:
            return await DatabaseDrillSession(toolkit: toolkit).run(cleanup: false, by: OperatorIdentity.current(), out: out)
        case .unlock:
            return await UnlockSession(toolkit: toolkit).run(yes: true, removeAll: false, confirmNamespace: nil, out: out)
        }
    }

    // MARK: The wizard

    final class Events: Sendable {
        let all = Mutex<[RestorePlanRunner.Event]>([])
        func add(_ e: RestorePlanRunner.Event) { all.withLock { $0.append(e) } }
        var list: [RestorePlanRunner.Event] { all.withLock { $0 } }
    }

    /// The dashboard with the wizard's keys pressed, each restore effect run as the effect runner
    /// runs it (`RestoreTasks.run`, the plan runner for a confirmed plan) and its answer sent back.
    struct Wizard {
        var s: AppState
        let toolkit: RestoreToolkit

        init(_ cluster: FakeCluster) {
            var data = Fixtures.dataWithFacts(RestoreParityTests.facts())
            data.actions = RestoreParityTests.facts()
            s = Fixtures.state(data: data)
            toolkit = RestoreParityTests.toolkit(cluster)
        }

        mutating func press(_ keys: Key...) async {
            for key in keys {
                let effects = update(&s, .key(key))
                await run(effects)
            }
        }

        mutating func type(_ text: String) async {
            for c in text { await press(.char(c)) }
        }

        mutating func run(_ effects: [Effect]) async {
            for effect in effects {
                guard case .restore(let task, let generation) = effect else { continue }
                var answers: [Msg] = []
                if case .runPlan(let steps, let what) = task {
                    let events = Events()
                    let result = await toolkit.planRunner.run(steps, what: what) { events.add($0) }
                    answers = events.list.map { .restorePlanEvent(generation: generation, $0) } + [.restoreFinished(generation: generation, .plan(result))]
                } else {
                    answers = [.restoreFinished(generation: generation, await RestoreTasks.run(task, toolkit: toolkit) { _ in })]
                }
                for answer in answers {
                    let more = update(&s, answer)
                    await run(more)
                }
            }
        }

        var finished: Bool { WizardFixtures.wizard(s)?.step == .finished }
    }

    /// The keys an operator presses on `path`, from the dashboard.
    static func wizard(_ path: Path, _ cluster: FakeCluster) async -> Wizard {
        var w = Wizard(cluster)
        switch path {
        case .filesSideBySide, .filesSideBySidePath, .filesInPlace:
            // What: files; the preflight; the snapshot listing; the newest snapshot.
            await w.press(.char("R"), .enter, .enter, .enter)
            if path == .filesSideBySidePath {
                await w.press(.down, .enter)  // a path, typed
                await w.type("media/documents/originals")
                await w.press(.enter)
            } else {
                await w.press(.enter)  // everything
            }
            if path == .filesInPlace {
                await w.press(.down, .enter, .char("y"))
                await w.type(namespace)
                await w.press(.enter)
            } else {
                await w.press(.enter, .char("y"))
            }
        case .database:
            await w.press(.char("R"), .down, .enter, .enter, .char("y"))  // latest
            await w.type(namespace)
            await w.press(.enter)
        case .both:
            await w.press(.char("R"), .down, .down, .enter, .enter, .char("y"))
            await w.type(namespace)
            await w.press(.enter)
        case .fileDrill:
            await w.press(.char("R"), .down, .down, .down, .enter, .enter)
        case .databaseDrill:
            await w.press(.char("R"), .down, .down, .down, .down, .enter, .char("y"))
        case .unlock:
            await w.press(.char("u"), .char("y"))
        }
        return w
    }

    @Test(arguments: Path.allCases)
    func theCLIAndTheWizardSendTheSameWrites(path: Path) async {
        let cliCluster = Self.cluster(locked: path == .unlock)
        let said = Lines()
        let end = await Self.cli(path, cliCluster, said: said)
        let wizardCluster = Self.cluster(locked: path == .unlock)
        let wizard = await Self.wizard(path, wizardCluster)
        // Both got to the end: equal writes of two runs that stopped early would prove nothing.
        #expect(end == .done, "the CLI did not finish \(path): \(end)\n\(said.text)")
        let finished = wizard.finished
        #expect(finished, "the wizard did not finish \(path): \(WizardFixtures.wizard(wizard.s)?.message ?? "closed")")
        let cli = cliCluster.writes
        var shown = wizardCluster.writes
        if path == .database, !shown.isEmpty {
            // The one difference, by design: the wizard's restore-point step shows the file snapshots
            // beside the window (the files' RPO at the point), listed by a read-only Job; `restore db` prints no files.
            #expect(shown[0].stdin?.contains(#""paperctl.io/purpose" : "restic-snapshots""#) == true, "the wizard's first write: \(shown[0])")
            shown.removeFirst()
        }
        #expect(!cli.isEmpty)
        #expect(cli == shown, "\(path): the CLI sent\n\(cli.map(\.description).joined(separator: "\n"))\n\nthe wizard sent\n\(shown.map(\.description).joined(separator: "\n"))")
    }
}
