import Foundation
import PaperKube
import ProcessTestSupport
import SimCluster
import Testing

/// `paperctl-tui restore db` against the simulator with the real kubectl, for in-tree and plugin
/// backups: the new cluster recovers, a point outside the window creates nothing, and the live
/// cluster never receives a write.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RestoreDatabaseE2ETests {
    static let ns = "paperless-ngx"
    static let live = "paperless-ngx-db"

    static func clusters(_ env: ActionEnv) -> [String] {
        env.sim.store.list(Catalogue.clusters, namespace: ns).items.compactMap { $0.value(at: "metadata.name")?.stringValue }.sorted()
    }

    static func liveWrites(_ env: ActionEnv) -> [String] {
        env.sim.store.recordedWrites.filter { $0.resource.contains("clusters") && $0.name == live }.map { "\($0.verb) \($0.name)" }
    }

    static func completedBackup(_ env: ActionEnv) throws -> String {
        let names = env.sim.store.list(Catalogue.backups, namespace: ns).items
            .filter { $0.value(at: "status.phase")?.stringValue == "completed" }
            .compactMap { $0.value(at: "metadata.name")?.stringValue }.sorted()
        return try #require(names.last)
    }

    @Test(arguments: [Scenario.healthy, .pluginBackups])
    func latestABackupAndATimeInsideTheWindowEachRecoverIntoANewHealthyCluster(scenario: Scenario) async throws {
        let env = try await ActionEnv.start([scenario], realRestic: false)
        defer { Task { await env.stop() } }
        let backup = try Self.completedBackup(env)
        for (to, name) in [("latest", "pdb-latest"), ("backup:\(backup)", "pdb-backup"), ("-3h", "pdb-3h")] {
            let run = try await env.paperctl(["restore", "db", "--to", to, "--name", name, "--yes", "--wait", "--timeout", "90"], limit: 120)
            #expect(run.status == 0, "\(to): \(run.stdout)\n\(run.stderr)")
            #expect(run.stdout.contains("kubectl create --dry-run=server: accepted"))
            #expect(run.stdout.contains("\(name) is healthy: Cluster in healthy state"))
            #expect(run.stdout.contains("Point the app's database host"))
            let created = try #require(env.sim.store.get(Catalogue.clusters, namespace: Self.ns, name: name))
            // It archives under a serverName of the recovery lineage, never the live one's.
            let server = scenario == .pluginBackups ? created.value(at: "spec.plugins.0.parameters.serverName") : created.value(at: "spec.backup.barmanObjectStore.serverName")
            #expect(server?.stringValue?.hasPrefix("\(Self.live)-r") == true, "\(String(describing: server))")
            #expect(created.value(at: "metadata.labels")?["app.kubernetes.io/managed-by"]?.stringValue == "paperctl")
            if scenario == .pluginBackups {
                #expect(created.value(at: "spec.externalClusters.0.plugin.parameters.barmanObjectName")?.stringValue == "paperless-ngx-db-store")
            } else {
                #expect(created.value(at: "spec.externalClusters.0.barmanObjectStore.serverName")?.stringValue == Self.live)
            }
        }
        #expect(Self.liveWrites(env).isEmpty, "the live cluster was written to: \(Self.liveWrites(env))")
    }

    /// A time typed in a zone is echoed in that zone; the printed cutover names the kubeconfig's
    /// context (none was given) and is journaled as printed.
    @Test func aTimeTypedInAZoneIsEchoedInItAndTheCutoverNamesTheContextAndIsJournaled() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: false)
        defer { Task { await env.stop() } }
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let point = Date().timeIntervalSince1970 - 2 * 3600
        let wall = UTCTime.rfc3339(point + Double(berlin.secondsFromGMT(for: Date(timeIntervalSince1970: point))))
        let typed = "\(wall.prefix(10)) \(wall.dropFirst(11).prefix(5)) Europe/Berlin"
        let run = try await env.paperctl(["restore", "db", "--to", typed, "--name", "pdb-berlin", "--yes", "--wait", "--timeout", "90"], limit: 120)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("Recovers to: \(typed) ("), "\(run.stdout)")
        let scaleDown = "kubectl --kubeconfig \(env.kubeconfig) --context demo scale deployment/paperless-ngx --replicas=0 -n paperless-ngx"
        #expect(run.stdout.contains(scaleDown), "\(run.stdout)")
        let journal = try FileManager.default.contentsOfDirectory(atPath: "\(env.directory)/state/paperctl").filter { $0.hasSuffix(".md") }
            .compactMap { try? String(contentsOfFile: "\(env.directory)/state/paperctl/\($0)", encoding: .utf8) }.joined()
        #expect(journal.contains("restore db: cutover, yours to run:") && journal.contains(scaleDown))
    }

    @Test func aTimeOutsideTheWindowIsRefusedNamingTheWindowAndNothingIsCreated() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: false)
        defer { Task { await env.stop() } }
        let before = Self.clusters(env)
        let run = try await env.paperctl(["restore", "db", "--to", "-60d", "--yes"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("is outside the recoverability window") && run.stderr.contains("nothing was created"))
        let plan = try await env.paperctl(["restore", "db", "--to", "latest", "--plan"])
        #expect(plan.status == 0 && plan.stdout.contains("bootstrap:") && plan.stdout.contains("source: origin"))
        #expect(Self.clusters(env) == before, "--plan or a refusal created a cluster")
        let noYes = try await env.paperctl(["restore", "db", "--to", "latest"])
        #expect(noYes.status == 1 && noYes.stderr.contains("add --yes"))
        #expect(Self.clusters(env) == before)
    }

    @Test func aRecoveryThatReadsTheWrongServerFailsWithCNPGsOwnMessage() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: false)
        defer { Task { await env.stop() } }
        // The plan as the tool makes it, with the serverName edited by hand: CNPG finds no backup there.
        let plan = try await env.paperctl(["restore", "db", "--to", "latest", "--name", "pdb-wrong", "--plan"])
        let yaml = plan.stdout.components(separatedBy: "(the live cluster paperless-ngx-db is not touched):\n").last ?? ""
        let edited = yaml.replacingOccurrences(of: "serverName: paperless-ngx-db", with: "serverName: someone-else")
        let create = try await runProcess("kubectl", ["--kubeconfig", env.kubeconfig, "create", "-f", "-", "-n", Self.ns], stdin: edited, limit: 60)
        #expect(create.status == 0, "\(create.stderr)")
        let wait = try await env.paperctl(["restore", "db", "--to", "latest", "--name", "pdb-wrong", "--yes", "--wait", "--timeout", "60"], limit: 90)
        #expect(wait.status == 1, "the cluster exists already: nothing new is created\n\(wait.stderr)")
        // The sim's full-recovery Job carries CNPG's message.
        try await waitFor("CNPG's message in the full-recovery Job's log", timeout: 30, every: .milliseconds(500)) {
            (try await runProcess("kubectl", ["--kubeconfig", env.kubeconfig, "logs", "-l", "job-name=pdb-wrong-1-full-recovery", "-n", Self.ns], limit: 30)).stdout
        } until: { $0.contains("no target backup found") }
        #expect(Self.liveWrites(env).isEmpty)
    }

    @Test func theDatabaseDrillReachesHealthyReportsTheRTOAndCleansUpOnlyItsOwnCluster() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: false)
        defer { Task { await env.stop() } }
        let before = Self.clusters(env)
        let run = try await env.paperctl(["restore", "drill", "db", "--cleanup", "--timeout", "90"], limit: 120)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("database drill passed") && run.stdout.contains("(the RTO), recovered to"))
        #expect(run.stdout.contains("Running: kubectl --kubeconfig \(env.kubeconfig) --context demo delete clusters.postgresql.cnpg.io paperless-ngx-db-drill-"))
        #expect(Self.clusters(env) == before, "the scratch cluster is gone and nothing else was deleted")
        #expect(Self.liveWrites(env).isEmpty)
        // The record outlives the scratch cluster: every operator's check says when the drill passed.
        let record = try #require(env.sim.store.get(Catalogue.configMaps, namespace: Self.ns, name: "paperctl-drills"))
        #expect(record.value(at: "data.database")?.stringValue?.contains("\"passed\":true") == true)
        let check = try await runProcess(ActionEnv.binary, ["check", "--check", "db-backups", "--json", "--verbose", "--kubeconfig", env.kubeconfig, "--timeout", "60"],
                                         environment: cronEnvironment(env.directory), limit: 90)
        #expect(check.stdout.contains("last database drill passed") && check.stdout.contains("(the RTO)"), "\(check.stdout)")
        // A second drill replaces the record's last run (create, then replace).
        let again = try await env.paperctl(["restore", "drill", "db", "--cleanup", "--timeout", "90"], limit: 120)
        #expect(again.status == 0 && again.stdout.contains("Recorded in ConfigMap paperctl-drills"), "\(again.stdout)\n\(again.stderr)")
    }
}
