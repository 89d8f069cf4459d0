import Foundation
import Testing
import SimCluster

/// `kubectl logs` against the simulated pods: container choice, tail, since, timestamps, follow.
@Suite(.timeLimit(.minutes(2))) struct KubectlLogsTests {
    let app = "paperless-ngx-7d9f8c6b5d-x2x4q"

    @Test func containerTailAndTimestamps() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let tail = try await h.kubectl(["logs", app, "-c", "paperless-ngx", "--tail=3"])
        #expect(tail.stdout.split(separator: "\n").count == 3, "\(tail.stderr)")
        let stamped = try await h.kubectl(["logs", app, "-c", "paperless-ngx", "--tail=2", "--timestamps"])
        for line in stamped.stdout.split(separator: "\n") {
            #expect(line.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z "#, options: .regularExpression) != nil)
        }
        let proxy = try await h.kubectl(["logs", app, "-c", "linkerd-proxy", "--tail=1"])
        #expect(proxy.stdout.contains("ThreadId"))
        let bad = try await h.kubectl(["logs", app, "-c", "nope"])
        #expect(bad.stderr.contains("container nope is not valid for pod"))
    }

    @Test func sinceLimitsTheWindow() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let all = try await h.kubectl(["logs", app, "-c", "paperless-ngx"]).stdout.split(separator: "\n").count
        let recent = try await h.kubectl(["logs", app, "-c", "paperless-ngx", "--since=10m"]).stdout.split(separator: "\n").count
        #expect(all > 100)
        #expect(recent > 0 && recent < 30)
    }

    @Test func deploymentAndJobTargetsResolveToPods() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let deploy = try await h.kubectl(["logs", "deploy/paperless-ngx", "--tail=1"])
        // Without -c kubectl falls to the first container: the Linkerd sidecar (the runbook's pitfall).
        #expect(deploy.stderr.contains("Defaulted container \"linkerd-proxy\""))
        let app = try await h.kubectl(["logs", "deploy/paperless-ngx", "-c", "paperless-ngx", "--tail=50"])
        #expect(app.stdout.contains("[INFO]") || app.stdout.contains("INFO/"))
        let job = try #require(h.sim.store.list(Catalogue.jobs, namespace: "paperless-ngx").items.last?.value(at: "metadata.name")?.stringValue)
        let jobLogs = try await h.kubectl(["logs", "job/\(job)"])
        #expect(jobLogs.stdout.contains("snapshot"), "\(jobLogs.stderr)")
    }

    @Test func followStreamsNewLines() async throws {
        let h = try await SimHarness.start(speed: 10)
        defer { Task { await h.stop() } }
        let follow = try await h.kubectl(["logs", "-f", app, "-c", "paperless-ngx", "--tail=0"], timeout: 4)
        // 4 s at 10x is 40 simulated seconds: about 10 new lines, none of them old.
        let lines = follow.stdout.split(separator: "\n")
        #expect(lines.count >= 5, "only \(lines.count) lines streamed")
    }
}
