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
            try? execution.send(signal: .interrupt)
            return get?.standardOutput ?? ""
        }
        #expect(result.closureResult.contains("cronjob.batch/paperless-ngx-backup"))
        #expect(result.terminationStatus == .exited(0))
        #expect(result.standardOutput.contains("export KUBECONFIG=\(kubeconfig)"))
        let config = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        #expect(config.contains("current-context: demo"))
        #expect(config.contains("namespace: paperless-ngx"))
    }
}
