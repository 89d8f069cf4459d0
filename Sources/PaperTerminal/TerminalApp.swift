import PaperRuntime
import PaperUI
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// MARK: - TerminalApp

/// The dashboard on a real terminal: the app loop (`AppLoop`) drawing on ncurses. This file
/// only opens the screen, wakes the loop when stdin has keys or a signal arrived, and always
/// restores the terminal.
public enum TerminalApp {
    /// Runs until the operator quits or a terminating signal arrives; the terminal is always restored.
    @discardableResult
    public static func run(state: AppState, themes: [Theme], environment: [String: String], services: Services,
                           messages: AsyncStream<Msg>? = nil, onFrame: (@Sendable (Double) -> Void)? = nil) async -> AppState {
        let loop = AppLoop(state: state, themes: themes, services: services, onFrame: onFrame)
        let screen = CursesScreen(environment: environment)  // closed by the loop on every way out
        let theme = themes.isEmpty ? Theme.fallback : themes[state.themeIndex % themes.count]
        let first = screen.colorMode == .none ? (themes.first { $0.name == "monochrome" } ?? theme) : theme
        let watcher = Task.detached { InputWatcher.watch(loop) }
        defer {
            InputWatcher.stop()
            watcher.cancel()
        }
        return await loop.run(on: screen, firstTheme: first, messages: messages)
    }
}

extension CursesScreen: TerminalScreen {
    func readInputs() -> [ScreenInput] {
        readKeys().map { input in
            switch input {
            case .key(let key): .key(key)
            case .resize: .resize
            }
        }
    }
}

// MARK: - InputWatcher

/// Waits on stdin with poll(2) off the actor and says when keys are pending or a terminating
/// signal arrived; it never calls curses.
enum InputWatcher {
    static let stopped = Atomic<Bool>(false)

    static func watch(_ loop: AppLoop) {
        stopped.store(false, ordering: .relaxed)
        while !stopped.load(ordering: .relaxed) {
            if TerminalSignals.received.load(ordering: .relaxed) != 0 {
                loop.post(.stop)
                return
            }
            var fds = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let r = poll(&fds, 1, 100)
            if r > 0 {
                loop.post(.input)
                // Give the actor time to drain before polling again.
                usleep(15_000)
            }
        }
    }

    static func stop() { stopped.store(true, ordering: .relaxed) }
}
