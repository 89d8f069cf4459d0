import PaperDomain
import Testing
@testable import PaperUI

/// The log tail: bounded scrollback, redaction, reconnect without gap or duplicate, keys.
@Suite struct LogViewTests {
    static let sources = [LogSource(pod: "paperless-ngx-abc", container: "paperless-ngx"), LogSource(pod: "paperless-ngx-abc", container: "linkerd-proxy"),
                          LogSource(pod: "paperless-ngx-redis-xyz", container: "redis")]

    static func state() -> AppState { Fixtures.actionState() }

    @Test func entriesParseTheTimestampRedactAndClassify() {
        let e = LogEntry(raw: "2026-11-29T20:00:01.123456789Z [ERROR] consumer: Cannot connect to redis://:hunter2@paperless-ngx-redis:6379//")
        #expect(e.time == "2026-11-29T20:00:01.123456789Z")
        #expect(!e.text.contains("hunter2"))
        #expect(e.text.contains("redis://:***@"))
        #expect(e.level == .error)
        #expect(LogEntry(raw: "plain line").time == nil)
        #expect(LogEntry(raw: "x [WARNING/MainProcess] lost").level == .warn)
    }

    @Test func scrollbackIsBoundedAndDroppedLinesAreCounted() {
        var v = LogViewState(sources: Self.sources, capacity: 100)
        v.append((0..<250).map { "line \($0)" })
        #expect(v.entries.count == 100)
        #expect(v.dropped == 150)
        #expect(v.entries.first?.text == "line 150")
    }

    @Test func reconnectSkipsLinesAlreadySeen() {
        var v = LogViewState(sources: Self.sources)
        v.append(["2026-11-29T20:00:01.000000000Z a", "2026-11-29T20:00:02.000000000Z b"])
        v.reconnects = 1
        v.append(["2026-11-29T20:00:02.000000000Z b", "2026-11-29T20:00:03.000000000Z c"])
        #expect(v.entries.map(\.text) == ["a", "b", "c"])
        let args = v.arguments(globalArguments: [], namespace: "paperless-ngx", reconnect: true)
        #expect(args.contains("--since-time=2026-11-29T20:00:03.000000000Z"))
    }

    @Test func lOpensTheAppContainerNeverTheSidecar() {
        var s = Self.state()
        let effects = update(&s, .key(.char("l")))
        #expect(s.mode.scope == .logs)
        guard case .startLogs(let request)? = effects.first else { Issue.record("no stream started"); return }
        #expect(request.arguments == ["--context", "demo", "--namespace", "paperless-ngx", "logs", "-f", "paperless-ngx-abc", "-c", "paperless-ngx", "--timestamps", "--tail=200"])
    }

    @Test func windowKeysAndContainerSwitchRestartTheStream() {
        var s = Self.state()
        _ = update(&s, .key(.char("l")))
        guard case .startLogs(let r)? = update(&s, .key(.char("2"))).first else { Issue.record("no restart"); return }
        #expect(r.arguments.contains("--since=300s"))
        guard case .startLogs(let r2)? = update(&s, .key(.char("c"))).first else { Issue.record("no restart"); return }
        #expect(r2.arguments.contains("linkerd-proxy"))
        #expect(r2.generation > r.generation)
    }

    @Test func linesFromAnOldStreamAreIgnoredAndAnEndedStreamReconnects() {
        var s = Self.state()
        _ = update(&s, .key(.char("l")))
        let gen = s.logView?.generation ?? 0
        _ = update(&s, .logLines(generation: gen - 1, ["stale"]))
        #expect(s.logView?.entries.isEmpty == true)
        _ = update(&s, .logLines(generation: gen, ["2026-11-29T20:00:01Z fresh"]))
        #expect(s.logView?.entries.map(\.text) == ["fresh"])
        let effects = update(&s, .logEnded(generation: gen, reason: "pod replaced"))
        guard case .startLogs(let r)? = effects.first else { Issue.record("no reconnect"); return }
        #expect(r.delay > 0)
        #expect(r.arguments.contains("--since-time=2026-11-29T20:00:01Z"))
        #expect(render(s).text.contains("reconnecting"))
        #expect(update(&s, .key(.escape)) == [.stopLogs])
        #expect(s.mode == .dashboard && s.logView == nil)
    }

    @Test func helpOpenedFromTheLogTailReturnsToItAndItKeepsStreaming() {
        var s = Self.state()
        _ = update(&s, .key(.char("l")))
        let gen = s.logView?.generation ?? 0
        _ = update(&s, .key(.char("?")))
        #expect(s.mode.scope == .help)
        _ = update(&s, .logLines(generation: gen, ["2026-11-29T20:00:01Z while help was open"]))
        _ = update(&s, .key(.escape))
        #expect(s.mode.scope == .logs, "Esc on help goes back to the log tail, not the dashboard")
        #expect(s.logView?.entries.map(\.text) == ["while help was open"])
    }

    @Test func pauseHoldsThePositionWhileLinesArriveAndSearchFilterWork() {
        var s = Self.state()
        _ = update(&s, .key(.char("l")))
        let gen = s.logView?.generation ?? 0
        _ = update(&s, .logLines(generation: gen, (0..<50).map { $0 % 10 == 0 ? "ERROR broker lost \($0)" : "ok \($0)" }))
        _ = update(&s, .key(.char(" ")))
        _ = update(&s, .logLines(generation: gen, (50..<80).map { "ok \($0)" }))
        #expect(s.logView?.scrollFromBottom == 30, "paused: the view stays on the same lines")
        #expect(!render(s).text.contains("ok 79"))
        for key in [Key.char("/"), .char("b"), .char("r"), .char("o"), .char("k"), .char("e"), .char("r"), .enter] { _ = update(&s, .key(key)) }
        #expect(s.logView?.search == "broker")
        #expect(s.logView?.matchCursor != nil)
        _ = update(&s, .key(.char("f")))
        #expect(s.logView?.visible.count == 5)
        let text = render(s).text
        #expect(text.contains("ERROR broker lost 40") && !text.contains("ok 41"))
        #expect(text.contains("/broker 5 matches FILTER"))
    }

    /// Fifty lines, one in ten an error naming the broker (lines 0, 10, 20, 30, 40), searched for "broker".
    static func searched() -> AppState {
        var s = Self.state()
        _ = update(&s, .key(.char("l")))
        let gen = s.logView?.generation ?? 0
        _ = update(&s, .logLines(generation: gen, (0..<50).map { $0 % 10 == 0 ? "ERROR broker lost \($0)" : "ok \($0)" }))
        for key in [Key.char("/"), .char("b"), .char("r"), .char("o"), .char("k"), .char("e"), .char("r"), .enter] { _ = update(&s, .key(key)) }
        return s
    }

    @Test func searchStartsAtTheNewestMatchAndCountsKOfN() {
        var s = Self.searched()
        // Like less's `?` from the end: the newest match first.
        #expect(s.logView?.matchOrdinal == 5)
        #expect(s.logView.map { $0.visible[$0.matchCursor ?? 0].text } == "ERROR broker lost 40")
        #expect(render(s).text.contains("/broker match 5/5"))
        // n goes on backwards, to older matches; N comes back; past the newest it wraps to the oldest.
        _ = update(&s, .key(.char("n")))
        #expect(render(s).text.contains("/broker match 4/5"))
        #expect(s.logView.map { $0.visible[$0.matchCursor ?? 0].text } == "ERROR broker lost 30")
        _ = update(&s, .key(.char("N")))
        #expect(render(s).text.contains("/broker match 5/5"))
        _ = update(&s, .key(.char("N")))
        #expect(render(s).text.contains("/broker match 1/5"))
        #expect(s.logView.map { $0.visible[$0.matchCursor ?? 0].text } == "ERROR broker lost 0")
    }

    @Test func whilePausedNewLinesAreCountedAndGFollowsAgain() {
        var s = Self.searched()
        let gen = s.logView?.generation ?? 0
        #expect(s.logView?.paused == true, "a search holds the view on its match")
        _ = update(&s, .logLines(generation: gen, (50..<62).map { "ok \($0)" }))
        var text = render(s).text
        #expect(text.contains("PAUSED +12 new · /broker match 5/5"))
        #expect(!text.contains("ok 61"))
        _ = update(&s, .key(.char("G")))
        #expect(s.logView?.following == true)
        _ = update(&s, .logLines(generation: gen, ["ok 62 after G"]))
        text = render(s).text
        #expect(text.contains("ok 62 after G"), "G resumed the follow: the newest line is on screen")
        #expect(!text.contains(" new ·") && !text.contains("PAUSED"))
        // Space pauses and resumes the same way.
        _ = update(&s, .key(.char(" ")))
        _ = update(&s, .logLines(generation: gen, ["ok 63"]))
        #expect(render(s).text.contains("+1 new"))
        _ = update(&s, .key(.char(" ")))
        #expect(s.logView?.newSincePause == 0 && s.logView?.following == true)
    }

    @Test func escClearsTheSearchBeforeItLeaves() {
        var s = Self.searched()
        _ = update(&s, .key(.char("f")))
        #expect(update(&s, .key(.escape)).isEmpty)
        #expect(s.mode.scope == .logs, "Esc left the tail instead of clearing the search")
        #expect(s.logView?.search == nil && s.logView?.filterOnly == false)
        #expect(!render(s).text.contains("/broker"))
        #expect(update(&s, .key(.escape)) == [.stopLogs])
        #expect(s.mode == .dashboard)
    }

    @Test func pReadsThePreviousContainersLogOnceAndBack() {
        var s = Self.state()
        _ = update(&s, .key(.char("l")))
        guard case .startLogs(let previous)? = update(&s, .key(.char("p"))).first else { Issue.record("p started nothing"); return }
        #expect(previous.arguments == ["--context", "demo", "--namespace", "paperless-ngx", "logs", "paperless-ngx-abc", "-c", "paperless-ngx", "--timestamps", "--previous", "--tail=200"])
        _ = update(&s, .logLines(generation: previous.generation, ["2027-01-15T07:59:58Z django.db.utils.OperationalError: connection refused"]))
        #expect(update(&s, .logEnded(generation: previous.generation, reason: "ended")).isEmpty, "the previous log is whole: not reconnected")
        var text = render(s).text
        #expect(text.contains("PREVIOUS") && text.contains("previous container's log, complete"))
        #expect(text.contains("OperationalError"))
        guard case .startLogs(let live)? = update(&s, .key(.char("p"))).first else { Issue.record("p again started nothing"); return }
        #expect(live.arguments.contains("-f") && !live.arguments.contains("--previous"))
        // No previous container: kubectl's answer is the status, not a reconnect loop.
        _ = update(&s, .key(.char("p")))
        let gen = s.logView?.generation ?? 0
        #expect(update(&s, .logEnded(generation: gen, reason: "previous terminated container \"paperless-ngx\" in pod \"paperless-ngx-abc\" not found")).isEmpty)
        text = render(s).text
        #expect(text.contains("previous container's log: previous terminated container"))
    }
}

@Suite struct LogLineCapTests {
    /// The log tail keeps a 40 KB line cut to `Redactor.lineLimit` bytes, marked, its secret masked.
    @Test func aHugeLineIsCutMarkedAndRedacted() {
        let entry = LogEntry(raw: "2027-01-15T08:00:00.000000000Z [ERROR] token=abc" + String(repeating: "x", count: 40_000))
        #expect(entry.text.hasPrefix("[ERROR] token=*** … [cut "), "\(entry.text.prefix(60))")
        #expect(entry.text.utf8.count < 100)
        #expect(entry.level == .error)
    }
}
