import PaperKube
import Testing
@testable import PaperDomain

// MARK: - file-backups

@Suite("file-backups check")
struct FileBackupsCheckTests {
    /// Adds a failed restic Job at 2026-11-29T10:00Z whose pod exited with `code`.
    func withFailedJob(code: Int?, reason: String = "Error") -> Snapshot {
        var snapshot = Fixtures.healthySnapshot()
        let name = "manual-backup-1796032800"
        let owner = [OwnerReference(kind: "CronJob", name: "paperless-ngx-backup")]
        snapshot.jobs.append(Job(metadata: ObjectMeta(name: name, creationTimestamp: Fixtures.time("2026-11-29T10:00:00Z"), labels: ["app.kubernetes.io/name": "paperless-ngx-backup"], ownerReferences: owner),
                                 startTime: Fixtures.time("2026-11-29T10:00:00Z"), failed: 1,
                                 conditions: [Condition(type: "Failed", status: "True", reason: "BackoffLimitExceeded", lastTransitionTime: Fixtures.time("2026-11-29T10:01:00Z"))]))
        if let code {
            let status = ContainerStatus(name: "restic", ready: false, state: .terminated(exitCode: code, reason: reason, message: nil, finishedAt: Fixtures.time("2026-11-29T10:01:00Z")))
            snapshot.pods.append(Pod(metadata: ObjectMeta(name: "\(name)-x7k2p", labels: ["job-name": name]), phase: .failed, containerStatuses: [status]))
        }
        return snapshot
    }

    @Test(arguments: [
        // Without the pod's log, the code alone: a code that names a cause gives it.
        (1, "fatal error (restic exit 1)"),
        (3, "incomplete snapshot (restic exit 3)"),
        (10, "repository not found or not initialised (restic exit 10)"),
        (11, "repository locked (restic exit 11)"),
        (12, "wrong password or no key (restic exit 12)"),
        (137, "out of memory (restic exit 137)"),
        (42, "unknown exit code 42, treated as failure"),
    ])
    func failedJobsSinceTheLastSuccessExplainTheExitCode(code: Int, meaning: String) {
        let result = Fixtures.run(.fileBackups, withFailedJob(code: code))
        #expect(result.verdict == .warn)
        #expect(result.reason == "1 failed Job since the last success: newest \(meaning)")
        // A lock's and a wrong password's run is the unlock and the ExternalSecret, not the log.
        let run = switch code {
        case 11: "paperctl-tui restore unlock -n paperless-ngx"
        case 12: "kubectl describe externalsecret paperless-ngx-restic -n paperless-ngx"
        default: "kubectl logs -l app.kubernetes.io/name=paperless-ngx-backup --tail=100 -n paperless-ngx"
        }
        #expect(result.command == run)
    }

    /// restic up to 0.16 exits 1 for a lock, a wrong password and more: its own words tell them apart.
    @Test(arguments: [
        ("Fatal: unable to create lock in backend: repository is already locked exclusively by PID 1 on backup-pod by root (UID 0, GID 0)", 1, "repository locked", "restic unlock"),
        ("Fatal: wrong password or no key found", 1, "wrong password or no key", "paperless-ngx-restic"),
        ("Fatal: unable to open config file: Stat: The specified key does not exist.\nIs there a repository at the following location?", 1, "repository not found or not initialised", "RESTIC_REPOSITORY"),
        ("Fatal: unable to open repository at s3:https://AKIAEXAMPLE:wJalrXUtnFEMI@s3.example.com/bucket: Access Denied", 1, "object storage refused or unreachable", "S3 credentials"),
        ("error: open /data/media/locked.pdf: permission denied\nWarning: at least one source file could not be read", 3, "incomplete snapshot", "could not be read"),
    ])
    func theFailedPodsLogNamesTheCauseWhateverTheExitCode(log: String, code: Int, kind: String, next: String) throws {
        var snapshot = withFailedJob(code: code)
        snapshot.failedBackupLog = FailedJobLog(job: "manual-backup-1796032800", pod: "manual-backup-1796032800-x7k2p", container: "restic",
                                                log: .success("open repository\n" + log + "\n"))
        let result = Fixtures.run(.fileBackups, snapshot)
        #expect(result.reason == "1 failed Job since the last success: newest \(kind) (restic exit \(code))")
        let cause = try #require(result.cause)
        #expect(cause.kind == kind && cause.source == "log of pod manual-backup-1796032800-x7k2p")
        #expect(result.hint?.contains(next) == true, "\(result.hint ?? "")")
        // The cause and the next step come right after the problems: the panel's first rows.
        #expect(result.evidence[1].hasPrefix("cause: \(kind) — ") && result.evidence[2].hasPrefix("next step: "))
        #expect(!result.evidence.joined().contains("wJalrXUtnFEMI"), "the evidence line is redacted")
        // What to run follows the cause: a new backup Job would fail the same way on a lock or a wrong password.
        let run = switch kind {
        case "repository locked": "paperctl-tui restore unlock -n paperless-ngx"
        case "wrong password or no key": "kubectl describe externalsecret paperless-ngx-restic -n paperless-ngx"
        default: "kubectl logs pod/manual-backup-1796032800-x7k2p -c restic --tail=40 -n paperless-ngx"
        }
        #expect(result.command == run)
    }

    /// A lock behind a missed run: the run offered is the unlock, never another backup Job.
    @Test func aMissedRunCausedByALockOffersTheUnlockNotABackup() throws {
        var snapshot = withFailedJob(code: 11)
        snapshot.cronJobs[0].lastSuccessfulTime = Fixtures.now - 3 * 86_400
        snapshot.jobs.removeAll { $0.outcome == .succeeded }
        let result = Fixtures.run(.fileBackups, snapshot)
        #expect(result.verdict == .critical && result.reason.hasPrefix("missed the run due"))
        #expect(result.command == "paperctl-tui restore unlock -n paperless-ngx")
        #expect(result.command?.contains("create job") == false)
    }

    @Test func anUnreadableLogFallsBackToTheCodeAndSaysWhy() {
        var snapshot = withFailedJob(code: 1)
        snapshot.failedBackupLog = FailedJobLog(job: "manual-backup-1796032800", pod: "manual-backup-1796032800-x7k2p", container: "restic",
                                                log: .failure(.notFound(detail: "pods \"manual-backup-1796032800-x7k2p\" not found")))
        let result = Fixtures.run(.fileBackups, snapshot)
        #expect(result.reason == "1 failed Job since the last success: newest fatal error (restic exit 1)" && result.cause == nil)
        #expect(result.evidence.contains { $0.hasPrefix("cannot read the log of manual-backup-1796032800-x7k2p") })
    }

    @Test func lockFailureHintsAtUnlock() {
        #expect(Fixtures.run(.fileBackups, withFailedJob(code: 11)).hint?.contains("restic unlock") == true)
        #expect(Fixtures.run(.fileBackups, withFailedJob(code: 12)).hint?.contains("paperless-ngx-restic") == true)
    }

    @Test func aFailedJobWhosePodIsGoneSaysTheCodeIsUnknown() {
        let result = Fixtures.run(.fileBackups, withFailedJob(code: nil))
        #expect(result.reason.contains("1 failed Job since the last success"))
        #expect(result.evidence.contains { $0.contains("exit code unknown (pod gone)") })
    }

    @Test func oomKilledWithoutExitCodeReadsAs137AndSidecarsAreSkipped() {
        var snapshot = withFailedJob(code: nil)
        let name = "manual-backup-1796032800"
        let finished = Fixtures.time("2026-11-29T10:01:00Z")
        // The kubelet recorded OOMKilled without a code; the mesh sidecar exited later with 2.
        let restic = ContainerStatus(name: "restic", ready: false, state: .terminated(exitCode: nil, reason: "OOMKilled", message: nil, finishedAt: finished))
        let sidecar = ContainerStatus(name: "linkerd-proxy", ready: false, state: .terminated(exitCode: 2, reason: "Error", message: nil, finishedAt: finished + 5))
        snapshot.pods.append(Pod(metadata: ObjectMeta(name: "\(name)-x7k2p", labels: ["job-name": name]), phase: .failed, containerStatuses: [sidecar, restic]))
        let result = Fixtures.run(.fileBackups, snapshot)
        #expect(result.reason == "1 failed Job since the last success: newest out of memory (restic exit 137)")
        #expect(result.hint?.contains("memory") == true)
        // With istio configured as the sidecar instead, the linkerd container's exit 2 is the newest code.
        var config = PaperConfig()
        config.app.sidecars = ["istio-proxy"]
        #expect(Fixtures.run(.fileBackups, snapshot, config: config).reason.hasSuffix("(Go runtime error, exit 2)"))
    }

    @Test(arguments: [("2026-11-30T05:59:00Z", Verdict.ok), ("2026-11-30T06:00:01Z", .critical)])
    func missedRunAgainstTheCronJobSchedule(now: String, expected: Verdict) {
        let result = Fixtures.run(.fileBackups, Fixtures.healthySnapshot(), now: Fixtures.time(now))
        #expect(result.verdict == expected, "\(result.reason)")
        if expected == .critical {
            #expect(result.reason.hasPrefix("missed the run due 2026-11-30T04:00:00Z"))
            // The tool's own backup: the same plan and refusals as `b`, not a kubectl line it never runs.
            #expect(result.command == "paperctl-tui backup files -n paperless-ngx")
        }
    }

    @Test func suspendedCronJobIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.cronJobs[0].suspend = true
        let result = Fixtures.run(.fileBackups, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("CronJob paperless-ngx-backup is suspended"))
    }

    @Test func neverSucceededIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.jobs = []
        snapshot.cronJobs[0].lastSuccessfulTime = nil
        let result = Fixtures.run(.fileBackups, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason == "paperless-ngx-backup has never succeeded (0 Jobs seen)")
    }

    @Test func missingCronJobIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.cronJobs = []
        #expect(Fixtures.run(.fileBackups, snapshot).verdict == .critical)
    }

    @Test func unreadableJobsAreUnknown() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.unreadable[.job] = .timeout(seconds: 10)
        let result = Fixtures.run(.fileBackups, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason == "cannot read CronJobs/Jobs: kubectl timed out after 10 s and was killed")
    }
}

// MARK: - secrets

@Suite("secrets check")
struct SecretsCheckTests {
    func index(_ snapshot: Snapshot, _ name: String) -> Int {
        snapshot.externalSecrets.firstIndex { $0.metadata.name == name } ?? 0
    }

    @Test func notSyncedIsCriticalWithTheProviderMessage() {
        var snapshot = Fixtures.healthySnapshot()
        let i = index(snapshot, "paperless-ngx-restic")
        snapshot.externalSecrets[i].conditions = [Condition(type: "Ready", status: "False", reason: "SecretSyncedError", message: "could not get secret data from provider")]
        let result = Fixtures.run(.secrets, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason == "paperless-ngx-restic not synced (SecretSyncedError): could not get secret data from provider")
        #expect(result.command == "kubectl describe externalsecret paperless-ngx-restic -n paperless-ngx")
    }

    @Test(arguments: [(90.0, Verdict.ok), (119, .ok), (121, .warn), (600, .warn)])
    func refreshWithinTwiceTheInterval(minutesAgo: Double, expected: Verdict) {
        var snapshot = Fixtures.healthySnapshot()
        let i = index(snapshot, "paperless-ngx-admin")
        snapshot.externalSecrets[i].refreshTime = Fixtures.now - minutesAgo * 60
        let result = Fixtures.run(.secrets, snapshot)
        #expect(result.verdict == expected, "\(result.reason)")
        if expected == .warn {
            #expect(result.reason.contains("paperless-ngx-admin last refreshed"))
            #expect(result.command == "kubectl annotate externalsecret paperless-ngx-admin force-sync=$(date +%s) --overwrite -n paperless-ngx")
        }
    }

    @Test func storeNotReadyIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.secretStores[0].conditions = [Condition(type: "Ready", status: "False", reason: "InvalidProviderConfig", message: "token does not have access to vault")]
        let result = Fixtures.run(.secrets, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.hasPrefix("ClusterSecretStore onepassword not Ready (InvalidProviderConfig)"))
        // Reported once, not once per ExternalSecret.
        #expect(result.evidence.filter { $0.contains("not Ready (InvalidProviderConfig)") }.count == 1)
    }

    @Test func evidenceNamesEverySecretWithoutMaskingIt() {
        let result = Fixtures.run(.secrets, Fixtures.healthySnapshot())
        #expect(result.evidence.contains("paperless-ngx-secret-key (Ready=True SecretSynced), refreshed 30m ago, interval 1h, store ClusterSecretStore/onepassword"))
        #expect(!result.evidence.joined().contains("***"))
    }

    @Test func missingExternalSecretIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.externalSecrets.removeAll { $0.metadata.name == "paperless-ngx-secret-key" }
        let result = Fixtures.run(.secrets, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason == "ExternalSecret paperless-ngx-secret-key not found")
    }

    @Test func crdNotInstalledIsUnknown() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.externalSecrets = []
        snapshot.unreadable[.externalSecret] = .resourceTypeNotServed(resource: "externalsecrets.external-secrets.io")
        let result = Fixtures.run(.secrets, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason.contains("External Secrets Operator CRDs are not installed"))
    }

    @Test func aStoreWithoutAReadyConditionIsUnknownNotOK() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.secretStores[0].conditions = []
        let result = Fixtures.run(.secrets, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason.contains("ClusterSecretStore onepassword reports no Ready condition"))
    }

    @Test func forbiddenClusterStoreIsUnknownNotOK() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.secretStores = []
        snapshot.unreadable[.clusterSecretStore] = .forbidden(verb: "list", resource: "clustersecretstores.external-secrets.io", detail: "")
        let result = Fixtures.run(.secrets, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason.contains("ClusterSecretStore onepassword unreadable"))
    }
}

// MARK: - file-backups: a lock an unlock Job removed

@Suite("file-backups check: after an unlock")
struct LockRemovedTests {
    static let lockLog = "Fatal: unable to create lock in backend: repository is already locked exclusively by PID 27 on paperless-ngx-backup-29412000-x7k2p by root (UID 0, GID 0)"

    /// The failed lock run of `FileBackupsCheckTests`, with its log, and a succeeded unlock Job that ended at `unlockedAt`.
    static func snapshot(unlockedAt: String?) -> Snapshot {
        var snapshot = FileBackupsCheckTests().withFailedJob(code: 11)
        snapshot.failedBackupLog = FailedJobLog(job: "manual-backup-1796032800", pod: "manual-backup-1796032800-x7k2p", container: "restic", log: .success(lockLog + "\n"))
        if let unlockedAt {
            let owner = [OwnerReference(kind: "CronJob", name: "paperless-ngx-backup")]
            snapshot.jobs.append(Job(metadata: ObjectMeta(name: "paperctl-restic-unlock-20261129t103000z-000", creationTimestamp: Fixtures.time(unlockedAt) - 8,
                                                          labels: [ResticJob.purposeLabel: ResticJob.Purpose.unlock.rawValue, ResticJob.managedByLabel: ResticJob.managedBy], ownerReferences: owner),
                                     startTime: Fixtures.time(unlockedAt) - 6, completionTime: Fixtures.time(unlockedAt), succeeded: 1,
                                     conditions: [Condition(type: "Complete", status: "True")]))
        }
        return snapshot
    }

    @Test func aSucceededUnlockAfterTheFailureSaysWhenAndByWhichJobAndOffersABackup() throws {
        let result = Fixtures.run(.fileBackups, Self.snapshot(unlockedAt: "2026-11-29T10:30:00Z"))
        let cause = try #require(result.cause)
        #expect(cause.kind == "lock removed")
        #expect(cause.evidence == "restic unlock Job paperctl-restic-unlock-20261129t103000z-000 removed it at 2026-11-29T10:30:00Z (\(UTCTime.humanDuration(Fixtures.now - Fixtures.time("2026-11-29T10:30:00Z"))) ago)")
        #expect(result.evidence.contains { $0.hasPrefix("cause: lock removed — restic unlock Job paperctl-restic-unlock-") })
        #expect(!result.evidence.contains { $0.contains("cause: repository locked") }, "the panel no longer says the repository is locked")
        #expect(result.hint?.hasPrefix("b starts a backup Job to prove the repository is free") == true)
        #expect(result.command == "paperctl-tui backup files -n paperless-ngx", "what to run now is a backup, not the unlock")
        #expect(result.verdict == .warn, "the failed Jobs still count until a backup succeeds")
    }

    @Test func anUnlockBeforeTheNewestFailureDoesNotHideTheLock() throws {
        // The unlock ran, then a newer backup failed on a lock again: that newer result wins.
        let result = Fixtures.run(.fileBackups, Self.snapshot(unlockedAt: "2026-11-29T09:00:00Z"))
        #expect(result.cause?.kind == "repository locked")
        #expect(result.command == "paperctl-tui restore unlock -n paperless-ngx")
    }

    @Test func theLockHolderIsReadFromResticsWords() throws {
        let holder = try #require(ResticLockHolder.parse("repository 9b6c2d51 opened\n" + Self.lockLog + "\nlock was created at 2026-11-28T10:00:00Z (24h0m12s ago)\n"))
        #expect(holder.pid == 27 && holder.host == "paperless-ngx-backup-29412000-x7k2p")
        #expect(ResticLockHolder.parse("Fatal: wrong password or no key found") == nil)
        // Its pod: gone, ended, or alive.
        let running = Pod(metadata: ObjectMeta(name: "paperless-ngx-backup-29412000-x7k2p"), phase: .running)
        let failed = Pod(metadata: ObjectMeta(name: "paperless-ngx-backup-29412000-x7k2p"), phase: .failed)
        #expect(ResticLockHolder.pod(named: holder.host, in: []) == .absent)
        #expect(ResticLockHolder.pod(named: holder.host, in: [failed]) == .ended(phase: "Failed"))
        #expect(ResticLockHolder.pod(named: holder.host, in: [running]) == .alive(phase: "Running"))
        #expect(ResticLockHolder(pid: 27, host: holder.host, pod: .absent).isGone && !ResticLockHolder(pid: 27, host: holder.host, pod: .alive(phase: "Running")).isGone)
    }
}
