import Foundation
import PaperDomain
import PaperKube
import PaperUI
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// MARK: - ProxySupervisor

/// Keeps one read-only `kubectl proxy` running for the dashboard and the watches behind it.
///
/// The proxy runs through the one kubectl runner (so it is in the command log and is killed with
/// its process group when the dashboard stops), on a socket in a fresh `0700` directory that is
/// removed whenever the proxy ends. While the watches are live the refresher builds snapshots
/// from them; when the proxy cannot start, dies, or its requests are refused, `status` says why
/// and when it is retried (1, 2, 5, 10, 30, then every 60 s) and the refresher polls with kubectl.
public final class ProxySupervisor: Sendable {
    struct State {
        var live: LiveObjects?
        var reader: RecordingRunner?
        var status: LiveStatus = .off
        var task: Task<Void, Never>?
        var socket: String?
    }

    let runner: RecordingRunner
    let target: KubeTarget
    let pollInterval: Double
    let requestTimeout: Double
    let environment: [String: String]
    let clock: @Sendable () -> Double
    let report: @Sendable (CommandRecord) -> Void
    let onChange: @Sendable () -> Void
    let onLive: @Sendable () -> Void
    let retryDelays: [Double]
    private let state = Mutex(State())

    /// - Parameters:
    ///   - runner: the kubectl runner (the proxy is one long-lived command of it).
    ///   - pollInterval: the refresh interval: how often the unwatchable reads are repeated.
    ///   - onChange: a watch saw a change, or the proxy came up or went down.
    ///   - onLive: the watches became live (the app log can move onto the proxy).
    public init(runner: RecordingRunner, target: KubeTarget, pollInterval: Double, requestTimeout: Double,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                retryDelays: [Double] = [1, 2, 5, 10, 30, 60],
                report: @escaping @Sendable (CommandRecord) -> Void,
                onChange: @escaping @Sendable () -> Void, onLive: @escaping @Sendable () -> Void = {}) {
        self.runner = runner
        self.target = target
        self.pollInterval = pollInterval
        self.requestTimeout = requestTimeout
        self.environment = environment
        self.clock = clock
        self.retryDelays = retryDelays.isEmpty ? [1] : retryDelays
        self.report = report
        self.onChange = onChange
        self.onLive = onLive
    }

    /// Starts supervising (once).
    public func start() {
        state.withLock { s in
            guard s.task == nil else { return }
            s.status = .starting
            s.task = Task { [self] in await supervise() }
        }
    }

    /// Stops the proxy and waits until its process is gone and its socket directory removed.
    public func stop() async {
        let task = state.withLock { s -> Task<Void, Never>? in
            defer { s.task = nil }
            return s.task
        }
        task?.cancel()
        await task?.value
    }

    /// Why the data are not live, or `.starting` / `.off`; the refresher says `.live` itself.
    public var status: LiveStatus { state.withLock { $0.status } }

    /// The watched objects and the proxy's raw-read runner, while a proxy runs.
    public var current: (live: LiveObjects, reader: RecordingRunner)? {
        state.withLock { s in
            guard let live = s.live, let reader = s.reader else { return nil }
            return (live, reader)
        }
    }

    /// The socket of the running proxy (tests, benchmarks).
    public var socket: String? { state.withLock { $0.socket } }

    // MARK: - Supervising

    func supervise() async {
        ProxySocketDirectory.sweep(environment: environment)
        var failures = 0
        while !Task.isCancelled {
            let started = clock()
            state.withLock { $0.status = .starting }
            let reason = await attempt()
            guard !Task.isCancelled else { break }
            if clock() - started > 120 { failures = 0 }  // it ran a good while: start the backoff over
            let delay = retryDelays[min(failures, retryDelays.count - 1)]
            failures += 1
            state.withLock { $0.status = .down(reason: reason, retryAt: clock() + delay) }
            // The whole reason, uncut, where the operator looks for why (the header has no room).
            var record = CommandRecord(startedAt: clock(), duration: clock() - started,
                                       commandLine: "live updates off, polling with kubectl until the proxy restarts in \(Int(delay)) s: \(reason)",
                                       exitStatus: nil, isAction: false)
            record.note = "POLLING"
            report(record)
            onChange()
            try? await Task.sleep(for: .seconds(delay))
        }
        state.withLock { $0.status = .off }
    }

    /// One proxy's life: start it, wait for its socket, list and watch through it until either
    /// ends; returns why. The directory is removed on every way out, cancellation included.
    func attempt() async -> String {
        let directory: String
        do {
            directory = try ProxySocketDirectory.create(environment: environment)
        } catch {
            return "no private directory for the proxy socket: \(error)"
        }
        defer { ProxySocketDirectory.remove(directory) }
        let socket = "\(directory)/kube.sock"
        let command = KubectlCommand.readOnlyProxy(socket: socket, target: target)
        let runner = self.runner
        // kubectl prints this once it listens; the socket file alone appears a moment earlier (bind).
        let serving = ServingFlag()
        let reason = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                let end = await runner.follow(command) { lines in
                    if lines.contains(where: { $0.hasPrefix("Starting to serve on") }) { serving.set() }
                }
                switch end {
                case .cancelled: return nil
                case .ended: return "kubectl proxy exited"
                case .failed(let error): return "kubectl proxy failed: \(Redactor.redact(error.description))"
                }
            }
            group.addTask { [self] in await watch(socket: socket, serving: serving) }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        state.withLock { s in
            s.live = nil
            s.reader = nil
            s.socket = nil
        }
        return reason ?? "stopped"
    }

    /// Waits until the proxy serves, then runs the watches through it; nil when cancelled.
    func watch(socket: String, serving: ServingFlag) async -> String? {
        var waited = 0.0
        while !serving.isSet {
            guard waited < 15, !Task.isCancelled else { return Task.isCancelled ? nil : "kubectl proxy did not open its socket within 15 s" }
            try? await Task.sleep(for: .milliseconds(50))
            waited += 0.05
        }
        let report = self.report
        let reader = RecordingRunner(base: ProxyRunner(client: ProxyClient(socketPath: socket, timeout: requestTimeout)), clock: clock, viaProxy: true, report: report)
        let onChange = self.onChange
        let onLive = self.onLive
        let announced = Atomic<Bool>(false)
        let live = LiveObjects(reader: reader, target: target, pollInterval: pollInterval, clock: clock) {
            // The first change is the end of the initial lists: the watches are live.
            if !announced.exchange(true, ordering: .relaxed) { onLive() }
            onChange()
        }
        state.withLock { s in
            s.live = live
            s.reader = reader
            s.socket = socket
        }
        let error = await live.run()
        if Task.isCancelled { return nil }
        return error.map { "reads through kubectl proxy failed: \(Redactor.redact($0.description))" } ?? "the watches ended"
    }
}

/// Set once the proxy said it serves.
final class ServingFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

// MARK: - ProxySocketDirectory

/// The private directories the proxy sockets live in: `$XDG_RUNTIME_DIR/paperctl/proxy-XXXXXX`
/// (or `$TMPDIR/paperctl-<uid>/proxy-XXXXXX`), each `0700` and owned by the user.
public enum ProxySocketDirectory {
    public enum Failure: Error, CustomStringConvertible {
        case unsafe(String)
        case cannotCreate(String, Int32)

        public var description: String {
            switch self {
            case .unsafe(let path): "\(path) is not a directory owned by this user with mode 0700"
            case .cannotCreate(let path, let errno): "cannot create \(path): \(String(cString: strerror(errno)))"
            }
        }
    }

    /// The parent directory for `environment`.
    public static func parent(environment: [String: String]) -> String {
        if let xdg = environment["XDG_RUNTIME_DIR"], !xdg.isEmpty { return "\(xdg)/paperctl" }
        let tmp = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return "\(tmp.hasSuffix("/") ? String(tmp.dropLast()) : tmp)/paperctl-\(getuid())"
    }

    /// Where sockets go when `parent` is not ours (another user made `/tmp/paperctl-<uid>` first,
    /// or gave it the wrong mode): a private directory under the user's cache, which no one else
    /// can create for us. Nil without a home.
    public static func fallbackParent(environment: [String: String]) -> String? {
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return "\(cache)/paperctl/run" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return "\(home)/.cache/paperctl/run"
    }

    /// Makes `path` (and its missing parents) and checks it is a directory of this user that no
    /// one else can enter.
    static func privateDirectory(_ path: String) throws -> String {
        if mkdir(path, 0o700) != 0 {
            if errno == ENOENT {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                if mkdir(path, 0o700) != 0, errno != EEXIST { throw Failure.cannotCreate(path, errno) }
            } else if errno != EEXIST {
                throw Failure.cannotCreate(path, errno)
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(), info.st_mode & 0o077 == 0 else {
            throw Failure.unsafe(path)
        }
        return path
    }

    /// Creates a fresh private directory and returns its path.
    ///
    /// It is made as `.new-XXXXXX`, its `owner` file written, and only then renamed to
    /// `proxy-XXXXXX`: a sweep by another start never sees a proxy directory without its owner
    /// (it would have taken it for a killed dashboard's and removed it under the new proxy).
    public static func create(environment: [String: String]) throws -> String {
        let parent: String
        do {
            parent = try privateDirectory(Self.parent(environment: environment))
        } catch Failure.unsafe(let path) {
            guard let fallback = fallbackParent(environment: environment) else { throw Failure.unsafe(path) }
            parent = try privateDirectory(fallback)
        }
        var template = Array("\(parent)/.new-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw Failure.cannotCreate("\(parent)/.new-XXXXXX", errno)
        }
        let fresh = String(cString: made)
        // Who owns it, so that a later start can tell a killed dashboard's leftovers from a live one's.
        do {
            try "\(getpid()) \(processStart(getpid()) ?? "")\n".write(toFile: "\(fresh)/owner", atomically: true, encoding: .utf8)
        } catch {
            remove(fresh)
            throw Failure.cannotCreate("\(fresh)/owner", EIO)
        }
        let directory = "\(parent)/proxy-\(fresh.suffix(6))"
        guard rename(fresh, directory) == 0 else {
            let code = errno
            remove(fresh)
            throw Failure.cannotCreate(directory, code)
        }
        return directory
    }

    /// Removes what dashboards killed without cleaning up (`kill -9`, a crash) left: directories
    /// whose owner is gone, and the `kubectl proxy` still serving in them (it is in a session of
    /// its own, so it outlived its parent). Returns the directories removed.
    @discardableResult
    public static func sweep(environment: [String: String]) -> [String] {
        var removed: [String] = []
        for parent in [parent(environment: environment), fallbackParent(environment: environment)].compactMap({ $0 }) {
            removed += sweep(parent: parent)
        }
        return removed
    }

    static func sweep(parent: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        var removed: [String] = []
        // A `.new-` directory lives for the microseconds between mkdtemp and rename; one a minute
        // old belongs to a start that died right there.
        for entry in entries where entry.hasPrefix(".new-") {
            let attributes = try? FileManager.default.attributesOfItem(atPath: "\(parent)/\(entry)")
            if let made = attributes?[.modificationDate] as? Date, made.timeIntervalSinceNow < -60 {
                remove("\(parent)/\(entry)")
                removed.append("\(parent)/\(entry)")
            }
        }
        for entry in entries where entry.hasPrefix("proxy-") {
            let directory = "\(parent)/\(entry)"
            let owner = (try? String(contentsOfFile: "\(directory)/owner", encoding: .utf8))?.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? []
            if let pid = owner.first.flatMap({ Int32($0) }), let started = owner.dropFirst().first, processStart(pid) == started { continue }  // alive
            for pid in proxies(serving: "\(directory)/kube.sock") { kill(pid, SIGTERM) }
            remove(directory)
            removed.append(directory)
        }
        return removed
    }

    /// The start time of `pid` (field 22 of /proc/PID/stat), to tell it from a later process with its number.
    static func processStart(_ pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }

    /// Processes of this user whose command line is a `kubectl proxy` on `socket`.
    static func proxies(serving socket: String) -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let args = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return args.contains("proxy") && args.contains(socket) && (args.first?.hasSuffix("kubectl") ?? false)
        }
    }

    /// Removes a proxy directory and whatever kubectl left in it (its socket).
    public static func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
