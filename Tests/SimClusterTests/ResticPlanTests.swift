@testable import SimCluster
import Foundation
import Testing

/// How the restic runner maps a container onto the local machine.
@Suite struct ResticPlanTests {
    @Test func theMountPathIsRewrittenOnlyWhereItIsAPath() {
        let local = "/state/pvc-paperless-ngx-data"
        #expect(ResticJobRunner.rewrite("restic backup /data --host paperless-ngx", mountPath: "/data", to: local)
                == "restic backup \(local) --host paperless-ngx")
        #expect(ResticJobRunner.rewrite("ls /data/media && echo '/data'", mountPath: "/data", to: local) == "ls \(local)/media && echo '\(local)'")
        #expect(ResticJobRunner.rewrite("/data", mountPath: "/data", to: local) == local)
        // Not inside other words or paths.
        #expect(ResticJobRunner.rewrite("cat /database /srv/data /data2", mountPath: "/data", to: local) == "cat /database /srv/data /data2")
    }

    @Test func containerEnvComesFromValuesAndSecretsWithTheRepositoryMappedLocally() async throws {
        let sim = try await SimulatedCluster.start(scenarios: [.healthy], port: 0, speed: 1)
        defer { Task { await sim.stop() } }
        let runner = ResticJobRunner(executable: "/usr/bin/restic", stateDirectory: "/state")
        let cronJob = try #require(sim.store.get(Catalogue.cronJobs, namespace: "paperless-ngx", name: "paperless-ngx-backup"))
        let podSpec = try #require(cronJob.value(at: "spec.jobTemplate.spec.template.spec"))
        let container = try #require(podSpec["containers"]?.arrayValue?.first)
        let plan = try runner.containerPlan(container: container, podSpec: podSpec, namespace: "paperless-ngx", store: sim.store)
        #expect(plan.environment["RESTIC_PASSWORD"] == "hunter2-PLANTED-s3cr3t")
        #expect(plan.environment["AWS_ACCESS_KEY_ID"] == "DO00SIMULATEDKEYID00")
        #expect(plan.environment["RESTIC_REPOSITORY"] == "/state/restic-repo")
        #expect(plan.arguments == ["/bin/sh", "-c",
                                   "restic backup /state/pvc-paperless-ngx-data --host paperless-ngx --tag paperless-ngx && restic forget --keep-daily 7 --keep-weekly 4 --keep-monthly 6 --prune"])
        #expect(plan.volumes == ["/state/pvc-paperless-ngx-data"])
    }

    @Test func base64DecodesWhatTheSeedEncodes() {
        for text in ["", "a", "ab", "abc", "hunter2-PLANTED-s3cr3t", "redis://:pw@host:6379/0"] {
            #expect(Base64.decode(Base64.encode(Array(text.utf8))) == Array(text.utf8))
        }
        #expect(Base64.decode("not base64!") == nil)
    }
}
