import PaperUI
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// MARK: - TerminalApp

/// The app loop: one actor owns the state and every curses call. Keys, ticks, resizes and
/// finished refreshes arrive as messages; `update` decides; effects run off the actor.
public actor TerminalApp {
    public typealias Refresher = @Sendable () async -> Result<DashboardData, RefreshError>

    /// The side effects besides refreshing: running confirmed actions and the incident journal.
    public struct Executors: Sendable {
        public var runAction: @Sendable (ActionPlan) async -> ActionOutcome
        public var appendJournal: @Sendable (String) -> Void
        public var readJournal: @Sendable () -> [String]
        /// Follows a log: calls `deliver` with batches of lines until the stream ends; returns why it ended.
        public var streamLogs: @Sendable (LogStreamRequest, @escaping @Sendable ([String]) -> Void) async -> String

        public init(runAction: @escaping @Sendable (ActionPlan) async -> ActionOutcome,
                    appendJournal: @escaping @Sendable (String) -> Void, readJournal: @escaping @Sendable () -> [String],
                    streamLogs: @escaping @Sendable (LogStreamRequest, @escaping @Sendable ([String]) -> Void) async -> String = { _, _ in "not wired" }) {
            self.runAction = runAction
            self.appendJournal = appendJournal
            self.readJournal = readJournal
            self.streamLogs = streamLogs
        }

        public static let none = Executors(runAction: { ActionOutcome(plan: $0, succeeded: false, message: "actions are not wired") },
                                           appendJournal: { _ in }, readJournal: { [] })
    }

    enum Event: Sendable {
        case input
        case tick
        case refreshed(Result<DashboardData, RefreshError>, Double)
        case message(Msg)
    }

    private var state: AppState
    private let themes: [Theme]
    private let refresher: Refresher
    private let clock: @Sendable () -> Double
    private let environment: [String: String]
    private let onFrame: (@Sendable (Double) -> Void)?
    private let executors: Executors
    private let messages: AsyncStream<Msg>?

    /// `messages` carries what happens outside the loop (every kubectl command run, for the command log).
    public init(state: AppState, themes: [Theme], environment: [String: String], clock: @escaping @Sendable () -> Double,
                refresher: @escaping Refresher, executors: Executors = .none, messages: AsyncStream<Msg>? = nil,
                onFrame: (@Sendable (Double) -> Void)? = nil) {
        self.executors = executors
        self.messages = messages
        var s = state
        s.themeCount = themes.count
        self.state = s
        self.themes = themes.isEmpty ? [Theme.fallback] : themes
        self.refresher = refresher
        self.clock = clock
        self.environment = environment
        self.onFrame = onFrame
    }

    /// Runs until the operator quits or a terminating signal arrives; the terminal is always restored.
    public func run() async {
        let screen = CursesScreen(environment: environment)
        defer { screen.close() }
        if screen.colorMode == .none, let mono = themes.first(where: { $0.name == "monochrome" }) {
            screen.apply(mono)
        } else {
            screen.apply(themes[state.themeIndex % themes.count])
        }
        var appliedTheme = state.themeIndex
        let size = screen.size
        _ = update(&state, .resize(width: size.width, height: size.height))
        state.now = clock()
        state.nextRefreshAt = state.now  // first refresh right away, after the first frame
        screen.draw(render(state))
        onFrame?(clock())

        let (events, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let inputWatcher = Task.detached { InputWatcher.watch(continuation) }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 200_000_000)
                continuation.yield(.tick)
            }
        }
        let forwarder = Task { [messages] in
            guard let messages else { return }
            for await msg in messages { continuation.yield(.message(msg)) }
        }
        defer {
            forwarder.cancel()
            ticker.cancel()
            inputWatcher.cancel()
            InputWatcher.stop()
        }
        var refreshTask: Task<Void, Never>?
        var logTask: Task<Void, Never>?
        defer { logTask?.cancel() }
        for await event in events {
            var effects: [Effect] = []
            switch event {
            case .input:
                for input in screen.readKeys() {
                    switch input {
                    case .resize:
                        let s = screen.size
                        effects += update(&state, .resize(width: s.width, height: s.height))
                        screen.invalidate()
                    case .key(let k):
                        effects += update(&state, .key(k))
                    }
                }
            case .tick:
                if TerminalSignals.received.load(ordering: .relaxed) != 0 { effects.append(.quit) }
                for input in screen.readKeys() {  // KEY_RESIZE arrives without stdin activity
                    if input == .resize {
                        let s = screen.size
                        effects += update(&state, .resize(width: s.width, height: s.height))
                        screen.invalidate()
                    } else if case .key(let k) = input {
                        effects += update(&state, .key(k))
                    }
                }
                effects += update(&state, .tick(now: clock()))
            case .refreshed(let result, let at):
                effects += update(&state, .refreshed(result, at: at))
            case .message(let msg):
                effects += update(&state, msg)
            }
            for effect in effects {
                switch effect {
                case .journal(let text):
                    executors.appendJournal(text)
                case .loadJournal:
                    effects += update(&state, .journalLoaded(executors.readJournal()))
                case .run(let plan):
                    let run = executors.runAction
                    let clock = self.clock
                    Task.detached {
                        let outcome = await run(plan)
                        continuation.yield(.message(.actionFinished(outcome, at: clock())))
                    }
                case .startLogs(let request):
                    logTask?.cancel()
                    let stream = executors.streamLogs
                    logTask = Task.detached {
                        if request.delay > 0 { try? await Task.sleep(nanoseconds: UInt64(request.delay * 1e9)) }
                        guard !Task.isCancelled else { return }
                        let reason = await stream(request) { lines in
                            continuation.yield(.message(.logLines(generation: request.generation, lines)))
                        }
                        guard !Task.isCancelled else { return }
                        continuation.yield(.message(.logEnded(generation: request.generation, reason: reason)))
                    }
                case .stopLogs:
                    logTask?.cancel()
                    logTask = nil
                case .refresh, .quit:
                    break
                }
            }
            if effects.contains(.quit) { break }
            if effects.contains(.refresh), refreshTask == nil || refreshTask?.isCancelled == true {
                let refresher = self.refresher
                let clock = self.clock
                refreshTask = Task.detached {
                    let result = await refresher()
                    continuation.yield(.refreshed(result, clock()))
                }
            }
            if case .refreshed = event { refreshTask = nil }
            if state.themeIndex != appliedTheme {
                appliedTheme = state.themeIndex
                screen.apply(themes[state.themeIndex % themes.count])
                screen.invalidate()
            }
            screen.draw(render(state))
        }
        refreshTask?.cancel()
    }
}

// MARK: - InputWatcher

/// Waits on stdin with poll(2) off the actor and says when keys are pending; it never calls curses.
enum InputWatcher {
    static let stopped = Atomic<Bool>(false)

    static func watch(_ continuation: AsyncStream<TerminalApp.Event>.Continuation) {
        stopped.store(false, ordering: .relaxed)
        while !stopped.load(ordering: .relaxed) {
            var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let r = poll(&fds, 1, 200)
            if r > 0 {
                continuation.yield(.input)
                // Give the actor time to drain before polling again.
                usleep(15_000)
            }
        }
    }

    static func stop() { stopped.store(true, ordering: .relaxed) }
}
