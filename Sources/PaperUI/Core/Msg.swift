// MARK: - Key

/// A key press, decoded by the backend.
public enum Key: Sendable, Equatable, Hashable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case tab, backTab, enter, escape, backspace
    case ctrlC
}

// MARK: - Msg

/// Everything that can happen to the app: keys, ticks, resizes, finished refreshes.
public enum Msg: Sendable, Equatable {
    case key(Key)
    case tick(now: Double)
    case resize(width: Int, height: Int)
    case refreshed(Result<DashboardData, RefreshError>, at: Double)
}

extension RefreshError: Error {}

// MARK: - Effect

/// Work `update` asks the executor to do; `update` itself never does I/O.
public enum Effect: Sendable, Equatable {
    case refresh
    case quit
}
