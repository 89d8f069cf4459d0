import Foundation
import PaperKube
import Testing
@testable import PaperDomain

/// Which Argo CD Application manages the app, from recorded objects (the simulator's
/// argocd-applicationset scenario, `kubectl get applications,applicationsets,appprojects -A -o json`).
@Suite struct GitOpsTests {
    static let policy = #"{"automated":{"prune":true,"selfHeal":true},"syncOptions":["CreateNamespace=true"]}"#

    /// The healthy namespace plus Argo CD's objects; the Deployment and CronJob carry the tracking
    /// annotation when `tracked`.
    static func snapshot(tracked: Bool = true) -> Snapshot {
        var s = Fixtures.healthySnapshot()
        s.add(Fixtures.list("argocd-applicationset.json").items)
        if tracked {
            for i in s.deployments.indices where s.deployments[i].metadata.name == "paperless-ngx" {
                s.deployments[i].metadata.annotations[ArgoTrackingID.annotation] = "paperless-ngx:apps/Deployment:paperless-ngx/paperless-ngx"
            }
            for i in s.cronJobs.indices where s.cronJobs[i].metadata.name == "paperless-ngx-backup" {
                s.cronJobs[i].metadata.annotations[ArgoTrackingID.annotation] = "paperless-ngx:batch/CronJob:paperless-ngx/paperless-ngx-backup"
            }
        }
        return s
    }

    static func raw(_ text: String) throws -> RawJSON { try KubeJSON.decode(RawJSON.self, from: Data(text.utf8)) }

    static func managed(_ g: GitOps) throws -> [ArgoManagement] {
        guard case .managed(let apps) = g else {
            Issue.record("expected managed, got \(g)")
            return []
        }
        return apps
    }

    @Test func theTrackingAnnotationFindsTheApplicationWithItsExactSyncPolicyAndTheApplicationSetBehindIt() throws {
        let gitops = GitOps.detect(Self.snapshot(), config: PaperConfig())
        let app = try #require(try Self.managed(gitops).first)
        #expect(app.application.qualifiedName == "argocd/paperless-ngx")
        #expect(app.manages.map(\.kind) == ["Deployment", "CronJob"])
        #expect(app.manages.allSatisfy { $0.evidence == .trackingAnnotation })
        #expect(app.autoSync && app.selfHeal && app.prune)
        // The policy to put back after a pause, exactly as read.
        #expect(app.syncPolicyJSON == Self.policy)
        #expect(app.owners == [.applicationSet(namespace: "argocd", name: "do-nyc3-prod-apps", ignoresSyncPolicy: false)])
        #expect(app.pauseWouldBeReverted)
        #expect(gitops.lines == [
            "GitOps: Argo CD app argocd/paperless-ngx · auto-sync · self-heal",
            "  from ApplicationSet do-nyc3-prod-apps: puts syncPolicy back",
        ])
        #expect(gitops.lines.allSatisfy { $0.count <= 78 }, "each line fits the 80-column Pods panel")
    }

    @Test(arguments: [
        (ArgoApplicationSet.IgnoreRule(jsonPointers: ["/spec/syncPolicy"]), true),
        (ArgoApplicationSet.IgnoreRule(jqPathExpressions: [".spec.syncPolicy"]), true),
        (ArgoApplicationSet.IgnoreRule(name: "paperless-ngx", jsonPointers: ["/spec/syncPolicy/"]), true),
        (ArgoApplicationSet.IgnoreRule(name: "another-app", jsonPointers: ["/spec/syncPolicy"]), false),
        (ArgoApplicationSet.IgnoreRule(jsonPointers: ["/spec/source/targetRevision"]), false),
    ])
    func anApplicationSetThatIgnoresSyncPolicyLetsAPauseHold(rule: ArgoApplicationSet.IgnoreRule, holds: Bool) throws {
        var s = Self.snapshot()
        s.argoApplicationSets[0].ignoreApplicationDifferences = [rule]
        let app = try #require(try Self.managed(GitOps.detect(s, config: PaperConfig())).first)
        #expect(app.owners == [.applicationSet(namespace: "argocd", name: "do-nyc3-prod-apps", ignoresSyncPolicy: holds)])
        #expect(app.pauseWouldBeReverted == !holds)
        #expect(app.details == ["from ApplicationSet do-nyc3-prod-apps: " + (holds ? "ignores /spec/syncPolicy" : "puts syncPolicy back")])
    }

    @Test func theInstanceLabelCountsOnlyTogetherWithAMatchingApplication() throws {
        var s = Self.snapshot(tracked: false)
        s.argoApplications[0].resources = []
        // The fixture's Deployment carries app.kubernetes.io/instance=paperless-ngx (Helm sets it too).
        let app = try #require(try Self.managed(GitOps.detect(s, config: PaperConfig())).first)
        #expect(app.manages == [.init(kind: "Deployment", name: "paperless-ngx", evidence: .instanceLabel)])
        // The same label with no Application of that name deploying here: nothing manages it.
        s.argoApplications[0].metadata.name = "paperless-ngx-staging"
        #expect(GitOps.detect(s, config: PaperConfig()) == .none(reason: "no Argo CD Application manages paperless-ngx or paperless-ngx-backup"))
        s.argoApplications[0].metadata.name = "paperless-ngx"
        s.argoApplications[0].destinationNamespace = "paperless-staging"
        #expect(GitOps.detect(s, config: PaperConfig()) == .none(reason: "no Argo CD Application manages paperless-ngx or paperless-ngx-backup"))
    }

    @Test func theApplicationsStatusResourcesFindItWithoutAnnotationOrLabel() throws {
        var s = Self.snapshot(tracked: false)
        for i in s.deployments.indices { s.deployments[i].metadata.labels["app.kubernetes.io/instance"] = nil }
        s.argoApplications[0].metadata.name = "docs"
        let app = try #require(try Self.managed(GitOps.detect(s, config: PaperConfig())).first)
        #expect(app.application.qualifiedName == "argocd/docs")
        #expect(app.manages == [.init(kind: "Deployment", name: "paperless-ngx", evidence: .statusResources),
                                .init(kind: "CronJob", name: "paperless-ngx-backup", evidence: .statusResources)])
    }

    @Test func forbiddenApplicationsAreUnknownNeverNone() {
        var s = Self.snapshot()
        s.argoApplications = []
        s.unreadable[.argoApplication] = .forbidden(verb: "list", resource: "applications.argoproj.io", detail: "forbidden")
        let gitops = GitOps.detect(s, config: PaperConfig())
        #expect(gitops == .unknown(reason: "applications.argoproj.io forbidden"))
        #expect(gitops.lines == ["GitOps: unknown (applications.argoproj.io forbidden)"])
        #expect(GitOpsReport(gitops).status == "unknown")
    }

    @Test func anAbsentApplicationsAPIIsNoneUnlessTheObjectsAreTracked() {
        var s = Self.snapshot(tracked: false)
        s.argoApplications = []
        s.unreadable[.argoApplication] = .resourceTypeNotServed(resource: "applications.argoproj.io")
        #expect(GitOps.detect(s, config: PaperConfig()) == .none(reason: "no Argo CD Applications API"))
        // Tracked by an Argo CD that runs elsewhere (it manages this cluster remotely): not "none".
        let tracked = { () -> Snapshot in
            var t = Self.snapshot()
            t.argoApplications = []
            t.unreadable[.argoApplication] = .resourceTypeNotServed(resource: "applications.argoproj.io")
            return t
        }()
        #expect(GitOps.detect(tracked, config: PaperConfig()) == .unknown(reason: "tracked by Argo CD app paperless-ngx; no Applications API here"))
    }

    @Test func aSelfHealingParentApplicationIsAnOwnerThatPutsThePolicyBack() throws {
        var s = Self.snapshot()
        s.argoApplications[0].metadata.ownerReferences = []
        var root = ArgoApplication(metadata: ObjectMeta(name: "root", namespace: "argocd"), destinationNamespace: "argocd",
                                   syncPolicy: try Self.raw(#"{"automated":{"selfHeal":true}}"#),
                                   resources: [.init(group: "argoproj.io", kind: "Application", namespace: "argocd", name: "paperless-ngx")])
        s.argoApplications.append(root)
        var app = try #require(try Self.managed(GitOps.detect(s, config: PaperConfig())).first)
        #expect(app.owners == [.parent(namespace: "argocd", name: "root", selfHeal: true)])
        #expect(app.pauseWouldBeReverted)
        #expect(app.details == ["parent app argocd/root: self-heals, puts syncPolicy back"])
        // A parent without self-heal leaves a pause alone.
        root.syncPolicy = try Self.raw(#"{"automated":{"prune":true}}"#)
        s.argoApplications[s.argoApplications.count - 1] = root
        app = try #require(try Self.managed(GitOps.detect(s, config: PaperConfig())).first)
        #expect(!app.pauseWouldBeReverted)
    }

    @Test(arguments: [
        (ArgoSyncWindow(kind: "deny", schedule: "* * * * *", duration: "1h", applications: ["paperless-*"]), true),
        (ArgoSyncWindow(kind: "deny", schedule: "* * * * *", duration: "1h", namespaces: ["paperless-ngx"]), true),
        (ArgoSyncWindow(kind: "deny", schedule: "* * * * *", duration: "1h", applications: ["docs"]), false),
        // 03:00 for an hour; the snapshot is at 12:00.
        (ArgoSyncWindow(kind: "deny", schedule: "0 3 * * *", duration: "1h", applications: ["*"]), false),
        // Only an allow window at 03:00: outside it, no automated sync.
        (ArgoSyncWindow(kind: "allow", schedule: "0 3 * * *", duration: "1h", applications: ["*"]), true),
    ])
    func aSyncWindowOfTheProjectStopsAutomatedSync(window: ArgoSyncWindow, blocks: Bool) throws {
        var s = Self.snapshot()
        s.argoAppProjects[0].syncWindows = [window]
        let app = try #require(try Self.managed(GitOps.detect(s, config: PaperConfig())).first)
        #expect((app.blockingWindow != nil) == blocks)
        #expect(app.details.contains { $0.contains("no automated sync now") } == blocks)
    }

    @Test func automatedWithEnabledFalseIsNotAutoSync() throws {
        var s = Self.snapshot()
        s.argoApplications[0].syncPolicy = try Self.raw(#"{"automated":{"enabled":false,"selfHeal":true,"prune":true}}"#)
        let app = try #require(try Self.managed(GitOps.detect(s, config: PaperConfig())).first)
        #expect(!app.autoSync && !app.selfHeal && !app.prune)
        #expect(app.summary == "Argo CD app argocd/paperless-ngx · manual sync")
    }

    @Test func checkJSONCarriesTheSameFactsWithTheRawSyncPolicy() throws {
        let report = CheckReport(context: "demo", namespace: "paperless-ngx", now: Fixtures.now, checks: [],
                                 gitops: GitOpsReport(GitOps.detect(Self.snapshot(), config: PaperConfig())))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let gitops = try #require(object["gitops"] as? [String: Any])
        #expect(gitops["status"] as? String == "managed")
        let app = try #require((gitops["applications"] as? [[String: Any]])?.first)
        #expect(app["namespace"] as? String == "argocd" && app["name"] as? String == "paperless-ngx")
        #expect(app["selfHeal"] as? Bool == true && app["autoSync"] as? Bool == true && app["pauseWouldBeReverted"] as? Bool == true)
        #expect((app["applicationSet"] as? [String: Any])?["name"] as? String == "do-nyc3-prod-apps")
        let policy = try #require(app["syncPolicy"])
        let policyText = String(decoding: try JSONSerialization.data(withJSONObject: policy, options: [.sortedKeys]), as: UTF8.self)
        #expect(policyText == Self.policy)
        #expect(try JSONDecoder().decode(CheckReport.self, from: Data(report.json().utf8)) == report)
    }

    @Test func trackingIDsParseWithAndWithoutTheApplicationsNamespace() throws {
        let plain = try #require(ArgoTrackingID("paperless-ngx:apps/Deployment:paperless-ngx/paperless-ngx"))
        #expect(plain.application == "paperless-ngx" && plain.applicationNamespace == nil && plain.group == "apps" && plain.kind == "Deployment")
        let core = try #require(ArgoTrackingID("team_docs:/Service:paperless-ngx/web"))
        #expect(core.application == "docs" && core.applicationNamespace == "team" && core.group == "" && core.kind == "Service" && core.name == "web")
        #expect(ArgoTrackingID("paperless-ngx") == nil)
    }
}
