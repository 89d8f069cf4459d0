import Foundation
import PaperKube
import Synchronization
import Testing
@testable import PaperDomain

// MARK: - A scripted streamer

/// Plays one session per `follow` call: delivers its batches, then ends as scripted, or stays
/// open until cancelled. Records every command it was asked to follow.
final class ScriptedStreamer: CommandStreaming, Sendable {
    struct Session: Sendable {
        var batches: [[String]]
        /// nil: stay open until cancelled.
        var end: FollowEnd?
    }

    private let state: Mutex<(sessions: [Session], commands: [KubectlCommand])>

    init(_ sessions: [Session]) { state = Mutex((sessions, [])) }

    var commands: [KubectlCommand] { state.withLock { $0.commands } }

    func follow(_ command: KubectlCommand, deliver: @escaping @Sendable ([String]) -> Void) async -> FollowEnd {
        let session = state.withLock { state -> Session in
            state.commands.append(command)
            return state.sessions.isEmpty ? Session(batches: [], end: nil) : state.sessions.removeFirst()
        }
        for batch in session.batches { deliver(batch) }
        if let end = session.end { return end }
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
        return .cancelled
    }
}

/// A clock the test moves.
final class TestClock: Sendable {
    private let value: Mutex<Double>
    init(_ start: Double) { value = Mutex(start) }
    var now: Double { value.withLock { $0 } }
    func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
}

// MARK: - Tests

@Suite("AppLogFeed: the dashboard's followed app log")
struct AppLogFeedTests {
    static let t0 = Fixtures.now

    static func line(_ offset: Double, _ text: String) -> String { "\(UTCTime.rfc3339Nano(t0 + offset)) \(text)" }

    static func feed(_ streamer: ScriptedStreamer, clock: TestClock) -> AppLogFeed {
        var settings = AppLogFeed.Settings(window: 3600)
        settings.settle = 2
        settings.retryDelays = [0.01]
        settings.resumeDelay = 0.01
        return AppLogFeed(streamer: streamer, settings: settings, clock: { clock.now }) { resumeAt in
            KubectlCommand.followLogs(workload: "deploy/paperless-ngx", container: "paperless-ngx", sinceSeconds: 3600, resumeAt: resumeAt, target: Fixtures.target)
        }
    }

    /// Waits (in real time) until `condition` holds, for at most 5 s.
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func itIsNotLiveUntilTheBacklogHadTimeToArriveThenHoldsTheWindow() async {
        let streamer = ScriptedStreamer([.init(batches: [[Self.line(-7200, "too old"), Self.line(-60, "[ERROR] a"), Self.line(-30, "[INFO] b")]], end: nil)])
        let clock = TestClock(Self.t0)
        let feed = Self.feed(streamer, clock: clock)
        #expect(feed.recentLines() == nil)
        feed.start()
        #expect(await Self.eventually { streamer.commands.count == 1 })
        #expect(feed.recentLines() == nil)  // connected, still settling
        clock.advance(2)
        let lines = feed.recentLines()
        #expect(lines?.map(\.text) == ["[ERROR] a", "[INFO] b"])
        #expect(streamer.commands.first?.arguments == ["--namespace", "paperless-ngx", "logs", "deploy/paperless-ngx", "-c", "paperless-ngx",
                                                       "-f", "--timestamps", "--pod-running-timeout=2s", "--since=1h"])
        // An hour later the old lines have left the window.
        clock.advance(3600)
        #expect(feed.recentLines()?.isEmpty == true)
        feed.stop()
        #expect(feed.recentLines() == nil)
    }

    /// A 1 MB log line is kept cut, with the cut marked: the feed's memory stays bounded.
    @Test func aHugeLineIsCutAtIngestionWithAMark() async {
        let huge = "[ERROR] token=abc" + String(repeating: "x", count: 1 << 20)
        let streamer = ScriptedStreamer([.init(batches: [[Self.line(-30, huge)]], end: nil)])
        let clock = TestClock(Self.t0)
        let feed = Self.feed(streamer, clock: clock)
        feed.start()
        defer { feed.stop() }
        #expect(await Self.eventually { streamer.commands.count == 1 })
        clock.advance(2)
        let kept = feed.recentLines()?.first?.text ?? ""
        #expect(kept.hasPrefix("[ERROR] token=abc"))
        #expect(kept.hasSuffix(" bytes]") && kept.contains(" … [cut "), "\(kept.suffix(40))")
        #expect(kept.utf8.count < Redactor.lineLimit + 40)
    }

    @Test func aStreamThatDeliversNothingNeverPassesForAQuietLog() async {
        // kubectl hanging on a dead server looks like an empty stream: the snapshot must read the log itself.
        let streamer = ScriptedStreamer([.init(batches: [], end: nil)])
        let clock = TestClock(Self.t0)
        let feed = Self.feed(streamer, clock: clock)
        feed.start()
        defer { feed.stop() }
        #expect(await Self.eventually { streamer.commands.count == 1 })
        clock.advance(60)
        #expect(feed.recentLines() == nil)
    }

    @Test func aStreamThatEndsIsResumedAtItsNewestLineWithoutDuplicates() async throws {
        let streamer = ScriptedStreamer([
            .init(batches: [[Self.line(-20, "one"), Self.line(-10.5, "two")]], end: .ended),
            // kubectl's --since-time has whole seconds: the server sends "two" again.
            .init(batches: [[Self.line(-10.5, "two"), Self.line(-5, "three")]], end: nil),
        ])
        let clock = TestClock(Self.t0)
        let feed = Self.feed(streamer, clock: clock)
        feed.start()
        defer { feed.stop() }
        #expect(await Self.eventually { streamer.commands.count == 2 })
        clock.advance(2)
        #expect(await Self.eventually { feed.recentLines()?.count == 3 })
        #expect(feed.recentLines()?.map(\.text) == ["one", "two", "three"])
        let resumed = try #require(streamer.commands.last?.arguments.last)
        #expect(resumed == "--since-time=\(UTCTime.rfc3339Nano(Self.t0 - 10.5))")
    }

    @Test func aFailingStreamIsNotLiveAndIsRetried() async {
        let forbidden = KubectlError.forbidden(verb: "get", resource: "pods/log", detail: "")
        let streamer = ScriptedStreamer([.init(batches: [], end: .failed(forbidden)), .init(batches: [], end: .failed(forbidden)),
                                         .init(batches: [[Self.line(-1, "back")]], end: nil)])
        let clock = TestClock(Self.t0)
        let feed = Self.feed(streamer, clock: clock)
        feed.start()
        defer { feed.stop() }
        #expect(await Self.eventually { streamer.commands.count == 3 })
        clock.advance(2)
        #expect(await Self.eventually { feed.recentLines()?.map(\.text) == ["back"] })
        #expect(feed.lastError == nil)
    }

    @Test func theSnapshotTakesTheLogFromALiveFeedAndReadsNoLogItself() async {
        let streamer = ScriptedStreamer([.init(batches: [[Self.line(-60, "[2026-11-29 11:59:00,000] [ERROR] [celery.app.trace] Task x raised unexpected: ConnectionError('Error 111 connecting to paperless-ngx-redis:6379. Connection refused.')")]], end: nil)])
        let clock = TestClock(Self.t0)
        let feed = Self.feed(streamer, clock: clock)
        feed.start()
        defer { feed.stop() }
        #expect(await Self.eventually { streamer.commands.count == 1 })
        let discovery = DiscoveryCache()
        let runner = SnapshotFetcherTests.runner()
        _ = await SnapshotFetcher(runner: runner, config: PaperConfig(), target: Fixtures.target, discovery: discovery, clock: { Fixtures.now }).fetch()
        // Settling: the snapshot still reads the log itself.
        let settling = await SnapshotFetcher(runner: runner, config: PaperConfig(), target: Fixtures.target, discovery: discovery, clock: { Fixtures.now }, logFeed: feed).fetch()
        #expect(settling.processCount == 3)
        clock.advance(2)
        let before = runner.argumentArrays.count
        let live = await SnapshotFetcher(runner: runner, config: PaperConfig(), target: Fixtures.target, discovery: discovery, clock: { Fixtures.now }, logFeed: feed).fetch()
        #expect(live.processCount == 2)
        #expect(runner.argumentArrays[before...].allSatisfy { !$0.contains("logs") && $0.last?.contains("/log?") != true })
        #expect(live.logs.value?.count == 1)
        let result = HealthChecks.run(live, config: PaperConfig(), now: Fixtures.now).first { $0.id == .logs }
        #expect(result?.verdict == .critical)
    }
}
