import ProcessTestSupport
import Foundation
import SimCluster
import Subprocess
import Testing

/// `paperctl-tui backup files|db` as cron runs it: the built binary, the real kubectl, the simulator.
/// Serialized, with a generous per-call kubectl timeout: the whole test suite runs in parallel on
/// two cores, and kubectl's first call (discovery into an empty cache) can then take seconds.
@Suite(.serialized, .timeLimit(.minutes(2))) struct BackupCommandE2ETests {
    static let password = "hunter2-PLANTED-s3cr3t"

    @Test func filesWaitExitsZeroOnHealthyAndResticMadeASnapshot() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        let run = try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"])
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(run.stdout.contains("Running: kubectl --kubeconfig \(env.kubeconfig) --context demo create job --from=cronjob/paperless-ngx-backup manual-backup-"))
        #expect(run.stdout.contains(" -n paperless-ngx\n"))
        #expect(run.stdout.contains("succeeded"))
        let jobs = env.manualJobs()
        #expect(jobs.count == 1)
        // The real restic ran: the local repository has a snapshot of host paperless-ngx.
        let runner = try #require(env.restic)
        let snapshots = try await Subprocess.run(
            .path(.init(runner.executable)), arguments: ["snapshots", "--json", "--no-cache", "--host", "paperless-ngx"],
            environment: .inherit.updating(["RESTIC_REPOSITORY": runner.repositoryDirectory, "RESTIC_PASSWORD": Self.password]),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(snapshots.standardOutput.contains(#""hostname":"paperless-ngx""#), "\(snapshots.standardError)")
        #expect(!(run.stdout + run.stderr).contains(Self.password))
    }

    @Test func filesWaitFailsOnResticLockedWithTheExitCodeMeaning() async throws {
        let env = try await ActionEnv.start([.resticLocked], realRestic: true)
        defer { Task { await env.stop() } }
        let run = try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"])
        #expect(run.status == 2, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(run.stderr.contains("exited 11: repository lock failed: already locked"))
        #expect(run.stderr.contains("restic unlock"))
        #expect(!(run.stdout + run.stderr).contains(Self.password))
    }

    @Test func dbWaitExitsZeroAndTheClustersLastSuccessfulBackupMoves() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: false)
        defer { Task { await env.stop() } }
        let before = env.lastSuccessfulBackup()
        let run = try await env.paperctl(["backup", "db", "--wait", "--timeout", "60"])
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(run.stdout.contains("Running: kubectl --kubeconfig \(env.kubeconfig) --context demo create -f - -n paperless-ngx <<'EOF'"))
        #expect(run.stdout.contains(#""method": "barmanObjectStore""#))
        let after = env.lastSuccessfulBackup()
        #expect(after != nil && after != before, "lastSuccessfulBackup \(before ?? "nil") -> \(after ?? "nil")")
        #expect(run.stdout.contains("lastSuccessfulBackup is now \(after ?? "?")"))
        let created = env.sim.store.list(Catalogue.backups, namespace: "paperless-ngx").items.filter {
            ($0.value(at: "metadata.name")?.stringValue ?? "").hasPrefix("paperless-ngx-db-manual-")
        }
        #expect(created.count == 1)
        #expect(created.first?.value(at: "status.phase") == "completed")
    }

    @Test func dbOnAPluginClusterCreatesAPluginBackup() async throws {
        let env = try await ActionEnv.start([.pluginBackups], realRestic: false)
        defer { Task { await env.stop() } }
        let run = try await env.paperctl(["backup", "db"])
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        let created = try #require(env.sim.store.list(Catalogue.backups, namespace: "paperless-ngx").items.first {
            ($0.value(at: "metadata.name")?.stringValue ?? "").hasPrefix("paperless-ngx-db-manual-")
        })
        #expect(created.value(at: "spec.method") == "plugin")
        #expect(created.value(at: "spec.pluginConfiguration.name") == "barman-cloud.cloudnative-pg.io")
    }

    @Test func dbIsRefusedWhileABackupIsWalArchivingFailingAndNamesIt() async throws {
        let env = try await ActionEnv.start([.dbBackupFailing], realRestic: false)
        defer { Task { await env.stop() } }
        let stuck = env.sim.store.list(Catalogue.backups, namespace: "paperless-ngx").items
            .first { $0.value(at: "status.phase") == "walArchivingFailing" }?.value(at: "metadata.name")?.stringValue
        let name = try #require(stuck)
        let before = env.sim.store.list(Catalogue.backups, namespace: "paperless-ngx").items.count
        let run = try await env.paperctl(["backup", "db", "--wait"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("refused: Backup \(name) of cluster paperless-ngx-db is walArchivingFailing"), "\(run.stderr)")
        #expect(env.sim.store.list(Catalogue.backups, namespace: "paperless-ngx").items.count == before)
    }

    @Test func aSecondFilesBackupWhileOneRunsIsRefusedAndCreatesNothing() async throws {
        // The timer simulation at real speed, with a restic run of 10 minutes: the first Job stays active.
        let env = try await ActionEnv.start([.healthy], realRestic: false, speed: 1, resticDuration: 600)
        defer { Task { await env.stop() } }
        let first = try await env.paperctl(["backup", "files"])
        #expect(first.status == 0, "\(first.stderr)")
        let jobs = env.manualJobs()
        #expect(jobs.count == 1)
        let second = try await env.paperctl(["backup", "files", "--wait"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("refused"))
        #expect(second.stderr.contains("Job \(jobs.first ?? "?") of CronJob paperless-ngx-backup is still active"))
        #expect(!second.stdout.contains("Running:"), "nothing is run when refused")
        #expect(env.manualJobs() == jobs)
    }

    @Test func rbacLimitedGivesAClearForbiddenErrorAndCreatesNothing() async throws {
        let env = try await ActionEnv.start([.rbacLimited], realRestic: false)
        defer { Task { await env.stop() } }
        let run = try await env.paperctl(["backup", "files", "--wait"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("forbidden: cannot create Job manual-backup-"))
        #expect(run.stderr.contains("RBAC denies 'create' on jobs"))
        #expect(run.stderr.contains("nothing was created"))
        #expect(env.manualJobs().isEmpty)
    }
}

// MARK: - ActionEnv

/// A simulator in this process plus a private HOME, XDG and kubectl cache for the binary.
struct ActionEnv {
    let sim: SimulatedCluster
    let directory: String
    let restic: ResticJobRunner?
    var kubeconfig: String { "\(directory)/kubeconfig" }

    static func start(_ scenarios: [Scenario], realRestic: Bool, speed: Double = 20, resticDuration: Double? = nil) async throws -> ActionEnv {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paperctl-action-e2e-\(UUID().uuidString)").path
        for sub in ["home", "cache", "config", "state", "kubecache", "restic"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
        }
        var restic: ResticJobRunner?
        if realRestic {
            let found: ResticJobRunner = try #require(ResticJobRunner.detect(stateDirectory: "\(dir)/restic"), "restic is not on PATH (Tests/run-all.sh installs it)")
            restic = found
        }
        let sim = try await SimulatedCluster.start(scenarios: scenarios, port: 0, speed: speed, options: { options in
            if let resticDuration { options.resticDuration = resticDuration }
        }, jobRunner: restic)
        try sim.kubeconfig().write(toFile: "\(dir)/kubeconfig", atomically: true, encoding: .utf8)
        return ActionEnv(sim: sim, directory: dir, restic: restic)
    }

    func stop() async {
        await sim.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Names of the Jobs `backup files` created.
    func manualJobs() -> [String] {
        sim.store.list(Catalogue.jobs, namespace: "paperless-ngx").items
            .compactMap { $0.value(at: "metadata.name")?.stringValue }
            .filter { $0.hasPrefix("manual-backup-") }
            .sorted()
    }

    func lastSuccessfulBackup() -> String? {
        sim.store.get(Catalogue.clusters, namespace: "paperless-ngx", name: "paperless-ngx-db")?.value(at: "status.lastSuccessfulBackup")?.stringValue
    }

    /// Runs `paperctl-tui <args> --kubeconfig <this cluster>` with a cron-like environment (no TERM, no KUBECONFIG).
    func paperctl(_ args: [String], limit: Double = 90) async throws -> ProcessRun {
        try await runProcess(Self.binary, args + ["--kubeconfig", kubeconfig, "--kubectl-timeout", "60"], environment: cronEnvironment(directory), limit: limit)
    }

    /// The built binary sits next to the test bundle in `.build/<config>/`.
    static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") || dir.path.contains(".xctest/") {
            while dir.path.contains(".xctest") { dir.deleteLastPathComponent() }
        }
        return dir.appendingPathComponent("paperctl-tui").path
    }
}

/// PATH plus private HOME, XDG and kubectl cache directories under `directory`; nothing else.
func cronEnvironment(_ directory: String) -> [Environment.Key: String] {
    [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
        "HOME": "\(directory)/home",
        "XDG_CACHE_HOME": "\(directory)/cache",
        "XDG_CONFIG_HOME": "\(directory)/config",
        "XDG_STATE_HOME": "\(directory)/state",
        "KUBECACHEDIR": "\(directory)/kubecache",
    ]
}

