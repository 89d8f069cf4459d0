import Foundation

// MARK: - CommandOutput

/// What a finished kubectl process left behind.
public struct CommandOutput: Sendable, Equatable {
    public var stdout: Data
    public var stderr: String
    public var exitStatus: Int32
    /// Wall time of the process, in seconds.
    public var duration: Double

    public init(stdout: Data, stderr: String = "", exitStatus: Int32 = 0, duration: Double = 0) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitStatus = exitStatus
        self.duration = duration
    }

    public var succeeded: Bool { exitStatus == 0 }
}

// MARK: - CommandRunning

/// Runs one kubectl command. The real runner spawns a process; tests inject a fake.
///
/// `run` throws only when no output could be produced at all (`notInstalled`, `timeout`).
/// A non-zero exit is returned as a `CommandOutput`, because a multi-type `get` prints the
/// objects it could read even when one type is forbidden.
public protocol CommandRunning: Sendable {
    func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput
}

extension CommandRunning {
    /// Runs `command` and returns stdout, or throws the classified error when kubectl failed.
    public func output(of command: KubectlCommand) async throws(KubectlError) -> Data {
        let result = try await run(command)
        guard result.succeeded else {
            throw KubectlErrorClassifier.classify(stderr: result.stderr, exitStatus: result.exitStatus)
        }
        return result.stdout
    }
}

// MARK: - CommandStreaming

/// How a followed command (`kubectl logs -f`) stopped.
public enum FollowEnd: Sendable, Equatable {
    /// kubectl exited 0: the stream ended (the pod went away, or the server closed it).
    case ended
    /// kubectl failed; the error says why, as for any other call.
    case failed(KubectlError)
    /// The following task was cancelled (the view closed, the program is quitting).
    case cancelled
}

/// Runs a long-lived kubectl command and hands its output lines over in batches.
///
/// The real runner spawns the process in its own session and kills the whole group when the
/// calling task is cancelled. No watchdog applies: following is meant to last.
public protocol CommandStreaming: Sendable {
    /// Follows `command`, calling `deliver` with batches of stdout lines, in order, until the
    /// process ends or the task is cancelled.
    func follow(_ command: KubectlCommand, deliver: @escaping @Sendable ([String]) -> Void) async -> FollowEnd
}
