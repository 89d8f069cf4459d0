import Foundation
import PaperDomain
import PaperKube

// MARK: - LogSource

/// A container whose log the tail can follow.
public struct LogSource: Sendable, Equatable {
    public var pod: String
    public var container: String
    /// The pod has finished (a Job's): its log is whole once read, so an ended stream is not reconnected.
    public var finished = false

    public init(pod: String, container: String, finished: Bool = false) {
        self.pod = pod
        self.container = container
        self.finished = finished
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

    /// One pod's containers, the app's own first (mesh sidecars last), for `l` on a pod or Job row.
    public static func of(_ pod: Pod, sidecars: [String]) -> [LogSource] {
        let finished = pod.phase == .succeeded || pod.phase == .failed
        let names = pod.containerNames.filter { !sidecars.contains($0) } + pod.containerNames.filter { sidecars.contains($0) }
        return names.map { LogSource(pod: pod.metadata.name, container: $0, finished: finished) }
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
    /// Which match the cursor is on, counted from the oldest (1…`matchCount`): `match k/N`.
    public var matchOrdinal: Int?
    public var reconnects = 0
    /// Lines that arrived while the view was paused or scrolled up: `+N new`, until it follows again.
    public var newSincePause = 0
    /// `p`: the previous container's log (`kubectl logs --previous`), read once, not followed.
    public var previous = false
    /// The stream ended for good (a finished pod, the previous container's log): not reconnected.
    public var complete = false

    /// Whether the view shows the newest lines as they come.
    public var following: Bool { !paused && scrollFromBottom == 0 }

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
        matchOrdinal = nil
        newSincePause = 0
        complete = false
        matchCount = search.map { term in entries.count { Self.matches($0, term) } } ?? 0
    }

    /// Back to following the newest line (`G`, Space): the count of new lines starts again.
    public mutating func follow() {
        paused = false
        scrollFromBottom = 0
        newSincePause = 0
        matchCursor = nil
        matchOrdinal = nil
    }

    /// Forgets the search (Esc): the highlight, the cursor and the filter go; the view stays where it is.
    public mutating func clearSearch() {
        search = nil
        matchCursor = nil
        matchOrdinal = nil
        filterOnly = false
    }

    /// Moves to the next match backwards (`older`: towards the oldest line, as `/` from the tail
    /// and `n` do) or forwards (`N`), wrapping round; the first search from the tail lands on the
    /// newest match. Pauses the view on the match. False when nothing matches.
    @discardableResult
    public mutating func moveToMatch(older: Bool, page: Int) -> Bool {
        guard let search, !search.isEmpty else { return false }
        let lines = visible
        let matches = lines.indices.filter { Self.matches(lines[$0], search) }
        guard let first = matches.first, let last = matches.last else {
            matchCursor = nil
            matchOrdinal = nil
            return false
        }
        let current = matchCursor ?? lines.count
        let next = older ? (matches.last { $0 < current } ?? last) : (matches.first { $0 > current } ?? first)
        matchCursor = next
        matchOrdinal = (matches.firstIndex(of: next) ?? 0) + 1
        scrollFromBottom = max(0, lines.count - 1 - next - page / 2)
        paused = true
        return true
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
        let freshMatches = search.map { term in fresh.count { Self.matches($0, term) } } ?? 0
        matchCount += freshMatches
        if !following {
            // Shown lines stay where they are; `visible` grew by what matches in filter mode.
            scrollFromBottom += filterOnly && search != nil ? freshMatches : fresh.count
            newSincePause += fresh.count
        }
        if entries.count > capacity {
            let excess = entries.count - capacity
            let droppedMatches = search.map { term in entries.prefix(excess).count { Self.matches($0, term) } } ?? 0
            matchCount -= droppedMatches
            entries.removeFirst(excess)
            dropped += excess
            // The cursor and its number follow the line they are on, or go with it.
            if let cursor = matchCursor, let ordinal = matchOrdinal {
                let moved = cursor - (filterOnly && search != nil ? droppedMatches : excess)
                matchCursor = moved >= 0 ? moved : nil
                matchOrdinal = moved >= 0 ? ordinal - droppedMatches : nil
            }
        }
    }

    /// kubectl's arguments for this view's next stream.
    public func arguments(globalArguments: [String], namespace: String, reconnect: Bool) -> [String] {
        guard let source else { return [] }
        var args = globalArguments + ["logs"] + (previous ? [] : ["-f"]) + [source.pod, "-c", source.container, "--timestamps"]
        if !globalArguments.contains("--namespace") { args += ["-n", namespace] }
        if previous { args.append("--previous") }
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
