@testable import SimCluster
import Foundation
import Testing

/// How the restic runner maps a container onto the local machine.
@Suite struct ResticPlanTests {
    @Test func theMountPathIsRewrittenOnlyWhereAWordIsThatPathOrBelowIt() {
        let local = "/state/pvc-paperless-ngx-data"
        #expect(ResticJobRunner.rewrite("/data", mountPath: "/data", to: local) == local)
        #expect(ResticJobRunner.rewrite("/data/media", mountPath: "/data", to: local) == "\(local)/media")
        // Not inside other words or paths.
        for word in ["/database", "/srv/data", "/data2", "snap:/data", "--target=/data"] {
            #expect(ResticJobRunner.rewrite(word, mountPath: "/data", to: local) == word)
        }
    }

    @Test func scriptsAreReadWithoutAShellAndOnlyResticMkdirAndTheDrillSummaryRun() throws {
        #expect(try SimScript.commands(of: ["/bin/sh", "-c", "restic backup /data --host paperless-ngx && restic forget --keep-daily 7 --prune"])
                == [.restic(["backup", "/data", "--host", "paperless-ngx"]), .restic(["forget", "--keep-daily", "7", "--prune"])])
        #expect(try SimScript.commands(of: ["/bin/sh", "-c", #"restic version && mkdir -p '/data/a b' && restic restore 'x:/data' --target '/data/a b' --include '/it'\''s \[1\].pdf'"#])
                == [.restic(["version"]), .mkdir("/data/a b"), .restic(["restore", "x:/data", "--target", "/data/a b", "--include", #"/it's \[1\].pdf"#])])
        #expect(try SimScript.commands(of: ["restic", "snapshots", "--json"]) == [.restic(["snapshots", "--json"])])
        #expect(try SimScript.commands(of: []) == [.restic(["version"])])
        #expect(try SimScript.commands(of: ["/bin/sh", "-c", #"restic version && restic restore latest --target /paperctl-drill --verify && printf 'paperctl-drill: files=%s bytes=%s\n' "$(find /paperctl-drill -type f | wc -l)" "$(du -sb /paperctl-drill | cut -f1)""#])
                == [.restic(["version"]), .restic(["restore", "latest", "--target", "/paperctl-drill", "--verify"]), .drillSummary("/paperctl-drill")])
        let refused = [
            "touch /tmp/pwned", "restic version; touch /tmp/pwned", "restic ls $(id)", "restic ls `id`", #"restic ls "$HOME""#,
            "restic version | sh", "restic version > /tmp/x", "restic version &", "restic ls /data/*", "restic version &&",
            #"restic version && printf 'paperctl-drill: files=%s bytes=%s\n' "$(find /a -type f | wc -l)" "$(du -sb /b | cut -f1)""#,
            #"restic version && printf 'paperctl-drill: files=%s bytes=%s\n' "$(find $(id) -type f | wc -l)" "$(du -sb $(id) | cut -f1)""#,
            "restic ls 'unterminated", "restic version\ntouch /tmp/pwned",
        ]
        for script in refused {
            #expect(throws: SimScript.Refusal.self, "\(script)") { try SimScript.commands(of: ["/bin/sh", "-c", script]) }
        }
        #expect(throws: SimScript.Refusal.self) { try SimScript.commands(of: ["/usr/bin/id"]) }
        #expect(throws: SimScript.Refusal.self) { try SimScript.commands(of: ["/bin/sh", "/tmp/script.sh"]) }
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
        #expect(plan.commands == [.restic(["backup", "/state/pvc-paperless-ngx-data", "--host", "paperless-ngx", "--tag", "paperless-ngx"]),
                                  .restic(["forget", "--keep-daily", "7", "--keep-weekly", "4", "--keep-monthly", "6", "--prune"])])
        #expect(plan.volumes == ["/state/pvc-paperless-ngx-data"])
    }

    @Test func base64DecodesWhatTheSeedEncodes() {
        for text in ["", "a", "ab", "abc", "hunter2-PLANTED-s3cr3t", "redis://:pw@host:6379/0"] {
            #expect(Base64.decode(Base64.encode(Array(text.utf8))) == Array(text.utf8))
        }
        #expect(Base64.decode("not base64!") == nil)
    }
}
