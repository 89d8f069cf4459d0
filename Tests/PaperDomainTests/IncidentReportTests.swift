import Foundation
import PaperKube
import Testing
@testable import PaperDomain

// MARK: - The post-incident report (issue 28)

/// A recorded journal (Fixtures/IncidentReport/2026-12-06.md: a crash loop, a manual backup, a
/// database drill, an in-place restore with Argo CD paused and resumed, recovery) read with a
/// frozen clock. The Markdown and the JSON are compared with golden files; re-record them with
/// `PAPERCTL_RECORD_GOLDEN=1 swift test --filter IncidentReportTests` and read the diff.
@Suite("Incident report")
struct IncidentReportTests {
    static let now = UTCTime.parse("2026-12-06T12:00:00Z") ?? 0
    static var directory: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/IncidentReport") }

    static func journal(_ text: String? = nil, file: String = "2026-12-06.md") throws -> IncidentJournal {
        var journal = IncidentJournal()
        journal.add(try text ?? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8), file: file)
        if text == nil {
            let commands = LoggedCommand.path(forJournal: file)
            journal.addCommandLog(try String(contentsOf: directory.appendingPathComponent(commands), encoding: .utf8), file: commands)
        }
        return journal
    }

    static let drillRecord = DrillRecord().adding(DrillRecord.Run(
        finishedAt: UTCTime.parse("2026-12-06T08:09:40Z") ?? 0, passed: true, cluster: "paperless-ngx-db-drill-0806", rtoSeconds: 200,
        recoveredTo: UTCTime.parse("2026-12-06T08:05:00Z"), message: "Cluster in healthy state", by: "oncall@laptop"))

    static func report(_ journal: IncidentJournal, since: Double? = nil, until: Double? = nil,
                       cluster: IncidentReport.ClusterPart = .init(record: drillRecord, unavailable: nil)) throws -> IncidentReport {
        try IncidentReport.build(journal, since: since, until: until, now: now, version: "1.4.0 (test)", cluster: cluster).get()
    }

    static func compare(_ actual: String, golden name: String) throws {
        let path = directory.appendingPathComponent(name).path
        if ProcessInfo.processInfo.environment["PAPERCTL_RECORD_GOLDEN"] == "1" {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            Issue.record("no golden file at \(path); record it with PAPERCTL_RECORD_GOLDEN=1")
            return
        }
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, pair) in zip(e, a).enumerated() where pair.0 != pair.1 {
            Issue.record("\(name): line \(i + 1) differs\n--- expected\n\(pair.0)\n--- actual\n\(pair.1)")
            return
        }
        #expect(e.count == a.count, "\(name): \(a.count) lines, golden has \(e.count)")
    }

    @Test func markdownOfTheRecordedIncidentMatchesItsGoldenFile() throws {
        try Self.compare(try Self.report(try Self.journal()).markdown(), golden: "report.md")
    }

    @Test func jsonOfTheRecordedIncidentMatchesItsGoldenFile() throws {
        try Self.compare(try Self.report(try Self.journal()).json(), golden: "report.json")
    }

    /// The newest incident runs from the first verdict that left OK to the return to OK; the
    /// RTO and RPO come from the journal's own times.
    @Test func theWindowTimestampsRtoAndRpoAreTheJournalsTimes() throws {
        let r = try Self.report(try Self.journal())
        let at = { (s: String) in UTCTime.parse(s) }
        #expect(r.window.from == at("2026-12-06T08:02:10Z"))
        #expect(r.window.to == at("2026-12-06T08:31:00Z"))
        #expect(r.timestamps.startedAt == at("2026-12-06T08:02:10Z"))
        #expect(r.timestamps.detectedAt == at("2026-12-06T08:02:10Z"))
        #expect(r.timestamps.acknowledgedAt == at("2026-12-06T08:04:00Z"), "the manual backup is the first operator action")
        #expect(r.timestamps.mitigatedAt == at("2026-12-06T08:25:30Z"), "the last CRIT (logs) went to WARN")
        #expect(r.timestamps.resolvedAt == at("2026-12-06T08:31:00Z"))
        #expect(r.rtoCriticalToOK == Double(28 * 60 + 50))
        #expect(!r.open)
        let restore = try #require(r.restores.first { !$0.drill })
        #expect(restore.pointAt == at("2026-12-06T07:55:00Z"))
        #expect(restore.rpoSeconds == Double(7 * 60 + 10), "from the point (07:55:00Z) to the first CRIT (08:02:10Z)")
        #expect(restore.verifiedAt == at("2026-12-06T08:24:00Z"))
        #expect(restore.rtoSeconds == Double(11 * 60 + 19), "from the confirmation (08:12:41Z) to the verification (08:24:00Z)")
        let drill = try #require(r.restores.first { $0.drill })
        #expect(drill.rtoSeconds == 200)
        #expect(drill.pointAt == at("2026-12-06T08:05:00Z"))
        #expect(r.impact.map(\.check) == ["pods", "logs"])
        #expect(r.impact.first { $0.check == "pods" }?.seconds == Double(22 * 60 + 50))
    }

    @Test func timestampsAndTimelineAreInOrder() throws {
        let r = try Self.report(try Self.journal())
        #expect(r.timestamps.known.count == 5)
        #expect(r.timestamps.known == r.timestamps.known.sorted())
        #expect(r.timeline.map(\.time) == r.timeline.map(\.time).sorted())
        // The JSON carries the same five, named as incident.io and Rootly name them.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.json().utf8)) as? [String: Any])
        let names = ["started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at"]
        let times = names.compactMap { (object[$0] as? String).flatMap(UTCTime.parse) }
        #expect(times.count == 5)
        #expect(times == times.sorted())
    }

    /// Each action shows its exact command and outcome, and each journaled command appears once.
    @Test func actionsCarryTheirCommandsOnceWithTheirOutcomes() throws {
        let r = try Self.report(try Self.journal())
        let md = r.markdown()
        let backup = try #require(r.actions.first { $0.what.contains("database backup") })
        #expect(backup.command == "kubectl --context prod create -f - -n paperless-ngx")
        #expect(backup.outcome?.contains("completed: Backup completed") == true)
        #expect(r.actions.contains { $0.what.contains("Argo CD") && $0.what.contains("paused") && $0.command?.contains("patch application") == true })
        #expect(r.actions.contains { $0.what.contains("Argo CD") && $0.what.contains("resumed") })
        #expect(r.actions.contains { $0.what.hasPrefix("restore step 1 started: Fresh safety backup") && $0.outcome?.contains("done") == true })
        #expect(r.actions.contains { $0.what.contains("verification passed") })
        #expect(r.actions.contains { $0.what.contains("cutover") && $0.outcome?.contains("scale deployment paperless-ngx --replicas=0") == true })
        for command in ["kubectl --context prod patch application paperless-ngx -n argocd --type merge -p {\"spec\":{\"syncPolicy\":{\"automated\":null}}}",
                        "kubectl --context prod apply -f - -n paperless-ngx"] {
            #expect(md.components(separatedBy: command).count == 2, "\(command) appears \(md.components(separatedBy: command).count - 1) times")
        }
        // Follow-ups: the cutover commands are open; the Lease, Argo CD and the drill cluster are not.
        #expect(r.followUps.count == 1)
        #expect(r.followUps.first?.contains("Commands were left for the operator") == true)
    }

    /// Each command of the command log file is in the report once: with the journaled action it
    /// ran for (its exit status and duration beside it), or as an action of its own.
    @Test func eachLoggedCommandAppearsOnceWithItsExitStatusAndDuration() throws {
        let journal = try Self.journal()
        let r = try Self.report(journal)
        #expect(journal.commands.count == 5)
        #expect(journal.unreadable.map(\.line) == [6], "the line that is not JSON is named")
        for c in journal.commands {
            #expect(r.actions.filter { $0.logged == c }.count == 1, "\(c.command.command) at \(c.command.startedAt)")
        }
        let backup = try #require(r.actions.first { $0.what.hasPrefix("Start a CloudNativePG database backup") })
        #expect(backup.logged?.command.exitStatus == 0)
        let recovery = try #require(r.actions.first { $0.what.hasPrefix("restore step 2 started") })
        #expect(recovery.logged?.command.statusText == "exit 1, 1.2s" || recovery.logged?.command.statusText == "exit 1, 1.3s")
        // The drill record's write was journaled by no entry: it is an action of its own.
        #expect(r.actions.contains { $0.what == "Record the drill in ConfigMap paperctl-drills (in the command log only)" })
        let md = r.markdown()
        #expect(md.contains("| command, exit 0, 0.4s (journal 2026-12-06.md:13; command log 2026-12-06.commands.jsonl:1) |"))
        // The Argo CD resume has no record in the fixture's command log: said, not made up.
        #expect(md.contains("- Unknown: Exit status and duration of 1 journaled command: no command log record matches"))
        #expect(r.actions.first { $0.what.contains("auto-sync resumed") }?.logged == nil)
    }

    @Test func aPlantedPasswordAppearsNowhere() throws {
        let r = try Self.report(try Self.journal())
        for text in [r.markdown(), r.json()] {
            #expect(!text.contains("hunter2-PLANTED"))
        }
        #expect(r.markdown().contains("PGPASSWORD=***"))
    }

    /// A journal cut off in its last line, with an older version's entries, a bad time stamp
    /// and text outside any entry still gives a report, which names each of those lines.
    @Test func aBrokenJournalStillReportsAndNamesWhatItCouldNotRead() throws {
        let text = """
            # paperctl incident journal 2026-12-06

            stray text before any entry
            - 2026-12-06T10:00:00Z verdicts at start (context prod, namespace paperless-ngx): overall OK
              - pods: OK — fine
            - 2026-12-06T10:01:00Z pods: OK → CRIT — CrashLoopBackOff
            - 2026-12-06T10:02:00Z checked the fridge (an entry of a future version)
            - 2026-12-06T1O:03:00Z pods: CRIT → OK — fine
            - 2026-12-06T10:04:00Z pods: CRIT → OK — fine
            - 2026-12-06T10:05:00Z result: ok — started job.batch/paperless-ngx-backup-manual-x; follow
            """
        let r = try Self.report(try Self.journal(text), cluster: .init(record: nil, unavailable: "the cluster could not be reached: connection refused"))
        #expect(r.unreadable.map(\.line) == [3, 8, 10])
        #expect(r.unreadable.last?.why.contains("cut off") == true)
        #expect(r.notUnderstood.map(\.text) == ["checked the fridge (an entry of a future version)"])
        #expect(r.timestamps.resolvedAt == UTCTime.parse("2026-12-06T10:04:00Z"))
        let md = r.markdown()
        #expect(md.contains("- Line 2026-12-06.md:3 not read: not part of any entry: `stray text before any entry`"))
        #expect(md.contains("- Line 2026-12-06.md:8 not read: its time stamp \"2026-12-06T1O:03:00Z\" is not RFC 3339"))
        #expect(md.contains("- Line 2026-12-06.md:10 not read: cut off (the file does not end with a newline); left out"))
        #expect(md.contains("- Entry journal 2026-12-06.md:7 not understood by this version (kept in the timeline): checked the fridge"))
        #expect(md.contains("Not read: the cluster could not be reached: connection refused. The report above comes from the journal alone."))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.json().utf8)) as? [String: Any])
        #expect((json["unreadable_lines"] as? [[String: Any]])?.count == 3)
    }

    @Test func anIncidentStillOpenHasNoResolutionAndSaysWhatIsNotOK() throws {
        let text = """
            - 2026-12-06T10:00:00Z verdicts at start (context prod, namespace paperless-ngx): overall CRIT
              - pods: CRIT — CrashLoopBackOff
              - logs: OK — quiet

            """
        let r = try Self.report(try Self.journal(text))
        #expect(r.open)
        #expect(r.timestamps.startedAt == nil, "already CRIT when first seen: when it began is unknown")
        #expect(r.timestamps.detectedAt == UTCTime.parse("2026-12-06T10:00:00Z"))
        #expect(r.timestamps.resolvedAt == nil)
        #expect(r.window.to == Self.now)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.json().utf8)) as? [String: Any])
        #expect(object["started_at"] is NSNull)
        #expect(object["resolved_at"] is NSNull)
        #expect(r.followUps.first?.hasPrefix("The incident is not over: overall CRIT") == true)
    }

    @Test func aJournalWithoutAnIncidentSaysSoUnlessAWindowIsGiven() throws {
        let text = """
            - 2026-12-06T10:00:00Z verdicts at start (context prod, namespace paperless-ngx): overall OK
              - pods: OK — fine

            """
        let journal = try Self.journal(text)
        let none = IncidentReport.build(journal, since: nil, until: nil, now: Self.now, version: "t", cluster: .init(record: nil, unavailable: nil))
        #expect(throws: IncidentReport.NoIncident.self) { try none.get() }
        let window = try Self.report(journal, since: UTCTime.parse("2026-12-06T09:30:00Z"))
        #expect(window.impact.isEmpty)
        #expect(window.timeline.count == 1)
    }

    @Test func aStaleDrillRecordIsAFollowUp() throws {
        let old = DrillRecord().adding(DrillRecord.Run(finishedAt: Self.now - 40 * 86_400, passed: true, cluster: "drill-old", rtoSeconds: 100,
                                                       recoveredTo: nil, message: "ok", by: nil))
        let r = try Self.report(try Self.journal(), cluster: .init(record: old, unavailable: nil))
        #expect(r.followUps.contains { $0.hasPrefix("The last database drill that passed is 40d old") })
    }
    // MARK: The restore facts the sessions now journal

    /// What the CLI's restore sessions journal (the snapshot's time, the database's point in UTC,
    /// the app check as the verification) is what the report needs for RPO and RTO: nothing of
    /// it is unknown any more.
    @Test func theSnapshotTimeThePointInUTCAndTheVerificationGiveRPOAndRTO() throws {
        let at = { (s: String) in UTCTime.parse(s) }
        let snapshot = ResticSnapshot(id: "4f3c2b1a9e8d7c6b", time: at("2026-12-06T03:00:00Z") ?? 0, paths: ["/usr/src/paperless/data"])
        #expect(snapshot.journalName == "4f3c2b1a taken 2026-12-06T03:00:00Z")
        let text = """
            - 2026-12-06T10:00:00Z verdicts at start (context prod, namespace paperless-ngx): overall OK
              - pods: OK — fine
            - 2026-12-06T10:01:00Z pods: OK → CRIT — CrashLoopBackOff
            - 2026-12-06T10:05:00Z restore files confirmed (CLI): snapshot \(snapshot.journalName), everything, in-place
            - 2026-12-06T10:05:01Z restore step 1 started: Safety backup of the live files now
            - 2026-12-06T10:06:00Z restore step 1 done: Job paperless-ngx-safety-1 complete
            - 2026-12-06T10:06:01Z restore step 2 started: Check the app: pods Ready, no new errors in its log
            - 2026-12-06T10:09:30Z restore step 2 done: verification passed: paperless-ngx: 1/1 Ready, no error lines in its log in the last 2 minutes
            - 2026-12-06T10:09:31Z restore files finished: /usr/src/paperless/data
            - 2026-12-06T10:20:00Z restore both confirmed (CLI, namespace typed): new cluster paperless-ngx-db-restore to latest, point about 2026-12-06T09:58:00Z, files from snapshot 9a8b7c6d taken 2026-12-06T09:00:00Z in place
            - 2026-12-06T10:31:00Z restore step 7 FAILED: verification FAILED: paperless-ngx: 0/1 Ready
            - 2026-12-06T10:40:00Z pods: CRIT → OK — fine

            """
        let r = try Self.report(try Self.journal(text))
        #expect(r.restores.count == 2)
        let files = r.restores[0]
        #expect(files.snapshot == "4f3c2b1a" && files.snapshotAt == at("2026-12-06T03:00:00Z"))
        #expect(files.rpoSeconds == Double(7 * 3600 + 60), "from the snapshot (03:00) to the first CRIT (10:01)")
        #expect(files.verifiedAt == at("2026-12-06T10:09:30Z"))
        #expect(files.rtoSeconds == Double(4 * 60 + 30) && files.rtoBasis == "to the verification passing")
        let both = r.restores[1]
        #expect(both.pointAt == at("2026-12-06T09:58:00Z") && both.pointApproximate)
        #expect(both.snapshotAt == at("2026-12-06T09:00:00Z"))
        #expect(both.rpoSeconds == Double(3 * 60), "from the database's point (09:58) to the first CRIT (10:01)")
        #expect(both.databaseFilesGapSeconds == Double(58 * 60), "the files are 58 minutes older than the database")
        #expect(both.failed && both.verifiedAt == nil)
        let md = r.markdown()
        #expect(md.contains("| `4f3c2b1a` (taken 2026-12-06T03:00:00Z) |"), "\(md)")
        #expect(md.contains("| 58m00s (the files are older) |"))
        #expect(!md.contains("The time of restic snapshot"), "no snapshot time is unknown")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.json().utf8)) as? [String: Any])
        let restores = try #require(json["restores"] as? [[String: Any]])
        #expect(restores.map { $0["files_snapshot_at"] as? String } == ["2026-12-06T03:00:00Z", "2026-12-06T09:00:00Z"])
        #expect(restores.map { $0["rpo_seconds"] as? Int } == [7 * 3600 + 60, 180])
    }

    /// A journal of an older version (no snapshot time) still says the time is unknown, not guessed.
    @Test func aSnapshotWithoutItsTimeStaysUnknown() throws {
        let text = """
            - 2026-12-06T10:00:00Z verdicts at start (context prod, namespace paperless-ngx): overall CRIT
              - pods: CRIT — CrashLoopBackOff
            - 2026-12-06T10:05:00Z restore files confirmed (CLI): snapshot 4f3c2b1a, everything, in-place

            """
        let r = try Self.report(try Self.journal(text))
        #expect(r.restores.first?.snapshotAt == nil && r.restores.first?.rpoSeconds == nil)
        #expect(r.missingFacts.contains { $0.hasPrefix("The time of restic snapshot 4f3c2b1a:") })
        #expect(r.markdown().contains("| `4f3c2b1a` (time unknown) |"))
    }
}
