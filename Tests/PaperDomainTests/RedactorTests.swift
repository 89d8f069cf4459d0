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

// MARK: - The forms that leaked (issue 21)

@Suite("Redaction: every form that leaked, and the cost bound")
struct RedactorLeakTests {
    /// Each line, and the secret in it that must not survive.
    static let leaked: [(line: String, secret: String)] = [
        ("PAPERLESS_DBPASS: hunter2", "hunter2"),
        ("DB_PASS: hunter2", "hunter2"),
        ("  db_pass:\thunter2  # yaml", "hunter2"),
        (#"{"name":"RESTIC_PASSWORD","value":"correct horse"}"#, "correct horse"),
        ("{\n  \"name\": \"AWS_SECRET_ACCESS_KEY\",\n  \"value\": \"wJalrXUtnFEMI-K7MDENG\"\n}", "wJalrXUtnFEMI-K7MDENG"),
        ("- name: PAPERLESS_SECRET_KEY\n  value: s3cr3t-v4lue", "s3cr3t-v4lue"),
        ("postgresql://paperless:p/ss@w0rd@db:5432/paperless", "ss@w0rd"),
        ("redis://default:a@b/c@redis:6379/0", "a@b/c"),
        ("https://user:pa:ss/w@host/path", "pa:ss/w"),
        (#"PASSWORD="correct horse battery""#, "horse battery"),
        ("password = 'two words'", "two words"),
        (#"{"token": "a \"quoted\" token"}"#, "quoted"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq9\nQ2hhbmdlIG1l\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA7bq9"),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B", "MIIEvQIBADANBgkqhkiG9w0B"),
        (#"{"key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----"}"#, "b3BlbnNzaC1rZXktdjE"),
        ("cloning with ghp_16C7e42F292c6912E7710c838347Ae178B4a", "16C7e42F292c6912E7710c838347Ae178B4a"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
        ("gitlab token glpat-xxxxXXXXyyyyYYYYzzzz used", "xxxxXXXXyyyyYYYYzzzz"),
        ("slack xoxb-123456789012-1234567890123-AbCdEfGhIjKl", "123456789012-1234567890123-AbCdEfGhIjKl"),
        ("OP_SERVICE_ACCOUNT ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSJ9", "eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSJ9"),
        ("AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("[default]\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "bPxRfiCY"),
    ]

    @Test(arguments: leaked)
    func everyLeakedFormIsMasked(line: String, secret: String) {
        let out = Redactor.redact(line)
        #expect(!out.contains(secret), "\(out)")
        #expect(out.contains(Redactor.mask), "\(out)")
        #expect(out == Redactor.redactWithExpressions(line), "the pre-filter skipped a rule that matches")
    }

    @Test(arguments: [
        ("PAPERLESS_DBPASS: hunter2", "PAPERLESS_DBPASS: ***"),
        (#"{"name":"RESTIC_PASSWORD","value":"x y"}"#, #"{"name":"RESTIC_PASSWORD","value":"***"}"#),
        ("-----BEGIN PRIVATE KEY-----\nMIIE\nAAAA\n-----END PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----\n***\n-----END PRIVATE KEY-----"),
        ("postgresql://u:p/ss@w0rd@db:5432/x", "postgresql://u:***@db:5432/x"),
        ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "ghp_***"),
    ])
    func whatStaysReadable(line: String, expected: String) {
        #expect(Redactor.redact(line) == expected)
    }

    @Test(arguments: [
        // A port and a path with an @ in it is not a password.
        "see https://example.com:8443/users/@me for details",
        // A commit SHA next to an access key id is not a secret key (no upper case).
        "AKIA key rotated in commit 3f786850e387550fdab836ed7e6dc881de23001b",
        // An env pair whose name is not a secret keeps its value.
        #"{"name":"TZ","value":"Europe/Berlin"}"#,
        // Plural keys are prose.
        "cannot read ExternalSecrets: cluster unreachable",
    ])
    func ordinaryTextStays(line: String) {
        let out = Redactor.redact(line)
        #expect(!out.contains(Redactor.mask) || line.contains("AKIA"), "\(out)")
        if line.contains("AKIA") { #expect(out.contains("3f786850e387550fdab836ed7e6dc881de23001b")) }
    }

    @Test func aLongLineIsCutWithAVisibleMarkAndItsSecretStillMasked() {
        let line = "token=abc" + String(repeating: "x", count: 40_000)
        let out = Redactor.redact(line)
        #expect(out.hasPrefix("token=***"))
        #expect(out.hasSuffix(LineCap.mark(line.utf8.count - Redactor.lineLimit)), "\(out.suffix(40))")
        #expect(out.utf8.count < Redactor.lineLimit + 40)
        // Each line is cut on its own; a short line is left whole.
        let two = "short line\n" + String(repeating: "é", count: 5_000)
        let cut = Redactor.redact(two).split(separator: "\n")
        #expect(cut[0] == "short line")
        #expect(cut[1].hasSuffix(" … [cut 1808 bytes]") && cut[1].utf8.count == 8192 + " … [cut 1808 bytes]".utf8.count)
    }
}
