import Foundation
import SimCluster
import ProcessTestSupport
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

    static func start(_ scenarios: [Scenario] = [.healthy], speed: Double = 1, startAt: Double? = nil,
                      options: (inout SimOptions) -> Void = { _ in }) async throws -> SimHarness {
        let sim = try await SimulatedCluster.start(scenarios: scenarios, port: 0, speed: speed, startAt: startAt, options: options)
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
        let run = try await runProcess("kubectl", all, stdin: stdin ?? "", limit: timeout)
        return KubectlResult(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }
}
