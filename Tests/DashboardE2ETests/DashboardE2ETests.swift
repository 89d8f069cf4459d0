import Foundation
import ProcessTestSupport
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
        // Waiting for all three is the assertion: a timeout fails the test with the last screen.
        let screen = try await t.waitFor(signal, detail, "ctx: demo")
        #expect(!screen.contains("hunter2-PLANTED"), "a secret reached the screen")
    }

    @Test func focusDetailHelpFilterAndQuitLeaveASaneTerminal() async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "restic-locked,redis-errors"])
        defer { t.stopNow() }
        try await t.waitFor("[3] File backups ✖ CRIT")
        try await t.send("3")
        try await t.send("Enter")
        // The overlay's body, not only its title: the title is drawn first.
        // What to run follows the cause: the unlock, not another backup Job that fails the same way.
        try await t.waitFor("details (Esc back)", "Next step:", "Run: paperctl-tui restore unlock", "Key: u unlocks")
        try await t.send("Escape")
        try await t.send("?")
        try await t.waitFor("Keys (Esc closes)", "quit (same in every mode)")
        try await t.send("Escape")
        try await t.send("6")
        try await t.send("/")
        for c in "broker" { try await t.send(String(c)) }
        try await t.send("Enter")
        try await t.waitFor("/broker", "[6] Log errors")
        try await t.send("q")
        let after = try await t.waitFor("MODES:")
        #expect(after.contains("EXITED status=0"))
        #expect(Self.saneModes(after), "terminal modes not restored:\n\(after)")
    }

    @Test func aKeyPressedBeforeTheFirstDataOpensItsViewWhenTheyArrive() async throws {
        // A kubectl that takes 3 s to start: the first frame is drawn at once, the data come later.
        let dir = NSTemporaryDirectory() + "paperctl-slow-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let kubectl = try #require(ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { "\($0)/kubectl" }
            .first { FileManager.default.isExecutableFile(atPath: $0) })
        try "#!/bin/sh\nsleep 3\nexec \(kubectl) \"$@\"\n".write(toFile: "\(dir)/kubectl", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(dir)/kubectl")
        let t = try await Tmux.start(["--demo", "--kubectl", "\(dir)/kubectl", "--timeout", "30"])
        defer { t.stopNow() }
        try await t.waitFor("no data yet")
        // `l` before any refresh finished: the log tail opens when the data are in, on the app
        // container, instead of a refusal.
        try await t.send("l")
        try await t.waitFor("waiting for the first data")
        try await t.waitFor(" LOGS ", "/paperless-ngx [1/", timeout: 60)
    }

    @Test func resizeRelaysTheScreenAndTooSmallSaysSo() async throws {
        let t = try await Tmux.start(["--demo"], width: 120, height: 35)
        defer { t.stopNow() }
        try await t.waitFor("[6] Log errors")
        // A split pane: the compact list of checks, not "too small"; tmux's own 80x23 gets the panels.
        try await t.resize(width: 70, height: 20)
        try await t.waitFor("all 10 checks OK")
        try await t.resize(width: 80, height: 23)
        try await t.waitFor("[6] Log errors")
        try await t.resize(width: 30, height: 8)
        try await t.waitFor("terminal too small")
        try await t.resize(width: 200, height: 50)
        try await t.waitUntil("the panels laid out wider than 150 columns") { screen in
            screen.contains("[6] Log errors") && (screen.split(separator: "\n").map(\.count).max() ?? 0) > 150
        }
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
        try await t.waitFor("cannot show the dashboard", "file-backups", "EXITED status=2")
    }

    @Test func noColorStillShowsVerdictWords() async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "pvc-nearly-full"], env: ["NO_COLOR": "1"])
        defer { t.stopNow() }
        try await t.waitFor("[5] Storage ✖ CRIT")
    }

    @Test(arguments: ["tmux-256color", "screen-256color", "xterm-256color"])
    func worksUnderCommonTERMs(term: String) async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "pvc-nearly-full"], term: term)
        defer { t.stopNow() }
        try await t.waitFor("[5] Storage ✖ CRIT")
        try await t.send("q")
        #expect(Self.saneModes(try await t.waitFor("MODES:")))
    }

    @Test func nonUTF8LocaleUsesASCII() async throws {
        let t = try await Tmux.start(["--demo"], env: ["LANG": "C", "LC_ALL": "C"])
        defer { t.stopNow() }
        let screen = try await t.waitFor("[1] Pods + OK", "+-")
        #expect(!screen.contains("┌"))
    }
}

/// Runbook actions from the dashboard against a demo cluster in its own process, checked with kubectl.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DashboardActionE2ETests {
    /// Once the dashboard is live: `B`, `y`, and the manual database Backup followed to its end.
    static func databaseBackupOnceLive(_ t: Tmux) async throws {
        try await t.waitFor("live · data")
        try await t.send("B")
        try await t.waitFor("y runs it", "barmanObjectStore")
        try await t.send("y")
        try await t.waitFor("» Database Backup paperless-ngx-db-manual-", timeout: 60)
    }

    struct Cluster {
        let dir: String
        let kubeconfig: String
        let process: Task<Void, Never>

        /// `reusing` keeps an earlier cluster's directory (its restic repository and volume) for a new scenario.
        static func start(_ scenarios: String = "healthy", speed: Double = 20, reusing: String? = nil) async throws -> Cluster {
            let dir = reusing ?? NSTemporaryDirectory() + "paperctl-actions-\(UUID().uuidString.prefix(8))"
            try? FileManager.default.removeItem(atPath: "\(dir)/kubeconfig")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let kubeconfig = "\(dir)/kubeconfig"
            let process = Task {
                // Its own state directory: the restic repository and the volume stand-in are this test's alone.
                _ = try? await Subprocess.run(.path(.init(Tmux.binary)), arguments: ["demo-cluster", "--scenario", scenarios, "--speed", String(speed), "--write-kubeconfig", kubeconfig],
                                              environment: .inherit.updating(["XDG_STATE_HOME": "\(dir)/state"]), output: .discarded, error: .discarded)
            }
            do {
                try await waitForFile(kubeconfig)
            } catch {
                process.cancel()
                throw error
            }
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
        try await t.waitFor("y runs it", "--from=cronjob/paperless-ngx-backup manual-backup-")
        try await t.send("y")
        try await t.waitFor("running  ", "manual-backup-")
        let jobs = try await manualJobs(c)
        #expect(jobs.count == 1)
        // The Job is built from the CronJob's template, exactly as `kubectl create job --from` builds it.
        let job = try await c.kubectl(["get"] + jobs.prefix(1) + ["-o", "jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate} {.metadata.ownerReferences[0].name}"])
        #expect(job.contains("restic/restic:0.17.3 manual paperless-ngx-backup"), "\(job)")
        try await t.send("b")
        try await t.waitFor("is still active", "Nothing was run")
        try await t.send("Escape")
        #expect(try await manualJobs(c).count == 1, "a second b created another Job")
        try await t.waitFor("completed: Job complete", timeout: 60)
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
        try await ro.waitFor("Read-only mode", "nothing is run")
        // `y` changes nothing on screen; the Escape after it closes the dialog, so once the dialog
        // is gone `y` has been handled too.
        try await ro.send("y")
        try await ro.send("Escape")
        let after = try await ro.waitUntil("the read-only dialog closed") { !$0.contains("nothing is run") && $0.contains("[1] Pods") }
        #expect(!after.contains("running:"), "y ran the action in read-only mode:\n\(after)")
        #expect(try await manualJobs(c).isEmpty)
    }

    @Test func databaseBackupCompletesAndNoSecretReachesScreenLogOrJournal() async throws {
        let c = try await Cluster.start("redis-errors")
        defer { c.stop() }
        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "2"])
        defer { t.stopNow() }
        // Live: the watch streams' lines are in the command log before the action's.
        try await Self.databaseBackupOnceLive(t)
        let lastBackup = try await c.kubectl(["get", "cluster", "paperless-ngx-db", "-o", "jsonpath={.status.lastSuccessfulBackup}"])
        let movedTo = ISO8601DateFormatter().date(from: lastBackup.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(movedTo.map { abs($0.timeIntervalSinceNow) < 600 } == true, "lastSuccessfulBackup did not move: \(lastBackup)")
        let backups = try await c.kubectl(["get", "backups", "-o", "custom-columns=NAME:.metadata.name,PHASE:.status.phase", "--no-headers"])
        #expect(backups.split(separator: "\n").contains { $0.contains("paperless-ngx-db-manual-") && $0.contains("completed") })
        // Each screen is read once the content it shows is drawn, so the secret check below sees whole screens.
        var seen = try await t.waitFor("[6] Log errors", "Redis")
        try await t.send("6")  // focus is colour only: nothing new to read
        try await t.send("c")
        // The action is near the bottom: only the periodic reads, one counted line each, come after it.
        seen += try await t.waitFor("Command log", "ACTION ")
        try await t.send("Escape")
        try await t.send("J")
        seen += try await t.waitFor("Incident journal", "action confirmed: Start a CloudNativePG database backup")
        #expect(!seen.contains("hunter2-PLANTED"), "a secret reached the screen")
        let journal = try String(contentsOfFile: "\(t.home)/state/paperctl/\(String(ISO8601DateFormatter().string(from: Date()).prefix(10))).md", encoding: .utf8)
        #expect(journal.contains("action confirmed: Start a CloudNativePG database backup"))
        #expect(journal.contains("result: ok"))
        #expect(journal.contains("completed: Backup completed"))
        #expect(!journal.contains("hunter2-PLANTED"))
    }
}

/// The log tail in tmux against the simulator's streaming logs.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LogTailE2ETests {
    @Test func streamsRedactsSearchesAndFilters() async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "redis-errors", "--speed", "20"])
        defer { t.stopNow() }
        try await t.waitFor(" old ·")
        // The focus starts on the Log errors panel, where `l` opens Redis's own log (the errors
        // are about Redis); from the Pods panel it opens the app's.
        try await t.send("1")
        try await t.send("l")
        // The app container, not linkerd-proxy.
        let first = try await t.waitFor("streaming", "LOGS paperless-ngx-7d9f8c6b5d-x2x4q/paperless-ngx")
        let count0 = Self.lineCount(first)
        let later = try await t.waitUntil("more than \(count0) lines streamed, one with a masked Redis password") { screen in
            Self.lineCount(screen) > count0 && screen.contains("redis://:***@")
        }
        #expect(!later.contains("hunter2-PLANTED"))
        for c in "/Cannot connect" { try await t.send(String(c)) }
        try await t.send("Enter")
        try await t.waitFor("/Cannot connect match ")
        try await t.send("f")
        // Fails with the last screen when the filter keeps showing other lines.
        try await t.waitUntil("a filtered body of only \"Cannot connect\" lines") { screen in
            let body = screen.split(separator: "\n").dropFirst(2).dropLast().filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            return screen.contains(" FILTER") && !body.isEmpty && body.allSatisfy { $0.contains("Cannot connect") }
        }
        // Esc clears the search and its filter first, then leaves.
        try await t.send("Escape")
        try await t.waitUntil("the search cleared, still in the tail") { $0.contains(" LOGS ") && !$0.contains("/Cannot connect") }
        try await t.send("Escape")
        try await t.waitFor("[1] Pods", "[6] Log errors")
    }

    /// "… 123 lines" from the status line.
    static func lineCount(_ screen: String) -> Int {
        guard let status = screen.split(separator: "\n").first(where: { $0.contains(" LOGS ") }),
              let r = status.range(of: #"\d+ lines"#, options: .regularExpression) else { return 0 }
        return Int(status[r].split(separator: " ")[0]) ?? 0
    }
}
