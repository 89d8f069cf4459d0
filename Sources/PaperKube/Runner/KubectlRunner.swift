import Foundation
import Subprocess
import Synchronization

// MARK: - KubectlRunner

/// Runs kubectl as a child process with a wall-clock watchdog.
///
/// kubectl can hang for a minute or forever on a dead or black-holed API server, so each
/// call gets a deadline. The child starts in its own session (and so its own process group);
/// when the deadline passes the whole group gets SIGKILL, which also ends any credential
/// plugin or other child kubectl started. Arguments go to `execve` as an array, never through
/// a shell.
public struct KubectlRunner: CommandRunning {
    /// Absolute path of the kubectl executable (see `KubectlLocator`).
    public var executable: String
    /// Seconds before the watchdog kills the process group.
    public var timeout: Double
    /// Bytes of stdout accepted before the call fails as unparseable.
    public var outputLimit: Int

    public init(executable: String, timeout: Double = 10, outputLimit: Int = 256 * 1024 * 1024) {
        self.executable = executable
        self.timeout = timeout
        self.outputLimit = outputLimit
    }

    public func run(_ command: KubectlCommand) async throws(KubectlError) -> CommandOutput {
        if let stdin = command.stdin {
            return try await run(command, input: .data(stdin))
        }
        return try await run(command, input: .none)
    }

    /// Runs with `input` as standard input (`.none`: the null device).
    private func run<Input: InputProtocol>(_ command: KubectlCommand, input: Input) async throws(KubectlError) -> CommandOutput {
        var options = PlatformOptions()
        options.createSession = true
        // Used when the calling task is cancelled (the operator quit): kill the whole group.
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(200))]
        let fired = WatchdogFlag()
        let deadline = timeout
        let start = ContinuousClock.now
        do {
            let result = try await Subprocess.run(
                .path(.init(executable)),
                arguments: Arguments(command.arguments),
                environment: command.environment.isEmpty
                    ? .inherit
                    : .inherit.updating(Dictionary(uniqueKeysWithValues: command.environment.compactMap { key, value in
                        Environment.Key(rawValue: key).map { ($0, Optional(value)) }
                    })),
                platformOptions: options,
                input: input,
                output: .bytes(limit: outputLimit),
                error: .bytes(limit: 4 * 1024 * 1024)
            ) { execution in
                Task {
                    try? await Task.sleep(for: .seconds(deadline))
                    guard !Task.isCancelled else { return }
                    fired.fire()
                    try? execution.send(signal: .kill, toProcessGroup: true)
                }
            }
            result.closureResult.cancel()
            let elapsed = start.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if fired.hasFired { throw KubectlError.timeout(seconds: deadline) }
            let status: Int32
            switch result.terminationStatus {
            case .exited(let code): status = Int32(code)
            case .signaled(let signal): status = 128 + Int32(signal)
            }
            return CommandOutput(
                stdout: Data(result.standardOutput),
                stderr: String(decoding: result.standardError, as: UTF8.self),
                exitStatus: status,
                duration: seconds
            )
        } catch let error as KubectlError {
            throw error
        } catch let error as SubprocessError {
            if fired.hasFired { throw .timeout(seconds: deadline) }
            if error.code == .executableNotFound || error.code == .spawnFailed {
                throw .notInstalled(searched: [executable])
            }
            if error.code == .outputLimitExceeded {
                throw .unparseableOutput(detail: "output larger than \(outputLimit) bytes")
            }
            throw .failed(exitStatus: -1, stderr: "could not run \(executable): \(error)")
        } catch {
            if fired.hasFired { throw .timeout(seconds: deadline) }
            throw .failed(exitStatus: -1, stderr: "could not run \(executable): \(error)")
        }
    }
}

// MARK: - WatchdogFlag

/// Set once by the watchdog task when it killed the process group.
final class WatchdogFlag: Sendable {
    private let state = Mutex(false)
    func fire() { state.withLock { $0 = true } }
    var hasFired: Bool { state.withLock { $0 } }
}
