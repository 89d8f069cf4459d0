import Foundation
import PaperKube
import Testing
@testable import PaperDomain

// MARK: - Scale


@Suite("Scale: 1,000 Jobs and 1,000 Backups")
struct ScaleTests {
    /// The healthy fixture plus 1,000 restic Jobs (every 10th failed, with its pod) and
    /// 1,000 Backups (every 10th failed), as one `kubectl get -o json` List.
    static func bigList() throws -> Data {
        var root = try #require(try JSONSerialization.jsonObject(with: Fixtures.data("get-all-healthy.json")) as? [String: Any])
        var items = try #require(root["items"] as? [[String: Any]])
        let job = try #require(items.first { $0["kind"] as? String == "Job" })
        let jobPod = try #require(items.first { ($0["metadata"] as? [String: Any])?["labels"].flatMap { ($0 as? [String: String])?["job-name"] } != nil })
        let backup = try #require(items.first { $0["kind"] as? String == "Backup" && (($0["status"] as? [String: Any])?["phase"] as? String) == "completed" })
        func renamed(_ object: [String: Any], _ name: String) -> [String: Any] {
            var copy = object
            var meta = copy["metadata"] as? [String: Any] ?? [:]
            meta["name"] = name
            copy["metadata"] = meta
            return copy
        }
        for i in 0..<1000 {
            let name = "paperless-ngx-backup-scale-\(i)"
            var j = renamed(job, name)
            if i % 10 == 0 {
                j["status"] = ["failed": 1, "startTime": "2026-11-10T04:00:00Z",
                               "conditions": [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "lastTransitionTime": "2026-11-10T04:01:00Z"]]]
                var pod = renamed(jobPod, name + "-pod")
                var meta = pod["metadata"] as? [String: Any] ?? [:]
                meta["labels"] = ["job-name": name, "app.kubernetes.io/name": "paperless-ngx-backup"]
                pod["metadata"] = meta
                items.append(pod)
            }
            items.append(j)
            var b = renamed(backup, "paperless-ngx-db-scale-\(i)")
            if i % 10 == 0, var status = b["status"] as? [String: Any] {
                status["phase"] = "failed"
                status["error"] = "exit status 4"
                b["status"] = status
            }
            items.append(b)
        }
        root["items"] = items
        return try JSONSerialization.data(withJSONObject: root)
    }

    @Test func decodingAndAllChecksStayFast() throws {
        let data = try Self.bigList()
        let clock = ContinuousClock()
        var results: [CheckResult] = []
        let elapsed = try clock.measure {
            let list = try KubeJSON.decode(KubeList.self, from: data)
            var snapshot = Snapshot(takenAt: Fixtures.now, target: Fixtures.target)
            snapshot.add(list.items)
            snapshot.volumeStats = .ok([Fixtures.stats()])
            snapshot.logs = .ok([])
            results = HealthChecks.run(snapshot, config: PaperConfig(), now: Fixtures.now)
        }
        let decodeOnly = try clock.measure { _ = try KubeJSON.decode(KubeList.self, from: data) }
        let foundation = try clock.measure { _ = try JSONDecoder().decode(KubeList.self, from: data) }
        let scanOnly = try clock.measure { _ = try JSONTape(data) }
        var snapshot = Snapshot(takenAt: Fixtures.now, target: Fixtures.target)
        snapshot.add(try KubeJSON.decode(KubeList.self, from: data).items)
        snapshot.volumeStats = .ok([Fixtures.stats()])
        snapshot.logs = .ok([])
        let checksOnly = clock.measure { _ = HealthChecks.run(snapshot, config: PaperConfig(), now: Fixtures.now) }
        print("PROFILE tape decode \(decodeOnly) (scan \(scanOnly)), JSONDecoder \(foundation), checks \(checksOnly)")
        #expect(results.count == CheckID.allCases.count)
        #expect(results.first { $0.id == .fileBackups }?.verdict == .ok)
        // The 50 ms budget is measured by `paperctl-bench snapshot` on a release build. A debug
        // build is about ten times slower and shares the machine with parallel tests, so this
        // wide bound (a hundred times the debug figure) only catches runaway work.
        print("decode + checks for \(data.count) bytes: \(elapsed)")
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }
}
