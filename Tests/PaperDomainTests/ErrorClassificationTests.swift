import PaperKube
import Testing

// MARK: - stderr → typed errors

@Suite("kubectl error classification")
struct ErrorClassificationTests {
    @Test(arguments: [
        ("The connection to the server localhost:8080 was refused - did you specify the right host or port?", "unreachable"),
        ("Unable to connect to the server: dial tcp 192.168.99.100:8443: i/o timeout", "unreachable"),
        ("Unable to connect to the server: net/http: TLS handshake timeout", "unreachable"),
        (#"E0220 08:59:40.764303      19 memcache.go:265] "Unhandled Error" err="couldn't get current server API group list: Get \"http://localhost:8080/api?timeout=2m0s\": dial tcp [::1]:8080: connect: connection refused""#, "unreachable"),
        ("error: You must be logged in to the server (Unauthorized)", "unauthorized"),
        ("couldn't get current server API group list: the server has asked for the client to provide credentials", "unauthorized"),
        ("getting credentials: exec: executable kubelogin failed with exit code 1", "unauthorized"),
        ("error: context deadline exceeded", "timeout"),
        ("Error from server (Timeout): the server was unable to return a response in the time allotted, but may still be processing the request (get nodes)", "timeout"),
        (#"error: the server doesn't have a resource type "externalsecrets""#, "not-served"),
        (#"Error from server (NotFound): deployments.apps "paperless-ngx" not found"#, "not-found"),
        ("Error from server (NotFound): the server could not find the requested resource", "not-found"),
        ("error: unknown flag: --frobnicate", "failed"),
    ])
    func classifies(stderr: String, code: String) {
        #expect(KubectlErrorClassifier.classify(stderr: stderr, exitStatus: 1).code == code)
    }

    @Test func forbiddenNamesTheVerbAndTheResource() {
        let stderr = #"Error from server (Forbidden): backups.postgresql.cnpg.io is forbidden: User "system:serviceaccount:paperless-ngx:viewer" cannot list resource "backups" in API group "postgresql.cnpg.io" in the namespace "paperless-ngx""#
        let error = KubectlErrorClassifier.classify(stderr: stderr, exitStatus: 1)
        guard case .forbidden(let verb, let resource, _) = error else {
            Issue.record("expected forbidden, got \(error)")
            return
        }
        #expect(verb == "list" && resource == "backups.postgresql.cnpg.io")
        #expect(error.description == "forbidden: no permission to list backups.postgresql.cnpg.io")
    }

    @Test(arguments: [
        (#"Error from server (Forbidden): nodes "pool-nyc3-a1" is forbidden: User "viewer" cannot get resource "nodes/proxy" in API group "" at the cluster scope"#, "get", "nodes/proxy"),
        (#"Error from server (Forbidden): pods "paperless-ngx-7d9f8b6c4-x2k8p" is forbidden: User "viewer" cannot get resource "pods/log" in API group "" in the namespace "paperless-ngx""#, "get", "pods/log"),
        (#"Error from server (Forbidden): jobs.batch is forbidden: User "viewer" cannot create resource "jobs" in API group "batch" in the namespace "paperless-ngx""#, "create", "jobs.batch"),
    ])
    func forbiddenSubresources(stderr: String, verb: String, resource: String) {
        #expect(KubectlErrorClassifier.classify(stderr: stderr, exitStatus: 1) == .forbidden(verb: verb, resource: resource, detail: KubectlErrorClassifier.classify(stderr: stderr, exitStatus: 1).forbiddenDetail))
    }

    @Test func partialFailureListsOneErrorPerTypeAndSkipsWarnings() {
        let stderr = """
            Warning: external-secrets.io/v1beta1 ExternalSecret is deprecated
            Error from server (Forbidden): backups.postgresql.cnpg.io is forbidden: User "v" cannot list resource "backups" in API group "postgresql.cnpg.io" in the namespace "paperless-ngx"
            Error from server (Forbidden): clustersecretstores.external-secrets.io is forbidden: User "v" cannot list resource "clustersecretstores" in API group "external-secrets.io" at the cluster scope
            """
        let errors = KubectlErrorClassifier.errors(inStderr: stderr)
        #expect(errors.map(\.code) == ["forbidden", "forbidden"])
        #expect(errors.compactMap(\.forbiddenResource) == ["backups.postgresql.cnpg.io", "clustersecretstores.external-secrets.io"])
    }

    @Test func theMostFundamentalErrorWins() {
        let stderr = """
            Error from server (Forbidden): pods is forbidden: User "v" cannot list resource "pods" in API group "" in the namespace "x"
            Unable to connect to the server: dial tcp 10.0.0.1:443: connect: no route to host
            """
        #expect(KubectlErrorClassifier.classify(stderr: stderr, exitStatus: 1).code == "unreachable")
    }

    @Test func unclassifiedErrorsKeepTheirExitStatusAndText() {
        #expect(KubectlErrorClassifier.classify(stderr: "error: unknown flag: --frobnicate", exitStatus: 2) == .failed(exitStatus: 2, stderr: "error: unknown flag: --frobnicate"))
    }

    @Test func emptyStderrStillSaysWhatHappened() {
        let error = KubectlErrorClassifier.classify(stderr: "", exitStatus: 1)
        #expect(error.description == "kubectl exited with status 1: no error text")
    }
}

extension KubectlError {
    var forbiddenResource: String? {
        if case .forbidden(_, let resource, _) = self { return resource }
        return nil
    }

    var forbiddenDetail: String {
        if case .forbidden(_, _, let detail) = self { return detail }
        return ""
    }
}
