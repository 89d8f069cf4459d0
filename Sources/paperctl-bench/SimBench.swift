import ArgumentParser
import Foundation
import Subprocess

#if canImport(Glibc)
import Glibc
#endif

/// Issue 2's budgets: the multi-type get is answered in < 30 ms; RSS < 30 MiB with 100 watches.
struct SimBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sim", abstract: "Simulated API server: multi-type get latency and RSS with open watch streams.")

    @Option(help: "Repetitions of the multi-type get.") var runs = 15
    @Option(help: "Watch streams to hold open.") var watches = 100

    func run() async throws {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let tool = "\(dir)/paperctl-tui"
        guard FileManager.default.isExecutableFile(atPath: tool) else { throw ValidationError("build paperctl-tui first: \(tool) is missing") }
        guard let kubectl = which("kubectl") else { throw ValidationError("kubectl is not on PATH") }
        let port = freePort()
        let work = NSTemporaryDirectory() + "paperctl-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let kubeconfig = "\(work)/kubeconfig"
        let watchCount = watches
        let runCount = runs
        _ = try await Subprocess.run(.path(.init(tool)), arguments: ["demo-cluster", "--port", String(port), "--write-kubeconfig", kubeconfig],
                                     input: .none, output: .discarded, error: .discarded) { execution in
            let pid = execution.processIdentifier.value
            // Wait for the kubeconfig (the server is listening once it is written).
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: kubeconfig) { try? await Task.sleep(for: .milliseconds(50)) }
            try? await Task.sleep(for: .milliseconds(200))
            let base = ["--kubeconfig", kubeconfig, "--cache-dir", "\(work)/cache"]
            let types = "pods,jobs,cronjobs,pvc,externalsecrets,backups,scheduledbackups,clusters"
            _ = try? await runCommand(kubectl, base + ["get", types, "-o", "json"])  // warm discovery cache
            var serverTotals: [Double] = []
            var walls: [Double] = []
            for _ in 0..<runCount {
                guard let (status, _, stderr, wall) = try? await runCommand(kubectl, base + ["get", types, "-o", "json", "-v=6"]), status == 0 else { continue }
                walls.append(wall * 1000)
                // klog: "GET http://… 200 OK in 3 milliseconds"
                let ms = stderr.split(separator: "\n").compactMap { line -> Double? in
                    guard line.contains(" 200 OK in "), let r = line.range(of: " 200 OK in ") else { return nil }
                    return Double(line[r.upperBound...].split(separator: " ").first ?? "")
                }
                serverTotals.append(ms.reduce(0, +))
            }
            print("multi-type get (\(types)), \(runCount) runs:")
            print(String(format: "  server time, all 8 list requests summed (kubectl -v=6): median %.1f ms, max %.1f ms   budget < 30 ms", median(serverTotals), serverTotals.max() ?? 0))
            print(String(format: "  kubectl wall time (process start to exit):             median %.1f ms", median(walls)))
            let idle = memory(of: pid)
            var fds: [Int32] = []
            for i in 0..<watchCount {
                let path = i % 2 == 0 ? "/api/v1/namespaces/paperless-ngx/pods?watch=true" : "/apis/batch/v1/namespaces/paperless-ngx/jobs?watch=true"
                if let fd = openStream(port: port, path: path) { fds.append(fd) }
            }
            try? await Task.sleep(for: .seconds(3))
            let loaded = memory(of: pid)
            print("memory of the server process:")
            print("  RSS idle after the gets: \(idle.rss / 1024) MiB")
            print("  RSS with \(fds.count) open watch streams: \(loaded.rss / 1024) MiB (peak \(loaded.peak / 1024) MiB)   budget < 30 MiB")
            for fd in fds { close(fd) }
            try? execution.send(signal: .terminate)
        }
        try? FileManager.default.removeItem(atPath: work)
    }
}
