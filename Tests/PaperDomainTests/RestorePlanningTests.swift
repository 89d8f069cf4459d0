import Foundation
import PaperKube
import TestSupport
import Testing
@testable import PaperDomain

/// restic's output read as data, restic's failures named from its own words, Jobs built from
/// the CronJob's template, and file-restore plans in the order the runbook needs.
@Suite struct RestorePlanningTests {
    static let now = 1_800_000_000.0  // 2027-01-15T08:00:00Z
    static let target = KubeTarget(context: "prod", namespace: "paperless-ngx")

    static let cronJob = Data(#"""
        {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"paperless-ngx-backup","namespace":"paperless-ngx"},
         "spec":{"schedule":"0 4 * * *","jobTemplate":{"metadata":{"labels":{"app.kubernetes.io/name":"paperless-ngx-backup"}},
           "spec":{"backoffLimit":0,"activeDeadlineSeconds":3600,"template":{"metadata":{"labels":{"app.kubernetes.io/name":"paperless-ngx-backup"}},
             "spec":{"restartPolicy":"Never","containers":[{"name":"restic","image":"restic/restic:0.17.3","command":["/bin/sh","-c"],
               "args":["restic backup /data --host paperless-ngx && restic forget --keep-daily 7 --prune"],
               "env":[{"name":"RESTIC_PASSWORD","valueFrom":{"secretKeyRef":{"name":"paperless-ngx-restic","key":"password"}}}],
               "volumeMounts":[{"mountPath":"/data","name":"data","readOnly":true}]}],
               "volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"paperless-ngx-data","readOnly":true}}]}}}}}}
        """#.utf8)

    static func facts(available: Int64? = 6 << 30, replicas: Int = 2, activeJob: Bool = false) -> ActionFacts {
        let deployment = try? KubeJSON.decode(Deployment.self, from: Data(#"{"metadata":{"name":"paperless-ngx"},"spec":{"replicas":\#(replicas),"selector":{"matchLabels":{"app.kubernetes.io/name":"paperless-ngx"}}}}"#.utf8))
        var jobs: [Job] = []
        if activeJob, let job = try? KubeJSON.decode(Job.self, from: Data(#"{"metadata":{"name":"paperless-ngx-backup-1","ownerReferences":[{"kind":"CronJob","name":"paperless-ngx-backup"}]},"status":{"active":1,"startTime":"2027-01-15T07:59:00Z"}}"#.utf8)) {
            jobs.append(job)
        }
        let claim = PersistentVolumeClaim(metadata: ObjectMeta(name: "paperless-ngx-data"), phase: "Bound")
        let stats = VolumeStats(name: "data", pvcName: "paperless-ngx-data", usedBytes: 4 << 30, capacityBytes: 10 << 30, availableBytes: available)
        return ActionFacts(config: PaperConfig(), target: target, cronJob: try? KubeJSON.decode(CronJob.self, from: cronJob), jobs: jobs,
                           deployment: deployment, dataVolume: .init(claim: claim, stats: stats))
    }

    static let snapshot = ResticSnapshot(id: "4f2a9c1e77aa00bb", time: now - 3600, hostname: "paperless-ngx", paths: ["/data"], totalBytes: 5 << 30)

    // MARK: restic output

    @Test func snapshotsParseNewestFirstWithSizeWhenRestic017RecordedIt() throws {
        let log = """
            restic 0.17.3 compiled with go1.23.3 on linux/amd64
            [{"time":"2027-01-14T04:00:31.1Z","tree":"t","paths":["/data"],"hostname":"paperless-ngx","tags":["paperless-ngx"],"id":"aaaa1111bbbb","short_id":"aaaa1111"},{"time":"2027-01-15T04:00:29.5Z","paths":["/data"],"hostname":"paperless-ngx","id":"cccc2222dddd","short_id":"cccc2222","summary":{"total_bytes_processed":4404019200}}]
            """
        let list = try ResticOutput.snapshots(in: log)
        #expect(list.map(\.shortID) == ["cccc2222", "aaaa1111"])
        #expect(list[0].totalBytes == 4_404_019_200 && list[1].totalBytes == nil)
        #expect(list[1].tags == ["paperless-ngx"] && list[0].root == "/data")
        #expect(ResticOutput.version(in: log) == ResticVersion(0, 17, 3))
        #expect(ResticOutput.version(in: "restic 0.14.0 compiled with go1.19.8 on linux/amd64")?.hasSubfolderRestore == false)
        #expect(throws: ResticOutput.ParseError.self) { try ResticOutput.snapshots(in: "Fatal: wrong password or no key found") }
    }

    @Test func lsNodesAndRestoreProgressLines() {
        let ls = """
            {"time":"2027-01-15T04:00:29Z","paths":["/data"],"id":"x","struct_type":"snapshot"}
            {"name":"data","type":"dir","path":"/data","struct_type":"node"}
            {"name":"a.pdf","type":"file","path":"/data/media/a.pdf","size":1234,"struct_type":"node"}
            """
        #expect(ResticOutput.nodes(in: ls) == [ResticNode(path: "/data", isDirectory: true), ResticNode(path: "/data/media/a.pdf", isDirectory: false, size: 1234)])
        let status = #"{"message_type":"status","seconds_elapsed":3,"percent_done":0.25,"total_files":40,"files_restored":10,"total_bytes":4000,"bytes_restored":1000}"#
        #expect(ResticOutput.restoreProgress(line: status) == RestoreProgress(fraction: 0.25, filesRestored: 10, totalFiles: 40, bytesRestored: 1000, totalBytes: 4000))
        #expect(ResticOutput.restoreProgress(line: "restoring <Snapshot 4f2a9c1e> to /data") == nil)
    }

    /// restic 0.16 exits 1 for a lock and a wrong password; 0.17 exits 11 and 12: the words decide.
    @Test(arguments: [
        ("Fatal: unable to create lock in backend: repository is already locked exclusively by PID 27 on paperless-ngx-backup-29412000-x7k2p by root (UID 0, GID 0)", 1, ResticDiagnosis.Cause.locked),
        (#"{"message_type":"exit_error","code":11,"message":"unable to create lock in backend: repository is already locked by PID 9454 on 975f84afb80e by root (UID 0, GID 0)"}"#, 11, .locked),
        ("Fatal: wrong password or no key found", 1, .wrongPassword),
        ("Fatal: wrong password or no key found", 12, .wrongPassword),
        ("Fatal: repository does not exist: unable to open config file: stat /srv/restic-repo/config: no such file or directory", 10, .repositoryMissing),
        ("Fatal: unable to save snapshot: client.PutObject: Access Denied.", 1, .storageAccess),
        ("Fatal: unable to open repository at s3:nyc3.digitaloceanspaces.com/b: dial tcp: lookup nyc3.digitaloceanspaces.com: i/o timeout", 1, .storageAccess),
        ("", 137, .outOfMemory),
        ("error: open /data/media/x.pdf: permission denied", 3, .partial),
    ])
    func failuresAreNamedFromResticsOwnWords(log: String, code: Int, cause: ResticDiagnosis.Cause) {
        let d = ResticDiagnosis.diagnose(log: "repository 9b6c2d51 opened\n" + log, exitCode: code)
        #expect(d.cause == cause, "\(d)")
        #expect(!d.nextStep.isEmpty)
    }

    @Test func theEvidenceIsRedacted() {
        let d = ResticDiagnosis.diagnose(log: "Fatal: unable to open repository at s3:https://AKIAIOSFODNN7EXAMPLE:s3cret@bucket: i/o timeout", exitCode: 1)
        #expect(!d.evidence.contains("s3cret"))
    }

    // MARK: Jobs from the template

    @Test func aRestoreJobIsTheTemplateWithAnotherCommandAndAWritableVolume() throws {
        let job = try ResticJob.build(cronJob: Self.cronJob, purpose: .restore, script: "restic version", now: Self.now, namespace: "paperless-ngx")
        #expect(job.name == "paperctl-restic-restore-20270115t080000z-000")
        #expect(ResticJob.name(.restore, now: Self.now + 0.042) == "paperctl-restic-restore-20270115t080000z-042", "a retry in the same second gets another name")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(job.json.utf8)) as? [String: Any])
        let meta = try #require(object["metadata"] as? [String: Any])
        let labels = try #require(meta["labels"] as? [String: String])
        #expect(labels["app.kubernetes.io/managed-by"] == "paperctl" && labels["paperctl.io/purpose"] == "restic-restore")
        #expect(labels["app.kubernetes.io/name"] == "paperless-ngx-backup", "the template's labels stay, so the backup NetworkPolicy applies")
        let spec = try #require(object["spec"] as? [String: Any])
        #expect(spec["ttlSecondsAfterFinished"] as? Int == 3600)
        #expect(spec["activeDeadlineSeconds"] == nil, "a large restore may outlast the backup's deadline")
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        #expect(container["command"] as? [String] == ["/bin/sh", "-c", "restic version"])
        #expect(container["args"] == nil)
        #expect(container["image"] as? String == "restic/restic:0.17.3")
        #expect((container["env"] as? [[String: Any]])?.first?["valueFrom"] != nil, "env from the same Secret, never a value")
        #expect((container["volumeMounts"] as? [[String: Any]])?.first?["readOnly"] == nil)
        #expect(((pod["volumes"] as? [[String: Any]])?.first?["persistentVolumeClaim"] as? [String: Any])?["readOnly"] == nil)
        // A listing keeps the template's read-only volume.
        let listing = try ResticJob.build(cronJob: Self.cronJob, purpose: .snapshots, script: ResticJob.snapshotsScript, now: Self.now, namespace: "paperless-ngx")
        #expect(listing.json.contains(#""readOnly" : true"#))
        #expect(throws: ResticJob.BuildError.self) { try ResticJob.build(cronJob: Data("{}".utf8), purpose: .restore, script: "x", now: 0, namespace: "n") }
    }

    @Test func theRestoreScriptUsesTheSubfolderFormSoFilesLandAtTheirLivePaths() throws {
        let script = try ResticJob.restoreScript(snapshot: "4f2a9c1e", root: "/data", path: "media/documents/originals", target: "/data", verify: true, json: true)
        #expect(script == "restic version && mkdir -p /data && restic restore 4f2a9c1e:/data --target /data --include /media/documents/originals --verify --json")
        #expect(try ResticJob.safetyBackupScript(mount: "/data") == "restic version && restic backup /data --tag paperctl-safety --host paperctl-safety")
    }

    @Test func theIncludeMatchesThePathLiterallyAndControlCharactersAreRefusedNamingTheFlag() throws {
        let script = try ResticJob.restoreScript(snapshot: "4f2a9c1e", root: "/data", path: "media/invoice[1]*?\\.pdf", target: "/data", verify: true, json: true)
        #expect(script.hasSuffix(#"--include '/media/invoice\[1\]\*\?\\.pdf' --verify --json"#))
        for bad in ["media/a\nb.pdf", "media/\u{1B}]52;c;x\u{07}.pdf", "media/\u{9B}31m.pdf"] {
            #expect(throws: ResticJob.BuildError.self) { try ResticJob.restoreScript(snapshot: "4f2a9c1e", root: "/data", path: bad, target: "/data", verify: true, json: true) }
            do {
                _ = try ResticJob.restoreScript(snapshot: "4f2a9c1e", root: "/data", path: bad, target: "/data", verify: true, json: true)
            } catch {
                #expect(error.description.hasPrefix("--path contains the control character U+"), "\(error.description)")
            }
        }
        #expect(throws: ResticJob.BuildError.self) { try ResticJob.restoreScript(snapshot: "4f2a9c1e", root: "/data", path: "media/../secrets", target: "/data", verify: true, json: true) }
        #expect(throws: ResticJob.BuildError.self) { try ResticJob.restoreScript(snapshot: "4f2a\n9c1e", root: "/data", path: nil, target: "/data", verify: true, json: true) }
        // The plan refuses it too, before any step.
        #expect(throws: FileRestore.Refusal.self) {
            try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot, path: "media/a\u{1B}[2Jb", target: .inPlace, resticVersion: ResticVersion(0, 17, 3)),
                                 facts: Self.facts(replicas: 2), cronJob: Self.cronJob, neededBytes: nil, now: Self.now)
        }
    }

    @Test func restoredFilesAreCountedFromResticsSummaryOrItsVerifyLineNeverGuessed() {
        #expect(ResticOutput.restoredFiles(in: #"{"message_type":"status","percent_done":0.5,"total_files":3}"# + "\n" + #"{"message_type":"summary","seconds_elapsed":1,"total_files":1,"files_restored":1}"#) == 1)
        // restic leaves zero counts out of its JSON (omitempty).
        #expect(ResticOutput.restoredFiles(in: #"{"message_type":"summary","seconds_elapsed":1}"#) == 0)
        #expect(ResticOutput.restoredFiles(in: "restoring <Snapshot 4f2a9c1e of [/data]> to /data\nverifying files in /data\nfinished verifying 3 files in /data (took 12ms)") == 3)
        #expect(ResticOutput.restoredFiles(in: "restic 0.14.0 compiled with go1.19.8 on linux/amd64\nrestoring <Snapshot 4f2a9c1e of [/data]> to /data") == nil)
        #expect(RestoreExecutor.judgeRestore(log: #"{"message_type":"summary"}"#, done: "Job j complete") == .failed("Job j complete, but restic restored no file: the path matches nothing in the snapshot"))
        #expect(RestoreExecutor.judgeRestore(log: "", done: "Job j complete").succeeded == false)
        #expect(RestoreExecutor.judgeRestore(log: #"{"message_type":"summary","total_files":2}"#, done: "Job j complete") == .done("Job j complete: restic restored 2 files"))
    }

    @Test func inPlaceIsRefusedAtPlanTimeWithAResticOlderThan016() throws {
        for version in [ResticVersion(0, 14, 0), ResticVersion(0, 15, 2)] {
            do {
                _ = try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot, path: "media", target: .inPlace, resticVersion: version),
                                         facts: Self.facts(replicas: 2), cronJob: Self.cronJob, neededBytes: nil, now: Self.now)
                Issue.record("restic \(version) was not refused")
            } catch {
                #expect(error.description.contains("needs restic 0.16 or later") && error.description.contains("nothing was scaled down"), "\(error.description)")
            }
        }
        // Without a listing, the image tag says which restic runs.
        let old = Data(String(decoding: Self.cronJob, as: UTF8.self).replacingOccurrences(of: "restic/restic:0.17.3", with: "restic/restic:0.14.0").utf8)
        #expect(ResticJob.imageVersion(cronJob: old) == ResticVersion(0, 14, 0))
        #expect(ResticJob.imageVersion(cronJob: Self.cronJob) == ResticVersion(0, 17, 3))
        #expect(throws: FileRestore.Refusal.self) {
            try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot, path: "media", target: .inPlace), facts: Self.facts(replicas: 2), cronJob: old, neededBytes: nil, now: Self.now)
        }
        _ = try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot, path: "media", target: .inPlace, resticVersion: ResticVersion(0, 16, 0)),
                                 facts: Self.facts(replicas: 2), cronJob: Self.cronJob, neededBytes: nil, now: Self.now)
    }

    @Test func thePlanSaysTheSafetySnapshotIsInItsOwnForgetGroupAndWhatTheNextForgetKeeps() throws {
        let plan = try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot, path: "media", target: .inPlace, resticVersion: ResticVersion(0, 17, 3)),
                                        facts: Self.facts(replicas: 2), cronJob: Self.cronJob, neededBytes: nil, now: Self.now)
        #expect(plan.notes.contains { $0.contains("host paperctl-safety") && $0.contains("(--keep-daily 7)") && $0.contains("keeps today's scheduled snapshot") },
                "\(plan.notes)")
        #expect(ResticJob.forgetPolicy(templateScript: "restic backup /data --host h && restic forget --keep-daily 7 --keep-weekly=4 --prune") == "--keep-daily 7 --keep-weekly=4")
        #expect(ResticJob.forgetPolicy(templateScript: "restic backup /data") == nil)
    }

    // MARK: Plans

    @Test func inPlaceRunsSafetyBackupThenScaleDownThenRestoreThenScaleBackThenChecks() throws {
        let plan = try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot, path: "media", target: .inPlace, resticVersion: ResticVersion(0, 17, 3)),
                                        facts: Self.facts(replicas: 2), cronJob: Self.cronJob, neededBytes: nil, now: Self.now)
        let kinds = plan.steps.map { step -> String in
            switch step.kind {
            case .safetyBackup: "safety"
            case .suspendCronJob(_, let suspend): suspend ? "suspend" : "resume"
            case .scaleDown(_, let from, _): "down from \(from)"
            case .job: "restore"
            case .scaleUp(_, let to): "up to \(to)"
            case .postCheck: "check"
            case .databaseBackup, .recoverCluster, .guidance: "not a file step"
            case .carryCredentials, .scheduledBackup, .checkArchiving: "not a file step"
            }
        }
        #expect(kinds == ["safety", "suspend", "down from 2", "restore", "up to 2", "resume", "check"])
        #expect(plan.needsTypedConfirmation)
        #expect(plan.targetDirectory == "/data")
        #expect(plan.steps[2].command?.arguments == ["--context", "prod", "scale", "deployment/paperless-ngx", "--replicas=0", "-n", "paperless-ngx"])
        #expect(plan.steps[1].command?.arguments == ["--context", "prod", "patch", "cronjob", "paperless-ngx-backup", "--type=merge", "-p", #"{"spec":{"suspend":true}}"#, "-n", "paperless-ngx"])
        // Every step from the scale-down on says how to get the app back; a running restore is waited for, not deleted.
        #expect(plan.steps[2...4].allSatisfy { $0.recovery.contains { $0.contains("scale deployment/paperless-ngx --replicas=2") } })
        let whileRestoring = plan.recovery(upTo: 3)
        #expect(whileRestoring.first?.hasPrefix("kubectl --context prod wait --for=condition=complete job/paperctl-restic-restore-") == true, "\(whileRestoring)")
        #expect(whileRestoring.contains("kubectl --context prod scale deployment/paperless-ngx --replicas=2 -n paperless-ngx"))
        #expect(whileRestoring.last?.contains(#"{"spec":{"suspend":false}}"#) == true, "the CronJob is resumed last")
        #expect(!whileRestoring.contains { $0.contains("delete job") })
        #expect(plan.text.contains("4f2a9c1e77aa00bb:/data --target /data --include /media --verify --json"))
        #expect(plan.notes.contains { $0.contains("files added after the snapshot stay") })
    }

    @Test func anAppAlreadyAtZeroIsRefusedSoTheRestoreNeverScalesBackToZero() {
        #expect(throws: FileRestore.Refusal.self) {
            try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot, target: .inPlace), facts: Self.facts(replicas: 0), cronJob: Self.cronJob, neededBytes: nil, now: Self.now)
        }
    }

    @Test func literalSecretLikeEnvValuesAreMaskedInWhatIsShownButNotInWhatRuns() throws {
        let cron = String(decoding: Self.cronJob, as: UTF8.self).replacingOccurrences(of: #""env":["#, with: #""env":[{"name":"AWS_SECRET_ACCESS_KEY","value":"wJalrXUtnFEMI-K7MDENG"},"#)
        let job = try ResticJob.build(cronJob: Data(cron.utf8), purpose: .restore, script: "x", now: Self.now, namespace: "paperless-ngx")
        #expect(job.json.contains("wJalrXUtnFEMI-K7MDENG"))
        #expect(!job.displayJSON.contains("wJalrXUtnFEMI-K7MDENG"))
        let plan = try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot), facts: Self.facts(), cronJob: Data(cron.utf8), neededBytes: nil, now: Self.now)
        #expect(!plan.text.contains("wJalrXUtnFEMI-K7MDENG"))
    }

    @Test func skippingTheSafetyBackupNeedsAReasonThatTheNotesCarry() throws {
        let plan = try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot, target: .inPlace, skipSafetyBackup: "the volume is unreadable"),
                                        facts: Self.facts(), cronJob: Self.cronJob, neededBytes: nil, now: Self.now)
        #expect(!plan.steps.contains { if case .safetyBackup = $0.kind { true } else { false } })
        #expect(plan.notes.contains("the safety backup is skipped: the volume is unreadable"))
    }

    @Test func sideBySideKeepsTheAppRunningAndIsRefusedWhenTheSpaceWouldRunOut() throws {
        let plan = try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot), facts: Self.facts(available: 6 << 30), cronJob: Self.cronJob, neededBytes: 5 << 30, now: Self.now)
        #expect(plan.targetDirectory == "/data/restore-20270115T080000Z")
        #expect(!plan.steps.contains { if case .scaleDown = $0.kind { true } else { false } })
        #expect(!plan.needsTypedConfirmation)
        #expect(throws: FileRestore.Refusal.self) {
            try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot), facts: Self.facts(available: 1 << 30), cronJob: Self.cronJob, neededBytes: 5 << 30, now: Self.now)
        }
        #expect(throws: FileRestore.Refusal.self, "an active backup Job blocks the safety backup") {
            try FileRestore.plan(FileRestoreRequest(snapshot: Self.snapshot, target: .inPlace), facts: Self.facts(activeJob: true), cronJob: Self.cronJob, neededBytes: nil, now: Self.now)
        }
    }

    // MARK: Preflight

    @Test func thePreflightNamesALockFromTheNewestFailedJobsLogAndAMissingPermission() throws {
        var facts = Self.facts()
        let failed = try KubeJSON.decode(Job.self, from: Data(#"{"metadata":{"name":"paperless-ngx-backup-2","creationTimestamp":"2027-01-15T04:00:00Z","ownerReferences":[{"kind":"CronJob","name":"paperless-ngx-backup"}]},"status":{"failed":1,"conditions":[{"type":"Failed","status":"True"}]}}"#.utf8))
        facts.jobs = [failed]
        let log = "Fatal: unable to create lock in backend: repository is already locked exclusively by PID 27 on host by root (UID 0, GID 0)"
        let pre = RestorePreflight.evaluate(facts, canCreateJobs: true, canScale: false, cronJobJSON: Self.cronJob, lastFailedLog: log, now: Self.now)
        #expect(pre.lock?.cause == .locked)
        #expect(pre.lines.first { $0.title == "repository lock" }?.verdict == .critical)
        #expect(pre.blocksEverything)
        #expect(pre.lines.first { $0.title.hasPrefix("RBAC: scale") }?.verdict == .critical)
        // A restic unlock Job that succeeded after the failed backup clears the lock.
        let unlock = try KubeJSON.decode(Job.self, from: Data(#"{"metadata":{"name":"paperctl-restic-unlock-1","creationTimestamp":"2027-01-15T07:00:00Z","labels":{"app.kubernetes.io/managed-by":"paperctl","paperctl.io/purpose":"restic-unlock"}},"status":{"succeeded":1,"conditions":[{"type":"Complete","status":"True"}]}}"#.utf8))
        var unlocked = facts
        unlocked.jobs.append(unlock)
        let after = RestorePreflight.evaluate(unlocked, canCreateJobs: true, canScale: true, cronJobJSON: Self.cronJob, lastFailedLog: log, now: Self.now)
        #expect(after.lock == nil && !after.blocksEverything)
        let ok = RestorePreflight.evaluate(Self.facts(), canCreateJobs: true, canScale: false, cronJobJSON: Self.cronJob, lastFailedLog: nil, now: Self.now)
        #expect(!ok.blocksEverything && ok.blocksInPlace, "without the scale permission only side by side is possible")
        #expect(RestorePreflight.command(.canScale, facts: facts)?.arguments == ["--context", "prod", "auth", "can-i", "patch", "deployments.apps", "--subresource=scale", "-n", "paperless-ngx"])
    }

    // MARK: preflight

    @Test func thePreflightReadsTheJobsNowInsteadOfTrustingTheLastRefresh() async {
        // The last refresh saw a backup Job running; it has finished since.
        let finished = #"{"apiVersion":"batch/v1","kind":"List","items":[{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"paperless-ngx-backup-1","ownerReferences":[{"kind":"CronJob","name":"paperless-ngx-backup"}]},"status":{"succeeded":1,"startTime":"2027-01-15T07:59:00Z","completionTime":"2027-01-15T07:59:40Z","conditions":[{"type":"Complete","status":"True"}]}}]}"#
        let runner = FakeRunner { c throws(KubectlError) in
            if c.arguments.contains("jobs.batch") && c.arguments.contains("get") { return .ok(finished) }
            if c.arguments.contains("cronjobs.batch") { return .ok(Self.cronJob) }
            return .ok("yes")
        }
        let executor = RestoreExecutor(runner: runner, target: Self.target, config: PaperConfig(), now: { Self.now }, sleep: { _ in }, pollInterval: 1, stepTimeout: 10)
        let result = await RestoreToolkit(executor: executor).preflight(Self.facts(activeJob: true))
        let jobs = result.preflight.lines.first { $0.title == "backup Jobs" }
        #expect(jobs?.verdict == .ok, "\(String(describing: jobs))")
        #expect(runner.argumentArrays.contains(Self.target.globalArguments + ["get", "jobs.batch", "-o", "json"]))
        // When the Jobs cannot be read, the refresh's Jobs stand: still active, still blocking.
        let refusing = FakeRunner { c throws(KubectlError) in
            if c.arguments.contains("jobs.batch") && c.arguments.contains("get") { throw .timeout(seconds: 10) }
            if c.arguments.contains("cronjobs.batch") { return .ok(Self.cronJob) }
            return .ok("yes")
        }
        let stale = RestoreExecutor(runner: refusing, target: Self.target, config: PaperConfig(), now: { Self.now }, sleep: { _ in }, pollInterval: 1, stepTimeout: 10)
        let blocked = await RestoreToolkit(executor: stale).preflight(Self.facts(activeJob: true))
        #expect(blocked.preflight.lines.first { $0.title == "backup Jobs" }?.verdict == .critical)
    }
}
