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
