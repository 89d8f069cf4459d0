import Foundation
import SimCluster
import Subprocess
import Testing

/// restic-image Jobs run the real restic against a local repository (issue 5, item 9).
@Suite(.timeLimit(.minutes(2))) struct ResticJobRunnerTests {
    static let password = "hunter2-PLANTED-s3cr3t"

    /// A simulator whose restic Jobs run the real restic, with its state in the harness directory.
    static func start(_ scenarios: [Scenario] = [.healthy]) async throws -> (SimHarness, ResticJobRunner) {
        let dir = NSTemporaryDirectory() + "paperctl-restic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let runner = try #require(ResticJobRunner.detect(stateDirectory: "\(dir)/state"), "restic is not on PATH (Tests/run-all.sh installs it)")
        let sim = try await SimulatedCluster.start(scenarios: scenarios, port: 0, speed: 20, jobRunner: runner)
        try sim.kubeconfig().write(toFile: "\(dir)/kubeconfig", atomically: true, encoding: .utf8)
        return (SimHarness(sim: sim, directory: dir), runner)
    }

    /// `restic snapshots --json` on the local repository, with the password from the Secret.
    static func snapshots(_ runner: ResticJobRunner) async throws -> [[String: Any]] {
        let result = try await Subprocess.run(
            .path(.init(runner.executable)), arguments: ["snapshots", "--json", "--no-cache"],
            environment: .inherit.updating(["RESTIC_REPOSITORY": runner.repositoryDirectory, "RESTIC_PASSWORD": password]),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        #expect(result.terminationStatus == .exited(0), "\(result.standardError)")
        let data = Data(result.standardOutput.utf8)
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    @Test func manualBackupMakesARealSnapshotAndLogsResticsOutputWithoutThePassword() async throws {
        let (h, runner) = try await Self.start()
        defer { Task { await h.stop() } }
        let name = "manual-backup-\(Int(Date().timeIntervalSince1970))"
        let created = try await h.kubectl(["create", "job", "--from=cronjob/paperless-ngx-backup", name, "-n", "paperless-ngx"])
        #expect(created.succeeded, "\(created.stderr)")
        let done = try await h.kubectl(["wait", "--for=condition=complete", "job/\(name)", "--timeout=60s"], timeout: 70)
        let logs = try await h.kubectl(["logs", "job/\(name)"])
        #expect(done.succeeded, "job did not complete: \(done.stderr)\nlogs:\n\(logs.stdout)")

        let snapshots = try await Self.snapshots(runner)
        #expect(snapshots.count == 1)
        let snapshot = try #require(snapshots.first)
        #expect(snapshot["hostname"] as? String == "paperless-ngx")
        #expect((snapshot["tags"] as? [String]) == ["paperless-ngx"])
        // /data was the local stand-in for the paperless-ngx-data PVC.
        #expect((snapshot["paths"] as? [String]) == [runner.volumeDirectory(claim: "paperless-ngx-data")])
        let shortID = try #require(snapshot["short_id"] as? String)

        // restic's own output, not the simulator's canned lines.
        #expect(logs.stdout.contains("snapshot \(shortID) saved"), "\(logs.stdout)")
        #expect(logs.stdout.contains("Applying Policy: keep 7 daily, 4 weekly, 6 monthly snapshots"))
        #expect(logs.stdout.contains("processed 25 files"), "restic should have read the seeded Paperless files: \(logs.stdout)")
        #expect(!logs.stdout.contains("4f2a9c1e"))
        #expect(!logs.stdout.contains(Self.password))
        #expect(!logs.stdout.contains(String(Self.password.prefix(12))))

        // The pod finished with restic's exit code, and the CronJob noted the success.
        let pod = try await h.kubectl(["get", "pods", "-l", "job-name=\(name)", "-o", "json"]).json()
        #expect(pod.value(at: "items.0.status.containerStatuses.0.state.terminated.exitCode") == 0)
        #expect(pod.value(at: "items.0.status.phase") == "Succeeded")
    }

    @Test func aSecondRunIsIncrementalAndTheForgetPolicyPrunesTheSameDaySnapshot() async throws {
        let (h, runner) = try await Self.start()
        defer { Task { await h.stop() } }
        for n in 1...2 {
            let name = "manual-backup-\(Int(Date().timeIntervalSince1970))-\(n)"
            #expect(try await h.kubectl(["create", "job", "--from=cronjob/paperless-ngx-backup", name]).succeeded)
            let done = try await h.kubectl(["wait", "--for=condition=complete", "job/\(name)", "--timeout=60s"], timeout: 70)
            #expect(done.succeeded, "\(done.stderr)")
            if n == 2 {
                let logs = try await h.kubectl(["logs", "job/\(name)"])
                #expect(logs.stdout.contains("using parent snapshot"), "\(logs.stdout)")
                // Two snapshots on one day: --keep-daily 7 keeps the newer one and prunes the other.
                #expect(logs.stdout.contains("remove 1 snapshots"), "\(logs.stdout)")
            }
        }
        #expect(try await Self.snapshots(runner).count == 1)
    }

    @Test(arguments: [(Scenario.resticLocked, 11, "already locked"), (.resticWrongPassword, 12, "wrong password")])
    func failingResticScenariosStillExitElevenAndTwelve(scenario: Scenario, code: Int, message: String) async throws {
        let (h, runner) = try await Self.start([scenario])
        defer { Task { await h.stop() } }
        let name = "manual-backup-\(Int(Date().timeIntervalSince1970))"
        #expect(try await h.kubectl(["create", "job", "--from=cronjob/paperless-ngx-backup", name]).succeeded)
        let failed = try await h.kubectl(["wait", "--for=condition=failed", "job/\(name)", "--timeout=60s"], timeout: 70)
        #expect(failed.succeeded, "\(failed.stderr)")
        let pod = try await h.kubectl(["get", "pods", "-l", "job-name=\(name)", "-o", "json"]).json()
        #expect(pod.value(at: "items.0.status.containerStatuses.0.state.terminated.exitCode") == .int(code))
        #expect(try await h.kubectl(["logs", "job/\(name)"]).stdout.contains(message))
        #expect(!FileManager.default.fileExists(atPath: runner.repositoryDirectory), "the scenario is simulated; no repository is touched")
    }

    @Test func aMissingSecretFailsThePodLikeTheKubelet() async throws {
        let (h, runner) = try await Self.start()
        defer { Task { await h.stop() } }
        #expect(try await h.kubectl(["delete", "secret", "paperless-ngx-restic"]).succeeded)
        let name = "manual-backup-\(Int(Date().timeIntervalSince1970))"
        #expect(try await h.kubectl(["create", "job", "--from=cronjob/paperless-ngx-backup", name]).succeeded)
        let failed = try await h.kubectl(["wait", "--for=condition=failed", "job/\(name)", "--timeout=60s"], timeout: 70)
        #expect(failed.succeeded, "\(failed.stderr)")
        #expect(try await h.kubectl(["logs", "job/\(name)"]).stdout.contains("secret \"paperless-ngx-restic\" not found"))
        #expect(!FileManager.default.fileExists(atPath: runner.repositoryDirectory))
    }

    @Test func detectHonoursTheOffSwitchAndAMissingRestic() {
        #expect(ResticJobRunner.detect(stateDirectory: "/tmp/x", environment: ["PATH": "/nonexistent"]) == nil)
        #expect(ResticJobRunner.detect(stateDirectory: "/tmp/x", environment: ["PATH": "/usr/bin:/bin", "PAPERCTL_DEMO_RESTIC": "off"]) == nil)
        #expect(ResticJobRunner.defaultStateDirectory(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/paperctl/demo-cluster")
        #expect(ResticJobRunner.defaultStateDirectory(environment: ["HOME": "/h"]) == "/h/.local/state/paperctl/demo-cluster")
    }
}

/// The watchdog stops a container that runs too long, and the pod reports it.
@Suite(.timeLimit(.minutes(1))) struct ResticWatchdogTests {
    @Test func aHangingResticContainerIsInterruptedByTheWatchdog() async throws {
        let dir = NSTemporaryDirectory() + "paperctl-restic-watchdog-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // A restic that hangs: the runner runs only restic, so the stand-in is the executable.
        let hanging = "\(dir)/hanging-restic"
        try "#!/bin/sh\necho started\nexec sleep 60\n".write(toFile: hanging, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hanging)
        let runner = ResticJobRunner(executable: hanging, stateDirectory: "\(dir)/state", timeout: 1)
        let sim = try await SimulatedCluster.start(scenarios: [.healthy], port: 0, speed: 20, jobRunner: runner)
        try sim.kubeconfig().write(toFile: "\(dir)/kubeconfig", atomically: true, encoding: .utf8)
        let h = SimHarness(sim: sim, directory: dir)
        defer { Task { await h.stop() } }
        let job = """
            {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "hanging-restic"},
             "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never",
               "containers": [{"name": "restic", "image": "restic/restic:0.17.3", "command": ["/bin/sh", "-c"], "args": ["restic snapshots"]}]}}}}
            """
        let created = try await h.kubectl(["create", "-f", "-"], stdin: job)
        #expect(created.succeeded, "\(created.stderr)")
        // The container sleeps 60 s: the Job fails within kubectl's 30 s only because the 1 s
        // watchdog stopped it, which its log says.
        let failed = try await h.kubectl(["wait", "--for=condition=failed", "job/hanging-restic", "--timeout=30s"], timeout: 40)
        #expect(failed.succeeded, "\(failed.stderr)")
        let logs = try await h.kubectl(["logs", "job/hanging-restic"]).stdout
        #expect(logs.contains("started"))
        #expect(logs.contains("watchdog stopped the container after 1 s"))
        let pod = try await h.kubectl(["get", "pods", "-l", "job-name=hanging-restic", "-o", "json"]).json()
        let code = pod.value(at: "items.0.status.containerStatuses.0.state.terminated.exitCode")?.intValue
        #expect(code == 130 || code == 137, "exit \(code.map(String.init) ?? "nil")")
    }
}
