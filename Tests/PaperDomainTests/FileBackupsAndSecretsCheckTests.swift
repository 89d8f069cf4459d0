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
        (1, "fatal error (restic exit 1)"),
        (3, "incomplete snapshot: some source files could not be read (exit 3)"),
        (10, "repository does not exist (exit 10)"),
        (11, "repository lock failed: already locked (exit 11)"),
        (12, "wrong password or no key found (exit 12)"),
        (137, "killed by SIGKILL, usually OOM-killed (exit 137)"),
        (42, "unknown exit code 42, treated as failure"),
    ])
    func failedJobsSinceTheLastSuccessExplainTheExitCode(code: Int, meaning: String) {
        let result = Fixtures.run(.fileBackups, withFailedJob(code: code))
        #expect(result.verdict == .warn)
        #expect(result.reason == "1 failed Job since the last success: newest \(meaning)")
        #expect(result.command == "kubectl logs -l app.kubernetes.io/name=paperless-ngx-backup --tail=100 -n paperless-ngx")
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
        #expect(result.reason == "1 failed Job since the last success: newest killed by SIGKILL, usually OOM-killed (exit 137)")
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
            #expect(result.command == "kubectl create job --from=cronjob/paperless-ngx-backup manual-backup-$(date +%s) -n paperless-ngx")
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
