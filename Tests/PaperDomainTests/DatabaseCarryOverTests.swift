import Foundation
import PaperKube
import Synchronization
import TestSupport
import Testing
@testable import PaperDomain

/// A database restore carries the live side over: the owner's credentials (the Secret
/// `bootstrap.recovery.secret` names), and backups under a serverName of its own lineage with a
/// new ScheduledBackup and a first Backup. The values of the copied Secret are never shown.
@Suite struct DatabaseCarryOverTests {
    static let now = DatabaseRestoreTests.now
    static let target = KubeTarget(kubeconfig: "/k/config", context: "prod", namespace: "paperless-ngx")
    static let password = "s3cr3t-Planted-Passw0rd"

    static func scheduled(plugin: Bool) throws -> CNPGScheduledBackup {
        let pluginConfiguration = plugin ? #","method":"plugin","pluginConfiguration":{"name":"barman-cloud.cloudnative-pg.io"}"# : ""
        return try KubeJSON.decode(CNPGScheduledBackup.self, from: Data(#"""
            {"metadata":{"name":"paperless-ngx-db-daily"},"spec":{"schedule":"0 0 3 * * *","cluster":{"name":"paperless-ngx-db"}\#(pluginConfiguration)}}
            """#.utf8))
    }

    static func plan(plugin: Bool, used: Set<String> = [], initdbSecret: Bool = false) throws -> DatabaseRestorePlan {
        var data = DatabaseRestoreTests.clusterJSON(plugin: plugin)
        if initdbSecret {
            data = Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: #""owner":"paperless"}"#, with: #""owner":"paperless","secret":{"name":"paperless-owner"}}"#).utf8)
        }
        let cluster = try DatabaseRestoreTests.cluster(data)
        let store = try #require(DatabaseRestoreTests.store)
        let window = DatabaseRestore.window(cluster: cluster, objectStores: [store], archiveTimeout: 300, now: now)
        var timeline = DatabaseTimeline(clusterJSON: data, cluster: cluster, window: window, backups: [], objectStores: [store])
        timeline.carryOver = DatabaseRestore.CarryOver(scheduledBackups: [try scheduled(plugin: plugin)], usedServerNames: used)
        return try DatabaseRestore.plan(.time(now - 3600), timeline: timeline, namespace: "paperless-ngx", name: "pdb-new", now: now)
    }

    static func manifest(_ plan: DatabaseRestorePlan) throws -> [String: Any] {
        try #require((try JSONSerialization.jsonObject(with: Data(plan.json.utf8))) as? [String: Any])
    }

    static func value(_ object: Any?, _ path: String) -> Any? {
        path.split(separator: ".").reduce(object) { current, key in
            if let array = current as? [Any], let i = Int(key) { return i < array.count ? array[i] : nil }
            return (current as? [String: Any])?[String(key)]
        }
    }

    // MARK: The manifest

    @Test func theRecoveryNamesANewSecretCopiedFromTheLiveAppSecretAndTheNewClusterArchivesUnderTheFirstUnusedLineageName() throws {
        let plan = try Self.plan(plugin: false, used: ["paperless-ngx-db", "paperless-ngx-db-r1"])
        let m = try Self.manifest(plan)
        #expect(Self.value(m, "spec.bootstrap.recovery.secret.name") as? String == "pdb-new-owner")
        #expect(Self.value(m, "spec.bootstrap.recovery.owner") as? String == "paperless")
        #expect(plan.credentials == RecoveryCredentials(secretName: "pdb-new-owner", source: .copy(from: "paperless-ngx-db-app"), owner: "paperless", live: "paperless-ngx-db"))
        // The live backup configuration, with the lineage's serverName: -r1 is taken, so -r2.
        #expect(Self.value(m, "spec.backup.barmanObjectStore.serverName") as? String == "paperless-ngx-db-r2")
        #expect(Self.value(m, "spec.backup.barmanObjectStore.destinationPath") as? String == "s3://db-backups/")
        #expect(Self.value(m, "spec.backup.retentionPolicy") as? String == "28d")
        // The recovery still reads the live serverName.
        #expect(Self.value(m, "spec.externalClusters.0.barmanObjectStore.serverName") as? String == "paperless-ngx-db")
        #expect(plan.rearm?.serverName == "paperless-ngx-db-r2")
    }

    @Test func withThePluginTheServerNameGoesInTheClustersPluginParametersAndTheScheduledBackupUsesThePlugin() throws {
        let plan = try Self.plan(plugin: true)
        let m = try Self.manifest(plan)
        #expect(Self.value(m, "spec.plugins.0.parameters.serverName") as? String == "paperless-ngx-db-r1")
        #expect(Self.value(m, "spec.plugins.0.parameters.barmanObjectName") as? String == "paperless-ngx-db-store")
        #expect(Self.value(m, "spec.backup") == nil)
        let rearm = try #require(plan.rearm)
        #expect(rearm.objectStore == "paperless-ngx-db-store")
        let sb = try #require((try JSONSerialization.jsonObject(with: Data((rearm.scheduledBackupJSON ?? "").utf8))) as? [String: Any])
        #expect(Self.value(sb, "metadata.name") as? String == "pdb-new-daily")
        #expect(Self.value(sb, "spec.cluster.name") as? String == "pdb-new")
        #expect(Self.value(sb, "spec.schedule") as? String == "0 0 3 * * *")
        #expect(Self.value(sb, "spec.method") as? String == "plugin")
        #expect(Self.value(sb, "spec.pluginConfiguration.name") as? String == "barman-cloud.cloudnative-pg.io")
        let first = try #require((try JSONSerialization.jsonObject(with: Data(rearm.firstBackupJSON.utf8))) as? [String: Any])
        #expect(Self.value(first, "spec.cluster.name") as? String == "pdb-new" && Self.value(first, "spec.method") as? String == "plugin")
    }

    @Test func theLiveInitdbSecretIsNamedAsItIsAndNothingIsCopied() throws {
        let plan = try Self.plan(plugin: false, initdbSecret: true)
        #expect(Self.value(try Self.manifest(plan), "spec.bootstrap.recovery.secret.name") as? String == "paperless-owner")
        #expect(plan.credentials?.source == .initdbSecret)
        #expect(!plan.steps(target: Self.target).contains { if case .carryCredentials = $0.kind { true } else { false } })
    }

    static let lineages: [(live: String, used: [String], expected: String)] = [
        ("paperless-ngx-db", [], "paperless-ngx-db-r1"),
        ("paperless-ngx-db", ["paperless-ngx-db-r1", "paperless-ngx-db-r2"], "paperless-ngx-db-r3"),
        ("paperless-ngx-db-r3", ["paperless-ngx-db-r1", "paperless-ngx-db-r3"], "paperless-ngx-db-r2"),
        ("db-rw", [], "db-rw-r1"),
    ]

    @Test func theLineageContinuesFromTheRootServerName() {
        for c in Self.lineages {
            #expect(DatabaseRestore.lineage(liveServer: c.live, used: Set(c.used)) == c.expected, "\(c)")
        }
    }

    @Test func usedServerNamesComeFromClustersBackupsAndObjectStoreWindows() throws {
        let clusters = Data(#"{"items":[{"metadata":{"name":"paperless-ngx-db"},"spec":{}},{"metadata":{"name":"old"},"spec":{"backup":{"barmanObjectStore":{"serverName":"paperless-ngx-db-r1"}}}}]}"#.utf8)
        let backups = Data(#"{"items":[{"metadata":{"name":"b"},"status":{"serverName":"paperless-ngx-db-r2"}}]}"#.utf8)
        let store = try #require(DatabaseRestoreTests.store)
        #expect(DatabaseRestore.usedServerNames(clusters: clusters, backups: backups, objectStores: [store]) == ["paperless-ngx-db", "paperless-ngx-db-r1", "paperless-ngx-db-r2"])
    }

    @Test func aDrillCarriesNothingOverAndArchivesNowhere() throws {
        let data = DatabaseRestoreTests.clusterJSON(plugin: false)
        let plan = try DatabaseRestore.plan(.latest, clusterJSON: data, cluster: try DatabaseRestoreTests.cluster(data), backups: [], objectStores: [], namespace: "n",
                                            drill: true, now: Self.now, carryOver: DatabaseRestore.CarryOver(scheduledBackups: [], usedServerNames: []))
        #expect(plan.credentials == nil && plan.rearm == nil)
        let m = try Self.manifest(plan)
        #expect(Self.value(m, "spec.backup") == nil && Self.value(m, "spec.bootstrap.recovery.secret") == nil)
    }

    // MARK: The steps

    @Test func theStepsCopyTheCredentialsFirstThenRecoverThenReArmTheBackups() throws {
        let plan = try Self.plan(plugin: false)
        let steps = plan.steps(target: Self.target)
        let kinds = steps.map { step -> String in
            switch step.kind {
            case .carryCredentials: "credentials"
            case .recoverCluster: "recover"
            case .scheduledBackup: "scheduled"
            case .databaseBackup: "first backup"
            case .checkArchiving: "archiving"
            default: "other"
            }
        }
        #expect(kinds == ["credentials", "recover", "scheduled", "first backup", "archiving"])
        // Every create carries the session's connection flags.
        for step in steps.compactMap(\.command) { #expect(Array(step.arguments.prefix(4)) == ["--kubeconfig", "/k/config", "--context", "prod"]) }
        // The plan shows the Secret's name and keys, the values only as where they come from.
        let shown = try #require(steps.first?.commandLine)
        #expect(shown.contains("\"name\" : \"pdb-new-owner\"") && shown.contains("kubernetes.io/basic-auth"), "\(shown)")
        #expect(shown.contains("\"username\" : \"\(Data("paperless".utf8).base64EncodedString())\"") && shown.contains("\"password\" : "), "\(shown)")
    }

    /// The copy reads the live Secret and pipes the new one on stdin; the planted password is in
    /// no outcome or progress line, and the username must be the owner.
    @Test func theCopyPipesTheValuesAndNeverSaysThem() async throws {
        let encoded = Data(Self.password.utf8).base64EncodedString()
        let user = Data("paperless".utf8).base64EncodedString()
        let fake = FakeRunner { command throws(KubectlError) in
            if command.arguments.contains("get"), command.arguments.contains("secrets") {
                return .ok(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"paperless-ngx-db-app"},"type":"kubernetes.io/basic-auth","data":{"username":"\#(user)","password":"\#(encoded)"}}"#)
            }
            return .ok("secret/pdb-new-owner created\n")
        }
        let executor = RestoreExecutor(runner: fake, target: Self.target, config: PaperConfig(), sleep: { _ in })
        let plan = try Self.plan(plugin: false)
        let step = try #require(plan.steps(target: Self.target).first)
        let said = CarriedLines()
        let outcome = await executor.run(step, report: { said.add($0.text) })
        #expect(outcome.succeeded, "\(outcome)")
        #expect(!outcome.message.contains(Self.password) && !outcome.message.contains(encoded))
        #expect(!said.all.contains { $0.contains(Self.password) || $0.contains(encoded) })
        let create = try #require(fake.commands.last)
        #expect(Array(create.arguments.suffix(5)) == ["create", "-f", "-", "-n", "paperless-ngx"])
        #expect(!create.displayLine.contains(encoded), "the values travel on stdin only")
        let created = try #require((try JSONSerialization.jsonObject(with: create.stdin ?? Data())) as? [String: Any])
        #expect(Self.value(created, "data.password") as? String == encoded && Self.value(created, "data.username") as? String == user)
        #expect(Self.value(created, "type") as? String == "kubernetes.io/basic-auth")
        #expect((Self.value(created, "metadata.labels") as? [String: String])?["app.kubernetes.io/managed-by"] == "paperctl")
        if case .action(let title) = create.logPolicy { #expect(!title.contains(encoded)) }

        // A username that is not the owner: CNPG would not take it; nothing is created.
        let other = FakeRunner { command throws(KubectlError) in
            .ok(#"{"data":{"username":"\#(Data("someone".utf8).base64EncodedString())","password":"\#(encoded)"}}"#)
        }
        let refused = await RestoreExecutor(runner: other, target: Self.target, config: PaperConfig(), sleep: { _ in }).run(step, report: { _ in })
        #expect(!refused.succeeded && refused.message.contains("owner is paperless"))
        #expect(other.commands.count == 1, "nothing was created")
    }

    @Test func thePreflightSaysWhichSecretPermissionIsMissing() async throws {
        let fake = FakeRunner { command throws(KubectlError) in
            command.arguments.contains("create") ? .failure("", stdout: Data("no\n".utf8)) : .ok("yes\n")
        }
        let executor = RestoreExecutor(runner: fake, target: Self.target, config: PaperConfig(), sleep: { _ in })
        let toolkit = RestoreToolkit(executor: executor)
        let missing = await toolkit.credentialsPreflight(try Self.plan(plugin: false).credentials)
        #expect(missing.count == 1 && missing[0].hasPrefix("create secrets (to create Secret pdb-new-owner)"), "\(missing)")
        #expect(fake.argumentArrays.contains { $0.suffix(6) == ["auth", "can-i", "get", "secrets", "-n", "paperless-ngx"] })
        #expect(await toolkit.credentialsPreflight(try Self.plan(plugin: false, initdbSecret: true).credentials).isEmpty, "nothing to copy, nothing to ask")
    }

    @Test func theCutoverSaysThePasswordWasKeptOrThatItWasReset() throws {
        let plan = try Self.plan(plugin: false)
        let kept = DatabaseRestore.cutover(newName: "pdb-new", live: "paperless-ngx-db", target: Self.target, credentials: plan.credentials)
        #expect(kept[1].contains("kept the live password (bootstrap.recovery.secret pdb-new-owner)"))
        let reset = DatabaseRestore.cutover(newName: "pdb-new", live: "paperless-ngx-db", target: Self.target)
        #expect(reset[1].contains("NEW random password, in Secret pdb-new-app"))
        #expect(!(kept + reset).contains { $0.contains("come from the backup") }, "the old, wrong claim is gone")
    }
}

/// Lines reported from a `@Sendable` callback.
final class CarriedLines: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
