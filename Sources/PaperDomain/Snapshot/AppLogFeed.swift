import Foundation
import PaperKube
import Synchronization

// MARK: - AppLogFeed

/// The app log, followed by one long-lived `kubectl logs -f` instead of re-read on every refresh.
///
/// A refresh every few seconds that re-downloads the last hour of log costs a kubectl process
/// and the whole hour's bytes each time; the dashboard follows the log once and keeps the
/// window in memory. When the stream ends (the pod was replaced) the feed resumes with
/// `--since-time` at its newest line and drops the lines it already has; when it fails it
/// retries with a growing delay. Until a stream has delivered lines and has been connected for
/// `settle` seconds (long enough for the backlog to arrive) `recentLines()` says nil, and the
/// snapshot reads the log itself: a snapshot never holds a partial hour, and a kubectl hanging
/// on a dead server never passes for a quiet log. (An app that logged nothing for an hour
/// keeps the snapshot reading the log itself until it does.)
public final class AppLogFeed: Sendable {
    public struct Settings: Sendable {
        /// Seconds of log kept and returned: the logs check's window.
        public var window: Double
        /// Seconds after (re)connecting before the feed counts as live.
        public var settle: Double = 2
        /// Waits before reconnecting after a failure, growing with each failure in a row.
        public var retryDelays: [Double] = [1, 2, 5, 10, 30]
        /// Wait before resuming after a stream that ended normally.
        public var resumeDelay: Double = 0.5
        /// The most lines held (the oldest go first).
        public var maxLines = 100_000

        public init(window: Double) { self.window = window }
    }

    private struct State {
        var lines: [LogLine] = []
        var connectedAt: Double?
        /// Lines have arrived on the current connection: kubectl is really streaming, not hanging
        /// on a dead server.
        var heardFrom = false
        var lastError: KubectlError?
        var task: Task<Void, Never>?
        /// On a resumed stream: lines at or before this time are kept only when new.
        var resumedAt: Double?
        var known: Set<String> = []
        /// The current stream follows a fallback route.
        var onFallback = false
    }

    /// What to follow from `resumeAt` (nil: the whole window), and through what: `kubectl logs -f`
    /// as a process, or the same log as a raw stream through the dashboard's proxy.
    public typealias Source = @Sendable (_ resumeAt: Double?) async -> Route

    /// One way to follow the log.
    public struct Route: Sendable {
        public var streamer: any CommandStreaming
        public var command: KubectlCommand
        /// The costly way (a kubectl process), taken while the cheap one is not available:
        /// `reconsider()` moves off it.
        public var isFallback: Bool

        public init(streamer: any CommandStreaming, command: KubectlCommand, isFallback: Bool = false) {
            self.streamer = streamer
            self.command = command
            self.isFallback = isFallback
        }
    }

    let source: Source
    let clock: @Sendable () -> Double
    let settings: Settings
    private let state = Mutex(State())

    public init(settings: Settings, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }, source: @escaping Source) {
        self.settings = settings
        self.clock = clock
        self.source = source
    }

    public convenience init(streamer: any CommandStreaming, settings: Settings, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                            command: @escaping @Sendable (_ resumeAt: Double?) -> KubectlCommand) {
        self.init(settings: settings, clock: clock) { resumeAt in Route(streamer: streamer, command: command(resumeAt)) }
    }

    /// The feed for the app container of `config`, following through `streamer`.
    public convenience init(streamer: any CommandStreaming, config: PaperConfig, target: KubeTarget, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.init(settings: Settings(window: config.thresholds.logWindowSeconds), clock: clock) { resumeAt in
            Route(streamer: streamer, command: Self.followCommand(config: config, target: target, resumeAt: resumeAt))
        }
    }

    /// `kubectl logs -f deploy/…` for the app container, from the window or from `resumeAt`.
    public static func followCommand(config: PaperConfig, target: KubeTarget, resumeAt: Double?) -> KubectlCommand {
        KubectlCommand.followLogs(workload: "deploy/\(config.app.deployment)", container: config.app.container,
                                  sinceSeconds: Int(config.thresholds.logWindowSeconds), resumeAt: resumeAt, target: target).singleThreaded()
    }

    /// Follows again when the current stream is a fallback route (the cheap one may be there now).
    public func reconsider() {
        guard state.withLock({ $0.onFallback }) else { return }
        restart()
    }

    /// Ends the current stream and follows again (resuming at the newest line), e.g. because a
    /// cheaper way to follow became available.
    public func restart() {
        state.withLock { state in
            guard let task = state.task else { return }
            task.cancel()
            state.connectedAt = nil
            state.onFallback = false
            state.task = Task { [weak self] in
                await task.value
                await self?.followLoop()
            }
        }
    }

    /// Starts following (once). The following task keeps the feed alive: `stop()` ends it and
    /// kills kubectl's process group.
    public func start() {
        state.withLock { state in
            guard state.task == nil else { return }
            state.task = Task { [weak self] in await self?.followLoop() }
        }
    }

    public func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
            state.connectedAt = nil
        }
    }

    /// The lines of the last `window` seconds, oldest first, or nil while the feed is not live
    /// (not started, connecting, reading its backlog, or failing).
    public func recentLines() -> [LogLine]? {
        let now = clock()
        return state.withLock { state in
            guard let connected = state.connectedAt, state.heardFrom, now - connected >= settings.settle else { return nil }
            Self.prune(&state, now: now, settings: settings)
            return state.lines
        }
    }

    /// Why the last stream failed, if it did.
    public var lastError: KubectlError? { state.withLock { $0.lastError } }

    // MARK: - Following

    private func followLoop() async {
        var failures = 0
        while !Task.isCancelled {
            let resumeAt = state.withLock { state -> Double? in
                let newest = state.lines.last?.time
                state.resumedAt = newest
                // kubectl's --since-time has whole-second precision: remember the lines of that second.
                state.known = newest.map { newest in
                    Set(state.lines.reversed().prefix { ($0.time ?? newest) >= newest.rounded(.down) - 1 }.map(Self.key))
                } ?? []
                state.connectedAt = clock()
                state.heardFrom = false
                return newest
            }
            let route = await source(resumeAt)
            state.withLock { $0.onFallback = route.isFallback }
            let end = await route.streamer.follow(route.command) { [weak self] batch in self?.receive(batch) }
            state.withLock { $0.onFallback = false }
            state.withLock { $0.connectedAt = nil }
            let delay: Double
            switch end {
            case .cancelled:
                return
            case .ended:
                failures = 0
                delay = settings.resumeDelay
            case .failed(let error):
                state.withLock { $0.lastError = error }
                delay = settings.retryDelays[min(failures, settings.retryDelays.count - 1)]
                failures += 1
            }
            try? await Task.sleep(for: .seconds(delay))
        }
    }

    func receive(_ batch: [String]) {
        let now = clock()
        state.withLock { state in
            state.lastError = nil
            state.heardFrom = true
            for raw in batch where !raw.isEmpty {
                // A line is kept to `Redactor.lineLimit` bytes, with the cut marked: memory stays bounded.
                let line = LogLine(parsing: Substring(LineCap.cap(raw, limit: Redactor.lineLimit)))
                if let resumed = state.resumedAt, let time = line.time, time <= resumed + 1 {
                    guard time >= resumed.rounded(.down) - 1, state.known.insert(Self.key(line)).inserted else { continue }
                }
                state.lines.append(line)
            }
            Self.prune(&state, now: now, settings: settings)
        }
    }

    private static func key(_ line: LogLine) -> String { "\(line.time ?? 0)|\(line.text)" }

    private static func prune(_ state: inout State, now: Double, settings: Settings) {
        let cutoff = now - settings.window
        if let first = state.lines.firstIndex(where: { ($0.time ?? now) >= cutoff }), first > 0 {
            state.lines.removeFirst(first)
        } else if state.lines.last.map({ ($0.time ?? now) < cutoff }) == true {
            state.lines.removeAll()
        }
        if state.lines.count > settings.maxLines { state.lines.removeFirst(state.lines.count - settings.maxLines) }
    }
}
