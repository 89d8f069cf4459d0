import Foundation
import PaperKube
import Testing
@testable import PaperDomain

// MARK: - check report: JSON, table, exit status

@Suite("Check report")
struct ReportTests {
    @Test(arguments: [
        ([Verdict.ok, .ok], Verdict.ok, Int32(0)),
        ([.ok, .warn], .warn, 1),
        ([.warn, .critical, .unknown], .critical, 2),
        ([.ok, .unknown], .unknown, 3),
        ([.unknown, .warn], .warn, 1),
    ])
    func overallVerdictAndNagiosExitCode(verdicts: [Verdict], overall: Verdict, exit: Int32) {
        let checks = verdicts.enumerated().map { CheckResult(id: CheckID.allCases[$0.offset], verdict: $0.element, reason: "r") }
        let report = CheckReport(context: "demo", namespace: "paperless-ngx", now: Fixtures.now, checks: checks)
        #expect(report.overall == overall)
        #expect(report.exitCode == exit)
    }

    @Test func jsonIsOneDocumentWithEveryField() throws {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.externalSecrets[0].conditions = [Condition(type: "Ready", status: "False", reason: "SecretSyncedError", message: "could not get secret data from provider")]
        let report = CheckReport(context: "demo", namespace: "paperless-ngx", now: Fixtures.now,
                                 checks: HealthChecks.run(snapshot, config: PaperConfig(), now: Fixtures.now), kubectlProcesses: 3)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(object["context"] as? String == "demo")
        #expect(object["namespace"] as? String == "paperless-ngx")
        #expect(object["time"] as? String == "2026-11-29T12:00:00Z")
        #expect(object["overall"] as? String == "critical")
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.compactMap { $0["id"] as? String } == CheckID.allCases.map(\.rawValue))
        let secrets = try #require(checks.first { $0["id"] as? String == "secrets" })
        #expect(secrets["verdict"] as? String == "critical")
        #expect((secrets["reason"] as? String)?.contains("could not get secret data from provider") == true)
        #expect((secrets["evidence"] as? [String])?.isEmpty == false)
        #expect(secrets["hint"] is String)
        #expect(secrets["command"] as? String == "kubectl describe externalsecret paperless-ngx-admin -n paperless-ngx")
        // Round-trips for consumers written in Swift.
        #expect(try JSONDecoder().decode(CheckReport.self, from: Data(report.json().utf8)) == report)
    }

    @Test func tableShowsEveryCheckAndDetailsOnlyForProblems() {
        var snapshot = Fixtures.healthySnapshot()
        snapshot.cronJobs[0].suspend = true
        let report = CheckReport(context: "demo", namespace: "paperless-ngx", now: Fixtures.now, checks: HealthChecks.run(snapshot, config: PaperConfig(), now: Fixtures.now))
        let text = report.table()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "paperctl check: context demo, namespace paperless-ngx, 2026-11-29T12:00:00Z: CRIT")
        for id in CheckID.allCases { #expect(lines.contains { $0.contains(" \(id.rawValue) ") }) }
        #expect(lines.contains { $0.hasPrefix("CRIT    file-backups") })
        #expect(lines.contains("[CRIT] file-backups: File backups (restic)"))
        #expect(!lines.contains { $0.hasPrefix("[OK]") })
        #expect(!text.contains("\u{1B}["))
    }
}
