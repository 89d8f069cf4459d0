import Foundation
import ProcessTestSupport
import Testing

/// Rows that open and a log tail with less's and k9s's habits, in tmux against the simulator,
/// through the real kubectl.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RowsAndLogTailE2ETests {
    @Test func enterOnAFailedJobsRowOpensItsLogEventsAndManifest() async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "restic-locked"])
        defer { t.stopNow() }
        try await t.waitFor("[3] File backups ✖ CRIT", "Recent restic Jobs")
        // Narrow File backups to the failed Jobs' rows ("NAME  Failed  AGE"), keep the filter, open the first.
        try await t.send("3")
        try await t.send("/")
        for c in "failed  " { try await t.send(c == " " ? "Space" : String(c)) }
        try await t.send("Enter")
        try await t.waitFor("/failed   ")
        try await t.send("Enter")
        // The Job's own view: the log tail the refresh read for the cause (restic's words), its
        // events, and its manifest read through kubectl.
        let screen = try await t.waitFor("(Esc back)", "Log tail (pod paperless-ngx-backup-", "repository is already locked exclusively", "Events:")
        #expect(screen.contains("job/paperless-ngx-backup-"))
        try await t.waitFor("kind: Job", "job-name: paperless-ngx-backup-")
        try await t.send("G")
        try await t.waitFor("restartPolicy", "status:")
        #expect(!(try await t.screen()).contains("hunter2-PLANTED"), "a secret reached the screen")
        // l tails that Job's pod, whose log is whole: not reconnected.
        try await t.send("l")
        try await t.waitFor(" LOGS paperless-ngx-backup-", "already locked", "finished pod's log, complete")
        // Esc comes back to the Job's view, where it was (at the manifest's end).
        try await t.send("Escape")
        try await t.waitFor("(Esc back)", "restartPolicy", "l tail log")
    }

    @Test func gResumesTheFollowAfterASearchHeldIt() async throws {
        let t = try await Tmux.start(["--demo", "--scenario", "redis-errors", "--speed", "20"])
        defer { t.stopNow() }
        try await t.waitFor(" old ·")
        try await t.send("1")
        try await t.send("l")
        try await t.waitFor("streaming", "LOGS paperless-ngx-7d9f8c6b5d-x2x4q/paperless-ngx")
        try await t.waitUntil("a Redis error streamed") { $0.contains("Cannot connect") }
        for c in "/Cannot connect" { try await t.send(c == " " ? "Space" : String(c)) }
        try await t.send("Enter")
        // The newest match first, and the view holds while lines keep coming: "+N new".
        let held = try await t.waitUntil("the search on its newest match, new lines counted") { screen in
            Self.status(screen).contains("match ") && Self.newCount(screen) > 0
        }
        // The search landed on the newest match: any match after it is one of the lines that came
        // in since ("+N new"), so k/N has N - k <= N new (from the oldest match, k would be 1).
        let ordinal = try #require(Self.status(held).firstMatch(of: /match (\d+)\/(\d+)/).flatMap { m in Int(m.1).flatMap { k in Int(m.2).map { (k, $0) } } })
        #expect(ordinal.1 - ordinal.0 <= Self.newCount(held), "the first match is not the newest: \(Self.status(held))")
        let linesWhenHeld = LogTailE2ETests.lineCount(held)
        try await t.send("G")
        // Following again: no longer paused, nothing counted as new, and new lines reach the bottom.
        let following = try await t.waitUntil("following again") { screen in
            !Self.status(screen).contains("PAUSED") && Self.newCount(screen) == 0
        }
        let bottom = Self.lastBodyLine(following)
        try await t.waitUntil("new lines at the bottom after G") { screen in
            LogTailE2ETests.lineCount(screen) > linesWhenHeld && Self.lastBodyLine(screen) != bottom && !Self.status(screen).contains("PAUSED")
        }
        // Esc clears the search first, then leaves.
        try await t.send("Escape")
        try await t.waitUntil("the search cleared, still in the tail") { screen in
            Self.status(screen).contains(" LOGS ") && !Self.status(screen).contains("/Cannot connect")
        }
        try await t.send("Escape")
        try await t.waitFor("[1] Pods", "[6] Log errors")
    }

    static func status(_ screen: String) -> String {
        screen.split(separator: "\n").first { $0.contains(" LOGS ") }.map(String.init) ?? ""
    }

    /// N from "+N new" on the status line.
    static func newCount(_ screen: String) -> Int {
        Self.status(screen).firstMatch(of: /\+(\d+) new/).flatMap { Int($0.1) } ?? 0
    }

    /// The last non-empty line above the footer.
    static func lastBodyLine(_ screen: String) -> String {
        screen.split(separator: "\n").dropLast().last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? ""
    }
}
