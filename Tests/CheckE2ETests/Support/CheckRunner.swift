import ProcessTestSupport
import Foundation
import SimCluster
import Subprocess
import Testing

// MARK: - Cluster

/// A simulated cluster on its own port, with a temp directory holding its kubeconfig and
/// private HOME, XDG and kubectl cache directories: kubectl and paperctl's DiscoveryCache
/// both cache discovery per server, and ports get reused from test to test.
struct Cluster {
    let sim: SimulatedCluster
    let directory: String
    var kubeconfig: String { "\(directory)/kubeconfig" }

    static func start(_ scenarios: [Scenario]) async throws -> Cluster {
        let sim = try await SimulatedCluster.start(scenarios: scenarios, port: 0, speed: 1)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paperctl-check-e2e-\(UUID().uuidString)").path
        for sub in ["home", "cache", "config", "kubecache"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
        }
        try sim.kubeconfig().write(toFile: "\(dir)/kubeconfig", atomically: true, encoding: .utf8)
        return Cluster(sim: sim, directory: dir)
    }

    /// Removes the files now and stops the server in the background (`defer` cannot await, and
    /// the test process may exit before a cleanup task runs).
    func finish() {
        try? FileManager.default.removeItem(atPath: directory)
        let sim = self.sim
        Task { await sim.stop() }
    }

    /// A cron-like environment: PATH and the private directories, nothing else (no TERM, no KUBECONFIG).
    var environment: [Environment.Key: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": "\(directory)/home",
            "XDG_CACHE_HOME": "\(directory)/cache",
            "XDG_CONFIG_HOME": "\(directory)/config",
            "KUBECACHEDIR": "\(directory)/kubecache",
        ]
    }

    /// A `kubectl` for in-process runners: the real one, with this cluster's private HOME and cache.
    func kubectlWrapper() throws -> String {
        let path = "\(directory)/kubectl"
        let script = """
            #!/bin/sh
            export HOME='\(directory)/home' KUBECACHEDIR='\(directory)/kubecache'
            exec kubectl "$@"

            """
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// Runs `paperctl-tui check <args> --kubeconfig <this cluster>` as cron would, killed after `limit` seconds.
    func check(_ args: [String], limit: Double = 60) async throws -> CheckRun {
        try await run(CheckRun.binary, ["check"] + args + ["--kubeconfig", kubeconfig], limit: limit)
    }

    /// Runs the real kubectl against this cluster, with the same private environment.
    func kubectl(_ args: [String], limit: Double = 30) async throws -> CheckRun {
        try await run("kubectl", ["--kubeconfig", kubeconfig] + args, limit: limit)
    }

    /// Runs `paperctl-tui check <args>` with no `--kubeconfig`: the cluster comes from `extra`
    /// (e.g. `KUBECONFIG`) or from `~/.kube/config` in the private HOME.
    func checkWithoutKubeconfigFlag(_ args: [String], extra: [Environment.Key: String], limit: Double = 60) async throws -> CheckRun {
        try await run(CheckRun.binary, ["check"] + args, limit: limit, extra: extra)
    }

    private func run(_ executable: String, _ all: [String], limit: Double, extra: [Environment.Key: String] = [:]) async throws -> CheckRun {
        let run = try await runProcess(executable, all, environment: environment.merging(extra) { _, new in new }, limit: limit, outputLimit: 16 << 20)
        return CheckRun(status: run.status, stdout: run.stdout, stderr: run.stderr, elapsed: run.elapsed)
    }
}

// MARK: - CheckRun

/// One finished `paperctl-tui check` process.
struct CheckRun {
    let status: Int32
    let stdout: String
    let stderr: String
    let elapsed: Duration

    /// The built binary sits next to the test bundle in `.build/<config>/`.
    static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") || dir.path.contains(".xctest/") {
            while dir.path.contains(".xctest") { dir.deleteLastPathComponent() }
        }
        return dir.appendingPathComponent("paperctl-tui").path
    }

    /// stdout as the `--json` document; records a failure (and returns nil) when it is not one.
    func document(sourceLocation: SourceLocation = #_sourceLocation) -> CheckDocument? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            Issue.record("check printed no JSON object (exit \(status))\nstdout: \(stdout.prefix(600))\nstderr: \(stderr.prefix(600))", sourceLocation: sourceLocation)
            return nil
        }
        return CheckDocument(root: object)
    }
}

// MARK: - CheckDocument

/// The `check --json` document, read as plain JSON (not through our own Codable types).
struct CheckDocument {
    let root: [String: Any]

    var overall: String? { root["overall"] as? String }
    var context: String? { root["context"] as? String }
    var namespace: String? { root["namespace"] as? String }
    var time: String? { root["time"] as? String }
    var kubectlProcesses: Int? { root["kubectlProcesses"] as? Int }
    var checks: [[String: Any]] { root["checks"] as? [[String: Any]] ?? [] }
    var ids: [String] { checks.compactMap { $0["id"] as? String } }

    /// id → verdict of every check that is not ok.
    var notOK: [String: String] {
        var out: [String: String] = [:]
        for check in checks {
            guard let id = check["id"] as? String, let verdict = check["verdict"] as? String, verdict != "ok" else { continue }
            out[id] = verdict
        }
        return out
    }

    func check(_ id: String) -> [String: Any]? { checks.first { $0["id"] as? String == id } }
    func reason(_ id: String) -> String { check(id)?["reason"] as? String ?? "" }
    func evidence(_ id: String) -> [String] { check(id)?["evidence"] as? [String] ?? [] }
    /// Reason, evidence, hint and command of one check, as one text to search.
    func text(_ id: String) -> String {
        ([reason(id)] + evidence(id) + [check(id)?["hint"] as? String ?? "", check(id)?["command"] as? String ?? ""]).joined(separator: "\n")
    }
}

/// Lines of every process whose command line mentions `needle` (from /proc), excluding zombies.
func processes(mentioning needle: String) -> [String] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    var found: [String] = []
    for pid in entries where Int(pid) != nil {
        guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
        let line = String(decoding: raw.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        guard line.contains(needle) else { continue }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        if stat.contains(") Z ") { continue }
        found.append("\(pid): \(line)")
    }
    return found
}
