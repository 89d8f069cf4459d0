// MARK: - LiveStatus

/// Where the dashboard's data come from, for the header.
public enum LiveStatus: Sendable, Equatable {
    /// No proxy is used (`check`, tests, a proxy turned off): every refresh polls with kubectl.
    case off
    /// The proxy is starting (or listing): refreshes poll with kubectl meanwhile.
    case starting
    /// The snapshot came from the watches through the proxy.
    case live(watches: Int)
    /// The proxy failed or exited: polling with kubectl until the retry at `retryAt`.
    case down(reason: String, retryAt: Double)
}
