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
        #expect(text.contains("/broker 5× FILTER"))
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
