import Foundation
import PaperKube
import PaperUI
import Synchronization

// MARK: - AppLoop

/// The app loop: one actor owns the state, the screen and the effect runner. Keys, ticks,
/// resizes and finished work arrive as events on one stream; `update` decides; the effect
/// runner acts; the frame is drawn.
///
/// It knows nothing of curses: the terminal backend passes its `TerminalScreen` and wakes the
/// loop (`.input`) when keys are waiting, and tests drive it with a fake screen.
public actor AppLoop {
    public enum Event: Sendable {
        /// Keys or a resize are waiting on the screen.
        case input
        case tick
        case message(Msg)
        /// A terminating signal: quit, restoring the terminal.
        case stop
    }

    private var state: AppState
    private let themes: [Theme]
    private let services: Services
    private let onFrame: (@Sendable (Double) -> Void)?
    public nonisolated let events: AsyncStream<Event>
    private nonisolated let continuation: AsyncStream<Event>.Continuation

    public init(state: AppState, themes: [Theme], services: Services, onFrame: (@Sendable (Double) -> Void)? = nil) {
        var s = state
        s.themeCount = max(1, themes.count)
        s.themeNames = themes.map(\.name)
        self.state = s
        self.themes = themes.isEmpty ? [Theme.fallback] : themes
        self.services = services
        self.onFrame = onFrame
        (events, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(1024))
    }

    /// Wakes the loop: keys are waiting, time passed, a signal arrived, or work finished.
    public nonisolated func post(_ event: Event) { continuation.yield(event) }

    /// The state as the last frame showed it (tests).
    public func snapshot() -> AppState { state }

    /// Runs until the operator quits or `.stop` arrives, then closes the screen. `tickInterval` seconds between ticks
    /// (0: no ticker; tests post ticks themselves).
    /// `messages` carries what happens outside the loop (every kubectl command run, for the command log).
    @discardableResult
    public func run(on screen: sending some TerminalScreen, tickInterval: Double = 0.2, firstTheme: Theme? = nil, messages: AsyncStream<Msg>? = nil) async -> AppState {
        defer { screen.close() }
        screen.apply(firstTheme ?? themes[state.themeIndex % themes.count])
        var appliedTheme = state.themeIndex
        let size = screen.size
        _ = update(&state, .resize(width: size.width, height: size.height))
        state.now = services.clock()
        state.nextRefreshAt = state.now  // the first refresh right away, after the first frame
        screen.draw(render(state))
        onFrame?(services.clock())

        let continuation = self.continuation
        let runner = EffectRunner(services: services) { continuation.yield(.message($0)) }
        _ = runner.run([Journal.sessionStarted(state)], update: { update(&state, $0) })
        let ticker: Task<Void, Never>? = tickInterval > 0 ? Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(tickInterval * 1000)))
                continuation.yield(.tick)
            }
        } : nil
        let forwarder: Task<Void, Never>? = messages.map { messages in
            Task {
                for await msg in messages { continuation.yield(.message(msg)) }
            }
        }
        defer {
            forwarder?.cancel()
            ticker?.cancel()
            runner.cancelAll()
        }
        loop: for await event in events {
            var effects: [Effect] = []
            switch event {
            case .stop:
                break loop
            case .input, .tick:
                // KEY_RESIZE can arrive without stdin activity, so ticks read input too.
                for input in screen.readInputs() {
                    switch input {
                    case .resize:
                        let s = screen.size
                        effects += update(&state, .resize(width: s.width, height: s.height))
                        screen.invalidate()
                    case .key(let key):
                        effects += update(&state, .key(key))
                    }
                }
                if case .tick = event { effects += update(&state, .tick(now: services.clock())) }
            case .message(let msg):
                runner.observe(msg)
                effects += update(&state, msg)
            }
            if runner.run(effects, update: { update(&state, $0) }) { break loop }
            if state.themeIndex != appliedTheme {
                appliedTheme = state.themeIndex
                screen.apply(themes[state.themeIndex % themes.count])
                screen.invalidate()
            }
            screen.draw(render(state))
        }
        state.now = services.clock()
        _ = runner.run([Journal.sessionEnded(state, how: Self.howItEnded(state))], update: { update(&state, $0) })
        // Every journal entry asked for is written before the screen closes.
        let journal = runner.journal
        await journal.finish()
        return state
    }

    /// In the journal's words: the operator quit, or which signal ended the session.
    static func howItEnded(_ state: AppState) -> String {
        if state.quitting { return "the operator quit (q)" }
        switch ProcessSignals.received.load(ordering: .relaxed) {
        case SIGINT: return "interrupted (SIGINT, Ctrl-C)"
        case SIGTERM: return "terminated (SIGTERM)"
        case SIGHUP: return "the terminal went away (SIGHUP)"
        case 0: return "stopped"
        case let other: return "signal \(other)"
        }
    }
}
