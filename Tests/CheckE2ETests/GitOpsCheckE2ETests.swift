import Foundation
import SimCluster
import Testing

/// `check --json` carries the `gitops` facts the dashboard shows: the managing Argo CD
/// Application with its exact sync policy and what stands behind it, or why unknown or none.
@Suite("check --json: the gitops object", .timeLimit(.minutes(2)))
struct GitOpsCheckE2ETests {
    static func gitops(_ scenario: Scenario) async throws -> (run: CheckRun, gitops: [String: Any]) {
        let cluster = try await Cluster.start([scenario])
        defer { cluster.finish() }
        let run = try await cluster.check(["--json", "--timeout", "20"])
        let doc = try #require(run.document())
        return (run, try #require(doc.root["gitops"] as? [String: Any], "no gitops object: \(run.stdout.prefix(400))"))
    }

    @Test func selfHealingApplicationWithItsExactSyncPolicy() async throws {
        let (run, gitops) = try await Self.gitops(.argocdSelfHeal)
        #expect(run.status == 0, "Argo CD managing the app is not a problem by itself: \(run.stderr)")
        #expect(gitops["status"] as? String == "managed")
        let app = try #require((gitops["applications"] as? [[String: Any]])?.first)
        #expect(app["namespace"] as? String == "argocd" && app["name"] as? String == "paperless-ngx")
        #expect(app["autoSync"] as? Bool == true && app["selfHeal"] as? Bool == true && app["prune"] as? Bool == true)
        #expect(app["pauseWouldBeReverted"] as? Bool == false)
        let manages = (app["manages"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "")/\($0["name"] ?? "")/\($0["evidence"] ?? "")" }
        #expect(manages == ["Deployment/paperless-ngx/tracking-id", "CronJob/paperless-ngx-backup/tracking-id"])
        let policy = try #require(app["syncPolicy"])
        let text = String(decoding: try JSONSerialization.data(withJSONObject: policy, options: [.sortedKeys]), as: UTF8.self)
        #expect(text == #"{"automated":{"prune":true,"selfHeal":true},"syncOptions":["CreateNamespace=true"]}"#)
    }

    @Test func applicationSetThatPutsTheSyncPolicyBack() async throws {
        let (_, gitops) = try await Self.gitops(.argocdApplicationSet)
        let app = try #require((gitops["applications"] as? [[String: Any]])?.first)
        let set = try #require(app["applicationSet"] as? [String: Any])
        #expect(set["name"] as? String == "do-nyc3-prod-apps" && set["ignoresSyncPolicy"] as? Bool == false)
        #expect(app["pauseWouldBeReverted"] as? Bool == true)
    }

    @Test func forbiddenIsUnknownNeverNone() async throws {
        let (_, gitops) = try await Self.gitops(.argocdForbidden)
        #expect(gitops["status"] as? String == "unknown")
        #expect(gitops["reason"] as? String == "applications.argoproj.io forbidden")
    }

    @Test func noArgoCDIsNone() async throws {
        let (run, gitops) = try await Self.gitops(.healthy)
        #expect(gitops["status"] as? String == "none")
        #expect(gitops["reason"] as? String == "no Argo CD Applications API")
        #expect(run.document()?.kubectlProcesses == 4, "no process is spent on Argo CD where it is not installed")
    }
}
