import Foundation
import PaperDomain
import PaperKube

// MARK: - LogSource

/// A container whose log the tail can follow.
public struct LogSource: Sendable, Equatable {
    public var pod: String
    public var container: String

    public init(pod: String, container: String) {
        self.pod = pod
        self.container = container
    }

    public var label: String { "\(pod)/\(container)" }

    /// The app container first (never the Linkerd sidecar by default), then its sidecars, Redis, the database.
    public static func from(_ snapshot: Snapshot, config: PaperConfig) -> [LogSource] {
        func running(_ pods: [Pod]) -> [Pod] { pods.sorted { ($0.startTime ?? 0) > ($1.startTime ?? 0) } }
        let app = running(snapshot.pods.filter { $0.metadata.name.hasPrefix(config.app.deployment + "-") && !$0.metadata.name.hasPrefix(config.redis.deployment) && $0.containerNames.contains(config.app.container) })
        let redis = running(snapshot.pods.filter { $0.metadata.name.hasPrefix(config.redis.deployment + "-") })
        let db = running(snapshot.pods.filter { $0.metadata.labels["cnpg.io/cluster"] == config.database.cluster })
        var out: [LogSource] = []
        for pod in app.prefix(1) {
            out.append(LogSource(pod: pod.metadata.name, container: config.app.container))
            for c in pod.containerNames where c != config.app.container { out.append(LogSource(pod: pod.metadata.name, container: c)) }
        }
        for pod in redis.prefix(1) {
            for c in pod.containerNames.sorted(by: { a, _ in !config.app.sidecars.contains(a) }) { out.append(LogSource(pod: pod.metadata.name, container: c)) }
        }
        for pod in db.prefix(1) { for c in pod.containerNames { out.append(LogSource(pod: pod.metadata.name, container: c)) } }
        return out
    }
}

// MARK: - LogStreamRequest

/// One `kubectl logs -f` to start; `generation` tells its lines apart from an older stream's.
public struct LogStreamRequest: Sendable, Equatable {
    public var generation: Int
    public var arguments: [String]
    /// Seconds to wait first (a reconnect after the stream ended).
    public var delay: Double

    public init(generation: Int, arguments: [String], delay: Double = 0) {
        self.generation = generation
        self.arguments = arguments
        self.delay = delay
    }
}

// MARK: - LogEntry

/// One line of the log tail: `LogLine`'s parse and `LogLevel`'s classification, redacted for display.
public struct LogEntry: Sendable, Equatable {
    public enum Level: Sendable, Equatable { case error, warn, plain }
    /// The kubelet's RFC 3339 timestamp (from `--timestamps`).
    public var time: String?
    /// The line, credentials already redacted.
    public var text: String
    public var level: Level

    /// `raw` is cut to `Redactor.lineLimit` bytes first (the cut marked), so what the tail keeps is bounded.
    public init(raw: String) {
        let raw = LineCap.cap(raw, limit: Redactor.lineLimit)
        let stamped = LogLine.split(Substring(raw))
        time = stamped.map { String($0.stamp) }
        text = Redactor.redact(stamped.map { String($0.text) } ?? raw)
        let classified = LogLevel(classifying: text)
        level = classified.showsAsError ? .error : classified == .warn ? .warn : .plain
    }
}

// MARK: - LogViewState

/// The full-screen log tail: bounded scrollback, pause, search, filter, wrap, timestamps, time window.
public struct LogViewState: Sendable, Equatable {
    public static let windows: [(label: String, seconds: Int?)] = [("tail", nil), ("1m", 60), ("5m", 300), ("15m", 900), ("1h", 3600)]

    public var sources: [LogSource]
    public var sourceIndex = 0
    public var entries: [LogEntry] = []
    public var capacity: Int
    public var dropped = 0
    public var paused = false
    /// Lines scrolled up from the bottom (0 follows the tail).
    public var scrollFromBottom = 0
    /// The search term; setting it recounts the matches once, `append` keeps the count current.
    public var search: String? {
        didSet { matchCount = search.map { term in entries.count { Self.matches($0, term) } } ?? 0 }
    }
    public private(set) var matchCount = 0
    public var searchDraft: String?
    public var filterOnly = false
    public var wrap = false
    public var showTimestamps = false
    public var window = 0
    public var generation = 0
    public var status = "connecting"
    /// The newest timestamp seen: a reconnect asks for lines since then and skips what it already has.
    public var lastTime: String?
    public var lastEpoch: Double?
    /// Index (in `visible`) of the current search match, for n/N.
    public var matchCursor: Int?
    public var reconnects = 0

    public init(sources: [LogSource], capacity: Int = 100_000) {
        self.sources = sources
        self.capacity = max(1, capacity)
    }

    public var source: LogSource? { sources.indices.contains(sourceIndex) ? sources[sourceIndex] : nil }

    /// The entries the view shows (all, or only matches in filter mode).
    public var visible: [LogEntry] {
        guard filterOnly, let search, !search.isEmpty else { return entries }
        return entries.filter { Self.matches($0, search) }
    }

    /// Case-insensitive search, as the operator expects from `/`.
    public static func matches(_ entry: LogEntry, _ term: String) -> Bool {
        !term.isEmpty && entry.text.range(of: term, options: .caseInsensitive) != nil
    }

    /// Forgets every line (a new container or time window); the search term stays.
    public mutating func clear() {
        entries = []
        dropped = 0
        scrollFromBottom = 0
        lastTime = nil
        lastEpoch = nil
        reconnects = 0
        matchCursor = nil
        matchCount = 0
    }

    /// Appends lines, dropping the oldest beyond the capacity and counting them.
    public mutating func append(_ raw: [String]) {
        var fresh: [LogEntry] = []
        fresh.reserveCapacity(raw.count)
        for line in raw {
            let entry = LogEntry(raw: line)
            let epoch = entry.time.flatMap(UTCTime.parse)
            // After a reconnect with --since-time, lines at or before the last one seen are repeats.
            if reconnects > 0, let last = lastEpoch, let e = epoch, e <= last { continue }
            fresh.append(entry)
            if let e = epoch {
                lastEpoch = e
                lastTime = entry.time
            }
        }
        entries.append(contentsOf: fresh)
        if let term = search { matchCount += fresh.count { Self.matches($0, term) } }
        if entries.count > capacity {
            let excess = entries.count - capacity
            if let term = search { matchCount -= entries.prefix(excess).count { Self.matches($0, term) } }
            entries.removeFirst(excess)
            dropped += excess
        }
        if paused || scrollFromBottom > 0 { scrollFromBottom += fresh.count }
    }

    /// kubectl's arguments for this view's next stream.
    public func arguments(globalArguments: [String], namespace: String, reconnect: Bool) -> [String] {
        guard let source else { return [] }
        var args = globalArguments + ["logs", "-f", source.pod, "-c", source.container, "--timestamps"]
        if !globalArguments.contains("--namespace") { args += ["-n", namespace] }
        if reconnect, let lastTime {
            args.append("--since-time=\(lastTime)")
        } else if let seconds = Self.windows[window].seconds {
            args.append("--since=\(seconds)s")
        } else {
            args.append("--tail=200")
        }
        return args
    }
}
