import Foundation
import PaperDomain
import ProcessTestSupport
import Subprocess
import Testing

/// The restore wizard in tmux, against a demo cluster in its own process running the real restic.
@Suite(.serialized, .timeLimit(.minutes(4))) struct RestoreWizardE2ETests {
    typealias Cluster = DashboardActionE2ETests.Cluster
    static let password = "hunter2-PLANTED-s3cr3t"

    static func demoState(_ c: Cluster) -> String { "\(c.dir)/state/paperctl/demo-cluster" }

    /// The test's own restic on the demo repository: the oracle.
    static func restic(_ c: Cluster, _ args: [String]) async throws -> String {
        let r = try await Subprocess.run(.name("restic"), arguments: Arguments(args + ["--no-cache"]),
                                         environment: .inherit.updating(["RESTIC_REPOSITORY": "\(demoState(c))/restic-repo", "RESTIC_PASSWORD": password]),
                                         output: .string(limit: 16 << 20), error: .string(limit: 1 << 20))
        return r.standardOutput
    }

    static func tree(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return out }
        for case let path as String in walker {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDir), !isDir.boolValue { out[path] = FileManager.default.contents(atPath: "\(root)/\(path)") }
        }
        return out
    }

    /// A real snapshot to restore: b, y, and wait for the Job.
    static func backUp(_ t: Tmux) async throws {
        try await t.send("b")
        try await t.waitFor("y runs it")
        try await t.send("y")
        try await t.waitFor("completed: Job complete", timeout: 90)
    }

    /// R, files, the preflight, the snapshot listing: the wizard on the Snapshot step.
    static func openToSnapshots(_ t: Tmux) async throws {
        try await t.send("R")
        try await t.waitFor("step 1/7: What", "Files: the data volume")
        try await t.send("Enter")
        try await t.waitFor("RBAC: scale paperless-ngx: allowed")
        try await t.send("Enter")
        try await t.waitFor("step 3/7: Snapshot", "restic 0.16.0 in the image", timeout: 60)
    }

    /// From the Snapshot step, the defaults: the newest snapshot, everything, side by side — the plan.
    static func snapshotToSideBySidePlan(_ t: Tmux) async throws {
        try await t.send("Enter")
        try await t.waitFor("step 4/7: Scope")
        try await t.send("Enter")
        try await t.waitFor("step 5/7: Target")
        try await t.send("Enter")
        try await t.waitFor("The whole plan, in order. Nothing has run yet.")
    }

    /// A demo cluster in its own process and the dashboard on it in tmux, with its first data in.
    static func dashboard(_ scenario: String = "healthy") async throws -> (Cluster, Tmux) {
        let c = try await Cluster.start(scenario, speed: 10)
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"], width: 140, height: 40)
        try await t.waitFor(" old ·")
        return (c, t)
    }

    /// y, then the namespace typed, then Enter: the confirmation of a destructive plan.
    static func confirmTypingTheNamespace(_ t: Tmux) async throws {
        try await t.send("y")
        try await t.waitFor("Type the namespace paperless-ngx to confirm")
        for ch in "paperless-ngx" { try await t.send(String(ch)) }
        try await t.send("Enter")
    }

    /// paperctl's own Jobs in the cluster, by purpose.
    static func toolJobs(_ c: Cluster) async throws -> [String] {
        try await c.kubectl(["get", "jobs", "-l", "app.kubernetes.io/managed-by=paperctl", "-o", "custom-columns=P:.metadata.labels.paperctl\\.io/purpose", "--no-headers"])
            .split(separator: "\n").map(String.init)
    }

    @Test func sideBySideRestoreThroughTheWizardHoldsTheSnapshotsBytesAndNoSecretIsShown() async throws {
        let (c, t) = try await Self.dashboard()
        defer { t.stopNow(); c.stop() }
        try await Self.backUp(t)
        try await Self.openToSnapshots(t)
        try await Self.snapshotToSideBySidePlan(t)
        #expect(try await Self.toolJobs(c) == ["restic-snapshots"], "before y only the listing Job may exist")
        try await t.send("y")
        let done = try await t.waitFor("Restore finished:", timeout: 90)
        #expect(!done.contains(Self.password))
        // The bytes are the snapshot's, as restic itself restores them.
        let snapshots = try JSONSerialization.jsonObject(with: Data(try await Self.restic(c, ["snapshots", "--json"]).utf8)) as? [[String: Any]] ?? []
        let newest = try #require(snapshots.max { ($0["time"] as? String ?? "") < ($1["time"] as? String ?? "") }?["id"] as? String)
        let volume = "\(Self.demoState(c))/pvc-paperless-ngx-data"
        let restored = try #require(try FileManager.default.contentsOfDirectory(atPath: volume).first { $0.hasPrefix("restore-") })
        _ = try await Self.restic(c, ["restore", newest, "--target", "\(c.dir)/oracle"])
        let expected = Self.tree("\(c.dir)/oracle\(volume)")
        #expect(!expected.isEmpty && Self.tree("\(volume)/\(restored)") == expected)
        // Neither the command log nor the journal shows the password.
        try await t.send("Enter")
        try await t.send("c")
        let log = try await t.waitFor("Command log", "create -f -")
        #expect(!log.contains(Self.password))
        try await t.send("Escape")
        try await t.send("q")
        try await t.waitFor("MODES:")
        let journal = try FileManager.default.contentsOfDirectory(atPath: "\(t.home)/state/paperctl").filter { $0.hasSuffix(".md") }
            .compactMap { try? String(contentsOfFile: "\(t.home)/state/paperctl/\($0)", encoding: .utf8) }.joined()
        #expect(journal.contains("restore finished") && journal.contains("restore confirmed"))
        #expect(!journal.contains(Self.password))
    }

    /// Issue 23 item 12 and issue 21's match count, on the demo cluster with the real kubectl and restic:
    /// the browser shows a file deleted live as "missing live" (restic ls and find in one listing Job),
    /// the plan says how many files a path matches, and a path that matches nothing is refused.
    @Test func theBrowserShowsWhatIsMissingLiveAndThePlanCountsWhatThePathMatchesRefusingZero() async throws {
        let (c, t) = try await Self.dashboard()
        defer { t.stopNow(); c.stop() }
        try await Self.backUp(t)
        let originals = "\(Self.demoState(c))/pvc-paperless-ngx-data/media/documents/originals"
        try FileManager.default.removeItem(atPath: "\(originals)/0000004.pdf")
        try await Self.openToSnapshots(t)
        try await t.send("Enter")
        try await t.waitFor("step 4/7: Scope")
        // The browser: the root, then media/, documents/, originals/ (directories first, by name).
        try await t.send("j")
        try await t.send("j")
        try await t.send("Enter")
        try await t.waitFor("/: ", "entries in the snapshot", "/media/", timeout: 60)
        for _ in 0..<4 { try await t.send("j") }
        try await t.send("Enter")
        try await t.waitFor("/media: ", "/media/documents/", timeout: 60)
        try await t.send("j")
        try await t.send("Enter")
        try await t.waitFor("/media/documents: ", "/media/documents/originals/", timeout: 60)
        try await t.send("j")
        try await t.send("j")
        try await t.send("Enter")
        let listed = try await t.waitFor("/media/documents/originals: 6 entries in the snapshot, 1 missing live", timeout: 60)
        let row = listed.split(separator: "\n").first { $0.contains("/media/documents/originals/0000004.pdf") }.map(String.init) ?? ""
        #expect(row.contains("missing live"), "the deleted file is not marked:\n\(listed)")
        #expect(!(listed.split(separator: "\n").first { $0.contains("0000005.pdf") } ?? "").contains("missing live"))
        // m: only what is missing live; picking it is counted from this listing (one file).
        try await t.send("m")
        try await t.waitFor("Only what snapshot", "1 of 6 entries")
        try await t.send("j")
        try await t.send("Enter")
        try await t.waitFor("step 5/7: Target")
        try await t.send("Enter")
        try await t.waitFor("The path /media/documents/originals/0000004.pdf matches 1 file")
        // A typed directory is counted by a restic ls --recursive Job: the snapshot's six originals.
        // Esc returns to the browser as it was left (the directory, the filter, the file); / types a path there.
        try await t.send("Escape")
        try await t.send("Escape")
        try await t.waitFor("step 4/7: Scope", "Only what snapshot", "1 of 6 entries")
        try await t.send("/")
        try await t.waitFor("The path inside snapshot")
        for _ in 0..<11 { try await t.send("BSpace") }
        try await t.send("Enter")
        try await t.waitFor("step 5/7: Target")
        try await t.send("Enter")
        try await t.waitFor("The path /media/documents/originals matches 6 files", timeout: 60)
        // A path that matches nothing (the case differs) is refused; y runs nothing.
        try await t.send("Escape")
        try await t.send("Escape")
        try await t.waitFor("step 4/7: Scope")
        try await t.send("/")
        try await t.waitFor("The path inside snapshot")
        for _ in 0..<"media/documents/originals".count { try await t.send("BSpace") }
        for ch in "media/documents/Originals" { try await t.send(String(ch)) }
        try await t.send("Enter")
        try await t.waitFor("step 5/7: Target")
        try await t.send("Enter")
        try await t.waitFor("Refused: the path /media/documents/Originals matches 0 files", timeout: 60)
        try await t.send("y")
        #expect(try await Self.toolJobs(c).filter { $0 != "restic-ls" } == ["restic-snapshots"], "only listing Jobs ran")
        #expect(FileManager.default.fileExists(atPath: "\(originals)/0000004.pdf") == false)
    }

    @Test func inPlaceThroughTheWizardPutsADeletedFileBackWithTheAppScaledToZeroAndBack() async throws {
        let (c, t) = try await Self.dashboard()
        defer { t.stopNow(); c.stop() }
        try await Self.backUp(t)
        let file = "\(Self.demoState(c))/pvc-paperless-ngx-data/media/documents/originals/0000004.pdf"
        let original = try #require(FileManager.default.contents(atPath: file))
        try FileManager.default.removeItem(atPath: file)
        try await Self.openToSnapshots(t)
        try await t.send("Enter")
        try await t.waitFor("step 4/7: Scope")
        try await t.send("/")
        for ch in "media/documents/originals" { try await t.send(String(ch)) }
        try await t.send("Enter")
        try await t.waitFor("step 5/7: Target")
        try await t.send("j")
        try await t.send("Enter")
        try await t.waitFor("in place into /data", "Safety backup of the live files")
        try await Self.confirmTypingTheNamespace(t)
        let done = try await t.waitFor("Restore finished:", timeout: 120)
        #expect(done.contains("paperless-ngx scaled to 0; its pods are gone"), "the scale-down step's own result is not on screen:\n\(done)")
        #expect(done.contains("paperless-ngx is back at 1 Ready"))
        #expect(FileManager.default.contents(atPath: file) == original, "the deleted file is not back with its content")
        #expect(try await c.kubectl(["get", "deployment", "paperless-ngx", "-o", "jsonpath={.spec.replicas}"]) == "1")
        #expect(Set(try await Self.toolJobs(c)).isSuperset(of: ["restic-safety-backup", "restic-restore"]))
        #expect(!done.contains(Self.password))
    }

    @Test func aFailingSafetyBackupStopsTheWizardBeforeTheScaleDownAndShowsTheWayBack() async throws {
        // Snapshots from a healthy repository, then a bucket that refuses writes.
        let healthy = try await Cluster.start(speed: 10)
        let ht = try await Tmux.start(["--kubeconfig", healthy.kubeconfig, "--refresh", "2"], width: 140, height: 40)
        try await ht.waitFor(" old ·")
        try await Self.backUp(ht)
        ht.stopNow()
        healthy.process.cancel()
        await healthy.process.value  // the old server has exited: it no longer writes the state the new one reuses
        let c = try await Cluster.start("restic-backup-denied", speed: 10, reusing: healthy.dir)
        defer { c.stop() }
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"], width: 140, height: 40)
        defer { t.stopNow() }
        try await t.waitFor(" old ·")
        try await Self.openToSnapshots(t)
        for _ in 0..<3 { try await t.send("Enter") }  // snapshot, everything, side by side…
        try await t.waitFor("step 6/7: Plan")
        // …back to the target, in place this time.
        try await t.send("Escape")
        try await t.waitFor("step 5/7: Target")
        try await t.send("j")
        try await t.send("Enter")
        try await t.waitFor("Safety backup of the live files")
        try await Self.confirmTypingTheNamespace(t)
        let stopped = try await t.waitFor("FAILED", "The plan stopped", timeout: 90)
        #expect(stopped.contains("Access Denied"), "restic's own reason is on screen:\n\(stopped)")
        #expect(stopped.contains("· 3. Scale paperless-ngx from 1 to 0") && stopped.contains("pending"), "the scale-down must not have started:\n\(stopped)")
        #expect(try await c.kubectl(["get", "deployment", "paperless-ngx", "-o", "jsonpath={.spec.replicas}"]) == "1")
        #expect(!(try await Self.toolJobs(c)).contains("restic-restore"))
    }

    @Test func aStaleLockIsDiagnosedInThePreflightAndTheWizardsUnlockClearsIt() async throws {
        let (c, t) = try await Self.dashboard("restic-stale-lock")
        defer { t.stopNow(); c.stop() }
        try await t.send("R")
        try await t.waitFor("step 1/7: What")
        try await t.send("Enter")
        try await t.waitFor("repository is already locked exclusively by PID", "u removes the stale lock")
        try await t.send("Enter")
        try await t.waitFor("u offers restic unlock")
        try await t.send("u")
        try await t.waitFor("restic unlock removes only stale locks", "y runs restic unlock")
        try await t.send("y")
        try await t.waitFor("restic unlock ran in Job paperctl-restic-unlock-", timeout: 60)
        #expect(try await Self.toolJobs(c).contains("restic-unlock"))
        // The restore can go on: the snapshots are listed.
        try await t.send("Enter")
        try await t.waitFor("step 3/7: Snapshot", timeout: 60)
    }

    /// restic 0.14 exits 1 for a lock: the first screen names the lock from the failed pod's log,
    /// says what to do, and u does it (checked first, confirmed, journaled). The cause row then
    /// says when and by which Job the lock was removed and offers b, whose backup completes and
    /// supersedes it.
    @Test func theUnlockThenBackupPath() async throws {
        let (c, t) = try await Self.dashboard("restic-stale-lock")
        defer { t.stopNow(); c.stop() }
        let first = try await t.waitFor("cause: repository locked — Fatal: unable to create lock", "u: restic unlock in a Job", timeout: 30)
        #expect(first.contains("newest repository locked") && first.contains("(restic exit 1)") && first.contains("next step: make sure no backup Job"))
        try await t.send("u")
        try await t.waitFor("restic unlock — step 1/1: Preflight")
        try await t.waitFor("restic unlock removes only stale locks", "y runs restic unlock", timeout: 60)
        try await t.send("y")
        let done = try await t.waitFor("The lock is removed (Job paperctl-restic-unlock-", "b starts a backup Job", timeout: 60)
        let start = try #require(done.range(of: "(Job paperctl-restic-unlock-"))
        let job = "paperctl-restic-unlock-" + done[start.upperBound...].prefix { $0 != ")" }
        try await t.send("Enter")
        // The File backups panel, zoomed so its rows are not wrapped: removed, when and by which Job;
        // b is the key now, u is no longer offered.
        try await t.waitFor("[3] File backups")
        try await t.send("3")
        try await t.send("z")
        let removed = try await t.waitFor("cause: lock removed — restic unlock Job \(job) removed it at", "b: a backup Job from the CronJob proves", timeout: 30)
        #expect(!removed.contains("cause: repository locked"), "the panel still says locked:\n\(removed)")
        #expect(!removed.contains("u: restic unlock in a Job"))
        try await t.send("b")
        let confirm = try await t.waitFor("y runs it", "--from=cronjob/paperless-ngx-backup")
        #expect(!confirm.contains("WARNING"), "no same-failure warning once the lock is removed:\n\(confirm)")
        try await t.send("y")
        try await t.waitFor("started job.batch/manual-backup-", "following it to the end")
        try await t.waitFor("completed: Job complete", timeout: 90)
        // A newer backup result supersedes the removal.
        try await t.waitUntil("the removed-lock cause gone", timeout: 30) { !$0.contains("cause: lock removed") && $0.contains("[3] File backups") }
        #expect(try await Self.toolJobs(c).contains("restic-unlock"))
        try await t.send("J")
        try await t.waitFor("restic unlock done in Job \(job)")
    }

    /// A lock plain `restic unlock` leaves (restic-locked): the failed unlock says the holder's pod
    /// is gone and offers `--remove-all`, which runs after the namespace is typed, and is journaled.
    @Test func anUnlockFailingOnALockWhoseHolderIsGoneOffersRemoveAll() async throws {
        let (c, t) = try await Self.dashboard("restic-locked")
        defer { t.stopNow(); c.stop() }
        try await t.waitFor("u: restic unlock in a Job", timeout: 30)
        try await t.send("u")
        try await t.waitFor("y runs restic unlock", timeout: 60)
        try await t.send("y")
        try await t.waitFor("no pod paperless-ngx-backup-29412000-x7k2p in namespace paperless-ngx", "u offers restic unlock --remove-all", timeout: 60)
        try await t.send("u")
        try await t.waitFor("This runs restic unlock --remove-all", "Type the namespace paperless-ngx to confirm")
        for ch in "paperless-ngx" { try await t.send(String(ch)) }
        try await t.send("Enter")
        try await t.waitFor("The lock is removed (Job paperctl-restic-unlock-", timeout: 60)
        let scripts = try await c.kubectl(["get", "jobs", "-l", "paperctl.io/purpose=restic-unlock", "-o", "jsonpath={.items[*].spec.template.spec.containers[0].command[2]}"])
        #expect(scripts.contains("restic unlock --remove-all"), "\(scripts)")
        let journal = try String(contentsOfFile: "\(t.home)/state/paperctl/\(String(ISO8601DateFormatter().string(from: Date()).prefix(10))).md", encoding: .utf8)
        #expect(journal.contains("restic unlock --remove-all confirmed (namespace typed; the lock is held by PID 27 on paperless-ngx-backup-29412000-x7k2p; no pod"), "\(journal)")
    }

    /// `f` on a secret whose provider item is missing: ESO never moves refreshTime, and after the
    /// bounded wait the tool says it is still failing, in the condition's words, and journals it.
    @Test func fReportsAStillFailingSecret() async throws {
        let (c, t) = try await Self.dashboard("secret-sync-failing")
        defer { t.stopNow(); c.stop() }
        // The focus starts on the failing Secrets panel; f acts on the secret its cause names.
        try await t.waitFor("[4] Secrets", "paperless-ngx-admin")
        try await t.send("4")
        try await t.send("f")
        try await t.waitFor("y runs it", "Force-sync ExternalSecret paperless-ngx-admin")
        try await t.send("y")
        try await t.waitFor("ExternalSecret paperless-ngx-admin annotated; waiting for refreshTime")
        let annotation = try await c.kubectl(["get", "externalsecret", "paperless-ngx-admin", "-o", "jsonpath={.metadata.annotations.force-sync}"])
        #expect(Int(annotation.trimmingCharacters(in: .whitespacesAndNewlines)) != nil, "the annotation was written: \(annotation)")
        let failing = try await t.waitFor("paperless-ngx-admin still failing", timeout: 60)
        #expect(failing.contains("SecretSyncedError"), "\(failing)")
        let journal = try String(contentsOfFile: "\(t.home)/state/paperctl/\(String(ISO8601DateFormatter().string(from: Date()).prefix(10))).md", encoding: .utf8)
        #expect(journal.contains("annotated; waiting for refreshTime"))
        #expect(journal.contains("ExternalSecret paperless-ngx-admin still failing") && journal.contains("could not get secret data from provider (SecretSyncedError; refreshTime still"), "\(journal)")
    }

    @Test func escAtEveryStepBeforeTheConfirmationLeavesTheClusterAsItWas() async throws {
        let (c, t) = try await Self.dashboard()
        defer { t.stopNow(); c.stop() }
        try await Self.backUp(t)
        let jobsBefore = try await c.kubectl(["get", "jobs", "-o", "name"])
        let steps = ["step 2/7: Preflight", "step 3/7: Snapshot", "step 4/7: Scope", "step 5/7: Target", "step 6/7: Plan"]
        try await t.send("R")
        try await t.waitFor("step 1/7: What")
        // Forward one step further each round, then Esc back out to the dashboard.
        for depth in 1...steps.count {
            for step in steps.prefix(depth) {
                try await t.send("Enter")
                try await t.waitFor(step, timeout: 60)
                if step.hasSuffix("Preflight") { try await t.waitFor("RBAC: scale") }
                if step.hasSuffix("Snapshot") { try await t.waitFor("restic 0.16.0 in the image", timeout: 60) }
            }
            for _ in 0..<depth { try await t.send("Escape") }
            try await t.waitFor("step 1/7: What")
        }
        try await t.send("Escape")
        try await t.waitFor("[1] Pods")
        // Only listing Jobs were created; nothing was restored, scaled or backed up.
        let purposes = Set(try await Self.toolJobs(c))
        #expect(purposes.isSubset(of: ["restic-snapshots"]), "\(purposes)")
        let newJobs = Set(try await c.kubectl(["get", "jobs", "-o", "name"]).split(separator: "\n")).subtracting(jobsBefore.split(separator: "\n"))
        // The CronJob's own 04:00 run may fire while the test runs: it is not the wizard's.
        #expect(newJobs.allSatisfy { $0.contains("paperctl-restic-snapshots-") || $0.hasPrefix("job.batch/paperless-ngx-backup-") }, "\(newJobs)")
        #expect(try await c.kubectl(["get", "deployment", "paperless-ngx", "-o", "jsonpath={.spec.replicas}"]) == "1")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(Self.demoState(c))/pvc-paperless-ngx-data").allSatisfy { !$0.hasPrefix("restore-") })
    }
}

/// The wizard's database path against a demo cluster with the real kubectl, in-tree and plugin.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DatabaseWizardE2ETests {
    typealias Cluster = DashboardActionE2ETests.Cluster

    /// The dashboard in tmux on a demo cluster of its own, the wizard's database path open on the timeline.
    static func atTheTimeline(_ t: Tmux) async throws {
        try await t.waitFor(" old ·")
        try await t.send("R")
        try await t.send("j")
        try await t.waitFor("Restore database — step 1/4: What")
        try await t.send("Enter")
        try await t.waitFor("step 2/4: Restore point", "Window: ", "a time, typed", timeout: 60)
    }

    @Test(arguments: [("healthy", "-2h"), ("plugin-backups", "latest"), ("healthy", "backup")])
    func theWizardRecoversIntoANewHealthyClusterAndTheLiveOneStaysAsItWas(scenario: String, point: String) async throws {
        let c = try await Cluster.start(scenario, speed: 10)
        defer { c.stop() }
        let liveBefore = try await c.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "jsonpath={.metadata.generation} {.spec}"])
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"], width: 150, height: 45)
        defer { t.stopNow() }
        try await Self.atTheTimeline(t)
        if point == "latest" {
            try await t.send("Enter")
        } else if point == "backup" {
            // The first completed Backup below "latest": recovery to its backupID.
            try await t.send("j")
            try await t.send("Enter")
        } else {
            try await t.send("G")
            try await t.send("Enter")
            try await t.waitFor("The restore point, inside the window")
            for ch in point { try await t.send(String(ch)) }
            try await t.send("Enter")
        }
        try await t.waitFor("step 3/4: New cluster", "Dry run: accepted by the API server", timeout: 60)
        try await RestoreWizardE2ETests.confirmTypingTheNamespace(t)
        let done = try await t.waitFor("is healthy: Cluster in healthy state", "Cutover, step by step", timeout: 90)
        #expect(done.contains("Point the app's database host"))
        let clusters = try await c.kubectl(["get", "clusters", "-o", "name"])
        #expect(clusters.contains("paperless-ngx-db-restore-"))
        if point == "backup" {
            let targets = try await c.kubectl(["get", "clusters", "-l", "paperctl.io/purpose=db-restore", "-o", "jsonpath={.items[*].spec.bootstrap.recovery.recoveryTarget.backupID}"])
            #expect(targets.hasPrefix("20"), "recovered to a Backup's backupID: \(targets)")
        }
        #expect(try await c.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "jsonpath={.metadata.generation} {.spec}"]) == liveBefore, "the live cluster's spec changed")
    }

    @Test func aPointOutsideTheWindowIsRefusedInTheWizardNamingTheWindowAndNothingIsCreated() async throws {
        let c = try await Cluster.start("healthy", speed: 10)
        defer { c.stop() }
        let before = try await c.kubectl(["get", "clusters", "-o", "name"])
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"], width: 150, height: 45)
        defer { t.stopNow() }
        try await Self.atTheTimeline(t)
        try await t.send("G")
        try await t.send("Enter")
        try await t.waitFor("The restore point, inside the window")
        for ch in "-60d" { try await t.send(String(ch)) }
        try await t.send("Enter")
        let refused = try await t.waitFor("Refused:", "outside the recoverability window")
        #expect(refused.contains("step 2/4: Restore point"), "the wizard stays on the timeline")
        #expect(refused.contains("> -60d_"), "the typed point is kept for editing")
        // Out of the prompt, back and close: nothing was created, not even by a dry run.
        try await t.send("Escape")
        try await t.send("Escape")
        try await t.send("Escape")
        try await t.waitFor("Database backups", "File backups")
        #expect(try await c.kubectl(["get", "clusters", "-o", "name"]) == before)
    }

    @Test func theDatabaseDrillFromTheWizardReachesHealthyIsRecordedAndIsDeletedOnlyAfterTheTypedNamespace() async throws {
        let c = try await Cluster.start("healthy", speed: 10)
        defer { c.stop() }
        let liveBefore = try await c.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "jsonpath={.metadata.generation} {.spec}"])
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"], width: 150, height: 45)
        defer { t.stopNow() }
        try await t.waitFor(" old ·")
        try await t.send("R")
        for _ in 0..<4 { try await t.send("j") }
        try await t.waitFor("Database drill — step 1/3: What")
        try await t.send("Enter")
        try await t.waitFor("Database drill — step 2/3: New cluster", "labelled paperctl.io/purpose=db-drill", "Dry run: accepted by the API server", timeout: 60)
        try await t.send("y")
        let done = try await t.waitFor("database drill passed", "(the RTO)", "Recorded in ConfigMap paperctl-drills", timeout: 90)
        #expect(done.contains("d runs exactly"))
        let scratch = try await c.kubectl(["get", "clusters", "-l", "paperctl.io/purpose=db-drill", "-o", "name"])
        #expect(scratch.contains("paperless-ngx-db-drill-"))
        #expect(try await c.kubectl(["get", "configmap", "paperctl-drills", "-o", "jsonpath={.data.database}"]).contains("\"passed\":true"))
        try await t.send("d")
        try await t.waitFor("This deletes the scratch cluster", "Type the namespace paperless-ngx to confirm")
        for ch in "paperless-ngx" { try await t.send(String(ch)) }
        try await t.send("Enter")
        try await t.waitFor("deleted", timeout: 60)
        #expect(!(try await c.kubectl(["get", "clusters", "-l", "paperctl.io/purpose=db-drill", "-o", "name"])).contains("paperless-ngx-db-drill-"))
        #expect(try await c.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "jsonpath={.metadata.generation} {.spec}"]) == liveBefore, "the live cluster's spec changed")
        // The Database backups panel's detail now says when the drill passed.
        try await t.send("Escape")
        try await t.send("2")
        try await t.send("Enter")
        try await t.waitFor("last database drill passed", timeout: 30)
    }

    /// A mistyped namespace at the new cluster's confirmation: the error stays beside the prompt,
    /// in view at 120×35, through an edit; the typed text is kept; nothing is created until the
    /// namespace is right, and the run screen carries no stale error.
    @Test func aMistypedNamespacesErrorStaysVisibleAndTheTypedTextIsKeptForEditing() async throws {
        let c = try await Cluster.start("healthy", speed: 10)
        defer { c.stop() }
        let before = try await c.kubectl(["get", "clusters", "-o", "name"])
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"], width: 120, height: 35)
        defer { t.stopNow() }
        try await Self.atTheTimeline(t)
        try await t.send("Enter")  // latest
        try await t.waitFor("step 3/4: New cluster", "Dry run: accepted by the API server", timeout: 60)
        try await t.send("y")
        let asked = try await t.waitFor("Type the namespace paperless-ngx to confirm")
        #expect(asked.contains("creates a NEW cluster paperless-ngx-db-restore-") && !asked.contains("in-place restore"))
        for ch in "paperless-ngz" { try await t.send(String(ch)) }
        try await t.send("Enter")
        try await t.waitFor("\"paperless-ngz\" is not the namespace", "> paperless-ngz_")
        try await t.send("BSpace")
        let edited = try await t.waitFor("> paperless-ng_")
        #expect(edited.contains("\"paperless-ngz\" is not the namespace"), "an edit keeps the error on screen:\n\(edited)")
        #expect(try await c.kubectl(["get", "clusters", "-o", "name"]) == before, "a wrong namespace created something")
        try await t.send("x")
        try await t.send("Enter")
        // The run screen, running or (the simulator is quick) already done: either way without the error.
        let running = try await t.waitUntil("the run step", timeout: 30) { $0.contains("▶4 Run") || $0.contains("step 4/4: Run") }
        #expect(!running.contains("not the namespace"), "a stale error on the run screen:\n\(running)")
    }

    /// `--read-only` opens the wizard in plan-only mode: the file path's preflight and the
    /// database path's window and plan are read, each write is refused naming its key, and the
    /// API server (its request log) received no write: only `kubectl auth can-i`'s access reviews.
    @Test func readOnlyReachesARestorePlanAndTheServerReceivesNoWrite() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-ro-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let kubeconfig = "\(dir)/kubeconfig", requests = "\(dir)/requests.log"
        let process = Task {
            _ = try? await Subprocess.run(.path("/bin/sh"), arguments: ["-c", #"exec "$0" demo-cluster --scenario healthy --speed 10 --write-kubeconfig "$1" --log-requests 2>"$2""#,
                                                                        Tmux.binary, kubeconfig, requests],
                                          environment: .inherit.updating(["XDG_STATE_HOME": "\(dir)/state"]), output: .discarded, error: .discarded)
        }
        let c = Cluster(dir: dir, kubeconfig: kubeconfig, process: process)
        defer { c.stop() }
        try await waitForFile(kubeconfig)
        let clustersBefore = try await c.kubectl(["get", "clusters", "-o", "name"])
        let jobsBefore = try await c.kubectl(["get", "jobs", "-o", "name"])
        let t = try await Tmux.start(["--kubeconfig", kubeconfig, "--read-only", "--refresh", "2"], width: 120, height: 35)
        defer { t.stopNow() }
        try await t.waitFor(" old ·", "READ-ONLY")
        // The file path: the preflight reads; Enter would create the listing Job and is refused.
        try await t.send("R")
        try await t.waitFor("step 1/7: What", "Read-only: plan only")
        try await t.send("Enter")
        try await t.waitFor("RBAC: scale paperless-ngx: allowed")
        try await t.send("Enter")
        try await t.waitFor("read-only: Enter would run the snapshot listing Job")
        // The database path: the window, the plan; no dry run; y refused naming what it would create.
        try await t.send("Escape")
        try await t.send("j")
        try await t.send("Enter")
        try await t.waitFor("step 2/4: Restore point", "Window: ", "not listed: read-only runs no Job", timeout: 60)
        try await t.send("Enter")
        try await t.waitFor("step 3/4: New cluster", "Dry run: not sent (read-only")
        try await t.send("y")
        let refused = try await t.waitFor("read-only: y would create the new cluster paperless-ngx-db-restore-", "nothing was run")
        #expect(refused.contains("READ-ONLY"))
        for _ in 0..<3 { try await t.send("Escape") }
        try await t.waitFor("[1] Pods")
        try await t.send("q")
        try await t.waitFor("MODES:")
        // The server's own log: reads, and the access reviews of `kubectl auth can-i`; no write.
        let log = try String(contentsOfFile: requests, encoding: .utf8).split(separator: "\n")
        #expect(log.contains { $0.contains(" GET /apis/postgresql.cnpg.io/v1/namespaces/paperless-ngx/clusters") }, "the request log has the plan's reads")
        let writes = log.filter { line in ["POST", "PUT", "PATCH", "DELETE"].contains { line.contains(" \($0) /") } }
        #expect(!writes.isEmpty && writes.allSatisfy { $0.contains("/selfsubjectaccessreviews") }, "writes sent in read-only mode:\n\(writes.joined(separator: "\n"))")
        #expect(try await c.kubectl(["get", "clusters", "-o", "name"]) == clustersBefore)
        #expect(try await c.kubectl(["get", "jobs", "-o", "name"]) == jobsBefore)
        // The journal says the session was read-only, what was refused, and how it ended.
        let journal = try FileManager.default.contentsOfDirectory(atPath: "\(t.home)/state/paperctl").filter { $0.hasSuffix(".md") }
            .compactMap { try? String(contentsOfFile: "\(t.home)/state/paperctl/\($0)", encoding: .utf8) }.joined()
        #expect(journal.contains("session started: paperctl-tui ") && journal.contains("read-only (no action runs)"))
        #expect(journal.contains("restore wizard, read-only: y would create the new cluster"))
        #expect(journal.contains("session ended: the operator quit (q)"))
    }

    /// Two operators at once: another session's restore Lease is on the header, and this
    /// session's restore is refused at the confirmation, naming the holder; nothing is created.
    @Test func anotherSessionsRestoreIsOnTheHeaderAndThisOneIsRefusedNamingIt() async throws {
        let c = try await Cluster.start("healthy", speed: 10)
        defer { c.stop() }
        let now = Date().timeIntervalSince1970
        let body = String(decoding: RestoreLease.json(holder: "alice@laptop pid 7", what: "restore files in-place: snapshot 1a2b3c4d", step: "step 3/8: Scale paperless-ngx to 0",
                                                      acquired: now, renewed: now + 3600, namespace: "paperless-ngx", resourceVersion: nil), as: UTF8.self)
        let file = "\(c.dir)/lease.json"
        try body.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try await c.kubectl(["create", "-f", file, "-n", "paperless-ngx"]).contains("created"))
        let before = try await c.kubectl(["get", "clusters", "-o", "name"])
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"], width: 170, height: 45)
        defer { t.stopNow() }
        try await t.waitFor("RESTORE IN PROGRESS by alice@laptop pid 7", "restore files in-place", timeout: 30)
        try await t.send("R")
        try await t.waitFor("Another restore is running: alice@laptop pid 7")
        try await t.send("Escape")
        try await Self.atTheTimeline(t)
        try await t.send("Enter")
        try await t.waitFor("Dry run: accepted by the API server", timeout: 60)
        try await RestoreWizardE2ETests.confirmTypingTheNamespace(t)
        try await t.waitFor("Refused: another restore holds Lease paperctl-restore: alice@laptop pid 7", "Nothing ran", timeout: 30)
        #expect(try await c.kubectl(["get", "clusters", "-o", "name"]) == before)
        #expect(try await c.kubectl(["get", "lease", "paperctl-restore", "-o", "jsonpath={.spec.holderIdentity}"]) == "alice@laptop pid 7", "the other session's Lease is untouched")
    }

    /// The fault matrix's last cell: the database recovery's own Job loses its pod halfway. The
    /// wizard must not call the cluster healthy; it says the recovery failed, and why.
    @Test func aRecoveryWhosePodIsDeletedHalfwayIsReportedFailedNotHealthy() async throws {
        let c = try await Cluster.start("healthy", speed: 1)
        defer { c.stop() }
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"], width: 150, height: 45)
        defer { t.stopNow() }
        try await Self.atTheTimeline(t)
        try await t.send("Enter")
        try await t.waitFor("step 3/4: New cluster", "Dry run: accepted by the API server", timeout: 60)
        try await RestoreWizardE2ETests.confirmTypingTheNamespace(t)
        // The full-recovery pod runs for 3 s (speed 1): delete it as soon as it exists.
        try await waitFor("a full-recovery pod to delete", timeout: 60, every: .milliseconds(150)) {
            let pods = try await c.kubectl(["get", "pods", "-o", "name"]).split(separator: "\n").filter { $0.hasPrefix("pod/") && $0.contains("-full-recovery-") }
            guard let pod = pods.first else { return "" }
            return try await c.kubectl(["delete", String(pod), "--wait=false"])
        } until: { $0.contains("deleted") }
        let failed = try await t.waitFor("The recovery FAILED", timeout: 60)
        #expect(!failed.contains("Cutover, step by step") && !failed.contains("is healthy"), "a half-done recovery was reported healthy")
        #expect(!(try await c.kubectl(["get", "clusters", "-l", "paperctl.io/purpose=db-restore", "-o", "jsonpath={.items[*].status.phase}"])).contains("healthy"))
    }
}

