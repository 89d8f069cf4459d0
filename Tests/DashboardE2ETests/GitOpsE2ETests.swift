import Foundation
import Testing

/// The dashboard's Pods panel names the Argo CD Application that manages the app, read live
/// through the real kubectl from the simulator's Argo CD scenarios; "unknown" under RBAC.
@Suite(.serialized, .timeLimit(.minutes(2))) struct GitOpsE2ETests {
    @Test(arguments: [
        ("argocd-selfheal", ["GitOps: Argo CD app argocd/paperless-ngx · auto-sync · self-heal"]),
        ("argocd-applicationset", ["GitOps: Argo CD app argocd/paperless-ngx · auto-sync · self-heal",
                                   "from ApplicationSet do-nyc3-prod-apps: puts syncPolicy back"]),
        ("argocd-forbidden", ["GitOps: unknown (applications.argoproj.io forbidden)"]),
    ])
    func thePodsPanelShowsTheGitOpsLine(scenario: String, lines: [String]) async throws {
        let t = try await Tmux.start(["--demo", "--scenario", scenario], width: 80, height: 24)
        defer { t.stopNow() }
        let screen = try await t.waitUntil("the GitOps line(s) \(lines)") { screen in lines.allSatisfy { screen.contains($0) } }
        #expect(!screen.contains("GitOps: none"))
    }
}
