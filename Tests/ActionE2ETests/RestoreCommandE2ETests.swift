import Foundation
import ProcessTestSupport
import SimCluster
import Subprocess
import Testing

/// `paperctl-tui restore files|drill|unlock` against the simulator with the real kubectl and the
/// real restic: the restored bytes are compared with what restic itself restores from the same
/// snapshot, outside the product.
@Suite(.serialized, .timeLimit(.minutes(4))) struct RestoreCommandE2ETests {
    static let password = "hunter2-PLANTED-s3cr3t"
    static let ns = "paperless-ngx"

    // MARK: Helpers

    /// restic on the simulator's local repository, run by the test itself (the oracle).
    static func restic(_ env: ActionEnv, _ args: [String]) async throws -> String {
        let runner = try #require(env.restic)
        let r = try await Subprocess.run(.path(.init(runner.executable)), arguments: Arguments(args + ["--no-cache"]),
                                         environment: .inherit.updating(["RESTIC_REPOSITORY": runner.repositoryDirectory, "RESTIC_PASSWORD": password]),
                                         output: .string(limit: 16 << 20), error: .string(limit: 1 << 20))
        return r.standardOutput
    }

    /// Snapshot ids, newest first.
    static func snapshots(_ env: ActionEnv) async throws -> [(id: String, tags: [String])] {
        let json = try await restic(env, ["snapshots", "--json"])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        return items.sorted { ($0["time"] as? String ?? "") > ($1["time"] as? String ?? "") }
            .map { (id: $0["id"] as? String ?? "", tags: $0["tags"] as? [String] ?? []) }
    }

    /// What restic itself restores from `snapshot`: relative path → bytes, below the snapshot's root.
    static func files(of snapshot: String, _ env: ActionEnv) async throws -> [String: Data] {
        let runner = try #require(env.restic)
        let target = "\(env.directory)/oracle-\(snapshot.prefix(8))"
        _ = try await restic(env, ["restore", snapshot, "--target", target])
        return tree(target + runner.volumeDirectory(claim: "paperless-ngx-data"))
    }

    /// relative path → bytes of every file under `root`.
    static func tree(_ root: String, skipping: String? = nil) -> [String: Data] {
        var out: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return out }
        for case let path as String in walker {
            if let skipping, path.hasPrefix(skipping) { continue }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDir), !isDir.boolValue {
                out[path] = FileManager.default.contents(atPath: "\(root)/\(path)")
            }
        }
        return out
    }

    static func jobs(_ env: ActionEnv, purpose: String) -> [String] {
        env.sim.store.list(Catalogue.jobs, namespace: ns).items
            .filter { $0.value(at: "metadata.labels")?["paperctl.io/purpose"]?.stringValue == purpose }
            .compactMap { $0.value(at: "metadata.name")?.stringValue }
    }

    static func replicas(_ env: ActionEnv) -> Int? {
        env.sim.store.get(Catalogue.deployments, namespace: ns, name: "paperless-ngx")?.value(at: "spec.replicas")?.intValue
    }

    static func expectNoSecret(_ runs: ProcessRun...) {
        for run in runs { #expect(!(run.stdout + run.stderr).contains(password), "the restic password was printed") }
    }

    // MARK: Tests

    @Test func sideBySideRestoreOfAChosenSnapshotHoldsExactlyThatSnapshotsFiles() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        // A second, different snapshot (the CronJob's forget keeps one a day, so restic makes it directly).
        let volume = try #require(env.restic).volumeDirectory(claim: "paperless-ngx-data")
        try Data("changed after the first snapshot\n".utf8).write(to: URL(fileURLWithPath: "\(volume)/media/documents/originals/0000001.pdf"))
        _ = try await Self.restic(env, ["backup", volume, "--host", "second"])
        let ids = try await Self.snapshots(env)
        try #require(ids.count == 2)
        let older = ids[1].id  // the older one: choosing a snapshot, not "latest"
        let plan = try await env.paperctl(["restore", "files", "--snapshot", String(older.prefix(8)), "--plan"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("\"paperctl.io/purpose\" : \"restic-restore\"") && plan.stdout.contains("ttlSecondsAfterFinished"))
        #expect(Self.jobs(env, purpose: "restic-restore").isEmpty, "--plan ran something")
        let run = try await env.paperctl(["restore", "files", "--snapshot", String(older.prefix(8)), "--yes", "--wait"], limit: 150)
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        let restored = try #require(try FileManager.default.contentsOfDirectory(atPath: volume).first { $0.hasPrefix("restore-") })
        let expected = try await Self.files(of: older, env)
        #expect(!expected.isEmpty)
        #expect(Self.tree("\(volume)/\(restored)") == expected, "the side-by-side copy differs from snapshot \(older.prefix(8))")
        #expect(expected["media/documents/originals/0000001.pdf"] != Data("changed after the first snapshot\n".utf8), "the oracle read the wrong snapshot")
        // The Jobs say what they are and clean up after themselves.
        let job = try #require(env.sim.store.list(Catalogue.jobs, namespace: Self.ns).items.first {
            $0.value(at: "metadata.labels")?["paperctl.io/purpose"]?.stringValue == "restic-restore"
        })
        #expect(job.value(at: "metadata.labels")?["app.kubernetes.io/managed-by"]?.stringValue == "paperctl")
        #expect(job.value(at: "spec.ttlSecondsAfterFinished")?.intValue == 3600)
        Self.expectNoSecret(plan, run)
    }

    @Test func inPlaceRestorePutsADeletedFileBackAfterASafetyBackupWithTheAppScaledToZeroAndBack() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        let before = try #require(try await Self.snapshots(env).first).id
        let runner = try #require(env.restic)
        let file = runner.volumeDirectory(claim: "paperless-ngx-data") + "/media/documents/originals/0000003.pdf"
        try FileManager.default.removeItem(atPath: file)
        // Without the namespace typed again, nothing starts.
        let unconfirmed = try await env.paperctl(["restore", "files", "--snapshot", String(before.prefix(8)), "--in-place"])
        #expect(unconfirmed.status == 1)
        #expect(unconfirmed.stderr.contains("--confirm-namespace paperless-ngx"))
        #expect(Self.jobs(env, purpose: "restic-restore").isEmpty && Self.jobs(env, purpose: "restic-safety-backup").isEmpty)
        let run = try await env.paperctl(["restore", "files", "--snapshot", String(before.prefix(8)), "--in-place", "--confirm-namespace", "paperless-ngx",
                                          "--path", "media/documents/originals"], limit: 200)
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        // Back at its live path, with the snapshot's bytes.
        let expected = try await Self.files(of: before, env)
        let restoredBytes = FileManager.default.contents(atPath: file)
        #expect(restoredBytes != nil && restoredBytes == expected["media/documents/originals/0000003.pdf"])
        // In order: the safety backup (a new snapshot tagged paperctl-safety), scale to 0, restore, back to 1.
        let order = ["Safety backup", "Suspend CronJob", "Scale paperless-ngx from 1 to 0", "Restore over the live files", "Scale paperless-ngx back to 1", "Resume CronJob", "Check the app"]
        let positions = order.map { run.stdout.range(of: "Step \(order.firstIndex(of: $0).map { $0 + 1 } ?? 0)/7: \($0)")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(run.stdout)")
        #expect(run.stdout.contains("scaled to 0; its pods are gone"))
        #expect(try await Self.snapshots(env).first?.tags.contains("paperctl-safety") == true)
        #expect(Self.replicas(env) == 1)
        #expect(env.sim.store.get(Catalogue.cronJobs, namespace: Self.ns, name: "paperless-ngx-backup")?.value(at: "spec.suspend")?.boolValue == false, "the CronJob is resumed")
        Self.expectNoSecret(unconfirmed, run)
    }

    /// Issue 21's match count and issue 23 item 12's "what next", from the CLI with the real kubectl:
    /// the plan says how many files the path matches (restic ls --recursive in a Job), a path that
    /// matches nothing starts nothing, and the end names the trash, re-consuming and the cleanup.
    @Test func thePlanCountsWhatThePathMatchesRefusesZeroAndTheEndSaysWhatNext() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        let nothing = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--path", "media/documents/Originals", "--yes", "--wait"], limit: 150)
        #expect(nothing.status == 1, "stdout: \(nothing.stdout)\nstderr: \(nothing.stderr)")
        #expect(nothing.stderr.contains("the path /media/documents/Originals matches 0 files in snapshot"))
        #expect(nothing.stderr.contains("nothing was started"))
        #expect(Self.jobs(env, purpose: "restic-restore").isEmpty)
        #expect(Self.jobs(env, purpose: "restic-ls").count == 1, "the count ran in one listing Job")
        let run = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--path", "media/documents/originals", "--yes", "--wait"], limit: 150)
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        // The demo volume holds six originals, as the test's own restic lists them.
        #expect(run.stdout.contains("The path /media/documents/originals matches 6 files ("), "\(run.stdout)")
        let plan = try #require(run.stdout.range(of: "The path /media/documents/originals matches")?.lowerBound)
        let firstStep = try #require(run.stdout.range(of: "Step 1/")?.lowerBound)
        #expect(plan < firstStep, "the count is shown before anything runs")
        let volume = try #require(env.restic).volumeDirectory(claim: "paperless-ngx-data")
        let copy = try #require(try FileManager.default.contentsOfDirectory(atPath: volume).first { $0.hasPrefix("restore-") })
        #expect(run.stdout.contains("What next"))
        #expect(run.stdout.contains("PAPERLESS_EMPTY_TRASH_DELAY"))
        #expect(run.stdout.contains("kubectl --kubeconfig \(env.kubeconfig) --context demo exec deploy/paperless-ngx -c paperless-ngx -n paperless-ngx -- rm -rf -- /usr/src/paperless/data/\(copy)"),
                "\(run.stdout)")
        #expect(run.stdout.contains("-- find /usr/src/paperless/data/\(copy)/media/documents/originals -type f -exec cp -- '{}' /usr/src/paperless/consume/ ';'"))
        Self.expectNoSecret(nothing, run)
    }

    @Test func aFailingSafetyBackupStopsThePlanBeforeTheAppIsScaledDown() async throws {
        // Snapshots from a healthy repository, then a bucket that refuses writes.
        let healthy = try await ActionEnv.start([.healthy], realRestic: true)
        #expect(try await healthy.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        await healthy.sim.stop()
        let restic = try #require(healthy.restic)
        let sim = try await SimulatedCluster.start(scenarios: [.resticBackupDenied], port: 0, speed: 20, jobRunner: restic)
        try sim.kubeconfig().write(toFile: healthy.kubeconfig, atomically: true, encoding: .utf8)
        let env = ActionEnv(sim: sim, directory: healthy.directory, restic: restic)
        defer { Task { await env.stop() } }
        let run = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--in-place", "--confirm-namespace", "paperless-ngx"], limit: 150)
        #expect(run.status == 2, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(run.stderr.contains("step 1 (Safety backup"))
        #expect(run.stderr.contains("Access Denied"), "restic's own reason is named")
        #expect(!run.stdout.contains("Step 2/"), "the plan went on after the safety backup failed:\n\(run.stdout)")
        #expect(Self.replicas(env) == 1)
        #expect(Self.jobs(env, purpose: "restic-restore").isEmpty)
        Self.expectNoSecret(run)
    }

    @Test func aStaleLockIsDiagnosedFromResticsMessageAndUnlockClearsIt() async throws {
        let env = try await ActionEnv.start([.resticStaleLock], realRestic: true)
        defer { Task { await env.stop() } }
        let refused = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--yes"])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("CRIT    repository lock") && refused.stdout.contains("repository is already locked exclusively by PID"))
        #expect(refused.stdout.contains("restic unlock"))
        let unlock = try await env.paperctl(["restore", "unlock", "--yes"])
        #expect(unlock.status == 0, "\(unlock.stdout)\n\(unlock.stderr)")
        #expect(unlock.stdout.contains("successfully removed 1 locks"))
        // Straight after the unlock, with no backup in between, the preflight no longer sees a lock.
        let plan = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--plan"])
        #expect(plan.status == 0, "\(plan.stdout)\n\(plan.stderr)")
        #expect(plan.stdout.contains("OK      repository lock") && plan.stdout.contains("restic unlock ran after it"))
        // The lock is gone: a backup runs (with the real restic) and succeeds.
        let backup = try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"])
        #expect(backup.status == 0, "\(backup.stdout)\n\(backup.stderr)")
        Self.expectNoSecret(refused, unlock, plan, backup)
    }

    /// A lock plain `restic unlock` does not remove: the failed unlock names the holder and that its
    /// pod is gone, and offers `--remove-all`, which runs only with the namespace typed again.
    @Test func anUnlockFailingOnALockWhoseHolderIsGoneOffersRemoveAllBehindTheTypedNamespace() async throws {
        let env = try await ActionEnv.start([.resticLocked], realRestic: false)
        defer { Task { await env.stop() } }
        let unlock = try await env.paperctl(["restore", "unlock", "--yes"])
        #expect(unlock.status == 2, "\(unlock.stdout)\n\(unlock.stderr)")
        #expect(unlock.stderr.contains("the lock is held by PID 27 on paperless-ngx-backup-29412000-x7k2p; no pod paperless-ngx-backup-29412000-x7k2p in namespace paperless-ngx: the holder is gone"),
                "\(unlock.stderr)")
        #expect(unlock.stderr.contains("restore unlock --remove-all --confirm-namespace paperless-ngx"))
        // Without the typed namespace: the exact command is shown, nothing runs.
        let before = Self.jobs(env, purpose: "restic-unlock").count
        let refused = try await env.paperctl(["restore", "unlock", "--remove-all"])
        #expect(refused.status == 1 && refused.stdout.contains("This will run exactly: kubectl") && refused.stdout.contains("restic unlock --remove-all"))
        #expect(refused.stderr.contains("--confirm-namespace paperless-ngx; nothing was started"))
        #expect(Self.jobs(env, purpose: "restic-unlock").count == before)
        let removed = try await env.paperctl(["restore", "unlock", "--remove-all", "--confirm-namespace", "paperless-ngx"])
        #expect(removed.status == 0, "\(removed.stdout)\n\(removed.stderr)")
        #expect(removed.stdout.contains("successfully removed 1 locks"))
        #expect(Self.jobs(env, purpose: "restic-unlock").count == before + 1)
        // The lock is gone: a backup Job completes.
        let backup = try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"])
        #expect(backup.status == 0, "\(backup.stdout)\n\(backup.stderr)")
        Self.expectNoSecret(unlock, refused, removed, backup)
    }

    @Test func aDrillRestoresTheNewestSnapshotWithVerifyAndTheCheckSaysWhen() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        let volume = try #require(env.restic).volumeDirectory(claim: "paperless-ngx-data")
        let live = Self.tree(volume)
        let drill = try await env.paperctl(["restore", "drill", "files"], limit: 120)
        #expect(drill.status == 0, "\(drill.stdout)\n\(drill.stderr)")
        #expect(drill.stdout.contains("restore drill passed") && drill.stdout.contains(" files, "))
        // What is previewed is what runs: the Job named in "runs exactly" is the drill Job the simulator received.
        let previewed = try #require(drill.stdout.split(separator: "\n").first { $0.contains("runs exactly: ") }.flatMap { line in
            line.range(of: "(Job ").map { String(line[$0.upperBound...].prefix { $0 != ":" }) }
        }, "\(drill.stdout)")
        #expect(Self.jobs(env, purpose: "restic-drill") == [previewed], "\(drill.stdout)")
        #expect(drill.stdout.contains("kubectl --kubeconfig \(env.kubeconfig) --context demo create -f - -n paperless-ngx   (Job \(previewed): "), "\(drill.stdout)")
        #expect(Self.tree(volume).keys == live.keys, "the drill touched the live volume")
        let check = try await runProcess(ActionEnv.binary, ["check", "--check", "file-backups", "--json", "--verbose", "--kubeconfig", env.kubeconfig, "--timeout", "60"],
                                         environment: cronEnvironment(env.directory), limit: 90)
        #expect(check.stdout.contains("last restore drill passed"), "\(check.stdout)")
        Self.expectNoSecret(drill, check)
    }

    /// `restore both` (issue 24): the wizard's "both" plan from the command line. --plan creates
    /// nothing; without the typed namespace nothing starts; with it, the deleted file is back in
    /// place, the new cluster is healthy, and the app stays at 0 until the operator's cutover.
    @Test func restoreBothPlansRefusesWithoutTheNamespaceThenRestoresTheFilesInPlaceAndTheDatabaseIntoANewHealthyCluster() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        // "latest" for the database is now − archive_timeout (5 min): the files' snapshot must be older.
        // The oracle backs the volume up as of 15 minutes ago, as the CronJob would have.
        let runner = try #require(env.restic)
        let volume = runner.volumeDirectory(claim: "paperless-ngx-data")
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = .current
        _ = try await Self.restic(env, ["backup", volume, "--time", formatter.string(from: Date().addingTimeInterval(-900))])
        let snapshot = try #require(try await Self.snapshots(env).last).id
        let file = volume + "/media/documents/originals/0000003.pdf"
        let expected = try await Self.files(of: snapshot, env)["media/documents/originals/0000003.pdf"]
        try FileManager.default.removeItem(atPath: file)
        let clusters = { env.sim.store.list(Catalogue.clusters, namespace: Self.ns).items.compactMap { $0.value(at: "metadata.name")?.stringValue } }

        let plan = try await env.paperctl(["restore", "both", "--to", "latest", "--name", "pboth", "--plan"], limit: 150)
        #expect(plan.status == 0, "stdout: \(plan.stdout)\nstderr: \(plan.stderr)")
        #expect(plan.stdout.contains("Plan (nothing was run):") && plan.stdout.contains("snapshot \(snapshot.prefix(8))"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Recover the database into the new cluster pboth, and wait until healthy"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Restore over the live files"), "\(plan.stdout)")
        #expect(plan.stdout.contains("(the database: exact, inside the window)") && !plan.stdout.contains("OUTSIDE the window"), "the point is inside the window it was planned from:\n\(plan.stdout)")

        let refused = try await env.paperctl(["restore", "both", "--to", "latest", "--name", "pboth", "--yes"], limit: 150)
        #expect(refused.status == 1, "stdout: \(refused.stdout)\nstderr: \(refused.stderr)")
        #expect(refused.stderr.contains("confirm with --confirm-namespace paperless-ngx; nothing was started"), "\(refused.stderr)")
        #expect(!clusters().contains("pboth") && Self.jobs(env, purpose: "restic-restore").isEmpty && Self.jobs(env, purpose: "restic-safety-backup").isEmpty)
        #expect(Self.replicas(env) == 1)

        let run = try await env.paperctl(["restore", "both", "--to", "latest", "--name", "pboth", "--confirm-namespace", "paperless-ngx", "--timeout", "90"], limit: 300)
        #expect(run.status == 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(expected != nil && FileManager.default.contents(atPath: file) == expected, "the deleted file is back with the snapshot's bytes")
        let created = try #require(env.sim.store.get(Catalogue.clusters, namespace: Self.ns, name: "pboth"))
        #expect(created.value(at: "status.phase")?.stringValue == "Cluster in healthy state")
        #expect(run.stdout.contains("pboth is healthy: Cluster in healthy state"), "\(run.stdout)")
        #expect(Self.replicas(env) == 0, "the app stays down until the operator points it at the new cluster")
        #expect(run.stdout.contains("Cutover (the tool does none of it; the app stays at 0 until then):") && run.stdout.contains("Point the app's database host"), "\(run.stdout)")
        #expect(env.sim.store.recordedWrites.filter { $0.resource.contains("clusters") && $0.name == "paperless-ngx-db" }.isEmpty, "the live cluster was written to")
        Self.expectNoSecret(plan, refused, run)
    }
}
