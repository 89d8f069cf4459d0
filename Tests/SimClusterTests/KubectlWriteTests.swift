import Foundation
import ProcessTestSupport
import Testing
import SimCluster

/// The real kubectl changes the simulated deployment, and the controllers react.
@Suite(.timeLimit(.minutes(2))) struct KubectlWriteTests {
    @Test func createJobFromCronJobCarriesLabelsAnnotationAndOwnerThenCompletes() async throws {
        let h = try await SimHarness.start(speed: 20)
        defer { Task { await h.stop() } }
        let name = "manual-backup-\(Int(Date().timeIntervalSince1970))"
        let created = try await h.kubectl(["create", "job", "--from=cronjob/paperless-ngx-backup", name, "-n", "paperless-ngx"])
        #expect(created.succeeded, "\(created.stderr)")
        let job = try await h.kubectl(["get", "job", name, "-o", "json"]).json()
        #expect(job.value(at: "metadata.labels")?["app.kubernetes.io/name"] == "paperless-ngx-backup")
        #expect(job.value(at: "metadata.annotations")?["cronjob.kubernetes.io/instantiate"] == "manual")
        #expect(job.value(at: "metadata.ownerReferences.0.kind") == "CronJob")
        #expect(job.value(at: "metadata.ownerReferences.0.name") == "paperless-ngx-backup")
        #expect(job.value(at: "spec.template.spec.containers.0.image") == "restic/restic:0.17.3")
        // kubectl's typed client sent protobuf, and the simulator recorded what it built.
        let write = try #require(h.sim.store.recordedWrites.first { $0.name == name })
        #expect(write.contentType.hasPrefix("application/vnd.kubernetes.protobuf"))
        let done = try await h.kubectl(["wait", "--for=condition=complete", "job/\(name)", "--timeout=60s"], timeout: 70)
        #expect(done.succeeded, "\(done.stderr)")
        let logs = try await h.kubectl(["logs", "job/\(name)"])
        #expect(logs.stdout.contains("snapshot"))
    }

    @Test func applyCreatesThenConfiguresBackupAndClusterWithValidation() async throws {
        let h = try await SimHarness.start(speed: 20)
        defer { Task { await h.stop() } }
        let backup = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Backup
            metadata:
              name: on-demand-1
            spec:
              cluster:
                name: paperless-ngx-db
              method: barmanObjectStore
            """
        let first = try await h.kubectl(["apply", "-f", "-"], stdin: backup)
        #expect(first.stdout.contains("backup.postgresql.cnpg.io/on-demand-1 created"), "\(first.stderr)")
        let again = try await h.kubectl(["apply", "-f", "-"], stdin: backup)
        #expect(again.stdout.contains("unchanged"), "\(again.stderr)")
        let completed = try await h.kubectl(["wait", "--for=jsonpath={.status.phase}=completed", "backup/on-demand-1", "--timeout=60s"], timeout: 70)
        #expect(completed.succeeded, "\(completed.stderr)")
        let cluster = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata:
              name: restore-drill
            spec:
              instances: 1
              storage:
                size: 5Gi
            """
        let c1 = try await h.kubectl(["apply", "-f", "-"], stdin: cluster)
        #expect(c1.stdout.contains("created"), "\(c1.stderr)")
        let c2 = try await h.kubectl(["apply", "-f", "-"], stdin: cluster.replacingOccurrences(of: "instances: 1", with: "instances: 2"))
        #expect(c2.stdout.contains("configured"), "\(c2.stderr)")
        let healthy = try await h.kubectl(["wait", "--for=jsonpath={.status.phase}=Cluster in healthy state", "cluster/restore-drill", "--timeout=60s"], timeout: 70)
        #expect(healthy.succeeded, "\(healthy.stderr)")
        // Server-side validation refuses a bad method with the field and the reason.
        let invalid = try await h.kubectl(["apply", "-f", "-"], stdin: backup.replacingOccurrences(of: "barmanObjectStore", with: "tape"))
        #expect(!invalid.succeeded)
        #expect(invalid.stderr.contains("spec.method: Unsupported value"))
    }

    @Test func patchInAllThreeForms() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let strategic = try await h.kubectl(["patch", "deploy", "paperless-ngx", "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"paperless-ngx","image":"ghcr.io/paperless-ngx/paperless-ngx:2.21.0"}]}}}}"#])
        #expect(strategic.succeeded, "\(strategic.stderr)")
        let merge = try await h.kubectl(["patch", "backup", "paperless-ngx-db-daily-\(Self.anyBackupSuffix(h))", "--type", "merge", "-p", #"{"metadata":{"labels":{"reviewed":"yes"}}}"#])
        #expect(merge.succeeded, "\(merge.stderr)")
        let json = try await h.kubectl(["patch", "cronjob", "paperless-ngx-backup", "--type", "json", "-p", #"[{"op":"replace","path":"/spec/suspend","value":true}]"#])
        #expect(json.succeeded, "\(json.stderr)")
        let deploy = try await h.kubectl(["get", "deploy", "paperless-ngx", "-o", "json"]).json()
        let containers = deploy.value(at: "spec.template.spec.containers")?.arrayValue ?? []
        #expect(containers.count == 1)
        #expect(containers.first?["image"] == "ghcr.io/paperless-ngx/paperless-ngx:2.21.0")
        #expect(containers.first?["env"]?.arrayValue?.isEmpty == false, "strategic merge kept the other container fields")
        #expect(try await h.kubectl(["get", "cronjob", "paperless-ngx-backup", "-o", "json"]).json().value(at: "spec.suspend") == true)
        let labelled = try await h.kubectl(["get", "backups", "-l", "reviewed=yes", "-o", "name"])
        #expect(labelled.stdout.split(separator: "\n").count == 1)
    }

    static func anyBackupSuffix(_ h: SimHarness) -> String {
        let names = h.sim.store.list(Catalogue.backups, namespace: "paperless-ngx").items.compactMap { $0.value(at: "metadata.name")?.stringValue }
        return names.first.map { String($0.dropFirst("paperless-ngx-db-daily-".count)) } ?? ""
    }

    @Test func scaleToZeroRemovesPodsAndBackCreatesARunningPod() async throws {
        let h = try await SimHarness.start(speed: 10)
        defer { Task { await h.stop() } }
        let down = try await h.kubectl(["scale", "deploy/paperless-ngx", "--replicas=0"])
        #expect(down.stdout.contains("scaled"), "\(down.stderr)")
        try await waitUntil("the app pods to be gone after scaling to zero") {
            try await h.kubectl(["get", "pods", "-l", "app.kubernetes.io/name=paperless-ngx", "-o", "json"]).json()["items"]?.arrayValue?.isEmpty == true
        }
        let up = try await h.kubectl(["scale", "deploy/paperless-ngx", "--replicas=1"])
        #expect(up.succeeded)
        let ready = try await h.kubectl(["wait", "--for=condition=Available", "deploy/paperless-ngx", "--timeout=30s"], timeout: 40)
        #expect(ready.succeeded, "\(ready.stderr)")
        let pods = try await h.kubectl(["get", "pods", "-l", "app.kubernetes.io/name=paperless-ngx", "-o", "json"]).json()["items"]?.arrayValue ?? []
        #expect(pods.count == 1)
        #expect(pods.first?.value(at: "status.phase") == "Running")
    }

    @Test func annotateForceSyncRefreshesTheExternalSecret() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let before = try await h.kubectl(["get", "es", "paperless-ngx-restic", "-o", "jsonpath={.status.refreshTime}"]).stdout
        // refreshTime has whole seconds: annotate once the clock is past the second it shows.
        let shown = try #require(ISO8601DateFormatter().date(from: before.trimmingCharacters(in: .whitespacesAndNewlines))).timeIntervalSince1970
        try await waitUntil("the simulator's clock past \(before)", timeout: 5, every: .milliseconds(50)) { h.sim.clock.now() >= shown + 1 }
        let r = try await h.kubectl(["annotate", "es", "paperless-ngx-restic", "force-sync=\(Int(Date().timeIntervalSince1970))", "--overwrite"])
        #expect(r.stdout.contains("annotated"), "\(r.stderr)")
        try await waitUntil("a new status.refreshTime on ExternalSecret paperless-ngx-restic (was \(before))") {
            let now = try await h.kubectl(["get", "es", "paperless-ngx-restic", "-o", "jsonpath={.status.refreshTime}"]).stdout
            return !now.isEmpty && now != before
        }
    }

    @Test func deleteRemovesTheJobAndItsPods() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let job = try #require(h.sim.store.list(Catalogue.jobs, namespace: "paperless-ngx").items.first?.value(at: "metadata.name")?.stringValue)
        let r = try await h.kubectl(["delete", "job", job])
        #expect(r.stdout.contains("deleted"), "\(r.stderr)")
        let after = try await h.kubectl(["get", "job", job])
        #expect(after.stderr.contains("not found"))
        let pods = try await h.kubectl(["get", "pods", "-l", "job-name=\(job)", "-o", "json"]).json()["items"]?.arrayValue ?? []
        #expect(pods.isEmpty)
    }
}
