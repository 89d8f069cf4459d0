import Foundation
import Testing
@testable import PaperDomain

// MARK: - YAML configuration

@Suite("Configuration")
struct ConfigTests {
    @Test func defaultsAreTheRunbookDeployment() throws {
        let config = try ConfigLoader.parse("")
        #expect(config == PaperConfig())
        #expect(config.namespace == "paperless-ngx")
        #expect(config.app.deployment == "paperless-ngx" && config.app.container == "paperless-ngx")
        #expect(config.redis.deployment == "paperless-ngx-redis")
        #expect(config.database.cluster == "paperless-ngx-db")
        #expect(config.fileBackup.cronJob == "paperless-ngx-backup")
        #expect(config.fileBackup.jobLabels == ["app.kubernetes.io/name": "paperless-ngx-backup"])
        #expect(config.thresholds.storageWarnPercent == 80 && config.thresholds.storageCriticalPercent == 90)
        #expect(config.thresholds.backupGraceMinutes == 120)
        #expect(config.network.appEgress == ["53/UDP", "53/TCP", "5432/TCP", "6379/TCP"])
        #expect(config.network.backupEgress == ["53/UDP", "53/TCP", "443/TCP"])
    }

    @Test func overridesAreApplied() throws {
        let config = try ConfigLoader.parse("""
            namespace: docs
            timeoutSeconds: 5
            refreshSeconds: 15
            readOnly: true
            app:
              deployment: paperless
              container: web
            database:
              cluster: docs-db
              scheduledBackup: docs-db-nightly
            fileBackup:
              cronJob: docs-restic
              jobLabels: {app: docs-restic}
            externalSecrets: [docs-admin]
            storage:
              dataPVC: docs-media
            network:
              appEgress: [53/udp, 5432/TCP]
            thresholds:
              storageWarnPercent: 70
              storageCriticalPercent: 85.5
              backupGraceMinutes: 30
            """)
        #expect(config.namespace == "docs" && config.timeoutSeconds == 5)
        #expect(config.refreshSeconds == 15)
        #expect(config.readOnly && !PaperConfig().readOnly)
        #expect(PaperConfig().refreshSeconds == 5)
        #expect(config.app.deployment == "paperless" && config.app.container == "web")
        #expect(config.database.cluster == "docs-db" && config.database.scheduledBackup == "docs-db-nightly")
        #expect(config.fileBackup.jobLabels == ["app": "docs-restic"])
        #expect(config.externalSecrets == ["docs-admin"])
        #expect(config.storage.dataPVC == "docs-media")
        #expect(config.network.appEgress == ["53/UDP", "5432/TCP"])
        #expect(config.thresholds.storageCriticalPercent == 85.5 && config.thresholds.backupGraceMinutes == 30)
        #expect(config.redis.deployment == "paperless-ngx-redis")
    }

    @Test(arguments: [
        ("namespace: docs\ntresholds:\n  storageWarnPercent: 70\n", 2, "tresholds", "unknown key"),
        ("thresholds:\n  storageWarnPercent: lots\n", 2, "thresholds.storageWarnPercent", "expected a number"),
        ("thresholds:\n  storageWarnPercent: 150\n", 2, "thresholds.storageWarnPercent", "out of range 1…100"),
        ("app:\n  deployment: Paperless_NGX\n", 2, "app.deployment", "not a valid Kubernetes name"),
        ("network:\n  appEgress: [http]\n", 2, "network.appEgress[0]", "not PORT/PROTOCOL"),
        ("externalSecrets: paperless-ngx-admin\n", 1, "externalSecrets", "expected a list"),
        ("database:\n  clutser: x\n", 2, "database.clutser", "unknown key; expected one of: cluster, scheduledBackup, objectStore"),
    ])
    func badValuesAreRefusedWithLineKeyAndReason(yaml: String, line: Int, key: String, reason: String) {
        do {
            _ = try ConfigLoader.parse(yaml, file: "/etc/paperctl/config.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.file == "/etc/paperctl/config.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.reason.contains(reason), "\(error)")
            #expect(error.description.hasPrefix("/etc/paperctl/config.yaml:\(line): \(key): "))
        }
    }

    @Test func badYAMLIsRefusedWithItsLine() {
        do {
            _ = try ConfigLoader.parse("namespace: docs\napp:\n  deployment: [unclosed\n", file: "c.yaml")
            Issue.record("accepted bad YAML")
        } catch {
            #expect(error.description.hasPrefix("c.yaml:"))
            #expect(error.line != nil)
            #expect(error.reason.hasPrefix("invalid YAML"))
        }
    }

    /// The line an editor shows for the mistake (1-based), not where libyaml gave up reading.
    @Test(arguments: [
        ("namespace: docs\napp:\n  deployment: [unclosed\n", 3),
        ("namespace: docs\nbroken line without a colon\nrefreshSeconds: 5\n", 2),
        ("namespace: 'docs\nrefreshSeconds: 5\n", 1),
        ("namespace: docs\napp: deployment: x\n", 2),
        ("namespace: docs\n\tapp: x\n", 2),
        ("namespace: docs\n- x\n", 2),
        ("namespace: docs\n  app: x\n", 2),
    ])
    func aYAMLErrorNamesTheLineOfTheMistake(yaml: String, line: Int) {
        do {
            _ = try ConfigLoader.parse(yaml, file: "c.yaml")
            Issue.record("accepted bad YAML: \(yaml)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.hasPrefix("c.yaml:\(line): invalid YAML"), "\(error)")
        }
    }

    @Test func warnMustBeBelowCritical() {
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("thresholds:\n  storageWarnPercent: 95\n") }
    }

    @Test func fileLocation() throws {
        #expect(ConfigLoader.defaultPath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/paperctl/config.yaml")
        #expect(ConfigLoader.defaultPath(environment: ["HOME": "/h"]) == "/h/.config/paperctl/config.yaml")
        // A missing default file means the defaults; a missing explicit file is an error.
        #expect(try ConfigLoader.load(explicitPath: nil, environment: ["XDG_CONFIG_HOME": "/nonexistent-\(UUID().uuidString)"]) == PaperConfig())
        #expect(throws: ConfigError(file: "/nonexistent/config.yaml", reason: "file not found")) {
            try ConfigLoader.load(explicitPath: "/nonexistent/config.yaml")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paperctl-config-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/paperctl", withIntermediateDirectories: true)
        try Data("namespace: from-xdg\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/paperctl/config.yaml"))
        #expect(try ConfigLoader.load(explicitPath: nil, environment: ["XDG_CONFIG_HOME": dir]).namespace == "from-xdg")
    }
}
