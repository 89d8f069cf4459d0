import Foundation
import SimCluster
import Subprocess
import Testing

/// The result of one real kubectl run.
struct KubectlResult {
    let status: Int32
    let stdout: String
    let stderr: String

    var succeeded: Bool { status == 0 }

    /// stdout parsed as JSON; records a test failure when it is not.
    func json(sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue {
        do {
            return try JSONValue(parsing: stdout)
        } catch {
            Issue.record("kubectl printed no JSON: \(error)\nstdout: \(stdout.prefix(400))\nstderr: \(stderr.prefix(400))", sourceLocation: sourceLocation)
            return .null
        }
    }
}

/// A running simulated cluster plus a kubeconfig and a private discovery cache, so each test talks
/// to its own server through the real kubectl binary.
struct SimHarness {
    let sim: SimulatedCluster
    let directory: String
    var kubeconfig: String { "\(directory)/kubeconfig" }

    static func start(_ scenarios: [Scenario] = [.healthy], speed: Double = 1, startAt: Double? = nil) async throws -> SimHarness {
        let sim = try await SimulatedCluster.start(scenarios: scenarios, port: 0, speed: speed, startAt: startAt)
        let dir = NSTemporaryDirectory() + "paperctl-sim-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try sim.kubeconfig().write(toFile: "\(dir)/kubeconfig", atomically: true, encoding: .utf8)
        return SimHarness(sim: sim, directory: dir)
    }

    func stop() async {
        await sim.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs kubectl with this cluster's kubeconfig and cache, killed after `timeout` seconds.
    func kubectl(_ args: [String], timeout: Double = 30, stdin: String? = nil) async throws -> KubectlResult {
        let all = ["--kubeconfig", kubeconfig, "--cache-dir", "\(directory)/cache"] + args
        var options = PlatformOptions()
        options.createSession = true
        let input: StringInput<String, UTF8> = .string(stdin ?? "")
        let result = try await Subprocess.run(
            .name("kubectl"), arguments: Arguments(all), platformOptions: options,
            input: input, output: .string(limit: 64 << 20), error: .string(limit: 4 << 20)
        ) { execution in
            Task {
                try? await Task.sleep(for: .seconds(timeout))
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
        return KubectlResult(status: status, stdout: result.standardOutput, stderr: result.standardError)
    }
}

/// Polls until `condition` holds or `seconds` pass.
func eventually(_ seconds: Double = 15, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
    }
    return try await condition()
}
