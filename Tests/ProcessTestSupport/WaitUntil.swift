import Foundation

// MARK: - WaitTimeout

/// A wait that ran out of time. Thrown, so the test fails and says what it waited for and what
/// it saw last, instead of carrying on with a state it never reached.
public struct WaitTimeout: Error, CustomStringConvertible {
    public let what: String
    public let seconds: Double
    /// The last thing looked at (a screen, an output), if any.
    public let last: String

    public init(what: String, seconds: Double, last: String = "") {
        self.what = what
        self.seconds = seconds
        self.last = last
    }

    public var description: String {
        "timed out after \(seconds) s waiting for \(what)" + (last.isEmpty ? "" : "; last seen:\n\(last)")
    }
}

/// Polls `condition` until it holds; throws `WaitTimeout` naming `what` after `timeout` seconds.
public func waitUntil(_ what: String, timeout: Double = 15, every interval: Duration = .milliseconds(100),
                      _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try await condition() { return }
        guard Date() < deadline else { throw WaitTimeout(what: what, seconds: timeout) }
        try await Task.sleep(for: interval)
    }
}

/// Polls `read` until `done` holds for what it returned, and returns that; throws `WaitTimeout`
/// naming `what`, with the last value read, after `timeout` seconds.
@discardableResult
public func waitFor<T: Sendable>(_ what: String, timeout: Double = 15, every interval: Duration = .milliseconds(100),
                                 read: () async throws -> T, until done: (T) -> Bool) async throws -> T {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        let value = try await read()
        if done(value) { return value }
        guard Date() < deadline else { throw WaitTimeout(what: what, seconds: timeout, last: "\(value)") }
        try await Task.sleep(for: interval)
    }
}

/// Waits until a file exists (a kubeconfig a demo cluster writes once it serves).
public func waitForFile(_ path: String, timeout: Double = 15) async throws {
    try await waitUntil("the file \(path)", timeout: timeout, every: .milliseconds(50)) { FileManager.default.fileExists(atPath: path) }
}
