import Foundation
import PaperDomain
import PaperKube
import Testing
@testable import PaperRuntime
@testable import PaperUI

/// The dashboard's action commands beside the journal, for `paperctl-tui report` (issue 28).
@Suite("Command log file")
struct CommandLogFileTests {
    @Test func actionCommandsAreKeptBesideTheJournalPrivateRedactedOneJSONLineEach() throws {
        let dir = NSTemporaryDirectory() + "paperctl-commands-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = JournalFile(environment: ["XDG_STATE_HOME": dir], now: Fixtures.now)
        let file = CommandLogFile(journal: journal)
        #expect(file.path == "\(dir)/paperctl/2027-01-15.commands.jsonl")
        var action = CommandRecord(startedAt: Fixtures.now, duration: 0.4123, commandLine: "kubectl create job x --from=cronjob/b token=s3cret-PLANTED",
                                   exitStatus: 0, isAction: true, title: "Start a restic file backup")
        action.result = "job.batch/x created"
        file.append(action)
        // Background reads and streams are not incident facts: not kept.
        file.append(CommandRecord(startedAt: Fixtures.now, duration: 0.1, commandLine: "kubectl get pods", exitStatus: 0, isAction: false))
        file.append(CommandRecord(startedAt: Fixtures.now + 5, duration: 10, commandLine: "kubectl create -f -", exitStatus: nil, isAction: true, title: "Create recovery cluster"))
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2, "\(text)")
        #expect(!text.contains("# paperctl"), "no Markdown heading in a JSON lines file")
        #expect(!text.contains("s3cret-PLANTED"))
        let first = try JSONDecoder().decode(LoggedCommand.self, from: Data(lines[0].utf8))
        #expect(first.command == "kubectl create job x --from=cronjob/b token=***")
        #expect(first.exitStatus == 0 && first.durationSeconds == 0.412 && first.result == "job.batch/x created")
        #expect(first.startedAt == UTCTime.rfc3339Nano(Fixtures.now))
        let second = try JSONDecoder().decode(LoggedCommand.self, from: Data(lines[1].utf8))
        #expect(second.exitStatus == nil && second.statusText == "no exit status, 10.0s")
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Read back by the report, every line a command.
        var read = IncidentJournal()
        read.addCommandLog(text, file: "2027-01-15.commands.jsonl")
        #expect(read.commands.map(\.command) == [first, second])
        #expect(read.unreadable.isEmpty)
    }
}
