@testable import SimCluster
import Foundation
import ProcessTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The demo cluster serves only the user who runs it, and runs no container command on the host
/// (issue 21, item 2).
@Suite(.serialized, .timeLimit(.minutes(2))) struct DemoAccessTests {
    /// `curl` as `uid` (through setpriv when it differs from ours): the HTTP status and the body.
    static func curl(_ url: String, asUID uid: UInt32? = nil, headers: [String] = []) async throws -> (status: String, body: String) {
        let args = ["-s", "-o", "-", "-w", "\n%{http_code}"] + headers.flatMap { ["-H", $0] } + [url]
        let run = if let uid {
            try await runProcess("setpriv", ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "curl"] + args, limit: 20)
        } else {
            try await runProcess("curl", args, limit: 20)
        }
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
    }

    @Test(.enabled(if: getuid() == 0, "needs root to connect as another uid"))
    func anotherUserIsRefusedEveryRequestWhileTheOwnerIsServed() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let secrets = "\(h.sim.serverURL)/api/v1/namespaces/paperless-ngx/secrets"
        let stranger = try await Self.curl(secrets, asUID: 65534)
        #expect(stranger.status == "403", "\(stranger)")
        #expect(stranger.body.contains("uid 65534 is not the user running the demo"))
        #expect(!stranger.body.contains("paperless-ngx-restic"), "another user listed the Secrets")
        let strangerJob = try await Self.curl("\(h.sim.serverURL)/apis/batch/v1/namespaces/paperless-ngx/jobs", asUID: 65534)
        #expect(strangerJob.status == "403")
        // The owner, through kubectl and directly.
        #expect(try await h.kubectl(["get", "secret", "paperless-ngx-restic", "-o", "name"]).stdout.contains("secret/paperless-ngx-restic"))
        #expect(try await Self.curl(secrets).status == "200")
    }

    @Test func aBrowserPageIsRefusedEvenAsTheOwner() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let secrets = "\(h.sim.serverURL)/api/v1/namespaces/paperless-ngx/secrets"
        #expect(try await Self.curl(secrets, headers: ["Origin: https://evil.example"]).status == "403")
        #expect(try await Self.curl(secrets, headers: ["Sec-Fetch-Site: cross-site"]).status == "403")
        // DNS rebinding: a name that resolves to 127.0.0.1 carries its own Host.
        #expect(try await Self.curl(secrets, headers: ["Host: evil.example:\(h.sim.port)"]).status == "403")
    }

    @Test func theOwnerOfAPeerSocketIsReadFromProcNetTCP() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:A411 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 4242 1 0000000000000000 20 4 30 10 -1
               1: 0100007F:1F90 0100007F:A411 01 00000000:00000000 00:00000000 00000000     0        0 4243 1 0000000000000000 20 4 30 10 -1
               2: 0A000005:A412 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 4244 1 0000000000000000 20 4 30 10 -1
            """
        #expect(Admission.owner(in: table, peerPort: 0xA411, serverPort: 0x1F90) == 65534)
        #expect(Admission.owner(in: table, peerPort: 0xA412, serverPort: 0x1F90) == nil, "not a loopback peer")
        #expect(Admission(serverPort: 0x1F90, uid: 0).refusal(peerPort: 0xA411, tables: []) != nil, "an unknown owner is refused")
    }

    @Test func aJobWhoseCommandIsAShellScriptRunsNothingOnTheHost() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-pwn-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = try #require(ResticJobRunner.detect(stateDirectory: "\(dir)/state"), "restic is not on PATH (Tests/run-all.sh installs it)")
        let sim = try await SimulatedCluster.start(scenarios: [.healthy], port: 0, speed: 20, jobRunner: runner)
        try sim.kubeconfig().write(toFile: "\(dir)/kubeconfig", atomically: true, encoding: .utf8)
        let h = SimHarness(sim: sim, directory: dir)
        defer { Task { await h.stop() } }
        let scripts = [
            ("pwn-shell", #"["/bin/sh", "-c", "touch \#(dir)/pwned-shell"]"#),
            ("pwn-chained", #"["/bin/sh", "-c", "restic version && touch \#(dir)/pwned-chained"]"#),
            ("pwn-subst", #"["/bin/sh", "-c", "restic ls $(touch \#(dir)/pwned-subst)"]"#),
            ("pwn-exec", #"["/usr/bin/touch", "\#(dir)/pwned-exec"]"#),
        ]
        for (name, command) in scripts {
            let job = """
                {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "\(name)"},
                 "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never",
                   "containers": [{"name": "restic", "image": "restic/restic:0.17.3", "command": \(command)}]}}}}
                """
            #expect(try await h.kubectl(["create", "-f", "-"], stdin: job).succeeded)
        }
        for (name, _) in scripts {
            let failed = try await h.kubectl(["wait", "--for=condition=failed", "job/\(name)", "--timeout=30s"], timeout: 40)
            #expect(failed.succeeded, "\(name): \(failed.stderr)")
            #expect(try await h.kubectl(["logs", "job/\(name)"]).stdout.contains("paperctl simulator:"), "\(name) says why it ran nothing")
        }
        let planted = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("pwned") }
        #expect(planted.isEmpty, "a container command ran on the host: \(planted)")
    }
}
