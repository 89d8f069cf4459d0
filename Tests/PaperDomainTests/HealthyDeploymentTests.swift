import PaperKube
import Testing
@testable import PaperDomain

// MARK: - The healthy seed deployment

@Suite("Healthy deployment")
struct HealthyDeploymentTests {
    @Test func everyCheckIsOKOnTheHealthySeed() {
        let results = HealthChecks.run(Fixtures.healthySnapshot(), config: PaperConfig(), now: Fixtures.now)
        #expect(results.map(\.id) == CheckID.allCases)
        for result in results {
            #expect(result.verdict == .ok, "\(result.id.rawValue): \(result.reason) \(result.evidence)")
        }
    }

    @Test func okReasonsCarryTheNumbers() {
        let results = Dictionary(uniqueKeysWithValues: HealthChecks.run(Fixtures.healthySnapshot(), config: PaperConfig(), now: Fixtures.now).map { ($0.id, $0) })
        #expect(results[.dbBackups]?.reason.contains("last completed backup 8h") == true)
        #expect(results[.fileBackups]?.reason.contains("last restic backup 7h") == true)
        #expect(results[.storage]?.reason.contains("paperless-ngx-data 32% used") == true)
        #expect(results[.secrets]?.reason.hasPrefix("4/4 ExternalSecrets") == true)
        #expect(results[.pods]?.reason.hasPrefix("3/3 pods ready") == true)
    }

    @Test func pluginModeIsJudgedFromTheObjectStore() {
        let snapshot = Fixtures.pluginSnapshot()
        for id in [CheckID.dbBackups, .walArchiving, .scheduledBackup] {
            let result = Fixtures.run(id, snapshot)
            #expect(result.verdict == .ok, "\(id.rawValue): \(result.reason) \(result.evidence)")
        }
        let backups = Fixtures.run(.dbBackups, snapshot)
        #expect(backups.command == "kubectl get backup,scheduledbackup -n paperless-ngx")
    }

    @Test func everyResultNamesACommand() {
        for result in HealthChecks.run(Fixtures.healthySnapshot(), config: PaperConfig(), now: Fixtures.now) {
            #expect(result.command?.hasPrefix("kubectl ") == true, "\(result.id.rawValue)")
            #expect(result.command?.contains("-n paperless-ngx") == true, "\(result.id.rawValue)")
        }
    }
}
