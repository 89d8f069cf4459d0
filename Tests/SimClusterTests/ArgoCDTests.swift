import Foundation
import ProcessTestSupport
import SimCluster
import Testing

/// Argo CD as the simulator emulates it, driven with the real kubectl: the application
/// controller's self-heal after its backoff (and what stops it), the ApplicationSet controller,
/// and RBAC without access to Applications.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ArgoCDTests {
    static let delay = 2.0
    static let app = "argocd/paperless-ngx"

    static func start(_ scenarios: [Scenario]) async throws -> SimHarness {
        try await SimHarness.start(scenarios, options: { $0.argo?.selfHealDelay = delay })
    }

    static func replicas(_ h: SimHarness) async throws -> Int? {
        try await h.kubectl(["get", "deploy", "paperless-ngx", "-o", "json"]).json().value(at: "spec.replicas")?.intValue
    }

    /// The manager whose managedFields entry owns `path` (`f:` keys), as `kubectl --show-managed-fields` prints it.
    static func owner(of path: [String], in object: JSONValue) -> [String] {
        (object.value(at: "metadata.managedFields")?.arrayValue ?? []).filter { entry in
            entry.value(at: ["fieldsV1"] + path.map { "f:\($0)" }) != nil
        }.compactMap { $0["manager"]?.stringValue }
    }

    static func syncStatus(_ h: SimHarness) async throws -> String? {
        try await h.kubectl(["get", "applications.argoproj.io", "paperless-ngx", "-n", "argocd", "-o", "json"]).json().value(at: "status.sync.status")?.stringValue
    }

    @Test func argoCDsTypesAreServedOnlyWhereArgoCDRuns() async throws {
        let h = try await Self.start([.argocdSelfHeal])
        defer { Task { await h.stop() } }
        let types = try await h.kubectl(["api-resources", "--api-group=argoproj.io", "-o", "name"])
        #expect(types.stdout.split(separator: "\n").sorted() == ["applications.argoproj.io", "applicationsets.argoproj.io", "appprojects.argoproj.io"])
        let apps = try await h.kubectl(["get", "applications.argoproj.io", "-A"])
        #expect(apps.stdout.contains("argocd      paperless-ngx   Synced        Healthy"), "\(apps.stdout)\(apps.stderr)")
        let plain = try await SimHarness.start([.healthy])
        defer { Task { await plain.stop() } }
        let none = try await plain.kubectl(["get", "applications.argoproj.io", "-A"])
        #expect(!none.succeeded && none.stderr.contains("the server doesn't have a resource type"), "\(none.stderr)")
    }

    @Test func selfHealPutsBackAScaleToZeroAndAResumedCronJobAfterTheBackoffAsArgocdController() async throws {
        let h = try await Self.start([.argocdSelfHeal])
        defer { Task { await h.stop() } }
        let started = Date()
        #expect(try await h.kubectl(["scale", "deploy/paperless-ngx", "--replicas=0"]).succeeded)
        #expect(try await h.kubectl(["patch", "cronjob", "paperless-ngx-backup", "-p", #"{"spec":{"suspend":true}}"#]).succeeded)
        try await waitUntil("the Application to report the drift as OutOfSync") { try await Self.syncStatus(h) == "OutOfSync" }
        #expect(try await Self.replicas(h) == 0, "the change stands until the backoff has passed")
        try await waitUntil("self-heal to scale the app back to 1") { try await Self.replicas(h) == 1 }
        #expect(Date().timeIntervalSince(started) >= Self.delay, "not before the self-heal backoff")
        let deploy = try await h.kubectl(["get", "deploy", "paperless-ngx", "-o", "json", "--show-managed-fields"]).json()
        #expect(Self.owner(of: ["spec", "replicas"], in: deploy) == ["argocd-controller"], "\(deploy.value(at: "metadata.managedFields") ?? .null)")
        let cron = try await h.kubectl(["get", "cronjob", "paperless-ngx-backup", "-o", "json", "--show-managed-fields"]).json()
        #expect(cron.value(at: "spec.suspend") == false)
        #expect(Self.owner(of: ["spec", "suspend"], in: cron) == ["argocd-controller"])
        try await waitUntil("the Application to be Synced again") { try await Self.syncStatus(h) == "Synced" }
        let events = try await h.kubectl(["get", "events", "-n", "argocd", "-o", "json"]).json()["items"]?.arrayValue ?? []
        let reasons = Set(events.compactMap { $0["reason"]?.stringValue })
        #expect(reasons.isSuperset(of: ["ResourceUpdated", "OperationStarted", "OperationCompleted"]), "\(reasons)")
    }

    @Test func aScaleByKubectlIsRecordedAsKubectlsInManagedFields() async throws {
        let h = try await Self.start([.argocdSelfHeal])
        defer { Task { await h.stop() } }
        #expect(try await h.kubectl(["patch", "applications.argoproj.io", "paperless-ngx", "-n", "argocd", "--type", "merge",
                                     "-p", #"{"spec":{"syncPolicy":{"automated":null}}}"#]).succeeded)
        #expect(try await h.kubectl(["scale", "deploy/paperless-ngx", "--replicas=0"]).succeeded)
        let deploy = try await h.kubectl(["get", "deploy", "paperless-ngx", "-o", "json", "--show-managed-fields"]).json()
        #expect(Self.owner(of: ["spec", "replicas"], in: deploy) == ["kubectl"])
        #expect(Self.owner(of: ["spec", "template"], in: deploy) == ["argocd-controller"], "the rest stays Argo CD's")
    }

    @Test(arguments: [
        #"{"spec":{"syncPolicy":{"automated":null}}}"#,
        #"{"spec":{"syncPolicy":{"automated":{"enabled":false}}}}"#,
        #"{"spec":{"syncPolicy":{"automated":{"selfHeal":false}}}}"#,
    ])
    func aSyncPolicyWithoutSelfHealLeavesTheScaleAlone(patch: String) async throws {
        let h = try await Self.start([.argocdSelfHeal])
        defer { Task { await h.stop() } }
        let patched = try await h.kubectl(["patch", "applications.argoproj.io", "paperless-ngx", "-n", "argocd", "--type", "merge", "-p", patch])
        #expect(patched.succeeded, "\(patched.stderr)")
        #expect(try await h.kubectl(["scale", "deploy/paperless-ngx", "--replicas=0"]).succeeded)
        // Proof the controller looked after the backoff had passed, and decided not to heal.
        try await waitUntil("the controller's decision after the backoff") {
            guard let d = h.sim.controllers.argoDecision(application: Self.app) else { return false }
            return d.outcome == .noSelfHeal && d.decidedAt - d.driftSeenAt >= Self.delay + 0.5
        }
        #expect(try await Self.replicas(h) == 0)
        #expect(try await Self.syncStatus(h) == "OutOfSync")
    }

    @Test func aDenySyncWindowOfTheProjectStopsSelfHeal() async throws {
        let h = try await Self.start([.argocdSelfHeal])
        defer { Task { await h.stop() } }
        let window = #"{"spec":{"syncWindows":[{"kind":"deny","schedule":"* * * * *","duration":"1h","applications":["paperless-ngx"],"manualSync":true}]}}"#
        #expect(try await h.kubectl(["patch", "appprojects.argoproj.io", "default", "-n", "argocd", "--type", "merge", "-p", window]).succeeded)
        #expect(try await h.kubectl(["scale", "deploy/paperless-ngx", "--replicas=0"]).succeeded)
        try await waitUntil("the controller's decision after the backoff") {
            guard let d = h.sim.controllers.argoDecision(application: Self.app) else { return false }
            return d.outcome == .syncWindow && d.decidedAt - d.driftSeenAt >= Self.delay + 0.5
        }
        #expect(try await Self.replicas(h) == 0)
        // The window closed (removed): self-heal resumes.
        #expect(try await h.kubectl(["patch", "appprojects.argoproj.io", "default", "-n", "argocd", "--type", "merge", "-p", #"{"spec":{"syncWindows":null}}"#]).succeeded)
        try await waitUntil("self-heal once the window is gone") { try await Self.replicas(h) == 1 }
    }

    @Test func theApplicationSetPutsBackAPatchedSyncPolicyUnlessItIgnoresIt() async throws {
        let h = try await Self.start([.argocdApplicationSet])
        defer { Task { await h.stop() } }
        func automated() async throws -> JSONValue? {
            try await h.kubectl(["get", "applications.argoproj.io", "paperless-ngx", "-n", "argocd", "-o", "json"]).json().value(at: "spec.syncPolicy.automated")
        }
        let pause = #"{"spec":{"syncPolicy":{"automated":null}}}"#
        let app = try await h.kubectl(["get", "applications.argoproj.io", "paperless-ngx", "-n", "argocd", "-o", "json"]).json()
        #expect(app.value(at: "metadata.ownerReferences.0.kind") == "ApplicationSet")
        #expect(try await h.kubectl(["patch", "applications.argoproj.io", "paperless-ngx", "-n", "argocd", "--type", "merge", "-p", pause]).succeeded)
        try await waitUntil("the ApplicationSet controller to put automated sync back") { try await automated() != nil }
        let healed = try await h.kubectl(["get", "applications.argoproj.io", "paperless-ngx", "-n", "argocd", "-o", "json", "--show-managed-fields"]).json()
        #expect(Self.owner(of: ["spec", "syncPolicy", "automated", "selfHeal"], in: healed) == ["argocd-applicationset-controller"])

        let ignore = #"{"spec":{"ignoreApplicationDifferences":[{"jsonPointers":["/spec/syncPolicy"]}]}}"#
        #expect(try await h.kubectl(["patch", "applicationsets.argoproj.io", "do-nyc3-prod-apps", "-n", "argocd", "--type", "merge", "-p", ignore]).succeeded)
        #expect(try await h.kubectl(["patch", "applications.argoproj.io", "paperless-ngx", "-n", "argocd", "--type", "merge", "-p", pause]).succeeded)
        let paused = Date().timeIntervalSince1970
        try await waitUntil("the ApplicationSet controller to compare after its delay") {
            (h.sim.controllers.applicationSetCheckedAt(application: Self.app) ?? 0) >= paused + 2
        }
        #expect(try await automated() == nil, "the pause holds: the ApplicationSet ignores /spec/syncPolicy")
    }

    @Test func argocdForbiddenRefusesApplicationsWhileSelfHealStillRuns() async throws {
        let h = try await Self.start([.argocdForbidden])
        defer { Task { await h.stop() } }
        let apps = try await h.kubectl(["get", "applications.argoproj.io", "-A"])
        #expect(!apps.succeeded)
        #expect(apps.stderr.contains("Forbidden") && apps.stderr.contains("applications"), "\(apps.stderr)")
        #expect(try await h.kubectl(["scale", "deploy/paperless-ngx", "--replicas=0"]).succeeded)
        try await waitUntil("self-heal, unseen by the operator") { try await Self.replicas(h) == 1 }
    }
}
