import Foundation
import PaperKube

// MARK: - Fixtures

/// The recorded kubectl output of `PaperDomainTests`, read in place (a scripted kubectl `cat`s it).
enum Fixtures {
    /// 2026-11-29T12:00:00Z, the "now" the healthy fixture was recorded against.
    static let now: Double = UTCTime.parse("2026-11-29T12:00:00Z") ?? 0
    static let target = KubeTarget(namespace: "paperless-ngx")

    /// The absolute path of `Tests/PaperDomainTests/Fixtures/<name>`.
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // DomainE2ETests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("PaperDomainTests/Fixtures/\(name)").path
    }
}
