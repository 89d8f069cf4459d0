import Foundation
import PaperDomain
import Testing
@testable import PaperUI

/// What the wizard shows it will run is what runs: each Job is built once, when it is shown, and
/// the effect carries that Job, name included.
@Suite struct RestorePreviewTests {
    typealias W = RestoreWizardTests

    static func tall(_ s: AppState) -> String {
        var tall = s
        tall.width = 200
        tall.height = 60
        return render(tall).text
    }

    @Test func theListingJobEnterRunsIsTheJobThePreflightShowedNameIncluded() throws {
        var s = W.open()
        W.press(&s, .enter, answer: W.healthy)  // files: the preflight
        let shown = try #require(WizardFixtures.wizard(s)?.previewJob)
        #expect(shown.name.hasPrefix("paperctl-restic-snapshots-") && shown.script == ResticJob.snapshotsScript)
        #expect(Self.tall(s).contains("Enter will run exactly: kubectl --context demo create -f - -n paperless-ngx   (Job \(shown.name) from the CronJob's template"))
        let (_, task) = try #require(WizardFixtures.task(W.press(&s, .enter)))
        guard case .listSnapshots(let job) = task else { Issue.record("no listing: \(task)"); return }
        #expect(job == shown, "the Job created is the Job shown, its body and name")
    }

    @Test func theDrillJobThatRunsHasTheScratchLimitOfTheJobShown() throws {
        var facts = WizardFixtures.facts()
        facts.dataVolume?.claim.capacityBytes = 10 << 30
        var data = Fixtures.dataWithFacts(facts)
        data.actions = facts
        var s = Fixtures.state(data: data)
        W.press(&s, .char("R"))
        for _ in 0..<3 { W.press(&s, .down) }
        W.press(&s, .enter, answer: W.healthy)  // files drill: the preflight
        let shown = try #require(WizardFixtures.wizard(s)?.previewJob)
        #expect(shown.purpose == .drill)
        #expect(shown.json.replacingOccurrences(of: " ", with: "").contains("\"sizeLimit\":\"\(10 << 30)\""), "the emptyDir is bounded by the data volume's size: \(shown.json)")
        #expect(Self.tall(s).contains("(Job \(shown.name) from the CronJob's template"))
        let (_, task) = try #require(WizardFixtures.task(W.press(&s, .enter)))
        #expect(task == .drill(job: shown))
    }

    @Test func aJobThatRanIsBuiltAnewWhenItsStepIsShownAgain() throws {
        var s = W.open()
        W.press(&s, .enter, answer: W.healthy)
        let first = try #require(WizardFixtures.wizard(s)?.previewJob)
        W.press(&s, .enter, answer: W.healthy)  // the listing ran under `first`'s name
        s.now = Fixtures.now + 7.25
        W.press(&s, .escape)
        let again = try #require(WizardFixtures.wizard(s)?.previewJob)
        #expect(again.name != first.name, "a Job name is created once: \(again.name)")
        #expect(Self.tall(s).contains("(Job \(again.name) from"))
        let (_, task) = try #require(WizardFixtures.task(W.press(&s, .enter)))
        #expect(task == .listSnapshots(job: again))
    }

    @Test func theBrowserAndTheCountRunTheJobsTheyBuiltOnce() throws {
        var s = RestoreWizardHistoryTests.atScope()
        W.press(&s, .down)
        W.press(&s, .down)
        let browse = W.press(&s, .enter)
        let (_, listing) = try #require(WizardFixtures.task(browse))
        guard case .listFiles(let job, let snapshot, "") = listing else { Issue.record("no listing: \(listing)"); return }
        #expect(job == (try RestoreToolkit.filesJob(cronJob: WizardFixtures.cronJob, snapshot: snapshot, directory: "", now: s.now, namespace: "paperless-ngx")))
        #expect(job.script.contains("restic ls --json \(snapshot.id)"))
    }
}
