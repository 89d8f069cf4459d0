import Foundation
import Subprocess
import Testing

/// The built binary in tmux, against the simulated cluster through the real kubectl.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DashboardE2ETests {
    @Test(arguments: [
        ("healthy", "[3] File backups ✔ OK", "[1] Pods ✔ OK"),
        ("restic-locked", "[3] File backups ✖ CRIT", "2 failed Jobs since the last success"),
        ("db-backup-failing", "[2] Database backups ✖ CRIT", "WAL archiving"),
        ("secret-sync-failing", "[4] Secrets ✖ CRIT", "paperless-ngx-admin"),
        ("app-crashloop", "[1] Pods ✖ CRIT", "CrashLoopBackOff"),
        ("pvc-nearly-full", "[5] Storage ✖ CRIT", "94% used"),
        ("redis-errors", "[6] Log errors ✖ CRIT", "Redis"),
        ("rbac-limited", "[5] Storage ? UNKNOWN", "usage unknown"),
        ("expired-credentials", "UNAUTHORIZED", "log in again"),
    ])
    func firstScreenShowsTheScenarioSignal(scenario: String, signal: String, detail: String) async throws {
        let t = try await Tmux.start(["--demo", "--scenario", scenario])
        defer { t.stopNow() }
        let screen = try await t.waitFor(signal)
        #expect(screen.contains(signal), "\(scenario): no \(signal) on\n\(screen)")
        #expect(screen.contains(detail), "\(scenario): no \(detail) on\n\(screen)")
        #expect(screen.contains("ctx: demo"))
        #expect(!screen.contains("hunter2-PLANTED"), "a secret reached the screen")
    }

    @Test func focusDetailHelpFilterAndQuitLeaveASaneTerminal() async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "restic-locked,redis-errors"])
        defer { t.stopNow() }
        try await t.waitFor("[3] File backups ✖ CRIT")
        try await t.send("3")
        try await t.send("Enter")
        let detail = try await t.waitFor("details (Esc back)")
        #expect(detail.contains("Next step:"))
        #expect(detail.contains("Run: kubectl"))
        #expect(detail.contains("create job"))
        try await t.send("Escape")
        try await t.send("?")
        let help = try await t.waitFor("Keys (Esc closes)")
        #expect(help.contains("quit (same in every mode)"))
        try await t.send("Escape")
        try await t.send("6")
        try await t.send("/")
        for c in "broker" { try await t.send(String(c)) }
        try await t.send("Enter")
        let filtered = try await t.waitFor("/broker")
        #expect(filtered.contains("[6] Log errors"))
        try await t.send("q")
        let after = try await t.waitFor("MODES:")
        #expect(after.contains("EXITED status=0"))
        #expect(Self.saneModes(after), "terminal modes not restored:\n\(after)")
    }

    @Test func resizeRelaysTheScreenAndTooSmallSaysSo() async throws {
        let t = try await Tmux.start(["--demo"], width: 120, height: 35)
        defer { t.stopNow() }
        try await t.waitFor("[6] Log errors")
        try await t.resize(width: 70, height: 20)
        let small = try await t.waitFor("terminal too small")
        #expect(small.contains("70x20, need 80x24"))
        try await t.resize(width: 200, height: 50)
        let big = try await t.waitFor("[6] Log errors")
        let widest = big.split(separator: "\n").map(\.count).max() ?? 0
        #expect(widest > 150, "the layout did not use the wider terminal")
    }

    @Test(arguments: ["C-c", "SIGTERM", "SIGHUP"])
    func ctrlCAndSignalsRestoreTheTerminal(how: String) async throws {
        let marker = String(Int.random(in: 1000...3000))
        let t = try await Tmux.start(["--demo", "--refresh", marker])
        defer { t.stopNow() }
        try await t.waitFor("[1] Pods")
        if how == "C-c" {
            try await t.send("C-c")
        } else {
            _ = try await Subprocess.run(.name("pkill"), arguments: ["-\(how.dropFirst(3))", "-f", "paperctl-tui --demo --refresh \(marker)"],
                                         output: .discarded, error: .discarded)
        }
        let after = try await t.waitFor("MODES:")
        #expect(after.contains("EXITED status=0"))
        #expect(Self.saneModes(after), "terminal modes not restored:\n\(after)")
    }

    /// The shell's `stty` after exit shows canonical mode, echo and signals back on.
    static func saneModes(_ screen: String) -> Bool {
        guard let line = screen.split(separator: "\n").first(where: { $0.hasPrefix("MODES:") }) else { return false }
        let words = Set(line.split(separator: " ").map(String.init))
        return words.isSuperset(of: ["icanon", "echo", "isig"])
    }

    @Test func dumbTerminalGetsTheCheckReportInstead() async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "restic-locked"], height: 50, term: "dumb")
        defer { t.stopNow() }
        let screen = try await t.waitFor("EXITED")
        #expect(screen.contains("cannot show the dashboard"))
        #expect(screen.contains("file-backups"))
        #expect(screen.contains("EXITED status=2"))
    }

    @Test func noColorStillShowsVerdictWords() async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "pvc-nearly-full"], env: ["NO_COLOR": "1"])
        defer { t.stopNow() }
        let screen = try await t.waitFor("[5] Storage ✖ CRIT")
        #expect(screen.contains("✖ CRIT"))
    }

    @Test(arguments: ["tmux-256color", "screen-256color", "xterm-256color"])
    func worksUnderCommonTERMs(term: String) async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "pvc-nearly-full"], term: term)
        defer { t.stopNow() }
        let screen = try await t.waitFor("[5] Storage ✖ CRIT")
        #expect(screen.contains("[5] Storage ✖ CRIT"), "TERM=\(term)")
        try await t.send("q")
        #expect(Self.saneModes(try await t.waitFor("MODES:")))
    }

    @Test func nonUTF8LocaleUsesASCII() async throws {
        let t = try await Tmux.start(["--demo"], env: ["LANG": "C", "LC_ALL": "C"])
        defer { t.stopNow() }
        let screen = try await t.waitFor("[1] Pods + OK")
        #expect(screen.contains("+-"))
        #expect(!screen.contains("┌"))
    }
}

/// Runbook actions from the dashboard against a demo cluster in its own process, checked with kubectl.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DashboardActionE2ETests {
    struct Cluster {
        let dir: String
        let kubeconfig: String
        let process: Task<Void, Never>

        static func start(_ scenarios: String = "healthy", speed: Int = 20) async throws -> Cluster {
            let dir = NSTemporaryDirectory() + "paperctl-actions-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let kubeconfig = "\(dir)/kubeconfig"
            let process = Task {
                _ = try? await Subprocess.run(.path(.init(Tmux.binary)), arguments: ["demo-cluster", "--scenario", scenarios, "--speed", String(speed), "--write-kubeconfig", kubeconfig],
                                              output: .discarded, error: .discarded)
            }
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: kubeconfig) { try await Task.sleep(for: .milliseconds(50)) }
            return Cluster(dir: dir, kubeconfig: kubeconfig, process: process)
        }

        func kubectl(_ args: [String]) async throws -> String {
            let r = try await Subprocess.run(.name("kubectl"), arguments: Arguments(["--kubeconfig", kubeconfig, "--cache-dir", "\(dir)/cache"] + args),
                                             output: .string(limit: 1 << 22), error: .string(limit: 1 << 20))
            return r.standardOutput + r.standardError
        }

        func stop() {
            process.cancel()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    func manualJobs(_ c: Cluster) async throws -> [String] {
        try await c.kubectl(["get", "jobs", "-o", "name"]).split(separator: "\n").filter { $0.contains("manual-backup-") }.map(String.init)
    }

    @Test func bThenYCreatesTheJobItCompletesAndASecondBWhileRunningCreatesNothing() async throws {
        let c = try await Cluster.start(speed: 2)
        defer { c.stop() }
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"])
        defer { t.stopNow() }
        try await t.waitFor(" old ·")
        try await t.send("b")
        let dialog = try await t.waitFor("y runs it")
        #expect(dialog.contains("create job --from=cronjob/paperless-ngx-backup"))
        try await t.send("y")
        let running = try await t.waitFor("running  ")
        #expect(running.contains("manual-backup-"))
        let jobs = try await manualJobs(c)
        #expect(jobs.count == 1)
        // The Job is built from the CronJob's template, exactly as `kubectl create job --from` builds it.
        let job = try await c.kubectl(["get"] + jobs.prefix(1) + ["-o", "jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate} {.metadata.ownerReferences[0].name}"])
        #expect(job.contains("restic/restic:0.17.3 manual paperless-ngx-backup"), "\(job)")
        try await t.send("b")
        let refused = try await t.waitFor("still running")
        #expect(refused.contains("Nothing was run"))
        try await t.send("Escape")
        #expect(try await manualJobs(c).count == 1, "a second b created another Job")
        let finished = try await t.waitFor("finished OK", timeout: 60)
        #expect(finished.contains("finished OK"))
    }

    @Test func escCancelsAndReadOnlyCreateNothing() async throws {
        let c = try await Cluster.start()
        defer { c.stop() }
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig])
        defer { t.stopNow() }
        try await t.waitFor(" old ·")
        try await t.send("b")
        try await t.waitFor("y runs it")
        try await t.send("Escape")
        try await t.waitFor("cancelled")
        let ro = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--read-only"])
        defer { ro.stopNow() }
        try await ro.waitFor(" old ·")
        try await ro.send("b")
        let screen = try await ro.waitFor("Read-only mode")
        #expect(screen.contains("nothing is run"))
        try await ro.send("y")
        try await Task.sleep(for: .seconds(1))
        #expect(try await manualJobs(c).isEmpty)
    }

    @Test func databaseBackupCompletesAndNoSecretReachesScreenLogOrJournal() async throws {
        let c = try await Cluster.start("redis-errors")
        defer { c.stop() }
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"])
        defer { t.stopNow() }
        try await t.waitFor(" old ·")
        try await t.send("B")
        let dialog = try await t.waitFor("y runs it")
        #expect(dialog.contains("barmanObjectStore"))
        try await t.send("y")
        let done = try await t.waitFor("Database Backup paperless-ngx-db-manual-", timeout: 60)
        #expect(done.contains("» Database Backup paperless-ngx-db-manual-"))
        let lastBackup = try await c.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "jsonpath={.status.lastSuccessfulBackup}"])
        let movedTo = ISO8601DateFormatter().date(from: lastBackup.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(movedTo.map { abs($0.timeIntervalSinceNow) < 600 } == true, "lastSuccessfulBackup did not move: \(lastBackup)")
        let backups = try await c.kubectl(["get", "backups", "-o", "custom-columns=NAME:.metadata.name,PHASE:.status.phase", "--no-headers"])
        #expect(backups.split(separator: "\n").contains { $0.contains("paperless-ngx-db-manual-") && $0.contains("completed") })
        var seen = try await t.screen()
        try await t.send("6")
        seen += try await t.screen()
        try await t.send("c")
        seen += try await t.waitFor("Command log")
        try await t.send("Escape")
        try await t.send("J")
        seen += try await t.waitFor("Incident journal")
        #expect(!seen.contains("hunter2-PLANTED"), "a secret reached the screen")
        let journal = try String(contentsOfFile: "\(t.home)/state/paperctl/\(String(ISO8601DateFormatter().string(from: Date()).prefix(10))).md", encoding: .utf8)
        #expect(journal.contains("action confirmed: Start a CNPG database backup"))
        #expect(journal.contains("result: ok"))
        #expect(journal.contains("finished OK"))
        #expect(!journal.contains("hunter2-PLANTED"))
    }
}

/// The log tail in tmux against the simulator's streaming logs.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LogTailE2ETests {
    @Test func streamsRedactsSearchesAndFilters() async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "redis-errors", "--speed", "20"])
        defer { t.stopNow() }
        try await t.waitFor(" old ·")
        try await t.send("l")
        let first = try await t.waitFor("streaming")
        #expect(first.contains("LOGS paperless-ngx-7d9f8c6b5d-x2x4q/paperless-ngx"), "the app container, not linkerd-proxy")
        let count0 = Self.lineCount(first)
        try await Task.sleep(for: .seconds(2))
        let later = try await t.screen()
        #expect(Self.lineCount(later) > count0, "no new lines streamed")
        #expect(later.contains("redis://:***@"))
        #expect(!later.contains("hunter2-PLANTED"))
        for c in "/Cannot connect" { try await t.send(String(c)) }
        try await t.send("Enter")
        let searched = try await t.waitFor("/Cannot connect ")
        #expect(searched.contains("×"))
        try await t.send("f")
        let filtered = try await t.waitFor("× FILTER")
        let body = filtered.split(separator: "\n").dropFirst(2).dropLast().filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(!body.isEmpty && body.allSatisfy { $0.contains("Cannot connect") }, "filter shows other lines:\n\(filtered)")
        try await t.send("Escape")
        let back = try await t.waitFor("[1] Pods")
        #expect(back.contains("[6] Log errors"))
    }

    /// "… 123 lines" from the status line.
    static func lineCount(_ screen: String) -> Int {
        guard let status = screen.split(separator: "\n").first(where: { $0.contains(" LOGS ") }),
              let r = status.range(of: #"\d+ lines"#, options: .regularExpression) else { return 0 }
        return Int(status[r].split(separator: " ")[0]) ?? 0
    }
}
