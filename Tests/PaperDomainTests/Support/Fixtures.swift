import Foundation
import PaperKube
@testable import PaperDomain

// MARK: - Fixtures

/// Recorded kubectl output under `Fixtures/`, and snapshots built from it.
enum Fixtures {
    /// 2026-11-29T12:00:00Z, the "now" the healthy fixture was recorded against.
    static let now: Double = UTCTime.parse("2026-11-29T12:00:00Z") ?? 0
    static let target = KubeTarget(namespace: "paperless-ngx")

    static func data(_ name: String) -> Data {
        let base = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        guard let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url)
        else { fatalError("missing fixture \(name)") }
        return data
    }

    static func text(_ name: String) -> String { String(decoding: data(name), as: UTF8.self) }

    static func list(_ name: String) -> KubeList {
        do { return try KubeJSON.decode(KubeList.self, from: data(name)) } catch { fatalError("fixture \(name) does not decode: \(error)") }
    }

    static func stats() -> KubeletStatsSummary {
        do { return try KubeJSON.decode(KubeletStatsSummary.self, from: data("stats-summary.json")) } catch { fatalError("stats fixture: \(error)") }
    }

    /// The seed deployment, healthy at `now`: every check should say ok.
    static func healthySnapshot() -> Snapshot {
        var snapshot = Snapshot(takenAt: now, target: target)
        snapshot.add(list("get-all-healthy.json").items)
        snapshot.volumeStats = .ok([stats()])
        snapshot.logs = .ok(LogLine.parse("""
            2026-11-29T11:10:00.000000000Z [2026-11-29 11:10:00,000] [INFO] [celery.worker.consumer.connection] Connected to redis://:**@paperless-ngx-redis:6379//
            2026-11-29T11:30:00.000000000Z [2026-11-29 11:30:00,000] [INFO] [paperless.tasks] Training data unchanged.
            """))
        return snapshot
    }

    /// The healthy snapshot with the database switched to the Barman Cloud plugin.
    static func pluginSnapshot() -> Snapshot {
        var snapshot = healthySnapshot()
        snapshot.clusters = []
        snapshot.scheduledBackups = []
        snapshot.backups = []
        snapshot.add(list("cnpg-plugin.json").items)
        return snapshot
    }

    static func run(_ id: CheckID, _ snapshot: Snapshot, config: PaperConfig = PaperConfig(), now: Double = Fixtures.now) -> CheckResult {
        guard let result = HealthChecks.run(snapshot, config: config, now: now, only: [id]).first else { fatalError("no check \(id)") }
        return result
    }

    static func time(_ text: String) -> Double {
        guard let value = UTCTime.parse(text) else { fatalError("bad time \(text)") }
        return value
    }
}
