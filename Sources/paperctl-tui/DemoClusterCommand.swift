import ArgumentParser
import PaperKube
import SimCluster

#if canImport(Glibc)
import Glibc
#endif

/// `paperctl-tui demo-cluster`: serves the simulated Paperless-ngx cluster until Ctrl-C.
struct DemoClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-cluster",
        abstract: "Serve a simulated Paperless-ngx Kubernetes API on 127.0.0.1 for kubectl, to your own user only (demo and test bed).",
        discussion: """
            Scenarios (combine with several --scenario flags or commas):
            \(Scenario.allCases.map { "  \($0.rawValue.padding(22)) \($0.summary)" }.joined(separator: "\n"))
            """
    )

    @Option(name: .long, help: "A scenario to simulate (repeatable, or comma-separated). Default: healthy.")
    var scenario: [String] = []

    @Option(name: .long, help: "TCP port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 0

    @Option(name: .long, help: "Where to write the kubeconfig, as a new file, mode 0600 (default: a private 0700 directory in $TMPDIR). It is removed when the demo stops.")
    var writeKubeconfig: String?

    @Option(name: .long, help: "How much faster than real time the simulated clock runs.")
    var speed: Double = 1

    @Option(name: .long, help: "Milliseconds added to every API request, like a cluster behind a VPN (the slow-api scenario adds 3000).")
    var latencyMs: Double = 0

    @Flag(name: .long, help: "Print every API request (method, path, status) to stderr.")
    var logRequests = false

    @Flag(name: .long, help: "Simulate restic Jobs on a timer even when restic is installed (also: PAPERCTL_DEMO_RESTIC=off).")
    var simulatedRestic = false

    func validate() throws {
        do { _ = try Scenario.parse(scenario) } catch { throw ValidationError(error.description) }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        guard speed > 0, speed <= 100_000 else { throw ValidationError("--speed must be greater than 0 and at most 100000, got \(speed)") }
        guard latencyMs >= 0, latencyMs <= 60_000 else { throw ValidationError("--latency-ms must be between 0 and 60000, got \(latencyMs)") }
    }

    func run() async throws {
        let scenarios = try Scenario.parse(scenario)
        let restic = ResticJobRunner.detect()
        let (sim, kubeconfig) = try await DemoCluster.start(scenarios: scenarios, port: port, speed: speed, latency: latencyMs / 1000,
                                                            jobRunner: simulatedRestic ? nil : restic, logRequests: logRequests, kubeconfigPath: writeKubeconfig)
        let path = kubeconfig.path
        print("paperctl-tui demo cluster: \(sim.serverURL)  scenarios: \(scenarios.map(\.rawValue).joined(separator: ","))  speed: \(speed)x")
        print("kubeconfig: \(path)  (mode 0600; removed when the demo stops)")
        print("export KUBECONFIG=\(path)")
        if let restic, !simulatedRestic {
            print("restic Jobs run the real restic; local repository: \(restic.repositoryDirectory) (RESTIC_PASSWORD is in Secret paperless-ngx-restic)")
        }
        print("Try: kubectl get pods,jobs,backups,externalsecrets -n \(sim.options.namespace)   (Ctrl-C stops the cluster)")
        fflush(nil)
        await ProcessSignals.waitForTermination()
        await sim.stop()
        kubeconfig.remove()
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
