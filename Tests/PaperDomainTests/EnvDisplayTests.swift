import Foundation
import Testing
@testable import PaperDomain

/// What a restore plan shows of the Job's env: every literal value masked but a few settings,
/// in every container and init container, whatever the names.
@Suite("The plan's env values")
struct EnvDisplayTests {
    @Test func everyLiteralValueIsMaskedButTheAllowlistInEveryContainer() throws {
        let cron = String(decoding: RestorePlanningTests.cronJob, as: UTF8.self)
            .replacingOccurrences(of: #""env":["#, with: #""env":[{"name":"DB_URI","value":"hunter2-in-a-plain-name"},{"name":"TZ","value":"Europe/Berlin"},"#)
            .replacingOccurrences(of: #""containers":["#, with: #""initContainers":[{"name":"fetch","image":"busybox","env":[{"name":"X","value":"init-s3cret"}]}],"containers":["#)
        #expect(cron.contains("init-s3cret") && cron.contains("hunter2-in-a-plain-name"), "the fixture has the places the test needs")
        let job = try ResticJob.build(cronJob: Data(cron.utf8), purpose: .restore, script: "x", now: RestorePlanningTests.now, namespace: "paperless-ngx")
        #expect(job.json.contains("init-s3cret") && job.json.contains("hunter2-in-a-plain-name"), "what runs is unchanged")
        #expect(!job.displayJSON.contains("init-s3cret"))
        #expect(!job.displayJSON.contains("hunter2-in-a-plain-name"))
        #expect(job.displayJSON.contains("Europe/Berlin"), "an allowlisted setting is shown")
        #expect(job.displayJSON.contains(#""value" : "0.033""#), "RESTIC_PROGRESS_FPS is shown")
    }

    @Test func valueFromIsShownAsItIs() {
        let spec: [String: Any] = ["containers": [["name": "c", "env": [["name": "P", "valueFrom": ["secretKeyRef": ["name": "s", "key": "k"]]]]]]]
        let shown = EnvDisplay.masked(podSpec: spec)
        let env = ((shown["containers"] as? [[String: Any]])?.first?["env"] as? [[String: Any]])?.first
        #expect(env?["value"] == nil && env?["valueFrom"] != nil)
    }
}
