import PaperKube
import Testing
@testable import PaperDomain

// MARK: - pods

@Suite("pods check")
struct PodsCheckTests {
    static let appPod = "paperless-ngx-7d9f8b6c4-x2k8p"

    func mutateApp(_ snapshot: inout Snapshot, _ body: (inout Pod) -> Void) {
        if let index = snapshot.pods.firstIndex(where: { $0.metadata.name == Self.appPod }) { body(&snapshot.pods[index]) }
    }

    @Test(arguments: ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"])
    func waitingLoopsAreCritical(reason: String) {
        var snapshot = Fixtures.healthySnapshot()
        mutateApp(&snapshot) { pod in
            pod.containerStatuses[0].state = .waiting(reason: reason, message: "back-off 5m0s restarting failed container")
            pod.containerStatuses[0].ready = false
            pod.containerStatuses[0].restartCount = 12
        }
        let result = Fixtures.run(.pods, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("\(Self.appPod)/paperless-ngx is in \(reason) (12 restarts)"))
        #expect(result.command == "kubectl logs deploy/paperless-ngx -c paperless-ngx --previous -n paperless-ngx")
    }

    @Test func restartInTheLastHourWarnsWithReasonAndExitCode() {
        var snapshot = Fixtures.healthySnapshot()
        mutateApp(&snapshot) { pod in
            pod.containerStatuses[0].restartCount = 2
            pod.containerStatuses[0].lastState = .terminated(exitCode: 137, reason: "OOMKilled", message: nil, finishedAt: Fixtures.now - 20 * 60)
        }
        let result = Fixtures.run(.pods, snapshot)
        #expect(result.verdict == .warn)
        #expect(result.reason.contains("restarted 20m ago (2 restarts total; last: OOMKilled, exit 137)"))
        #expect(result.hint?.contains("memory") == true)
    }

    @Test func restartOutsideTheWindowIsNotReported() {
        var snapshot = Fixtures.healthySnapshot()
        mutateApp(&snapshot) { pod in
            pod.containerStatuses[0].restartCount = 2
            pod.containerStatuses[0].lastState = .terminated(exitCode: 1, reason: "Error", message: nil, finishedAt: Fixtures.now - 3 * 3600)
        }
        #expect(Fixtures.run(.pods, snapshot).verdict == .ok)
    }

    @Test func appContainerNotReadyIsCriticalEvenWhenTheSidecarIsReady() {
        var snapshot = Fixtures.healthySnapshot()
        mutateApp(&snapshot) { pod in
            pod.containerStatuses[0].ready = false
            pod.conditions = [Condition(type: "Ready", status: "False")]
        }
        let result = Fixtures.run(.pods, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("app container paperless-ngx in \(Self.appPod) is not ready (linkerd-proxy ready)"))
    }

    @Test func deploymentWithNoReadyReplicaIsCritical() throws {
        var snapshot = Fixtures.healthySnapshot()
        let index = try #require(snapshot.deployments.firstIndex { $0.metadata.name == "paperless-ngx-redis" })
        snapshot.deployments[index].readyReplicas = 0
        let result = Fixtures.run(.pods, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("Deployment paperless-ngx-redis has 0/1 ready replicas"))
    }

    @Test func recentWarningEventsAreEvidence() {
        let result = Fixtures.run(.pods, Fixtures.healthySnapshot())
        #expect(result.verdict == .ok)
        #expect(result.evidence.contains("event Unhealthy ×3 on \(Self.appPod) 10m ago: Readiness probe failed: HTTP probe failed with statuscode: 503"))
    }

    @Test func unreadableDeploymentsMakeTheAppUnknownNotOK() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.deployments = []
        snapshot.unreadable[.deployment] = .forbidden(verb: "list", resource: "deployments.apps", detail: "")
        let result = Fixtures.run(.pods, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason.hasPrefix("cannot read Deployments"))
    }

    @Test func unreadablePodsAreUnknownNeverOK() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.unreadable[.pod] = .forbidden(verb: "list", resource: "pods", detail: "")
        let result = Fixtures.run(.pods, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason == "cannot read pods: forbidden: no permission to list pods")
    }
}

// MARK: - database

@Suite("database check")
struct DatabaseCheckTests {
    @Test(arguments: [
        ("Cluster in healthy state", 1, Verdict.ok),
        ("Setting up primary", 0, .critical),
        ("Switchover in progress", 1, .warn),
        ("Cluster is unrecoverable and needs manual intervention", 0, .critical),
        ("Waiting for user action", 1, .critical),
        ("Cluster in healthy state", 0, .critical),
    ])
    func phaseAndReadyInstances(phase: String, ready: Int, expected: Verdict) {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters[0].phase = phase
        snapshot.clusters[0].readyInstances = ready
        let result = Fixtures.run(.database, snapshot)
        #expect(result.verdict == expected, "\(result.reason)")
        if expected != .ok { #expect(result.command == "kubectl cnpg status paperless-ngx-db -n paperless-ngx") }
    }

    @Test func missingClusterIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters = []
        let result = Fixtures.run(.database, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason == "CNPG cluster paperless-ngx-db not found")
    }

    @Test func missingCRDIsUnknownWithTheReason() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.unreadable[.cnpgCluster] = .resourceTypeNotServed(resource: "clusters.postgresql.cnpg.io")
        let result = Fixtures.run(.database, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason.contains("not served by the cluster (CRD not installed?)"))
    }

    @Test func noPhaseYetIsUnknown() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.clusters[0].phase = nil
        #expect(Fixtures.run(.database, snapshot).verdict == .unknown)
    }
}
