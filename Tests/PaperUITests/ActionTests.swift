import PaperDomain
import Testing
@testable import PaperUI

/// Action keys: a dialog with the exact command, a confirm key that is never the trigger key,
/// refusals that name what blocks, read-only mode, the journal.
@Suite struct ActionTests {
    static func state(_ ctx: ActionContext = ActionContext(namespace: "paperless-ngx", globalArguments: ["--context", "demo"],
                                                           externalSecrets: ["paperless-ngx-admin", "paperless-ngx-restic"])) -> AppState {
        var s = Fixtures.state()
        var data = Fixtures.data()
        data.actions = ctx
        s.data = .loaded(data)
        return s
    }

    @Test func bShowsTheExactCommandAndOnlyYRunsIt() {
        var s = Self.state()
        #expect(update(&s, .key(.char("b"))).isEmpty)
        guard case .confirm(let plan) = s.mode else { Issue.record("no dialog"); return }
        #expect(plan.arguments == ["--context", "demo", "create", "job", "--from=cronjob/paperless-ngx-backup", "manual-backup-\(Int(Fixtures.now))", "-n", "paperless-ngx"])
        let screen = render(s).text
        #expect(screen.contains("create job --from=cronjob/paperless-ngx-backup"))
        #expect(screen.contains("manual-backup-\(Int(Fixtures.now))"))
        #expect(update(&s, .key(.char("b"))).isEmpty, "the trigger key does not confirm")
        let effects = update(&s, .key(.char("y")))
        #expect(effects.contains(.run(plan)))
        #expect(effects.contains { if case .journal(let t) = $0 { t.contains("action confirmed") && t.contains("create job") } else { false } })
        #expect(s.actionInFlight)
    }

    @Test func escCancelsAndRunsNothing() {
        var s = Self.state()
        _ = update(&s, .key(.char("b")))
        let effects = update(&s, .key(.escape))
        #expect(!effects.contains { if case .run = $0 { true } else { false } })
        #expect(s.mode == .dashboard)
        #expect(s.notices.last?.contains("cancelled") == true)
    }

    @Test func aRunningJobBlocksASecondBackupAndIsNamed() {
        var s = Self.state(ActionContext(namespace: "paperless-ngx", activeJobs: ["manual-backup-1700000000"]))
        _ = update(&s, .key(.char("b")))
        guard case .refused(_, let reason) = s.mode else { Issue.record("not refused"); return }
        #expect(reason.contains("manual-backup-1700000000"))
        #expect(update(&s, .key(.char("y"))).isEmpty, "y on a refusal runs nothing")
    }

    @Test func databaseBackupUsesTheClusterMethodAndRefusesBehindABlockedBackup() {
        var s = Self.state(ActionContext(namespace: "paperless-ngx", clusterUsesPlugin: true))
        _ = update(&s, .key(.char("B")))
        guard case .confirm(let plan) = s.mode else { Issue.record("no dialog"); return }
        #expect(plan.stdin?.contains("\"method\": \"plugin\"") == true)
        #expect(plan.stdin?.contains("barman-cloud.cloudnative-pg.io") == true)
        #expect(plan.arguments.suffix(5) == ["create", "-f", "-", "-n", "paperless-ngx"])
        var blocked = Self.state(ActionContext(namespace: "paperless-ngx", blockingBackups: [.init(name: "paperless-ngx-db-daily-20261129030000", phase: "walArchivingFailing")]))
        _ = update(&blocked, .key(.char("B")))
        guard case .refused(_, let reason) = blocked.mode else { Issue.record("not refused"); return }
        #expect(reason.contains("paperless-ngx-db-daily-20261129030000") && reason.contains("walArchivingFailing"))
    }

    @Test func readOnlyExplainsAndRunsNothing() {
        var s = Self.state()
        s.readOnly = true
        for key in [Key.char("b"), .char("B")] {
            #expect(update(&s, .key(key)).isEmpty)
            guard case .refused(let title, let reason) = s.mode else { Issue.record("not refused"); return }
            #expect(title == "Read-only mode")
            #expect(reason.contains("nothing is run"))
            _ = update(&s, .key(.char("y")))
            _ = update(&s, .key(.escape))
        }
        #expect(render(s).lines.last?.contains("READ-ONLY") == true)
        s.mode = .help
        #expect(render(s).text.contains("READ-ONLY"))
    }

    @Test func forceSyncIsRateLimitedPerSecret() {
        var s = Self.state()
        s.focus = .secrets
        s.data = .loaded({
            var d = Fixtures.data()
            d.actions = ActionContext(namespace: "paperless-ngx", externalSecrets: ["paperless-ngx-admin"])
            return d
        }())
        _ = update(&s, .key(.char("f")))
        guard case .confirm(let plan) = s.mode else { Issue.record("no dialog: \(s.mode)"); return }
        #expect(plan.arguments.prefix(4) == ["annotate", "externalsecret", "paperless-ngx-admin", "force-sync=\(Int(Fixtures.now))"])
        _ = update(&s, .key(.char("y")))
        _ = update(&s, .actionFinished(ActionOutcome(plan: plan, succeeded: true, message: "annotated"), at: Fixtures.now + 1))
        _ = update(&s, .key(.char("f")))
        guard case .refused(_, let reason) = s.mode else { Issue.record("second force-sync not refused"); return }
        #expect(reason.contains("wait"))
        // The next refresh that shows a newer refreshTime tells the operator the sync landed.
        var synced = Fixtures.data()
        synced.actions = ActionContext(namespace: "paperless-ngx", externalSecrets: ["paperless-ngx-admin"])
        synced.actions?.secretRefreshTimes = ["paperless-ngx-admin": Fixtures.now + 3]
        let effects = update(&s, .refreshed(.success(synced), at: Fixtures.now + 4))
        #expect(s.notices.last?.contains("paperless-ngx-admin refreshed") == true)
        #expect(effects.contains { if case .journal(let t) = $0 { t.contains("after the force-sync") } else { false } })
    }

    @Test func journalRecordsVerdictsAtStartAndChanges() {
        var s = Self.state()
        s.data = .loading
        let first = update(&s, .refreshed(.success(Fixtures.data()), at: Fixtures.now))
        #expect(first.contains { if case .journal(let t) = $0 { t.contains("verdicts at start") && t.contains("file-backups: CRIT") } else { false } })
        let second = update(&s, .refreshed(.success(Fixtures.data([.fileBackups: .ok])), at: Fixtures.now + 5))
        #expect(second.contains { if case .journal(let t) = $0 { t.contains("file-backups: CRIT → OK") } else { false } })
        let third = update(&s, .refreshed(.success(Fixtures.data([.fileBackups: .ok])), at: Fixtures.now + 10))
        #expect(!third.contains { if case .journal = $0 { true } else { false } }, "no change, no entry")
    }

    @Test func commandLogIsBoundedAndShown() {
        var s = Self.state()
        for i in 0..<(AppState.commandLogLimit + 10) {
            _ = update(&s, .commandRan(CommandRecord(startedAt: Fixtures.now, duration: 0.2, commandLine: "kubectl get pods #\(i)", exitStatus: 0, isAction: false)))
        }
        #expect(s.commandLog.count == AppState.commandLogLimit)
        _ = update(&s, .key(.char("c")))
        #expect(render(s).text.contains("kubectl get pods #\(AppState.commandLogLimit + 9)"))
    }
}
