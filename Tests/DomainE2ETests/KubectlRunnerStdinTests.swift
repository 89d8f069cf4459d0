import Foundation
import PaperKube
import Testing

/// `KubectlCommand.stdin` reaches kubectl's standard input (for `kubectl create -f -`).
@Suite("KubectlRunner standard input")
struct KubectlRunnerStdinTests {
    @Test func stdinBytesReachKubectlVerbatim() async throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        let kubectl = try dir.script("kubectl", #"printf '[%s]' "$*"; cat"#)
        let json = #"{"apiVersion":"postgresql.cnpg.io/v1","kind":"Backup","metadata":{"name":"x y"}}"#
        let command = KubectlCommand(arguments: ["create", "-f", "-"], stdin: Data(json.utf8))
        let data = try await KubectlRunner(executable: kubectl, timeout: 5).output(of: command)
        #expect(String(decoding: data, as: UTF8.self) == "[create -f -]" + json)
    }

    @Test func withoutStdinKubectlReadsEndOfFileAtOnce() async throws {
        let dir = try ScriptDirectory()
        defer { dir.cleanUp() }
        // `cat` would hang on an inherited terminal; with no stdin it ends immediately.
        let kubectl = try dir.script("kubectl", "cat; echo done")
        let data = try await KubectlRunner(executable: kubectl, timeout: 5).output(of: KubectlCommand(arguments: []))
        #expect(String(decoding: data, as: UTF8.self) == "done\n")
    }
}
