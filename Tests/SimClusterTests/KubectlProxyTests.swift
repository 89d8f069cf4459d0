import Foundation
import PaperKube
import ProcessTestSupport
import SimCluster
import Synchronization
import Testing

/// Issue 13's first piece: the real `kubectl proxy` on a private unix socket, read-only, carries the
/// simulator's lists and watches, and refuses writes and paths the dashboard does not read.
@Suite(.serialized, .timeLimit(.minutes(2))) struct KubectlProxyTests {
    struct TimedOut: Error, CustomStringConvertible { let description: String }

    @Test func theReadOnlyProxyCarriesListsAndWatchesAndRefusesWritesAndOtherPaths() async throws {
        let sim = try await SimulatedCluster.start(scenarios: [.healthy])
        defer { Task { await sim.stop() } }
        let dir = NSTemporaryDirectory() + "paperctl-proxy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: "\(dir)/run", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try sim.kubeconfig().write(toFile: "\(dir)/kc", atomically: true, encoding: .utf8)
        let socket = "\(dir)/run/kubectl.sock"
        let kubectl = try KubectlLocator().locate()
        let command = KubectlCommand.readOnlyProxy(socket: socket, target: KubeTarget(kubeconfig: "\(dir)/kc", namespace: "paperless-ngx"))
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: kubectl)
        proxy.arguments = command.arguments
        proxy.standardOutput = FileHandle.nullDevice
        proxy.standardError = FileHandle.nullDevice
        try proxy.run()
        defer { proxy.terminate() }
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: socket) {
            guard Date() < deadline, proxy.isRunning else { throw TimedOut(description: "kubectl proxy did not open \(socket)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        func curl(_ args: [String], limit: Double = 20) async throws -> ProcessRun {
            try await runProcess("curl", ["-sS", "--unix-socket", socket, "-w", "\nHTTP %{http_code}"] + args, limit: limit)
        }
        let base = "http://localhost"

        // A list, as the dashboard reads it, with the version to watch from.
        let jobs = try await curl(["\(base)/apis/batch/v1/namespaces/paperless-ngx/jobs"])
        #expect(jobs.stdout.contains("\"kind\":\"JobList\"") && jobs.stdout.hasSuffix("HTTP 200"), "\(jobs.stdout.prefix(300))\n\(jobs.stderr)")
        let version = try #require(jobs.stdout.firstMatch(of: /"resourceVersion":"(\d+)"/)?.1)

        // A watch through the proxy sees a Job created meanwhile.
        let watchersBefore = sim.store.watcherCount
        async let watched = curl(["-N", "--max-time", "6", "\(base)/apis/batch/v1/namespaces/paperless-ngx/jobs?watch=1&resourceVersion=\(version)&allowWatchBookmarks=true"], limit: 30)
        try await waitUntil("the watch through the proxy to reach the simulator", timeout: 5, every: .milliseconds(20)) { sim.store.watcherCount > watchersBefore }
        let created = try await runProcess(kubectl, ["--kubeconfig", "\(dir)/kc", "create", "job", "--from=cronjob/paperless-ngx-backup", "proxy-watch-1", "-n", "paperless-ngx"], limit: 30)
        #expect(created.status == 0, "\(created.stderr)")
        let events = try await watched
        #expect(events.stdout.contains("\"type\":\"ADDED\"") && events.stdout.contains("proxy-watch-1"), "\(events.stdout.suffix(400))")

        // Discovery and the node stats proxy are readable.
        #expect(try await curl(["\(base)/apis"]).stdout.hasSuffix("HTTP 200"))
        // Every collection the dashboard lists, and the app pod's log, pass.
        for path in ["/api/v1/namespaces/paperless-ngx/pods", "/api/v1/namespaces/paperless-ngx/events?limit=5", "/apis/apps/v1/namespaces/paperless-ngx/deployments",
                     "/apis/postgresql.cnpg.io/v1/namespaces/paperless-ngx/backups", "/apis/coordination.k8s.io/v1/namespaces/paperless-ngx/leases",
                     "/api/v1/namespaces/paperless-ngx/pods/paperless-ngx-7d9f8c6b5d-x2x4q/log?container=paperless-ngx&tailLines=1"] {
            let answer = try await curl(["\(base)\(path)"])
            #expect(answer.stdout.hasSuffix("HTTP 200"), "\(path): \(answer.stdout.suffix(200))")
        }
        // Nothing else: port-forward, the pod and service proxies (a way to Postgres), single
        // objects and other subresources are refused by the proxy itself (issue 21).
        for path in ["/api/v1/namespaces/paperless-ngx/pods/paperless-ngx-db-1/portforward?ports=5432",
                     "/api/v1/namespaces/paperless-ngx/pods/paperless-ngx-db-1:5432/proxy/",
                     "/api/v1/namespaces/paperless-ngx/services/paperless-ngx-db-rw:5432/proxy/",
                     "/api/v1/namespaces/paperless-ngx/services/paperless-ngx-db-rw/proxy",
                     "/api/v1/namespaces/paperless-ngx/pods/paperless-ngx-7d9f8c6b5d-x2x4q",
                     "/api/v1/namespaces/paperless-ngx/pods/paperless-ngx-7d9f8c6b5d-x2x4q/ephemeralcontainers",
                     "/api/v1/namespaces/paperless-ngx/serviceaccounts",
                     "/api/v1/namespaces/paperless-ngx/serviceaccounts/default/token"] {
            let answer = try await curl(["\(base)\(path)"])
            #expect(answer.stdout.hasSuffix("HTTP 403"), "\(path) came through the proxy: \(answer.stdout.suffix(200))")
        }
        #expect(try await curl(["\(base)/api/v1/nodes/sim-node-1/proxy/stats/summary"]).stdout.contains("\"pods\""))

        // Writes are refused by the proxy itself, whatever the credentials could do.
        let post = try await curl(["-X", "POST", "-H", "Content-Type: application/json", "--data", "{}", "\(base)/api/v1/namespaces/paperless-ngx/configmaps"])
        #expect(post.stdout.hasSuffix("HTTP 403"), "\(post.stdout)")
        let delete = try await curl(["-X", "DELETE", "\(base)/apis/batch/v1/namespaces/paperless-ngx/jobs/proxy-watch-1"])
        #expect(delete.stdout.hasSuffix("HTTP 403"), "\(delete.stdout)")
        #expect(sim.store.get(Catalogue.jobs, namespace: "paperless-ngx", name: "proxy-watch-1") != nil, "the DELETE reached the server")
        // Paths the dashboard does not read: other namespaces, Secrets cluster-wide.
        #expect(try await curl(["\(base)/api/v1/namespaces/kube-system/pods"]).stdout.hasSuffix("HTTP 403"))
        #expect(try await curl(["\(base)/api/v1/secrets"]).stdout.hasSuffix("HTTP 403"))
        let secrets = try await curl(["\(base)/api/v1/namespaces/paperless-ngx/secrets"])
        #expect(secrets.stdout.hasSuffix("HTTP 403") && !secrets.stdout.contains("\"data\""), "a Secret came through the proxy")
    }

    /// The dashboard's own client (NIO over the socket) and runner through the same real proxy.
    @Test func theProxyClientListsWatchesAndGetsRefusalsInKubectlsWords() async throws {
        let sim = try await SimulatedCluster.start(scenarios: [.healthy])
        defer { Task { await sim.stop() } }
        let dir = NSTemporaryDirectory() + "paperctl-proxy-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: "\(dir)/run", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try sim.kubeconfig().write(toFile: "\(dir)/kc", atomically: true, encoding: .utf8)
        let socket = "\(dir)/run/kube.sock"
        let kubectl = try KubectlLocator().locate()
        let target = KubeTarget(kubeconfig: "\(dir)/kc", namespace: "paperless-ngx")
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: kubectl)
        proxy.arguments = KubectlCommand.readOnlyProxy(socket: socket, target: target).arguments
        proxy.standardOutput = FileHandle.nullDevice
        proxy.standardError = FileHandle.nullDevice
        try proxy.run()
        defer { proxy.terminate() }
        try await waitForFile(socket, timeout: 30)

        let client = ProxyClient(socketPath: socket, timeout: 10)
        let list = try await client.get("/apis/batch/v1/namespaces/paperless-ngx/jobs")
        #expect(list.status == 200)
        let (version, jobs) = try KubeObject.list(of: .job, from: list.body)
        #expect(!jobs.isEmpty && version != nil, "the raw list decodes typed, though its items carry no kind")

        // A watch hands over each event as a line as it arrives.
        let lines = LinesSeen()
        let watch = Task { await client.stream("/apis/batch/v1/namespaces/paperless-ngx/jobs?watch=1&resourceVersion=\(version ?? "")") { lines.add($0) } }
        let created = try await runProcess(kubectl, ["--kubeconfig", "\(dir)/kc", "create", "job", "--from=cronjob/paperless-ngx-backup", "proxy-client-1", "-n", "paperless-ngx"], limit: 30)
        #expect(created.status == 0, "\(created.stderr)")
        try await waitUntil("the ADDED event of proxy-client-1", timeout: 15) {
            lines.all.contains { line in
                if case .object(.added, let object, _)? = try? KubeObject.watchEvent(of: .job, from: line) { return object.name == "proxy-client-1" }
                return false
            }
        }
        watch.cancel()
        #expect(await watch.value == .cancelled)

        // A refusal reads as kubectl would print it, so it classifies the same.
        let runner = ProxyRunner(client: client)
        do {
            _ = try await runner.output(of: .rawGet("/api/v1/namespaces/paperless-ngx/secrets", target: target))
            Issue.record("Secrets came through the proxy")
        } catch {
            #expect(error.code == "forbidden", "\(error)")
        }
        // Anything but a raw read is refused before any request.
        await #expect(throws: KubectlError.self) { _ = try await runner.run(.get(["pods"], target: target)) }
        // A proxy that is gone is unreachable, not a hang.
        let gone = ProxyClient(socketPath: "\(dir)/run/none.sock", timeout: 5)
        await #expect(throws: KubectlError.self) { _ = try await gone.get("/version") }
    }

    final class LinesSeen: Sendable {
        private let lines = Mutex<[Data]>([])
        func add(_ batch: [Data]) { lines.withLock { $0 += batch } }
        var all: [Data] { lines.withLock { $0 } }
    }
}
