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

    // MARK: The pre-filter and the URL scanner agree with the expressions

    /// Credentials in the forms the redactor knows, each with the secret that must not survive.
    static let corpus: [(line: String, secret: String)] = [
        ("redis://:s3cret@paperless-ngx-redis:6379/0", "s3cret"),
        ("REDIS://default:s3cret@redis:6379", "s3cret"),
        ("postgresql+psycopg://paperless:hunter2@db:5432/paperless", "hunter2"),
        ("s3://AKIDEXAMPLE:wJalrXUtnFEMI@bucket/path", "wJalrXUtnFEMI"),
        ("git clone https://ghp_abcdef123456@github.com/org/repo.git", "ghp_abcdef123456"),
        ("dsn='amqp://guest:gu:est@rabbit/'", "gu:est"),
        ("x-9+y.z://u:p@h and http://v:w@h2", "p@h"),
        ("PAPERLESS_DBPASS=correct-horse", "correct-horse"),
        ("PASSWORD = 'quoted value'", "quoted"),
        ("db_pwd=abc123", "abc123"),
        ("client_secret: xyz789", "xyz789"),
        ("X-Api-Key: k3y-value", "k3y-value"),
        ("ACCESS_KEY=AKIDVALUE", "AKIDVALUE"),
        ("aws_access-key: q1w2e3r4", "q1w2e3r4"),
        ("credentials=user:pw", "user:pw"),
        (#"{"password":"abc"}"#, "abc"),
        (#"{'token': 'tok-123'}"#, "tok-123"),
        ("refresh_token\t=\tabcdef", "abcdef"),
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("authorization=Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        (#""Authorization": "Token 0123456789abcdef""#, "0123456789abcdef"),
        ("proxy-authorization: Digest username=x", "username=x"),
        ("retry with BEARER abcdefghijklmnop", "abcdefghijklmnop"),
        ("kubectl --token s3cr3t-value get pods", "s3cr3t-value"),
        ("restic --PASSWORD mypw", "mypw"),
        ("--client-secret   xyz987", "xyz987"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end", "c2lnbmF0dXJl"),
        ("key ASIAABCDEFGHIJKLMNOP leaked", "ABCDEFGHIJKLMNOP"),
        ("2026-11-29T20:00:00Z [ERROR] [celery] redis://:p%40ss@h:6379 and password=pw2 and token: t3", "p%40ss"),
        ("naïve café redis://usér:pässwörd@hôst/ — ok", "pässwörd"),
        ("Straße password=geheim", "geheim"),
        ("paſsword=long-s", "long-s"),
    ]

    @Test(arguments: corpus)
    func everyCredentialFormIsMasked(line: String, secret: String) {
        let out = Redactor.redact(line)
        #expect(!out.contains(secret), "\(out)")
        #expect(out.contains(Redactor.mask))
        #expect(out == Redactor.redactWithExpressions(line), "the pre-filtered redactor and the expressions disagree")
    }

    /// The byte-level pre-filter must never skip a rule that would have matched, and the URL scanner
    /// must mask exactly what the URL expressions mask: random lines built from the pieces the rules
    /// look at (keys, separators, quotes, masks, Unicode spaces, characters whose case folds to ASCII)
    /// give the same result both ways.
    @Test func preFilterAndScannerAgreeWithTheExpressionsOnRandomLines() {
        let pieces = [
            "password", "PASS", "pa", "ss", "pwd", "Secret", "token", "api_key", "apiKey", "access-key", "credential", "Credentials",
            "authorization", "Authorization", "bearer", "Bearer ", "basic ", "eyJ", "abcde", "fghij.", ".", "AKIA", "ASIA",
            "ABCDEFGHIJ", "KLMNOP", "://", "redis", "http", "s3", "x+y", "9", "@", "@", ":", ":", "=", "=", " ", " ", "\t", "\n", "\r",
            "\"", "'", "--", "-", "_", "*", "***", "/", "//", ",", ";", "&", "{", "[", "x", "Z", "ed", "s", "é", "日本",
            "\u{00A0}", "\u{2028}", "\u{3000}", "\u{000B}", "\u{0085}", "\u{202F}", "ſ", "\u{212A}", "ß", "ẞ", "İ", "ı",
        ]
        var rng = SplitMix(seed: 12)
        var disagreements: [String] = []
        for _ in 0..<4_000 {
            let count = Int(rng.next() % 14) + 1
            let line = (0..<count).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            if Redactor.redact(line) != Redactor.redactWithExpressions(line) { disagreements.append(line) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).map { "\($0.debugDescription) → \(Redactor.redact($0).debugDescription), expressions: \(Redactor.redactWithExpressions($0).debugDescription)" })")
    }

    @Test(arguments: [
        // Unicode spaces end the userinfo as the expressions' \s does.
        "redis://user:pa\u{00A0}ss@host", "redis://user:pa\u{3000}ss@host", "redis://us\u{2028}er:pass@host",
        // Not a scheme: no letter before ://, or nothing between :// and @.
        "1+2://user:pass@host", "://user:pass@host", "http://@host", "http://user:@host",
        // Masks are not masked again.
        "redis://:***@h", "redis://***@h", "password=***",
        // A log line with nothing secret, and ordinary non-ASCII text.
        "2026-11-29T20:00:00.000000001Z [INFO] [paperless.consumer] Consuming scan_1.pdf 0",
        "Dokument „Rechnung März“ übernommen",
    ])
    func edgeCasesAgreeWithTheExpressions(line: String) {
        #expect(Redactor.redact(line) == Redactor.redactWithExpressions(line))
    }

    @Test func linesWithoutATriggerAreReturnedUnchanged() {
        let line = "2026-11-29T20:00:00.000000001Z [INFO] [paperless.consumer] Consuming scan_1.pdf 0"
        #expect(Triggers.scan(line).isEmpty)
        #expect(Redactor.redact(line) == line)
    }
}

/// A small deterministic generator, so a failing random line can be reproduced.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
