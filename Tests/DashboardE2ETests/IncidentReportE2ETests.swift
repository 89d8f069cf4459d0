import Foundation
import PaperDomain
import PaperKube
import ProcessTestSupport
import Subprocess
import Testing

/// A recorded incident (issue 28): the dashboard in tmux against a demo cluster in a crash loop
/// with Redis errors carrying a planted password, a manual database backup from `B`, then quit;
/// `paperctl-tui report` turns the journal into the report, with the real kubectl for the drill record.
@Suite(.serialized, .timeLimit(.minutes(3))) struct IncidentReportE2ETests {
    static func environment(_ home: String) -> [Environment.Key: String] {
        var env: [Environment.Key: String] = [:]
        for (k, v) in ProcessInfo.processInfo.environment where k == "PATH" || k == "PAPERCTL_KUBECTL" { env[Environment.Key(stringLiteral: k)] = v }
        env["HOME"] = home
        env["XDG_STATE_HOME"] = "\(home)/state"
        env["XDG_CONFIG_HOME"] = "\(home)/config"
        return env
    }

    @Test func aRecordedIncidentGivesAReportWithEachCommandOnceInOrderAndNoSecret() async throws {
        let c = try await DashboardActionE2ETests.Cluster.start("app-crashloop,redis-errors")
        defer { c.stop() }
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"])
        defer { t.stopNow() }
        try await t.waitFor("live · data", "CrashLoopBackOff")
        try await t.send("B")
        try await t.waitFor("y runs it", "barmanObjectStore")
        try await t.send("y")
        try await t.waitFor("» Database Backup paperless-ngx-db-manual-", timeout: 60)
        try await t.send("q")
        try await t.waitFor("EXITED status=0")
        let env = Self.environment(t.home)
        let binary = Tmux.binary

        // Markdown to a new file: 0600, and a second run refuses to overwrite it.
        let path = "\(t.home)/incident.md"
        let first = try await runProcess(binary, ["report", "--kubeconfig", c.kubeconfig, "-o", path], environment: env, limit: 60)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("report written to \(path)"))
        let md = try String(contentsOfFile: path, encoding: .utf8)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try await runProcess(binary, ["report", "--offline", "-o", path], environment: env, limit: 30)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists; nothing was written (give --force to replace it"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == md)
        let forced = try await runProcess(binary, ["report", "--offline", "--force", "-o", path], environment: env, limit: 30)
        #expect(forced.status == 0, "\(forced.stderr)")

        // The action's command, exactly as journaled, once; the backup's outcome with it.
        let journalText = try String(contentsOfFile: "\(t.home)/state/paperctl/\(UTCTime.rfc3339(Date().timeIntervalSince1970).prefix(10)).md", encoding: .utf8)
        let command = try #require(journalText.split(separator: "\n").first { $0.hasPrefix("  `kubectl ") && $0.contains("create -f -") }).dropFirst(3).dropLast()
        #expect(md.components(separatedBy: String(command)).count == 2, "the command appears \(md.components(separatedBy: String(command)).count - 1) times")
        #expect(md.contains("completed: Backup completed"))
        // Every command of the command log file once, with its exit status and duration.
        let logText = try String(contentsOfFile: "\(t.home)/state/paperctl/\(UTCTime.rfc3339(Date().timeIntervalSince1970).prefix(10)).commands.jsonl", encoding: .utf8)
        let logged = try logText.split(separator: "\n").map { try JSONDecoder().decode(LoggedCommand.self, from: Data($0.utf8)) }
        #expect(logged.count == 1, "the backup's create: \(logText)")
        for c in logged {
            #expect(md.components(separatedBy: c.command).count == 2, "\(c.command) appears \(md.components(separatedBy: c.command).count - 1) times")
            #expect(md.contains("exit 0, "), "\(md)")
        }
        #expect(md.contains("## Detection"))
        #expect(md.contains("not OK when the session started: "))
        // The cluster was reachable: the drill record's absence is said, not a connection error.
        #expect(md.contains("Not read: no ConfigMap paperctl-drills in namespace paperless-ngx: no drill on record."), "\(md)")

        // JSON: the known timestamps in order, the timeline in order, no planted password anywhere.
        let json = try await runProcess(binary, ["report", "--offline", "--format", "json"], environment: env, limit: 30)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let stamps = ["started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at"].compactMap { (object[$0] as? String).flatMap(UTCTime.parse) }
        #expect(stamps.count >= 2, "detected_at and acknowledged_at at least: \(stamps)")
        #expect(stamps == stamps.sorted())
        let rows = try #require(object["timeline"] as? [[String: Any]]).compactMap { ($0["time"] as? String).flatMap(UTCTime.parse) }
        #expect(!rows.isEmpty && rows == rows.sorted())
        #expect(object["status"] as? String == "open")
        for text in [md, json.stdout, journalText] { #expect(!text.contains("hunter2-PLANTED")) }
        // No cluster (a kubeconfig pointing nowhere): the report still comes and says why.
        let offline = try await runProcess(binary, ["report", "--kubeconfig", "\(t.home)/no-such-kubeconfig", "--kubectl-timeout", "5"], environment: env, limit: 60)
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(offline.stdout.contains("## Drill records (cluster)\n\nNot read: "))
        #expect(offline.stdout.contains("The report above comes from the journal alone."))
    }
    /// The journal view's w (issue 28, item 4): the report of the incident on screen, written
    /// beside the journal as a new 0600 file named by the incident's start in UTC; the view says
    /// where, and the app goes on answering keys.
    @Test func wInTheJournalViewWritesTheReportBesideTheJournalAndSaysWhere() async throws {
        let c = try await DashboardActionE2ETests.Cluster.start("app-crashloop,redis-errors")
        defer { c.stop() }
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"])
        defer { t.stopNow() }
        try await t.waitFor("live · data", "CrashLoopBackOff")
        try await t.send("J")
        try await t.waitFor("Incident journal", "verdicts at start", "w write report")
        try await t.send("w")
        let screen = try await t.waitFor("Report written (")
        let dir = "\(t.home)/state/paperctl"
        let reports = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("incident-") }
        #expect(reports.count == 1, "\(reports)")
        let name = try #require(reports.first)
        #expect(screen.contains(dir + "/"), "the view names the directory: \(screen)")
        let path = "\(dir)/\(name)"
        let md = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        #expect(md.hasPrefix("# Post-incident report: ___"))
        #expect(md.contains("CrashLoopBackOff"))
        #expect(!md.contains("hunter2-PLANTED"))
        // Named by the incident's start in UTC: the CLI's report of the same journal agrees.
        let json = try await runProcess(Tmux.binary, ["report", "--offline", "--format", "json"], environment: Self.environment(t.home), limit: 30)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let start = try #require((object["started_at"] as? String) ?? (object["detected_at"] as? String))
        #expect(name == "incident-" + start.filter { $0 != "-" && $0 != ":" } + ".md")
        // The app goes on: the view closes, the help opens.
        try await t.send("Escape")
        try await t.send("?")
        try await t.waitFor("Keys")
        try await t.send("q")
    }
}

/// The Done-when's recorded incident with its restores (issue 28): Redis errors carrying a planted
/// password, the dashboard in tmux (a manual database backup from `B`), then with the real kubectl
/// and restic a manual file backup, a database drill and an in-place file restore from the CLI
/// while the dashboard watches. The report names every command of the command log once, in
/// order, with the RTO and RPO of the journal's own times, and no password.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RecordedIncidentWithRestoresE2ETests {
    @Test func aDrillAndAnInPlaceRestoreGiveRPOAndRTOFromTheJournalAndEachCommandOnce() async throws {
        let c = try await DashboardActionE2ETests.Cluster.start("redis-errors")
        defer { c.stop() }
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"])
        defer { t.stopNow() }
        try await DashboardActionE2ETests.databaseBackupOnceLive(t)
        let env = IncidentReportE2ETests.environment(t.home)
        func paperctl(_ args: [String], limit: Double) async throws -> ProcessRun {
            try await runProcess(Tmux.binary, args + ["--kubeconfig", c.kubeconfig, "--kubectl-timeout", "60"], environment: env, limit: limit)
        }
        let backup = try await paperctl(["backup", "files", "--wait", "--timeout", "90"], limit: 120)
        #expect(backup.status == 0, "\(backup.stdout)\n\(backup.stderr)")
        let drill = try await paperctl(["restore", "drill", "db", "--cleanup", "--timeout", "90"], limit: 150)
        #expect(drill.status == 0, "\(drill.stdout)\n\(drill.stderr)")
        let restore = try await paperctl(["restore", "files", "--snapshot", "latest", "--in-place", "--confirm-namespace", "paperless-ngx", "--wait", "--timeout", "120"], limit: 200)
        #expect(restore.status == 0, "\(restore.stdout)\n\(restore.stderr)")
        try await t.send("q")
        try await t.waitFor("EXITED status=0")

        let day = String(UTCTime.rfc3339(Date().timeIntervalSince1970).prefix(10))
        let journalText = try String(contentsOfFile: "\(t.home)/state/paperctl/\(day).md", encoding: .utf8)
        let logText = try String(contentsOfFile: "\(t.home)/state/paperctl/\(day).commands.jsonl", encoding: .utf8)
        let logged = try logText.split(separator: "\n").map { try JSONDecoder().decode(LoggedCommand.self, from: Data($0.utf8)) }
        // The dashboard's backup and the CLI's commands (the restore's scale, Job and Lease commands, the drill's cluster) alike.
        #expect(logged.contains { $0.title?.hasPrefix("Create restore Job") == true }, "\(logText)")
        #expect(logged.contains { $0.title?.hasPrefix("Delete scratch cluster") == true }, "\(logText)")
        #expect(logged.count >= 5, "\(logText)")

        let json = try await runProcess(Tmux.binary, ["report", "--offline", "--format", "json"], environment: env, limit: 30)
        #expect(json.status == 0, "\(json.stderr)")
        let md = try await runProcess(Tmux.binary, ["report", "--offline"], environment: env, limit: 30)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        // Every command of the command log once: each record is the source of exactly one action.
        let actions = try #require(object["actions"] as? [[String: Any]])
        let sources = actions.compactMap { $0["command_log_source"] as? String }
        #expect(sources.sorted() == (1...logged.count).map { "command log \(day).commands.jsonl:\($0)" }.sorted(), "\(sources)")
        for c in logged { #expect(md.stdout.contains(c.command), "\(c.command) is not in the report") }
        // In order: the structured timestamps, the timeline, the actions.
        let stamps = ["started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at"].compactMap { (object[$0] as? String).flatMap(UTCTime.parse) }
        #expect(stamps.count >= 2 && stamps == stamps.sorted(), "\(stamps)")
        let rows = try #require(object["timeline"] as? [[String: Any]]).compactMap { ($0["time"] as? String).flatMap(UTCTime.parse) }
        #expect(!rows.isEmpty && rows == rows.sorted())
        let actionTimes = actions.compactMap { ($0["time"] as? String).flatMap(UTCTime.parse) }
        #expect(actionTimes == actionTimes.sorted())

        // RTO and RPO, from the journal's own times.
        let start = try #require(((object["started_at"] as? String) ?? (object["detected_at"] as? String)).flatMap(UTCTime.parse))
        let restores = try #require(object["restores"] as? [[String: Any]])
        func time(_ r: [String: Any], _ key: String) -> Double? { (r[key] as? String).flatMap(UTCTime.parse) }
        let drilled = try #require(restores.first { $0["drill"] as? Bool == true }, "\(restores)")
        let drillStart = try #require(time(drilled, "started_at"))
        let drillEnd = try #require(time(drilled, "finished_at"))
        #expect(time(drilled, "point_at") != nil, "the drill's recovered-to point")
        #expect(drilled["rto_seconds"] as? Int == Int((drillEnd - drillStart).rounded()))
        let files = try #require(restores.first { $0["drill"] as? Bool == false }, "\(restores)")
        let snapshotAt = try #require(time(files, "files_snapshot_at"), "the snapshot's time is journaled: \(files)")
        let filesStart = try #require(time(files, "started_at"))
        let verified = try #require(time(files, "verified_at"), "the app check is the verification: \(files)")
        #expect(files["rpo_seconds"] as? Int == Int((start - snapshotAt).rounded()))
        #expect(files["rto_seconds"] as? Int == Int((verified - filesStart).rounded()))
        #expect(files["rto_basis"] as? String == "to the verification passing")
        // Those times are the journal's lines: the confirmation and the verification.
        let confirmed = try #require(journalText.split(separator: "\n").first { $0.contains(" restore files confirmed (CLI): snapshot ") })
        #expect(confirmed.hasPrefix("- \(UTCTime.rfc3339(filesStart)) "))
        #expect(confirmed.contains(" taken \(UTCTime.rfc3339(snapshotAt)),"))
        let verification = try #require(journalText.split(separator: "\n").first { $0.contains(" done: verification passed: ") })
        #expect(verification.hasPrefix("- \(UTCTime.rfc3339(verified)) "))
        let unknown = (object["unknown_facts"] as? [String]) ?? []
        #expect(!unknown.contains { $0.hasPrefix("The time of restic snapshot") }, "\(unknown)")
        #expect(!unknown.contains { $0.hasPrefix("Exit status and duration") }, "every journaled command has its command log record: \(unknown)")
        for text in [md.stdout, json.stdout, journalText, logText] { #expect(!text.contains("hunter2-PLANTED")) }
    }
}
