import Foundation
import PaperDomain
import SimCluster
import Testing

// MARK: - Expectation

/// What `paperctl-tui check --json` must say about one simulator scenario.
struct ScenarioExpectation: Sendable, CustomTestStringConvertible {
    let scenario: Scenario
    let exitStatus: Int32
    let overall: String
    /// Every check that is not ok, with its verdict; all others must be ok.
    let notOK: [String: String]
    /// Words that must appear in a check's reason or evidence.
    let mentions: [String: [String]]
    /// The verdict depends on the time of day (warn, or critical past a run's grace).
    var timeOfDay = false

    init(scenario: Scenario, exitStatus: Int32, overall: String, notOK: [String: String], timeOfDay: Bool = false, mentions: [String: [String]]) {
        self.scenario = scenario
        self.exitStatus = exitStatus
        self.overall = overall
        self.notOK = notOK
        self.timeOfDay = timeOfDay
        self.mentions = mentions
    }

    var testDescription: String { scenario.rawValue }

    static let all: [ScenarioExpectation] = [
        .init(scenario: .healthy, exitStatus: 0, overall: "ok", notOK: [:], mentions: [
            "storage": ["paperless-ngx-data 42% used"],
            "secrets": ["4/4 ExternalSecrets synced"],
        ]),
        .init(scenario: .pluginBackups, exitStatus: 0, overall: "ok", notOK: [:], mentions: [
            "wal-archiving": ["plugin barman-cloud.cloudnative-pg.io", "ObjectStore paperless-ngx-db-store"],
            "scheduled-backup": ["via plugin"],
        ]),
        .init(scenario: .dbBackupFailing, exitStatus: 2, overall: "critical",
              notOK: ["db-backups": "critical", "wal-archiving": "critical"], mentions: [
            "db-backups": ["missed the run", "walArchivingFailing"],
            "wal-archiving": ["WAL archiving failing", "barman-cloud-wal-archive"],
        ]),
        .init(scenario: .resticLocked, exitStatus: 2, overall: "critical", notOK: ["file-backups": "critical"], mentions: [
            "file-backups": ["2 failed Jobs since the last success", "lock failed", "exit 11"],
        ]),
        // restic 0.14/0.16 exits 1 for a lock: the failed pod's log names it, and the next step. The
        // day's 04:00 run failed, so the verdict turns from warn to critical once its 2 h grace is over.
        .init(scenario: .resticStaleLock, exitStatus: 1, overall: "warn", notOK: ["file-backups": "warn"], timeOfDay: true, mentions: [
            "file-backups": ["newest repository locked (restic exit 1)", "cause: repository locked — ", "already locked", "next step: ", "restic unlock"],
        ]),
        .init(scenario: .resticWrongPassword, exitStatus: 2, overall: "critical", notOK: ["file-backups": "critical"], mentions: [
            "file-backups": ["wrong password", "exit 12"],
        ]),
        .init(scenario: .secretSyncFailing, exitStatus: 2, overall: "critical", notOK: ["secrets": "critical"], mentions: [
            "secrets": ["paperless-ngx-admin", "SecretSyncedError", "more than 2× its 1h interval"],
        ]),
        .init(scenario: .appCrashloop, exitStatus: 2, overall: "critical",
              notOK: ["pods": "critical", "database": "critical", "logs": "critical"], mentions: [
            "pods": ["CrashLoopBackOff", "14 restarts"],
            "database": ["0/1 database instances ready"],
            "logs": ["PostgreSQL"],
        ]),
        .init(scenario: .pvcNearlyFull, exitStatus: 2, overall: "critical", notOK: ["storage": "critical"], mentions: [
            "storage": ["paperless-ngx-data 94% used", "critical at 90%"],
        ]),
        .init(scenario: .redisErrors, exitStatus: 2, overall: "critical", notOK: ["logs": "critical"], mentions: [
            "logs": ["Redis connection errors", "redis://:***@paperless-ngx-redis:6379"],
        ]),
        .init(scenario: .rbacLimited, exitStatus: 3, overall: "unknown", notOK: ["storage": "unknown"], mentions: [
            "storage": ["forbidden", "get nodes/proxy", "paperless-ngx-data: 10.0Gi, Bound, usage unknown"],
        ]),
        .init(scenario: .noExternalSecrets, exitStatus: 3, overall: "unknown", notOK: ["secrets": "unknown"], mentions: [
            "secrets": ["not served", "CRDs are not installed"],
            // One missing CRD does not fail the whole call: the other types were read.
            "pods": ["3/3 pods ready"],
            "db-backups": ["last completed backup"],
            "storage": ["paperless-ngx-data 42% used"],
        ]),
        // Real objects from public issues (RealObjects), served by the simulator.
        // The crashlooping instance pod is not ready, as in the issue.
        .init(scenario: .dbDiskFull, exitStatus: 2, overall: "critical", notOK: ["database": "critical", "pods": "warn"], mentions: [
            "database": ["phase is \"Not enough disk space\": CNPG waits for a person", "no primary: no instance of paperless-ngx-db reports isPrimary",
                         "cause: volume full", "patch cluster paperless-ngx-db --type=merge"],
        ]),
        .init(scenario: .dbFenced, exitStatus: 2, overall: "critical", notOK: ["database": "critical"], mentions: [
            "database": ["every instance of paperless-ngx-db is fenced", "cnpg fencing off paperless-ngx-db '*' -n paperless-ngx"],
        ]),
        .init(scenario: .dbBackupStuck, exitStatus: 2, overall: "critical", notOK: ["db-backups": "critical"], mentions: [
            "db-backups": ["backup paperless-ngx-db-manual-20250625210000 has been running for 15h", "delete backup paperless-ngx-db-manual-20250625210000"],
        ]),
        .init(scenario: .walAfterFailover, exitStatus: 2, overall: "critical", notOK: ["wal-archiving": "critical"], mentions: [
            "wal-archiving": ["barman-cloud operation failed (exit 1)", "timeline: 2", "not a second cluster", "logs paperless-ngx-db-2 -c plugin-barman-cloud"],
        ]),
        // Every Backup since the plugin went away fails: warn, or critical once the day's failed run is past its grace.
        .init(scenario: .pluginUnavailable, exitStatus: 1, overall: "warn", notOK: ["db-backups": "warn"], timeOfDay: true, mentions: [
            "db-backups": ["cause: Barman Cloud plugin not available — requested plugin is not available: barman-cloud.cloudnative-pg.io",
                           "rollout status deployment/barman-cloud -n cnpg-system"],
        ]),
        .init(scenario: .dbNeverArchived, exitStatus: 2, overall: "critical",
              notOK: ["database": "critical", "wal-archiving": "critical", "db-backups": "critical", "pods": "warn"], mentions: [
            "wal-archiving": ["WAL archiving has never reported", "no point of recoverability"],
            // A cluster that is down cannot take a backup: no "back up now".
            "db-backups": ["the cluster is down (phase \"Not enough disk space\")", "no backup can run until it is up again"],
            "database": ["cause: volume full"],
        ]),
        .init(scenario: .oldExternalSecrets, exitStatus: 0, overall: "ok", notOK: [:], mentions: [
            // Read through the only version served.
            "secrets": ["4/4 ExternalSecrets synced", "store ClusterSecretStore/onepassword"],
        ]),
    ]
}

// MARK: - Tests

/// `paperctl-tui check` run as cron would run it (no terminal, minimal environment), through the
/// real kubectl, against every scenario of the simulated cluster.
@Suite("check end to end against each scenario", .timeLimit(.minutes(3)))
struct CheckCommandScenarioTests {
    @Test(arguments: ScenarioExpectation.all)
    func exitStatusAndJSON(_ expected: ScenarioExpectation) async throws {
        let cluster = try await Cluster.start([expected.scenario])
        defer { cluster.finish() }
        let run = try await cluster.check(["--json", "--timeout", "20"])
        let doc = try #require(run.document())
        if expected.timeOfDay, doc.overall == "critical" {
            #expect(run.status == 2 && doc.notOK == expected.notOK.mapValues { _ in "critical" }, "stderr: \(run.stderr)")
        } else {
            #expect(run.status == expected.exitStatus, "stderr: \(run.stderr)")
            #expect(doc.overall == expected.overall)
        }
        #expect(expected.timeOfDay ? Set(doc.notOK.keys) == Set(expected.notOK.keys) : doc.notOK == expected.notOK, "\(doc.checks.filter { $0["verdict"] as? String != "ok" }.map { "\($0["id"] ?? "?"): \($0["reason"] ?? "")" })")
        for (id, words) in expected.mentions {
            let text = doc.text(id)
            for word in words { #expect(text.contains(word), "\(id) does not mention \"\(word)\": \(text)") }
        }
        #expect(doc.context == "demo")
        #expect(doc.namespace == "paperless-ngx")
        #expect(doc.ids == CheckID.allCases.map(\.rawValue))
        // Every check carries the documented keys; every check that is not ok has a command to run.
        for check in doc.checks {
            for key in ["id", "title", "verdict", "reason", "evidence", "hint", "command"] {
                #expect(check.keys.contains(key), "check \(check["id"] ?? "?") lacks \(key)")
            }
            // kubectl, or paperctl's own unlock where the cause is a restic lock (issue 23), or its
            // own backup where a backup now is the next step (issue 24: the planners' command).
            if check["verdict"] as? String != "ok" {
                let command = check["command"] as? String ?? ""
                let own = ["paperctl-tui restore unlock ", "paperctl-tui backup files ", "paperctl-tui backup db "]
                #expect(command.hasPrefix("kubectl ") || own.contains { command.hasPrefix($0) }, "\(check["id"] ?? "?"): \(command)")
            }
            // A named cause carries its kind, evidence line, next step and where it was read.
            if let cause = check["cause"] as? [String: Any] {
                for key in ["kind", "evidence", "nextStep", "source"] { #expect((cause[key] as? String)?.isEmpty == false, "cause of \(check["id"] ?? "?") lacks \(key)") }
            }
        }
        if expected.scenario == .resticStaleLock {
            let cause = doc.checks.first { $0["id"] as? String == "file-backups" }?["cause"] as? [String: Any]
            #expect(cause?["kind"] as? String == "repository locked" && (cause?["source"] as? String)?.hasPrefix("log of pod ") == true, "\(String(describing: cause))")
        }
        let time = try #require(doc.time)
        #expect(time.hasSuffix("Z") && ISO8601DateFormatter().date(from: time) != nil, "time \(time) is not RFC 3339 UTC")
        #expect(run.stderr.isEmpty, "stderr: \(run.stderr)")
    }

    /// The planted Redis password never reaches the output, in JSON or in the table.
    @Test func redisPasswordIsRedactedInJSONAndText() async throws {
        let cluster = try await Cluster.start([.redisErrors])
        defer { cluster.finish() }
        let planted = SimOptions([.redisErrors]).plantedPassword
        #expect(planted == "hunter2-PLANTED-s3cr3t")
        // The simulator really serves it, so the redaction is what keeps it out.
        let logs = try await cluster.kubectl(["logs", "deploy/paperless-ngx", "-c", "paperless-ngx", "--since=1h"]).stdout
        #expect(logs.contains(planted))

        let json = try await cluster.check(["--json", "--timeout", "20"])
        #expect(json.status == 2)
        #expect(!json.stdout.contains(planted) && !json.stderr.contains(planted))
        #expect(json.stdout.contains("redis://:***@"))

        let text = try await cluster.check(["--verbose", "--timeout", "20"])
        #expect(text.status == 2)
        #expect(!text.stdout.contains(planted) && !text.stderr.contains(planted))
        #expect(text.stdout.contains("redis://:***@"))
        #expect(!text.stdout.contains("hunter2"))
    }

    /// The text table a human reads: a header, one row per check with its label, then details.
    @Test func textTableNamesVerdictsAndTheNextStep() async throws {
        let cluster = try await Cluster.start([.dbBackupFailing])
        defer { cluster.finish() }
        let run = try await cluster.check(["--timeout", "20"])
        #expect(run.status == 2)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("paperctl check: context demo, namespace paperless-ngx, ") == true)
        #expect(lines.first?.hasSuffix(": CRIT") == true)
        #expect(lines.contains { $0.hasPrefix("STATUS") && $0.contains("CHECK") && $0.contains("REASON") })
        #expect(lines.contains { $0.hasPrefix("CRIT") && $0.contains("db-backups") && $0.contains("missed the run") })
        #expect(lines.contains { $0.hasPrefix("OK") && $0.contains("file-backups") })
        #expect(run.stdout.contains("[CRIT] wal-archiving: WAL archiving"))
        #expect(lines.contains { $0.hasPrefix("  run:  kubectl ") })
        // No colours, no cursor movement: cron mails stay readable.
        #expect(!run.stdout.contains("\u{1B}"))
    }

    /// Expired credentials: one process, every check unknown and saying so.
    @Test func expiredCredentialsMakeEveryCheckUnknown() async throws {
        let cluster = try await Cluster.start([.expiredCredentials])
        defer { cluster.finish() }
        let run = try await cluster.check(["--json", "--timeout", "20"])
        #expect(run.status == 3)
        let doc = try #require(run.document())
        #expect(doc.overall == "unknown")
        #expect(doc.notOK.count == CheckID.allCases.count)
        #expect(Set(doc.notOK.values) == ["unknown"])
        for id in doc.ids {
            #expect(doc.reason(id).contains("not authorized, credentials rejected or expired"), "\(id): \(doc.reason(id))")
        }
        #expect(doc.kubectlProcesses == 1)
    }

    /// A slow or silent API server: every check unknown with the timeout, within a bound, and
    /// no kubectl left behind.
    @Test(arguments: [Scenario.slowAPI, .unresponsiveAPI])
    func deadServerTimesOutQuickly(_ scenario: Scenario) async throws {
        let cluster = try await Cluster.start([scenario])
        defer { cluster.finish() }
        let run = try await cluster.check(["--json", "--timeout", "2"], limit: 60)
        // Exit 3 means the check ended on its own (the 60 s limit would kill it: 137). The bound
        // only tells a 2 s watchdog from none (forever on unresponsive-api), with room for a busy machine.
        #expect(run.status == 3)
        #expect(run.elapsed < .seconds(30), "took \(run.elapsed)")
        let doc = try #require(run.document())
        #expect(doc.overall == "unknown")
        #expect(doc.notOK.count == CheckID.allCases.count && Set(doc.notOK.values) == ["unknown"])
        for id in doc.ids {
            #expect(doc.reason(id).contains("kubectl timed out after 2 s and was killed"), "\(id): \(doc.reason(id))")
        }
        #expect(processes(mentioning: cluster.kubeconfig).isEmpty, "left behind: \(processes(mentioning: cluster.kubeconfig))")
    }

    /// `--check` narrows the run, and the exit status follows only the checks that ran.
    @Test func checkOptionSelectsChecksAndTheExitStatus() async throws {
        let cluster = try await Cluster.start([.pvcNearlyFull])
        defer { cluster.finish() }
        let both = try await cluster.check(["--json", "--timeout", "20", "--check", "storage", "--check", "secrets"])
        #expect(both.status == 2)
        #expect(both.document()?.ids == ["secrets", "storage"])
        let fine = try await cluster.check(["--json", "--timeout", "20", "--check", "secrets"])
        #expect(fine.status == 0)
        #expect(fine.document()?.ids == ["secrets"])
        let bad = try await cluster.check(["--check", "disk"])
        #expect(bad.status == 3)
        #expect(bad.stderr.contains("unknown check id \"disk\""))
        #expect(bad.stderr.contains("db-backups"))
        // A command line the parser refuses is UNKNOWN (3) for a monitoring system too, not 64.
        let flag = try await cluster.check(["--no-such-flag"])
        #expect(flag.status == 3)
        #expect(flag.stderr.contains("--no-such-flag"))
        let zero = try await cluster.check(["--timeout", "0"])
        #expect(zero.status == 3)
        #expect(zero.stderr.contains("--timeout"))
    }

    /// Thresholds come from `$XDG_CONFIG_HOME/paperctl/config.yaml`: at 94 % used, a critical
    /// bound of 95 % turns the storage verdict into warn, and the exit status into 1.
    @Test func configFileThresholdsGiveWarnAndExitOne() async throws {
        let cluster = try await Cluster.start([.pvcNearlyFull])
        defer { cluster.finish() }
        try FileManager.default.createDirectory(atPath: "\(cluster.directory)/config/paperctl", withIntermediateDirectories: true)
        try "thresholds:\n  storageWarnPercent: 85\n  storageCriticalPercent: 95\n"
            .write(toFile: "\(cluster.directory)/config/paperctl/config.yaml", atomically: true, encoding: .utf8)
        let run = try await cluster.check(["--json", "--timeout", "20"])
        #expect(run.status == 1)
        let doc = try #require(run.document())
        #expect(doc.overall == "warn")
        #expect(doc.notOK == ["storage": "warn"])
        #expect(doc.reason("storage").contains("94%"))

        try "thresholds:\n  storageCriticalPercent: lots\n".write(toFile: "\(cluster.directory)/config/paperctl/config.yaml", atomically: true, encoding: .utf8)
        let refused = try await cluster.check(["--json"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("config.yaml"))
        #expect(refused.stderr.contains("storageCriticalPercent"))
    }

    /// KUBECONFIG behaves as kubectl users expect: a list of files is merged (the context lives
    /// in one, the cluster and user in another), and with neither the variable nor the flag,
    /// `~/.kube/config` is used. The printed commands then carry no `--kubeconfig`.
    @Test func kubeconfigFromTheEnvironmentAsKubectlUsersExpect() async throws {
        let cluster = try await Cluster.start([.healthy])
        defer { cluster.finish() }
        let empty = "\(cluster.directory)/empty-kubeconfig"
        try "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n".write(toFile: empty, atomically: true, encoding: .utf8)
        let listed = try await cluster.checkWithoutKubeconfigFlag(["--json", "--timeout", "20"], extra: ["KUBECONFIG": "\(empty):\(cluster.kubeconfig)"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.document()?.context == "demo")
        #expect(listed.document()?.checks.allSatisfy { ($0["command"] as? String)?.contains("--kubeconfig") != true } == true)

        try FileManager.default.createDirectory(atPath: "\(cluster.directory)/home/.kube", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: cluster.kubeconfig, toPath: "\(cluster.directory)/home/.kube/config")
        let home = try await cluster.checkWithoutKubeconfigFlag(["--json", "--timeout", "20"], extra: [:])
        #expect(home.status == 0, "\(home.stderr)")
        #expect(home.document()?.namespace == "paperless-ngx")
    }

    /// Without kubectl every check is unknown and says where it looked (exit 3, no crash); with
    /// kubectl but no kubeconfig at all, the hint names the localhost:8080 fallback.
    @Test func noKubectlOrNoKubeconfigIsUnknownAndSaysWhy() async throws {
        let cluster = try await Cluster.start([.healthy])
        defer { cluster.finish() }
        let missing = try await cluster.checkWithoutKubeconfigFlag(["--json", "--kubectl", "/nonexistent/kubectl"], extra: [:])
        #expect(missing.status == 3)
        let doc = try #require(missing.document())
        #expect(doc.overall == "unknown")
        #expect(doc.ids.count == 10)
        for id in doc.ids {
            #expect(doc.reason(id).contains("kubectl not found (looked in: --kubectl /nonexistent/kubectl)"), "\(id): \(doc.reason(id))")
        }
        let none = try await cluster.checkWithoutKubeconfigFlag(["--json", "--check", "pods", "--timeout", "10"], extra: [:])
        #expect(none.status == 3)
        #expect((none.document()?.check("pods")?["hint"] as? String)?.contains("fell back to localhost:8080") == true, "\(none.stdout)")
    }

    /// Discovery is cached on disk: the first run costs 4 kubectl processes, later runs 3.
    @Test func warmCacheCostsThreeProcesses() async throws {
        let cluster = try await Cluster.start([.healthy])
        defer { cluster.finish() }
        let first = try await cluster.check(["--json", "--timeout", "20"])
        #expect(first.status == 0)
        #expect(first.document()?.kubectlProcesses == 4)
        let second = try await cluster.check(["--json", "--timeout", "20"])
        #expect(second.status == 0)
        #expect(second.document()?.kubectlProcesses == 3)
        #expect(FileManager.default.fileExists(atPath: "\(cluster.directory)/cache/paperctl/discovery"))
    }

    /// The rbac-limited storage hint is a command that runs as printed: aimed at the kubeconfig
    /// given to `check` and at its current context (named, so that a shell on another context
    /// runs it against this cluster), and `-n` before `--`.
    @Test func storageHintCommandKeepsTheNamespaceForKubectl() async throws {
        let cluster = try await Cluster.start([.rbacLimited])
        defer { cluster.finish() }
        let run = try await cluster.check(["--json", "--check", "storage", "--timeout", "20"])
        let command = try #require(run.document()?.check("storage")?["command"] as? String)
        #expect(command == "kubectl --kubeconfig \(cluster.kubeconfig) --context demo exec deploy/paperless-ngx -c paperless-ngx -n paperless-ngx -- df -h /usr/src/paperless/data")
    }
}
