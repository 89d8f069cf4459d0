import ProcessTestSupport
import Testing
import SimCluster

/// The real kubectl reads the simulated deployment: discovery, JSON, Table, selectors, watch.
@Suite(.timeLimit(.minutes(2))) struct KubectlReadTests {
    @Test func discoveryAndVersionServeKubectl() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let version = try await h.kubectl(["version", "-o", "json"])
        #expect(version.succeeded, "\(version.stderr)")
        #expect(version.json().value(at: "serverVersion.gitVersion") == "v1.32.4")
        let resources = try await h.kubectl(["api-resources", "--no-headers"])
        for name in ["backups", "scheduledbackups", "clusters", "externalsecrets", "cronjobs", "persistentvolumeclaims"] {
            #expect(resources.stdout.contains(name), "api-resources lacks \(name)")
        }
        let versions = try await h.kubectl(["api-versions"])
        #expect(versions.stdout.contains("external-secrets.io/v1beta1"))
        #expect(versions.stdout.contains("postgresql.cnpg.io/v1"))
    }

    @Test func multiTypeGetReturnsEveryKindAsJSON() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let r = try await h.kubectl(["get", "pods,jobs,cronjobs,pvc,externalsecrets,backups,scheduledbackups,clusters", "-o", "json"])
        #expect(r.succeeded, "\(r.stderr)")
        let items = r.json()["items"]?.arrayValue ?? []
        func count(_ kind: String) -> Int { items.filter { $0["kind"]?.stringValue == kind }.count }
        #expect(count("Backup") == 10)
        #expect(count("Job") == 7)
        #expect(count("CronJob") == 1)
        #expect(count("ExternalSecret") == 4)
        #expect(count("ScheduledBackup") == 1)
        #expect(count("Cluster") == 1)
        #expect(count("PersistentVolumeClaim") == 2)
        #expect(count("Pod") >= 10)
        let app = items.first { $0.value(at: "metadata.name")?.stringValue?.hasPrefix("paperless-ngx-7d9f") == true }
        let containers = app?.value(at: "spec.containers")?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(containers == ["linkerd-proxy", "paperless-ngx"])
        #expect(items.first { $0["kind"] == "ScheduledBackup" }?.value(at: "spec.schedule") == "0 0 3 * * *")
    }

    @Test func plainGetPrintsServerSideTableColumns() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let pods = try await h.kubectl(["get", "pods"])
        let header = pods.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.split(separator: " ").filter { !$0.isEmpty } == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"])
        #expect(pods.stdout.contains { _ in true } && pods.stdout.split(separator: "\n").contains { $0.hasPrefix("paperless-ngx-7d9f8c6b5d-x2x4q") && $0.contains("2/2") && $0.contains("Running") })
        let backups = try await h.kubectl(["get", "backups"])
        #expect(backups.stdout.contains("PHASE"))
        #expect(backups.stdout.contains("completed"))
        let es = try await h.kubectl(["get", "externalsecrets"])
        #expect(es.stdout.contains("SecretSynced"))
        #expect(es.stdout.contains("LAST SYNC"))
    }

    @Test func labelAndFieldSelectorsFilter() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let jobs = try await h.kubectl(["get", "jobs", "-l", "app.kubernetes.io/name=paperless-ngx-backup", "-o", "json"])
        #expect(jobs.json()["items"]?.arrayValue?.count == 7)
        let none = try await h.kubectl(["get", "jobs", "-l", "app.kubernetes.io/name=nothing", "-o", "json"])
        #expect(none.json()["items"]?.arrayValue?.isEmpty == true)
        let running = try await h.kubectl(["get", "pods", "--field-selector", "status.phase=Running", "-o", "json"])
        let phases = Set((running.json()["items"]?.arrayValue ?? []).compactMap { $0.value(at: "status.phase")?.stringValue })
        #expect(phases == ["Running"])
        let one = try await h.kubectl(["get", "pods", "--field-selector", "metadata.name=paperless-ngx-db-1", "-o", "name"])
        #expect(one.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "pod/paperless-ngx-db-1")
    }

    @Test func externalSecretsAreServedAsV1AndV1beta1() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let beta = try await h.kubectl(["get", "externalsecrets.v1beta1.external-secrets.io", "paperless-ngx-admin", "-o", "json"])
        #expect(beta.json()["apiVersion"] == "external-secrets.io/v1beta1")
        let v1 = try await h.kubectl(["get", "es", "paperless-ngx-admin", "-o", "json"])
        #expect(v1.json()["apiVersion"] == "external-secrets.io/v1")
        #expect(v1.json().value(at: "status.conditions.0.reason") == "SecretSynced")
    }

    @Test func watchStreamsChangesAsTheyHappen() async throws {
        let h = try await SimHarness.start(speed: 20)
        defer { Task { await h.stop() } }
        let watchersBefore = h.sim.store.watcherCount
        async let watch = h.kubectl(["get", "jobs", "-w", "--output-watch-events", "--no-headers"], timeout: 6)
        // The Job is created once kubectl's watch is open on the server, so it arrives as a change.
        try await waitUntil("kubectl's watch on the simulator", timeout: 5, every: .milliseconds(20)) { h.sim.store.watcherCount > watchersBefore }
        let created = try await h.kubectl(["create", "job", "--from=cronjob/paperless-ngx-backup", "watch-probe"])
        #expect(created.succeeded, "\(created.stderr)")
        let out = try await watch
        #expect(out.stdout.contains("ADDED"))
        #expect(out.stdout.split(separator: "\n").contains { $0.contains("watch-probe") })
    }

    @Test func kubeletStatsSummaryCarriesPVCUsage() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let r = try await h.kubectl(["get", "--raw", "/api/v1/nodes/sim-node-1/proxy/stats/summary"])
        #expect(r.succeeded, "\(r.stderr)")
        let volumes = (r.json()["pods"]?.arrayValue ?? []).flatMap { $0["volume"]?.arrayValue ?? [] }
        let data = try #require(volumes.first { $0.value(at: "pvcRef.name") == "paperless-ngx-data" })
        let used = try #require(data["usedBytes"]?.intValue)
        let capacity = try #require(data["capacityBytes"]?.intValue)
        let available = try #require(data["availableBytes"]?.intValue)
        #expect(used + available == capacity)
        #expect(Double(used) / Double(capacity) > 0.3 && Double(used) / Double(capacity) < 0.6)
        #expect(volumes.contains { $0.value(at: "pvcRef.name") == "paperless-ngx-db-1" })
    }

    @Test func execAndPortForwardAreRefusedWithAClearStatus() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let exec = try await h.kubectl(["exec", "paperless-ngx-db-1", "--", "ls"])
        #expect(!exec.succeeded)
        #expect(exec.stderr.contains("forbidden"))
        #expect(exec.stderr.contains("not available on the paperctl-tui simulated cluster"))
        let pf = try await h.kubectl(["port-forward", "pod/paperless-ngx-db-1", "15432:5432"], timeout: 10)
        #expect(!pf.succeeded)
        #expect(pf.stderr.contains("forbidden"))
    }

    @Test func unknownResourcesAndBadBodiesGetStatusErrors() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let missing = try await h.kubectl(["get", "--raw", "/apis/batch/v1/namespaces/paperless-ngx/widgets"])
        #expect(!missing.succeeded)
        #expect(missing.stderr.contains("NotFound") || missing.stderr.contains("could not find the requested resource"))
        let noSuchType = try await h.kubectl(["get", "widgets"])
        #expect(noSuchType.stderr.contains("the server doesn't have a resource type \"widgets\""))
        let notFound = try await h.kubectl(["get", "job", "nope"])
        #expect(notFound.stderr.contains("jobs.batch \"nope\" not found"))
        let bad = try await h.kubectl(["create", "--raw", "/apis/batch/v1/namespaces/paperless-ngx/jobs", "-f", "-"], stdin: "{not json")
        #expect(!bad.succeeded)
        #expect(bad.stderr.contains("could not be decoded") || bad.stderr.contains("BadRequest"))
    }
}
