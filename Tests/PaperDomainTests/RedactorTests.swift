import Testing
@testable import PaperDomain

// MARK: - Redaction

@Suite("Redaction of credentials")
struct RedactorTests {
    @Test(arguments: [
        ("consumer: Cannot connect to redis://:Sup3rS3cret@paperless-ngx-redis:6379/0: Error 111", "consumer: Cannot connect to redis://:***@paperless-ngx-redis:6379/0: Error 111"),
        ("postgresql://paperless-ngx:hunter2@paperless-ngx-db-rw:5432/paperless-ngx", "postgresql://paperless-ngx:***@paperless-ngx-db-rw:5432/paperless-ngx"),
        ("https://ghp_abcdef123456@github.com/org/repo.git", "https://***@github.com/org/repo.git"),
        ("PAPERLESS_DBPASS=correct-horse PAPERLESS_URL=https://x", "PAPERLESS_DBPASS=*** PAPERLESS_URL=https://x"),
        ("password=abc&user=me", "password=***&user=me"),
        (#"{"password": "abc", "user": "me"}"#, #"{"password": "***", "user": "me"}"#),
        ("RESTIC_PASSWORD: Xy9!zz", "RESTIC_PASSWORD: ***"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "Authorization: Bearer ***"),
        ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ***"),
        ("curl -H 'bearer abcdefghijklmnop'", "curl -H 'bearer ***'"),
        ("key id AKIAIOSFODNN7EXAMPLE leaked", "key id AKIA*** leaked"),
        ("--token=s3cr3t-value", "--token=***"),
        ("kubectl get pods --token s3cr3t-value -n paperless-ngx", "kubectl get pods --token *** -n paperless-ngx"),
        ("restic --password mypw snapshots", "restic --password *** snapshots"),
    ])
    func masksSecrets(input: String, expected: String) {
        #expect(Redactor.redact(input) == expected)
    }

    @Test(arguments: [
        "cannot read ExternalSecrets: cluster unreachable: Unable to connect to the server",
        "paperless-ngx-restic not synced (SecretSyncedError): could not get secret data from provider",
        "Connected to redis://:***@paperless-ngx-redis:6379//",
        "[2026-11-29 11:30:00,000] [INFO] [paperless.tasks] Training data unchanged.",
        "token does not have access to vault",
        #""secretKeyRef" : {"#,
        "restore drill passed: the newest snapshot restored",
        "s3Credentials:\n  accessKeyId:\n    key: ACCESS_KEY_ID\n    name: paperless-ngx-db-s3",
        #"{"valueFrom": {"secretKeyRef": {"name": "paperless-ngx-restic", "key": "password"}}}"#,
    ])
    func leavesOrdinaryTextAlone(text: String) {
        #expect(Redactor.redact(text) == text)
    }

    @Test func checkResultsAreRedactedAtConstruction() {
        let result = CheckResult(id: .logs, verdict: .critical, reason: "redis://:pw@h:6379", evidence: ["password=x"], hint: "token=y")
        #expect(result.reason == "redis://:***@h:6379")
        #expect(result.evidence == ["password=***"])
        #expect(result.hint == "token=***")
    }
}
