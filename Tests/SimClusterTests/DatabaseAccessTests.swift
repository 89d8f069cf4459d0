import Foundation
import ProcessTestSupport
import Testing
@testable import SimCluster

/// The simulator follows CloudNativePG and the app around a recovery: the owner's password reset
/// unless `bootstrap.recovery.secret` is given, an app that starts only against a healthy cluster
/// that takes its password, hibernation, the immutable ScheduledBackup cluster, and "Expected
/// empty archive" on a reused serverName.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DatabaseAccessTests {
    static let ns = "paperless-ngx"

    /// A recovery of the live cluster into `name`, as `restore db` writes it (JSON for `kubectl create -f -`).
    static func recovery(_ name: String, secret: String? = nil, archiveServer: String? = nil) -> String {
        let store = #""destinationPath":"\#(Seed.dbBucket)","endpointURL":"https://nyc3.digitaloceanspaces.com","s3Credentials":{"accessKeyId":{"name":"paperless-ngx-db-s3","key":"ACCESS_KEY_ID"},"secretAccessKey":{"name":"paperless-ngx-db-s3","key":"ACCESS_SECRET_KEY"}}"#
        let secretField = secret.map { #","secret":{"name":"\#($0)"}"# } ?? ""
        let backup = archiveServer.map { #","backup":{"barmanObjectStore":{\#(store),"serverName":"\#($0)"}}"# } ?? ""
        return #"""
            {"apiVersion":"postgresql.cnpg.io/v1","kind":"Cluster","metadata":{"name":"\#(name)"},
             "spec":{"instances":1,"storage":{"size":"5Gi"},
                     "bootstrap":{"recovery":{"source":"origin","database":"paperless-ngx","owner":"paperless-ngx"\#(secretField)}},
                     "externalClusters":[{"name":"origin","barmanObjectStore":{\#(store),"serverName":"paperless-ngx-db"}}]\#(backup)}}
            """#
    }

    static func healthy(_ h: SimHarness, _ name: String) async throws {
        let wait = try await h.kubectl(["wait", "--for=jsonpath={.status.phase}=Cluster in healthy state", "cluster/\(name)", "-n", ns, "--timeout=60s"], timeout: 70)
        #expect(wait.succeeded, "\(wait.stderr)")
    }

    /// Points the app at `cluster` (its `-rw` Service), scaled down and up so a new pod starts.
    static func pointApp(_ h: SimHarness, at cluster: String) async throws {
        #expect(try await h.kubectl(["scale", "deploy/paperless-ngx", "--replicas=0", "-n", ns]).succeeded)
        try await waitUntil("the app pods gone") {
            try await h.kubectl(["get", "pods", "-l", "app.kubernetes.io/name=paperless-ngx", "-n", ns, "-o", "json"]).json()["items"]?.arrayValue?.isEmpty == true
        }
        let env = try await h.kubectl(["set", "env", "deploy/paperless-ngx", "-c", "paperless-ngx", "PAPERLESS_DBHOST=\(cluster)-rw", "-n", ns])
        #expect(env.succeeded, "\(env.stderr)")
        #expect(try await h.kubectl(["scale", "deploy/paperless-ngx", "--replicas=1", "-n", ns]).succeeded)
    }

    /// The app pod once it has started: its Ready condition and its log.
    static func appPod(_ h: SimHarness) async throws -> (ready: Bool, log: String) {
        var pod: JSONValue = [:]
        try await waitUntil("an app pod running") {
            pod = (try await h.kubectl(["get", "pods", "-l", "app.kubernetes.io/name=paperless-ngx", "-n", ns, "-o", "json"]).json()["items"]?.arrayValue ?? []).first ?? [:]
            return pod.value(at: "status.phase")?.stringValue == "Running"
        }
        let name = pod.value(at: "metadata.name")?.stringValue ?? ""
        let ready = pod.value(at: "status.conditions")?.arrayValue?.contains { $0["type"] == "Ready" && $0["status"] == "True" } ?? false
        return (ready, try await h.kubectl(["logs", name, "-c", "paperless-ngx", "-n", ns]).stdout)
    }

    @Test func withoutARecoverySecretTheOwnerGetsAFreshPasswordAndTheAppCrashLoopsOnAuthentication() async throws {
        let h = try await SimHarness.start(speed: 10)
        defer { Task { await h.stop() } }
        #expect(try await h.kubectl(["create", "-f", "-", "-n", Self.ns], stdin: Self.recovery("pdb-fresh")).succeeded)
        try await Self.healthy(h, "pdb-fresh")
        // CNPG's <new>-app: basic-auth, the owner's name, a password that is not the live one.
        let app = try await h.kubectl(["get", "secret", "pdb-fresh-app", "-n", Self.ns, "-o", "json"]).json()
        #expect(app["type"] == "kubernetes.io/basic-auth")
        #expect(app.value(at: "data.username")?.stringValue == Base64.encode(Array("paperless-ngx".utf8)))
        let live = try await h.kubectl(["get", "secret", "paperless-ngx-db-app", "-n", Self.ns, "-o", "jsonpath={.data.password}"]).stdout
        #expect(app.value(at: "data.password")?.stringValue != live)
        try await Self.pointApp(h, at: "pdb-fresh")
        let (ready, log) = try await Self.appPod(h)
        #expect(!ready)
        #expect(log.contains("FATAL:  password authentication failed for user \"paperless-ngx\""), "\(log)")
    }

    @Test func withTheLiveCredentialsInTheRecoverySecretTheAppIsReadyOnTheNewCluster() async throws {
        let h = try await SimHarness.start(speed: 10)
        defer { Task { await h.stop() } }
        // The copy restore db makes: the live -app Secret's username and password.
        let live = try await h.kubectl(["get", "secret", "paperless-ngx-db-app", "-n", Self.ns, "-o", "json"]).json()
        let copy = #"{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/basic-auth","metadata":{"name":"pdb-kept-owner"},"data":{"username":"\#(live.value(at: "data.username")?.stringValue ?? "")","password":"\#(live.value(at: "data.password")?.stringValue ?? "")"}}"#
        #expect(try await h.kubectl(["create", "-f", "-", "-n", Self.ns], stdin: copy).succeeded)
        #expect(try await h.kubectl(["create", "-f", "-", "-n", Self.ns], stdin: Self.recovery("pdb-kept", secret: "pdb-kept-owner")).succeeded)
        try await Self.healthy(h, "pdb-kept")
        #expect(!(try await h.kubectl(["get", "secret", "pdb-kept-app", "-n", Self.ns]).succeeded), "with a recovery secret CNPG creates no -app Secret")
        try await Self.pointApp(h, at: "pdb-kept")
        let (ready, log) = try await Self.appPod(h)
        #expect(ready, "\(log)")
        #expect(!log.contains("password authentication failed"))
    }

    @Test func hibernationRemovesTheInstancePodsTheAppCannotConnectAndWakingBringsThePrimaryBack() async throws {
        let h = try await SimHarness.start(speed: 10)
        defer { Task { await h.stop() } }
        #expect(try await h.kubectl(["annotate", "cluster", "paperless-ngx-db", "cnpg.io/hibernation=on", "-n", Self.ns]).succeeded)
        try await waitUntil("the instance pod gone and the hibernation condition set") {
            let pods = try await h.kubectl(["get", "pods", "-l", "cnpg.io/cluster=paperless-ngx-db", "-n", Self.ns, "-o", "json"]).json()["items"]?.arrayValue ?? []
            let c = try await h.kubectl(["get", "cluster", "paperless-ngx-db", "-n", Self.ns, "-o", #"jsonpath={.status.conditions[?(@.type=="cnpg.io/hibernation")].reason}"#]).stdout
            return pods.isEmpty && c == "Hibernated"
        }
        #expect(try await h.kubectl(["get", "pvc", "paperless-ngx-db-1", "-n", Self.ns]).succeeded, "the PVC is kept")
        try await Self.pointApp(h, at: "paperless-ngx-db")
        let (ready, log) = try await Self.appPod(h)
        #expect(!ready && log.contains("Connection refused"), "\(log)")
        #expect(try await h.kubectl(["annotate", "cluster", "paperless-ngx-db", "cnpg.io/hibernation-", "-n", Self.ns]).succeeded)
        try await waitUntil("the primary back") {
            let pods = try await h.kubectl(["get", "pods", "-l", "cnpg.io/cluster=paperless-ngx-db", "-n", Self.ns, "-o", "json"]).json()["items"]?.arrayValue ?? []
            return pods.contains { $0.value(at: "metadata.name") == "paperless-ngx-db-1" }
        }
    }

    @Test func aScheduledBackupsClusterCannotBeChangedButItsScheduleCan() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let moved = try await h.kubectl(["patch", "scheduledbackup", "paperless-ngx-db-daily", "-n", Self.ns, "--type", "merge", "-p", #"{"spec":{"cluster":{"name":"pdb-new"}}}"#])
        #expect(!moved.succeeded)
        #expect(moved.stderr.contains("spec.cluster: Invalid value: \"object\": cluster reference is immutable after creation"), "\(moved.stderr)")
        let schedule = try await h.kubectl(["patch", "scheduledbackup", "paperless-ngx-db-daily", "-n", Self.ns, "--type", "merge", "-p", #"{"spec":{"schedule":"0 0 4 * * *"}}"#])
        #expect(schedule.succeeded, "\(schedule.stderr)")
    }

    @Test func aClusterArchivingUnderAServerNameThatHasBackupsStaysInSettingUpPrimaryWithExpectedEmptyArchive() async throws {
        let h = try await SimHarness.start(speed: 10)
        defer { Task { await h.stop() } }
        // A first recovery archives under -r1 and takes a Backup there; a second one reusing -r1 is stopped.
        #expect(try await h.kubectl(["create", "-f", "-", "-n", Self.ns], stdin: Self.recovery("pdb-one", archiveServer: "paperless-ngx-db-r1")).succeeded)
        try await Self.healthy(h, "pdb-one")
        let archiving = try await h.kubectl(["get", "cluster", "pdb-one", "-n", Self.ns, "-o", #"jsonpath={.status.conditions[?(@.type=="ContinuousArchiving")].status}"#]).stdout
        #expect(archiving == "True")
        #expect(try await h.kubectl(["create", "-f", "-", "-n", Self.ns], stdin: Self.recovery("pdb-two", archiveServer: "paperless-ngx-db-r1")).succeeded)
        try await waitUntil("pdb-two's archive check failed", timeout: 60) {
            let message = try await h.kubectl(["get", "cluster", "pdb-two", "-n", Self.ns, "-o", #"jsonpath={.status.conditions[?(@.type=="ContinuousArchiving")].message}"#]).stdout
            return message.contains("WAL archive check failed for server paperless-ngx-db-r1: Expected empty archive")
        }
        let phase = try await h.kubectl(["get", "cluster", "pdb-two", "-n", Self.ns, "-o", "jsonpath={.status.phase}"]).stdout
        #expect(phase == "Setting up primary")
    }
}
