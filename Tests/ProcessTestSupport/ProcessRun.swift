import Subprocess

// MARK: - ProcessRun

/// What one finished test subprocess returned.
public struct ProcessRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public let elapsed: Duration
}

/// Runs a process in its own session; the whole process group is killed after `limit` seconds,
/// so a hanging kubectl (and its children) can never stall a test run.
///
/// - Parameters:
///   - executable: an absolute path, or a name looked up on PATH.
///   - environment: the complete environment, or nil to inherit the test runner's.
public func runProcess(_ executable: String, _ arguments: [String], environment: [Environment.Key: String]? = nil,
                       stdin: String = "", limit: Double, outputLimit: Int = 64 << 20) async throws -> ProcessRun {
    let exe: Executable = executable.hasPrefix("/") ? .path(.init(executable)) : .name(executable)
    var options = PlatformOptions()
    options.createSession = true
    let start = ContinuousClock.now
    let result = try await Subprocess.run(
        exe, arguments: Arguments(arguments), environment: environment.map { .custom($0) } ?? .inherit,
        platformOptions: options, input: .string(stdin), output: .string(limit: outputLimit), error: .string(limit: 4 << 20)
    ) { execution in
        Task {
            try? await Task.sleep(for: .seconds(limit))
            guard !Task.isCancelled else { return }
            try? execution.send(signal: .kill, toProcessGroup: true)
        }
    }
    result.closureResult.cancel()
    let status: Int32
    switch result.terminationStatus {
    case .exited(let code): status = Int32(code)
    case .signaled(let signal): status = 128 + Int32(signal)
    }
    return ProcessRun(status: status, stdout: result.standardOutput, stderr: result.standardError, elapsed: start.duration(to: .now))
}
