import Foundation
import ProcessTestSupport
import Subprocess
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `paperctl-tui demo-cluster` subcommand as an operator runs it.
@Suite(.timeLimit(.minutes(2))) struct DemoClusterCommandTests {
    /// The built binary sits next to the test bundle in `.build/<config>/`.
    static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") || dir.path.contains(".xctest/") {
            while dir.path.contains(".xctest") { dir.deleteLastPathComponent() }
        }
        return dir.appendingPathComponent("paperctl-tui").path
    }

    @Test func unknownScenarioIsACLIErrorListingTheValidOnes() async throws {
        let r = try await Subprocess.run(.path(.init(Self.binary)), arguments: ["demo-cluster", "--scenario", "healthy,on-fire"],
                                         output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(r.terminationStatus == .exited(1), "a refused command line exits 1 (nothing started), not 64")
        #expect(r.standardError.contains("unknown scenario \"on-fire\""))
        #expect(r.standardError.contains("db-backup-failing"))
        #expect(r.standardError.contains("expired-credentials"))
    }

    @Test(arguments: [["--latency-ms=-5"], ["--latency-ms", "90000"], ["--speed", "0"]])
    func badNumbersAreCLIErrorsNamingTheFlag(_ args: [String]) async throws {
        let r = try await Subprocess.run(.path(.init(Self.binary)), arguments: Arguments(["demo-cluster"] + args),
                                         output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(r.terminationStatus == .exited(1), "a refused command line exits 1 (nothing started), not 64")
        let flag = args[0].split(separator: "=")[0]
        #expect(r.standardError.contains("\(flag) must be"), "\(r.standardError)")
    }

    @Test func latencyIsAddedToEveryRequest() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-demo-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let kubeconfig = "\(dir)/kc"
        let result = try await Subprocess.run(.path(.init(Self.binary)), arguments: ["demo-cluster", "--write-kubeconfig", kubeconfig, "--latency-ms", "400"],
                                              input: .none, output: .discarded, error: .discarded) { execution in
            do {
                try await waitForFile(kubeconfig)
            } catch {
                try? execution.send(signal: .interrupt)
                throw error
            }
            let raw = ["--kubeconfig", kubeconfig, "--cache-dir", "\(dir)/cache", "get", "--raw", "/version"]
            let start = ContinuousClock.now
            let get = try? await Subprocess.run(.name("kubectl"), arguments: Arguments(raw), output: .string(limit: 1 << 20), error: .discarded)
            let elapsed = start.duration(to: .now)
            try? execution.send(signal: .interrupt)
            return (get?.terminationStatus, elapsed)
        }
        let (status, elapsed) = result.closureResult
        #expect(status == .exited(0))
        #expect(elapsed >= .milliseconds(400), "one request took \(elapsed)")
    }

    @Test func printsKubeconfigServesKubectlAndStopsOnCtrlC() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-demo-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let kubeconfig = "\(dir)/kc"
        let result = try await Subprocess.run(.path(.init(Self.binary)), arguments: ["demo-cluster", "--write-kubeconfig", kubeconfig],
                                              input: .none, output: .string(limit: 1 << 20), error: .string(limit: 1 << 20)) { execution in
            do {
                try await waitForFile(kubeconfig)
            } catch {
                try? execution.send(signal: .interrupt)
                throw error
            }
            let get = try? await Subprocess.run(.name("kubectl"), arguments: ["--kubeconfig", kubeconfig, "--cache-dir", "\(dir)/cache", "get", "cronjobs", "-o", "name"],
                                                output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
            let config = (try? String(contentsOfFile: kubeconfig, encoding: .utf8)) ?? ""
            let mode = ((try? FileManager.default.attributesOfItem(atPath: kubeconfig))?[.posixPermissions] as? NSNumber)?.intValue
            try? execution.send(signal: .interrupt)
            return (get?.standardOutput ?? "", config, mode)
        }
        let (listed, config, mode) = result.closureResult
        #expect(listed.contains("cronjob.batch/paperless-ngx-backup"))
        #expect(result.terminationStatus == .exited(0))
        #expect(result.standardOutput.contains("export KUBECONFIG=\(kubeconfig)"))
        #expect(config.contains("current-context: demo"))
        #expect(config.contains("namespace: paperless-ngx"))
        // Only its owner can read it, and it is gone once the demo stops.
        #expect(mode == 0o600)
        #expect(!FileManager.default.fileExists(atPath: kubeconfig))
    }

    @Test func theDemoRefusesToWriteItsKubeconfigOverAnExistingFileOrSymlink() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-demo-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "victim\n".write(toFile: "\(dir)/victim", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/kc", withDestinationPath: "\(dir)/victim")
        let r = try await Subprocess.run(.path(.init(Self.binary)), arguments: ["demo-cluster", "--write-kubeconfig", "\(dir)/kc"],
                                         input: .none, output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(r.terminationStatus != .exited(0))
        #expect(r.standardError.contains("already exists"), "\(r.standardError)")
        #expect(try String(contentsOfFile: "\(dir)/victim", encoding: .utf8) == "victim\n")
    }

    @Test func inAPodWithoutAKubeconfigTheDashboardUsesTheInClusterConfigAndStartsNoDemo() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-pod-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // No tty: the dashboard prints the check report instead, against whatever cluster it chose.
        let env: [Environment.Key: String] = ["HOME": dir, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "TERM": "dumb",
                                               "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443", "XDG_STATE_HOME": "\(dir)/state"]
        let r = try await Subprocess.run(.path(.init(Self.binary)), arguments: ["--timeout", "5"], environment: .custom(env),
                                         input: .none, output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(r.standardError.contains("KUBERNETES_SERVICE_HOST is set: using kubectl's in-cluster configuration"), "\(r.standardError)")
        // kubectl found no service account here, so nothing answered: the demo did not stand in.
        #expect(r.standardOutput.contains("cluster unreachable"), "the demo cluster answered: \(r.standardOutput)")
        #expect(!r.standardOutput.contains("demo cluster stopped"))
    }
}
