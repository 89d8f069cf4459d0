import Foundation
import PaperKube
import Testing
@testable import PaperDomain

// MARK: - storage

@Suite("storage check")
struct StorageCheckTests {
    func snapshot(dataUsedPercent percent: Double) -> Snapshot {
        var snapshot = Fixtures.healthySnapshot()
        let capacity: Int64 = 10_737_418_240
        let used = Int64(Double(capacity) * percent / 100)
        snapshot.volumeStats = .ok([KubeletStatsSummary(nodeName: "pool-nyc3-a1", volumes: [
            VolumeStats(name: "data", pvcName: "paperless-ngx-data", pvcNamespace: "paperless-ngx", usedBytes: used, capacityBytes: capacity, availableBytes: capacity - used),
            VolumeStats(name: "pgdata", pvcName: "paperless-ngx-db-1", pvcNamespace: "paperless-ngx", usedBytes: 1_000_000_000, capacityBytes: 5_368_709_120, availableBytes: 4_368_709_120),
        ])])
        return snapshot
    }

    @Test(arguments: [(50.0, Verdict.ok), (79.4, .ok), (80, .warn), (85, .warn), (90, .critical), (97, .critical)])
    func thresholds(percent: Double, expected: Verdict) {
        let result = Fixtures.run(.storage, snapshot(dataUsedPercent: percent))
        #expect(result.verdict == expected, "\(result.reason)")
        #expect(result.evidence.contains { $0.hasPrefix("paperless-ngx-data \(Int(percent.rounded()))% used") })
    }

    @Test func configurableThresholds() {
        var config = PaperConfig()
        config.thresholds.storageWarnPercent = 60
        config.thresholds.storageCriticalPercent = 70
        #expect(Fixtures.run(.storage, snapshot(dataUsedPercent: 65), config: config).verdict == .warn)
        #expect(Fixtures.run(.storage, snapshot(dataUsedPercent: 75), config: config).verdict == .critical)
    }

    @Test func withoutNodeProxyPermissionUsageIsUnknownButCapacityShown() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.volumeStats = .failed(.forbidden(verb: "get", resource: "nodes/proxy", detail: ""))
        let result = Fixtures.run(.storage, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason == "usage of paperless-ngx-data, paperless-ngx-db-1 unknown: forbidden: no permission to get nodes/proxy")
        #expect(result.evidence.contains("paperless-ngx-data: 10.0Gi, Bound, usage unknown"))
    }

    @Test func anUnmountedVolumeIsExplained() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.pods.removeAll { $0.claimNames.values.contains("paperless-ngx-data") }
        snapshot.volumeStats = .ok([KubeletStatsSummary(nodeName: "n", volumes: [
            VolumeStats(name: "pgdata", pvcName: "paperless-ngx-db-1", usedBytes: 10, capacityBytes: 100, availableBytes: 90),
        ])])
        let result = Fixtures.run(.storage, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason == "usage of paperless-ngx-data unknown: no running pod mounts it, and the kubelet reports only mounted volumes")
    }

    @Test func unreadablePodsExplainWhyUsageIsUnknown() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.pods = []
        snapshot.unreadable[.pod] = .forbidden(verb: "list", resource: "pods", detail: "")
        snapshot.volumeStats = .failed(.forbidden(verb: "list", resource: "pods", detail: ""))
        let result = Fixtures.run(.storage, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason == "usage of paperless-ngx-data, paperless-ngx-db-1 unknown: cannot read pods, so the nodes that mount them are unknown: forbidden: no permission to list pods")
    }

    @Test func pendingPVCIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        if let i = snapshot.persistentVolumeClaims.firstIndex(where: { $0.metadata.name == "paperless-ngx-data" }) { snapshot.persistentVolumeClaims[i].phase = "Pending" }
        let result = Fixtures.run(.storage, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("PVC paperless-ngx-data is Pending, not Bound"))
    }

    @Test func databaseVolumeIsJudgedToo() {
        var snapshot = snapshot(dataUsedPercent: 10)
        snapshot.volumeStats = .ok([KubeletStatsSummary(nodeName: "n", volumes: [
            VolumeStats(name: "data", pvcName: "paperless-ngx-data", usedBytes: 1, capacityBytes: 100, availableBytes: 99),
            VolumeStats(name: "pgdata", pvcName: "paperless-ngx-db-1", usedBytes: 95, capacityBytes: 100, availableBytes: 5),
        ])])
        let result = Fixtures.run(.storage, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.hasPrefix("paperless-ngx-db-1 95% used"))
    }
}

// MARK: - logs

@Suite("logs check")
struct LogsCheckTests {
    @Test func redisErrorsAreGroupedCountedNewestFirstAndRedacted() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.logs = .ok(LogLine.parse(Fixtures.text("app-logs-redis-errors.txt")))
        let result = Fixtures.run(.logs, snapshot)
        #expect(result.verdict == .critical)
        // Both critical; the newer group comes first.
        #expect(result.reason == "1× Redis connection errors, newest 8m ago; 3× Celery cannot connect to the Redis broker, newest 9m24s ago (+2 more)")
        let joined = ([result.reason] + result.evidence).joined(separator: "\n")
        #expect(!joined.contains("Sup3rS3cretRedisPw"))
        #expect(joined.contains("redis://:***@paperless-ngx-redis:6379/0"))
        // The errors are about Redis: what to run reads Redis's log, not the app's.
        #expect(result.command == "kubectl logs deploy/paperless-ngx-redis --since=1h --timestamps -n paperless-ngx")
        // The 10:30 line is outside the one-hour window.
        #expect(!joined.contains("outside the window"))
        // Newest group first.
        #expect(result.evidence.first { $0.contains("×") && !$0.hasPrefix("CRIT") && !$0.hasPrefix("WARN") }?.contains("error:") == true)
    }

    @Test func aPasswordLineIsShownRedactedEvenWhenANewerLineOfTheGroupHasNone() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.logs = .ok([
            LogLine(time: Fixtures.now - 600, text: "[2026-11-29 11:50:00,000: ERROR/MainProcess] consumer: Cannot connect to redis://:hunter2-PLANTED-s3cr3t@paperless-ngx-redis:6379//: Error 111 connecting to paperless-ngx-redis:6379. Connection refused.."),
            LogLine(time: Fixtures.now - 60, text: "[2026-11-29 11:59:00,000: ERROR/MainProcess] consumer: Cannot connect to redis://paperless-ngx-redis:6379//: Error 110 connecting to paperless-ngx-redis:6379. Connection timed out."),
        ])
        let result = Fixtures.run(.logs, snapshot)
        #expect(result.reason.hasPrefix("2× Celery cannot connect to the Redis broker"))
        #expect(result.evidence.contains { $0.contains("also: ") && $0.contains("redis://:***@paperless-ngx-redis:6379//") })
        #expect(!result.evidence.joined().contains("hunter2"))
    }

    @Test func aBareTracebackHeaderIsNotAnErrorGroup() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.logs = .ok([LogLine(time: Fixtures.now - 60, text: "Traceback (most recent call last):")])
        #expect(Fixtures.run(.logs, snapshot).verdict == .ok)
    }

    @Test func cleanLogIsOK() {
        let result = Fixtures.run(.logs, Fixtures.healthySnapshot())
        #expect(result.verdict == .ok)
        #expect(result.reason == "no Celery/Redis errors in 2 log lines of the last 1h")
    }

    @Test func noReadyAppPodExplainsTheMissingLog() throws {
        var snapshot = Fixtures.healthySnapshot()
        let i = try #require(snapshot.deployments.firstIndex { $0.metadata.name == "paperless-ngx" })
        snapshot.deployments[i].readyReplicas = 0
        snapshot.logs = .failed(.failed(exitStatus: 1, stderr: "error: timed out waiting for the condition"))
        let result = Fixtures.run(.logs, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason.hasPrefix("no ready pod of paperless-ngx to read logs from"))
    }

    @Test func unreadableLogIsUnknown() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.logs = .failed(.forbidden(verb: "get", resource: "pods/log", detail: ""))
        let result = Fixtures.run(.logs, snapshot)
        #expect(result.verdict == .unknown)
        #expect(result.reason == "cannot read the app log: forbidden: no permission to get pods/log")
    }

    @Test(arguments: [
        ("billiard.exceptions.WorkerLostError: Worker exited prematurely: signal 9 (SIGKILL) Job: 12.", "celery-worker-killed"),
        ("[ERROR] [celery.worker.request] Hard time limit (1800s) exceeded for documents.tasks.consume_file[6add6b72]", "celery-time-limit"),
        ("MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.", "redis-misconf"),
        ("consumer: Connection to broker lost. Trying to re-establish the connection...", "celery-broker-lost"),
        ("PermissionError: [Errno 13] Permission denied: '/usr/src/paperless/data/media/media.lock'", "permission-denied"),
    ])
    func knownSignatures(line: String, id: String) {
        #expect(LogSignature.match(line)?.id == id)
    }

    @Test func warningSignaturesAloneWarnAndCountEachGroup() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.logs = .ok([
            LogLine(time: Fixtures.now - 600, text: "[2026-11-29 11:50:00,000: WARNING/MainProcess] consumer: Connection to broker lost. Trying to re-establish the connection..."),
            LogLine(time: Fixtures.now - 300, text: "[2026-11-29 11:55:00,000: WARNING/MainProcess] consumer: Connection to broker lost. Trying to re-establish the connection..."),
            LogLine(time: Fixtures.now - 120, text: "[2026-11-29 11:58:00,000] [ERROR] [paperless.tasks] Document 12 failed: OCR timeout"),
            LogLine(time: Fixtures.now - 60, text: "[2026-11-29 11:59:00,000] [INFO] [paperless.consumer] Consuming invoice.pdf"),
        ])
        let result = Fixtures.run(.logs, snapshot)
        #expect(result.verdict == .warn)
        // Newest group first: the generic error (2m ago), then the two broker-lost lines (5m ago).
        #expect(result.reason.hasPrefix("1× other error"), "\(result.reason)")
        #expect(result.reason.contains("2× Celery lost its broker connection, newest 5m ago"), "\(result.reason)")
    }

    @Test func signaturesMatchAnywhereInTheLineAndOnlyWhole() {
        #expect(LogSignature.match("MISCONF Redis is configured")?.id == "redis-misconf")  // at the start, any case
        #expect(LogSignature.match("x: hard time limit")?.id == "celery-time-limit")  // at the end
        #expect(LogSignature.match("hard time limi") == nil)  // cut short
        #expect(LogLevel(classifying: "[2026-11-29 11:59:00,000] [ERROR] [paperless] x") == .error)
        #expect(LogLevel(classifying: "[ERROR") == .mentionsError)
        #expect(Array("abc".utf8).containsBytes([]) && !Array("ab".utf8).containsBytes(Array("abc".utf8)))
    }

    @Test func aThousandAlikeLinesCostAFewRedactionsAndShowOneVariant() {
        let lines = (0..<1000).map { i in
            LogLine(time: Fixtures.now - Double(i), text: "[2026-11-29 11:00:00,000] [ERROR] [celery] Cannot connect to redis://:pw\(i % 2)@paperless-ngx-redis:6379/0: Error 111")
        }
        let digest = LogDigest(lines: lines, now: Fixtures.now, window: 3600)
        #expect(digest.groups.count == 1)
        #expect(digest.groups[0].count == 1000)
        #expect(digest.groups[0].variants == ["[2026-11-29 11:00:00,000] [ERROR] [celery] Cannot connect to redis://:***@paperless-ngx-redis:6379/0: Error 111"])
    }

    @Test func unknownErrorLinesGroupByShapeNotByNumbers() {
        let lines = [
            LogLine(time: Fixtures.now - 60, text: "[2026-11-29 11:59:00,000] [ERROR] [paperless.tasks] Document 12 failed"),
            LogLine(time: Fixtures.now - 30, text: "[2026-11-29 11:59:30,000] [ERROR] [paperless.tasks] Document 345 failed"),
        ]
        let digest = LogDigest(lines: lines, now: Fixtures.now, window: 3600)
        #expect(digest.groups.count == 1)
        #expect(digest.groups.first?.count == 2)
        #expect(digest.groups.first?.example.contains("345") == true)
    }
}

// MARK: - network

@Suite("network check")
struct NetworkCheckTests {
    @Test func extraEgressPortIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.networkPolicies[0].egress.append(EgressRule(ports: [PolicyPort(proto: "TCP", port: 993)], to: [PolicyPeer(ipBlockCIDR: "0.0.0.0/0")]))
        let result = Fixtures.run(.network, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason == "paperless-ngx-egress allows the paperless pod egress on 993/TCP, which the runbook does not list")
    }

    @Test func allPortsRuleIsCritical() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.networkPolicies[1].egress.append(EgressRule(ports: [], to: []))
        let result = Fixtures.run(.network, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason.contains("allows the backup pods egress on every port to anywhere"))
    }

    @Test func noEgressPolicyMeansEverythingIsAllowed() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.networkPolicies.removeAll { $0.metadata.name == "paperless-ngx-egress" }
        let result = Fixtures.run(.network, snapshot)
        #expect(result.verdict == .critical)
        #expect(result.reason == "no NetworkPolicy restricts egress of the paperless pod: all egress is allowed")
    }

    @Test func missingRedisPortWarns() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.networkPolicies[0].egress.removeAll { $0.ports.contains { $0.port == 6379 } }
        let result = Fixtures.run(.network, snapshot)
        #expect(result.verdict == .warn)
        #expect(result.reason == "the paperless pod may not reach 6379/TCP, which the runbook requires")
    }

    @Test func databasePortToAnyAddressWarns() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.networkPolicies[0].egress.append(EgressRule(ports: [PolicyPort(proto: "TCP", port: 5432)], to: [PolicyPeer(ipBlockCIDR: "0.0.0.0/0")]))
        #expect(Fixtures.run(.network, snapshot).verdict == .warn)
    }

    @Test func aPolicySelectingByExpressionIsAppliedOnlyToThePodsItSelects() throws {
        var snapshot = Fixtures.healthySnapshot()
        let appLabels = try #require(snapshot.pods.first { $0.metadata.name.hasPrefix("paperless-ngx-7d9f") }?.metadata.labels)
        let key = try #require(appLabels.keys.sorted().first)
        let value = try #require(appLabels[key])
        // A policy for other pods (NotIn the app's value) opening 993.
        var other = NetworkPolicy(metadata: ObjectMeta(name: "mail-egress"), podSelector: [:], policyTypes: ["Egress"],
                                  egress: [EgressRule(ports: [PolicyPort(proto: "TCP", port: 993)], to: [PolicyPeer(ipBlockCIDR: "0.0.0.0/0")])])
        other.selector = LabelSelectorSpec(matchLabels: [:], matchExpressions: [.init(key: key, operator: "NotIn", values: [value])])
        snapshot.networkPolicies.append(other)
        // NotIn selects every pod without that value: the backup pods, not the app.
        let notIn = Fixtures.run(.network, snapshot)
        #expect(notIn.reason.contains("mail-egress allows the backup pods egress on 993/TCP"), "\(notIn.reason)")
        #expect(!notIn.reason.contains("mail-egress allows the paperless pod"), "\(notIn.reason)")
        // The same policy with `In` selects the app pod, and the extra port is flagged.
        snapshot.networkPolicies[snapshot.networkPolicies.count - 1].selector.matchExpressions = [.init(key: key, operator: "In", values: [value, "x"])]
        let flagged = Fixtures.run(.network, snapshot)
        #expect(flagged.verdict == .critical)
        #expect(flagged.reason.contains("mail-egress allows the paperless pod egress on 993/TCP"))
    }

    @Test func labelSelectorExpressionsDecodeAndMatch() throws {
        let json = #"{"matchLabels":{"app":"paperless"},"matchExpressions":[{"key":"tier","operator":"In","values":["web","worker"]},{"key":"canary","operator":"DoesNotExist"},{"key":"zone","operator":"Exists"},{"key":"env","operator":"NotIn","values":["dev"]}]}"#
        let selector = try KubeJSON.decode(LabelSelectorSpec.self, from: Data(json.utf8))
        #expect(selector.matchExpressions.count == 4)
        #expect(selector.matches(["app": "paperless", "tier": "web", "zone": "a"]))
        #expect(selector.matches(["app": "paperless", "tier": "worker", "zone": "a", "env": "prod"]))
        #expect(!selector.matches(["app": "paperless", "tier": "db", "zone": "a"]))
        #expect(!selector.matches(["app": "paperless", "tier": "web", "zone": "a", "canary": "1"]))
        #expect(!selector.matches(["app": "paperless", "tier": "web"]))
        #expect(!selector.matches(["app": "paperless", "tier": "web", "zone": "a", "env": "dev"]))
        #expect(!LabelSelectorSpec(matchLabels: [:], matchExpressions: [.init(key: "a", operator: "Bogus")]).matches(["a": "b"]))
        #expect(LabelSelectorSpec(matchLabels: [:]).matches([:]))
    }

    @Test func unreadableIsUnknown() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.unreadable[.networkPolicy] = .forbidden(verb: "list", resource: "networkpolicies.networking.k8s.io", detail: "")
        #expect(Fixtures.run(.network, snapshot).verdict == .unknown)
    }
}
