import Foundation
import ProcessTestSupport
import Testing

/// Issue 21: a 40 KB drill record with `token=` in the namespace froze the dashboard (a redaction
/// that took minutes, on the UI actor): no key, not even q or Ctrl-C, was answered. Anyone who may
/// write ConfigMaps can plant one. The dashboard now shows its data and q ends it, terminal restored.
@Suite(.serialized, .timeLimit(.minutes(3))) struct HostileRecordE2ETests {
    typealias Cluster = DashboardActionE2ETests.Cluster

    @Test func qEndsTheDashboardWhileAFortyKilobyteTokenRecordIsInTheNamespace() async throws {
        let c = try await Cluster.start()
        defer { c.stop() }
        let message = "token=" + String(repeating: "a", count: 40_000) + "\u{1B}]52;c;ZWNobyBwd25lZA==\u{07}"
        let record: [String: Any] = ["last": ["finishedAt": "2027-01-15T07:00:00Z", "passed": true, "cluster": "paperless-ngx-db-drill",
                                              "rtoSeconds": 42, "message": message, "by": "mallory@elsewhere"]]
        let data = String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
        let configMap: [String: Any] = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "paperctl-drills", "namespace": "paperless-ngx",
                         "labels": ["app.kubernetes.io/managed-by": "paperctl", "paperctl.io/purpose": "drill-record"]],
            "data": ["database": data],
        ]
        let file = "\(c.dir)/drills.json"
        try JSONSerialization.data(withJSONObject: configMap).write(to: URL(fileURLWithPath: file))
        let created = try await c.kubectl(["create", "-f", file])
        #expect(created.contains("created"), "\(created)")

        let t = try await Tmux.start(["--kubeconfig", c.kubeconfig, "--refresh", "3600"], width: 120, height: 35)
        defer { t.stopNow() }
        try await t.waitUntil("the first verdict") { $0.contains("Database backups") && $0.contains(" old") }
        try await t.send("q")
        let end = try await t.waitFor("EXITED status=0", "MODES:", timeout: 20)
        #expect(DashboardE2ETests.saneModes(end), "the terminal is restored: \(end)")
        #expect(!end.contains("\u{1B}]52"), "no clipboard escape reached the terminal")
    }
}
