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
                environment: Self.environment(for: command),
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

extension KubectlRunner {
    /// The inherited environment plus the command's own variables.
    static func environment(for command: KubectlCommand) -> Environment {
        guard !command.environment.isEmpty else { return .inherit }
        return .inherit.updating(Dictionary(uniqueKeysWithValues: command.environment.compactMap { key, value in
            Environment.Key(rawValue: key).map { ($0, Optional(value)) }
        }))
    }
}

// MARK: - WatchdogFlag

/// Set once by the watchdog task when it killed the process group.
final class WatchdogFlag: Sendable {
    private let state = Mutex(false)
    func fire() { state.withLock { $0 = true } }
    var hasFired: Bool { state.withLock { $0 } }
}

// MARK: - Following

extension KubectlRunner: CommandStreaming {
    /// A batch goes out 100 ms after its first line, or at once when 2,000 lines are waiting,
    /// so a fast log never floods the receiver; an idle stream wakes nothing. Only the flusher
    /// delivers, so batches arrive in order.
    public func follow(_ command: KubectlCommand, deliver: @escaping @Sendable ([String]) -> Void) async -> FollowEnd {
        let buffer = LineBatch()
        let (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let flusher = Task {
            for await _ in signals {
                if buffer.count < 2_000 { try? await Task.sleep(for: .milliseconds(100)) }
                let lines = buffer.take()
                if !lines.isEmpty { deliver(lines) }
            }
        }
        /// Delivers what is left once the stream is over, after the flusher's last batch.
        func finish() async {
            signal.finish()
            await flusher.value
            let rest = buffer.take()
            if !rest.isEmpty { deliver(rest) }
        }
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(200))]
        do {
            let result = try await Subprocess.run(
                .path(.init(executable)), arguments: Arguments(command.arguments), environment: Self.environment(for: command), platformOptions: options,
                input: .none, output: .sequence, error: .string(limit: 64 * 1024)
            ) { execution in
                for try await line in execution.standardOutput.strings() {
                    let waiting = buffer.add(line)
                    if waiting == 1 || waiting >= 2_000 { signal.yield() }
                }
            }
            await finish()
            if Task.isCancelled { return .cancelled }
            switch result.terminationStatus {
            case .exited(0): return .ended
            case .exited(let code): return .failed(KubectlErrorClassifier.classify(stderr: result.standardError, exitStatus: Int32(code)))
            case .signaled(let signal): return .failed(.failed(exitStatus: 128 + Int32(signal), stderr: result.standardError))
            }
        } catch {
            await finish()
            if Task.isCancelled { return .cancelled }
            if let error = error as? SubprocessError, error.code == .executableNotFound || error.code == .spawnFailed {
                return .failed(.notInstalled(searched: [executable]))
            }
            return .failed(.failed(exitStatus: -1, stderr: "could not follow: \(error)"))
        }
    }
}

/// Lines waiting for the next batch.
final class LineBatch: Sendable {
    private let lines = Mutex<[String]>([])
    var count: Int { lines.withLock { $0.count } }
    func add(_ line: String) -> Int { lines.withLock { $0.append(line); return $0.count } }
    func take() -> [String] { lines.withLock { l in defer { l = [] }; return l } }
}
