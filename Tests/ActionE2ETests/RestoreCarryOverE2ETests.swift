import Foundation
import PaperDomain
import PaperKube
import ProcessTestSupport
@testable import SimCluster
import Testing

/// `restore db` carries the live side over, with the real kubectl, in-tree and with the plugin:
/// the owner's credentials (so the app's existing password works on the new cluster), and the new
/// cluster's own backups (a lineage serverName, a ScheduledBackup, a first Backup completed). The
/// same recovery without `bootstrap.recovery.secret` leaves the app crash-looping on authentication.
@Suite(.serialized, .timeLimit(.minutes(4))) struct RestoreCarryOverE2ETests {
    static let ns = "paperless-ngx"

    static func get(_ env: ActionEnv, _ kind: ServedResource, _ name: String) -> JSONValue? {
        env.sim.store.get(kind, namespace: ns, name: name)
    }

    /// Points the app at `cluster` the way a cutover does (scaled to 0, the host changed, scaled
    /// up), then waits for its new pod to run: whether it is Ready, and its log.
    static func pointApp(_ env: ActionEnv, at cluster: String) async throws -> (ready: Bool, log: String) {
        func kubectl(_ args: [String]) async throws -> ProcessRun {
            try await runProcess("kubectl", ["--kubeconfig", env.kubeconfig, "-n", ns] + args, limit: 30)
        }
        #expect(try await kubectl(["scale", "deploy/paperless-ngx", "--replicas=0"]).status == 0)
        try await waitFor("the app's pods gone", timeout: 30, every: .milliseconds(200)) {
            try await kubectl(["get", "pods", "-l", "app.kubernetes.io/name=paperless-ngx", "-o", "name"]).stdout
        } until: { $0.isEmpty }
        #expect(try await kubectl(["set", "env", "deploy/paperless-ngx", "-c", "paperless-ngx", "PAPERLESS_DBHOST=\(cluster)-rw"]).status == 0)
        #expect(try await kubectl(["scale", "deploy/paperless-ngx", "--replicas=1"]).status == 0)
        let pod = try await waitFor("a running app pod", timeout: 30, every: .milliseconds(200)) {
            try await kubectl(["get", "pods", "-l", "app.kubernetes.io/name=paperless-ngx", "-o", "jsonpath={.items[?(@.status.phase==\"Running\")].metadata.name}"]).stdout
        } until: { !$0.isEmpty }
        let ready = try await kubectl(["get", "pod", pod, "-o", #"jsonpath={.status.conditions[?(@.type=="Ready")].status}"#]).stdout == "True"
        return (ready, try await kubectl(["logs", pod, "-c", "paperless-ngx"]).stdout)
    }

    /// Every file the binary wrote (journal, command log, state) as text.
    static func writtenFiles(_ env: ActionEnv) -> String {
        let root = URL(fileURLWithPath: env.directory)
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return files.filter { !$0.path.contains("/kubecache/") && $0.lastPathComponent != "kubeconfig" }
            .compactMap { try? String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
    }

    /// The Cluster (recovery secret, lineage serverName), ScheduledBackup and first Backup the
    /// restore writes pass the real CRD schemas, in-tree and with the plugin, with no unknown field.
    @Test(arguments: [false, true])
    func theManifestsTheRestoreWritesPassTheRealCRDs(plugin: Bool) throws {
        let backup = plugin
            ? #""plugins":[{"name":"barman-cloud.cloudnative-pg.io","isWALArchiver":true,"parameters":{"barmanObjectName":"paperless-ngx-db-store"}}]"#
            : #""backup":{"retentionPolicy":"28d","barmanObjectStore":{"destinationPath":"s3://db/","s3Credentials":{"accessKeyId":{"name":"db-s3","key":"ACCESS_KEY_ID"},"secretAccessKey":{"name":"db-s3","key":"ACCESS_SECRET_KEY"}},"wal":{"compression":"gzip"},"data":{"compression":"gzip"}}}"#
        let live = Data(#"""
            {"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"paperless-ngx-db"},
             "spec":{"instances":1,"storage":{"size":"5Gi"},"bootstrap":{"initdb":{"database":"paperless-ngx","owner":"paperless-ngx"}},\#(backup)},
             "status":{"phase":"Cluster in healthy state","firstRecoverabilityPoint":"2026-11-01T03:00:00Z"}}
            """#.utf8)
        let store = try KubeJSON.decode(BarmanObjectStore.self, from: Data(#"{"metadata":{"name":"paperless-ngx-db-store"},"status":{"serverRecoveryWindow":{"paperless-ngx-db":{"firstRecoverabilityPoint":"2026-11-01T03:00:00Z"}}}}"#.utf8))
        let scheduled = try KubeJSON.decode(CNPGScheduledBackup.self, from: Data(#"{"metadata":{"name":"paperless-ngx-db-daily"},"spec":{"schedule":"0 0 3 * * *","cluster":{"name":"paperless-ngx-db"}\#(plugin ? #","method":"plugin","pluginConfiguration":{"name":"barman-cloud.cloudnative-pg.io"}"# : "")}}"#.utf8))
        let cluster = try KubeJSON.decode(CNPGCluster.self, from: live)
        let now = try #require(UTCTime.parse("2026-12-01T12:00:00Z"))
        var timeline = DatabaseTimeline(clusterJSON: live, cluster: cluster, window: DatabaseRestore.window(cluster: cluster, objectStores: [store], archiveTimeout: 300, now: now),
                                        backups: [], objectStores: [store])
        timeline.carryOver = DatabaseRestore.CarryOver(scheduledBackups: [scheduled], usedServerNames: ["paperless-ngx-db"])
        let plan = try DatabaseRestore.plan(.latest, timeline: timeline, namespace: Self.ns, name: "pdb-crd", now: now)
        let rearm = try #require(plan.rearm)
        for (json, kind) in [(plan.json, Catalogue.clusters), (rearm.scheduledBackupJSON ?? "", Catalogue.scheduledBackups), (rearm.firstBackupJSON, Catalogue.backups)] {
            let crd = try #require(VendoredCRDs.crd(for: kind)).get()
            let result = SchemaValidator.check(try JSONValue(parsing: json), against: try #require(crd.versions["v1"]))
            #expect(result.causes.isEmpty && result.unknownFields.isEmpty, "\(kind.kind): \(result.causes.map(\.text)) \(result.unknownFields)")
        }
        let manifest = try JSONValue(parsing: plan.json)
        #expect(manifest.value(at: "spec.bootstrap.recovery.secret.name")?.stringValue == "pdb-crd-owner")
        #expect(manifest.value(at: plugin ? "spec.plugins.0.parameters.serverName" : "spec.backup.barmanObjectStore.serverName")?.stringValue == "paperless-ngx-db-r1")
    }

    @Test(arguments: [Scenario.healthy, .pluginBackups])
    func theRestoredClusterKeepsTheOwnersPasswordAndBacksUpUnderItsOwnServerName(scenario: Scenario) async throws {
        let env = try await ActionEnv.start([scenario], realRestic: false)
        defer { Task { await env.stop() } }
        let run = try await env.paperctl(["restore", "db", "--to", "latest", "--name", "pdb-carry", "--yes", "--wait", "--timeout", "120"], limit: 180)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("pdb-carry is healthy: Cluster in healthy state"))
        #expect(run.stdout.contains("the recovery names Secret pdb-carry-owner in bootstrap.recovery.secret"), "\(run.stdout)")
        #expect(run.stdout.contains("Backups re-armed: serverName paperless-ngx-db-r1, first Backup pdb-carry-manual-"), "\(run.stdout)")
        #expect(run.stdout.contains("kept the live password"))

        // The credentials: the live owner's, in the Secret the recovery names; CNPG made no -app Secret.
        let cluster = try #require(Self.get(env, Catalogue.clusters, "pdb-carry"))
        #expect(cluster.value(at: "spec.bootstrap.recovery.secret.name")?.stringValue == "pdb-carry-owner")
        let copied = try #require(Self.get(env, Catalogue.secrets, "pdb-carry-owner"))
        let live = try #require(Self.get(env, Catalogue.secrets, "paperless-ngx-db-app"))
        #expect(copied["type"]?.stringValue == "kubernetes.io/basic-auth")
        #expect(copied.value(at: "data.password") == live.value(at: "data.password") && copied.value(at: "data.username") == live.value(at: "data.username"))
        #expect(copied.value(at: "metadata.labels")?["app.kubernetes.io/managed-by"]?.stringValue == "paperctl")
        #expect(Self.get(env, Catalogue.secrets, "pdb-carry-app") == nil)

        // The backups: a lineage serverName, never the live one; a new ScheduledBackup; the first Backup completed there.
        if scenario == .pluginBackups {
            #expect(cluster.value(at: "spec.plugins.0.parameters.serverName")?.stringValue == "paperless-ngx-db-r1")
            let window = Self.get(env, Catalogue.objectStores, "paperless-ngx-db-store")?.value(at: "status.serverRecoveryWindow")?["paperless-ngx-db-r1"]
            #expect(window?["firstRecoverabilityPoint"] != nil, "the ObjectStore has a window under the new serverName")
        } else {
            #expect(cluster.value(at: "spec.backup.barmanObjectStore.serverName")?.stringValue == "paperless-ngx-db-r1")
        }
        let scheduled = try #require(Self.get(env, Catalogue.scheduledBackups, "pdb-carry-daily"))
        #expect(scheduled.value(at: "spec.cluster.name")?.stringValue == "pdb-carry" && scheduled.value(at: "spec.schedule")?.stringValue == "0 0 3 * * *")
        let first = env.sim.store.list(Catalogue.backups, namespace: Self.ns).items.filter { $0.value(at: "spec.cluster.name")?.stringValue == "pdb-carry" }
        #expect(first.count == 1)
        #expect(first.first?.value(at: "status.phase")?.stringValue == "completed")
        #expect(first.first?.value(at: "status.serverName")?.stringValue == "paperless-ngx-db-r1")
        let archiving = cluster.value(at: "status.conditions")?.arrayValue?.first { $0["type"]?.stringValue == "ContinuousArchiving" }
        #expect(archiving?["status"]?.stringValue == "True")

        // The app, with its existing password, is Ready on the new cluster.
        let (ready, log) = try await Self.pointApp(env, at: "pdb-carry")
        #expect(ready, "\(log)")
        #expect(!log.contains("password authentication failed"))

        // The planted password (and its base64) is nowhere the tool wrote or said.
        let planted = env.sim.options.plantedPassword
        let encoded = Data(planted.utf8).base64EncodedString()
        let everything = run.stdout + run.stderr + Self.writtenFiles(env)
        #expect(!everything.contains(planted) && !everything.contains(encoded), "the copied password was shown, logged or journaled")
        #expect(Self.writtenFiles(env).contains("pdb-carry-owner"), "the journal names the Secret")
    }

    /// The same recovery with `bootstrap.recovery.secret` removed: CNPG gives the owner a fresh
    /// password, and the app pointed at the new cluster crash-loops on authentication.
    @Test func withoutTheRecoverySecretTheAppCrashLoopsOnAuthentication() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: false)
        defer { Task { await env.stop() } }
        let plan = try await env.paperctl(["restore", "db", "--to", "latest", "--name", "pdb-nosecret", "--plan"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let yaml = plan.stdout.components(separatedBy: "(the live cluster paperless-ngx-db is not touched):\n").last ?? ""
        var lines = yaml.components(separatedBy: "\n")
        let at = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "secret:" })
        #expect(lines[at + 1].contains("name: pdb-nosecret-owner"))
        lines.removeSubrange(at...(at + 1))
        let create = try await runProcess("kubectl", ["--kubeconfig", env.kubeconfig, "create", "-f", "-", "-n", Self.ns], stdin: lines.joined(separator: "\n"), limit: 60)
        #expect(create.status == 0, "\(create.stderr)")
        try await waitFor("pdb-nosecret healthy", timeout: 90, every: .milliseconds(500)) {
            Self.get(env, Catalogue.clusters, "pdb-nosecret")?.value(at: "status.phase")?.stringValue ?? ""
        } until: { $0 == "Cluster in healthy state" }
        #expect(Self.get(env, Catalogue.secrets, "pdb-nosecret-app") != nil, "CNPG made <new>-app with a fresh password")
        let (ready, log) = try await Self.pointApp(env, at: "pdb-nosecret")
        #expect(!ready)
        #expect(log.contains("FATAL:  password authentication failed for user \"paperless-ngx\""), "\(log)")
    }
}
