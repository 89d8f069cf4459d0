import ProcessTestSupport
import Foundation
import SimCluster
import Subprocess
import Testing

/// `paperctl-tui demo-cluster` runs restic Jobs with the real restic by default, and
/// `--simulated-restic` switches that off.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DemoClusterResticTests {
    /// Starts `demo-cluster --speed 20 <extra>` with a private environment, runs `body` with its
    /// kubeconfig, then stops it with SIGINT. Returns the demo's stdout and what `body` returned.
    static func withDemo<T: Sendable>(_ directory: String, _ extra: [String], _ body: @escaping @Sendable (String) async throws -> T) async throws -> (String, T?) {
        for sub in ["home", "cache", "config", "state", "kubecache"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true)
        }
        let kubeconfig = "\(directory)/demo.kubeconfig"
        var options = PlatformOptions()
        options.createSession = true
        let result = try await Subprocess.run(
            .path(.init(ActionEnv.binary)), arguments: Arguments(["demo-cluster", "--speed", "20", "--write-kubeconfig", kubeconfig] + extra),
            environment: .custom(cronEnvironment(directory)), platformOptions: options,
            input: .none, output: .string(limit: 1 << 20), error: .string(limit: 1 << 20)
        ) { execution -> Result<T, any Error> in
            let value: Result<T, any Error>
            do {
                try await waitForFile(kubeconfig, timeout: 10)
                value = .success(try await body(kubeconfig))
            } catch {
                value = .failure(error)
            }
            try? execution.send(signal: .interrupt)
            return value
        }
        return (result.standardOutput, try result.closureResult.get())
    }

    @Test func theDemoRunsTheRealResticAndABackupLandsInTheLocalRepository() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paperctl-demo-restic-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (stdout, run) = try await Self.withDemo(dir, []) { kubeconfig in
            try await runProcess(ActionEnv.binary, ["backup", "files", "--wait", "--timeout", "60", "--kubectl-timeout", "60", "--kubeconfig", kubeconfig],
                                 environment: cronEnvironment(dir), limit: 90)
        }
        let repository = "\(dir)/state/paperctl/demo-cluster/restic-repo"
        #expect(stdout.contains("restic Jobs run the real restic; local repository: \(repository)"), "\(stdout)")
        let backup = try #require(run)
        #expect(backup.status == 0, "\(backup.stdout)\n\(backup.stderr)")
        let restic = try #require(ResticJobRunner.detect(stateDirectory: "\(dir)/unused"))
        let snapshots = try await Subprocess.run(
            .path(.init(restic.executable)), arguments: ["snapshots", "--json", "--no-cache"],
            environment: .inherit.updating(["RESTIC_REPOSITORY": repository, "RESTIC_PASSWORD": "hunter2-PLANTED-s3cr3t"]),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(snapshots.standardOutput.contains(#""hostname":"paperless-ngx""#), "\(snapshots.standardError)")
    }

    @Test func simulatedResticLeavesNoRepositoryAndStillCompletes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paperctl-demo-restic-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (stdout, run) = try await Self.withDemo(dir, ["--simulated-restic"]) { kubeconfig in
            try await runProcess(ActionEnv.binary, ["backup", "files", "--wait", "--timeout", "60", "--kubectl-timeout", "60", "--kubeconfig", kubeconfig],
                                 environment: cronEnvironment(dir), limit: 90)
        }
        #expect(!stdout.contains("real restic"))
        let backup = try #require(run)
        #expect(backup.status == 0, "\(backup.stdout)\n\(backup.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/state/paperctl/demo-cluster"))
    }
}
