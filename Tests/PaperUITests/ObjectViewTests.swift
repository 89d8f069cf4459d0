import Foundation
import PaperDomain
import PaperKube
import Testing
@testable import PaperUI

/// A failed restic Job as the dashboard knows it: its row in File backups, its pod, the log tail
/// the refresh read for the cause, an event, and its manifest (with a password in its env).
enum ObjectFixtures {
    static let job = "paperless-ngx-backup-29932080"
    static let pod = "paperless-ngx-backup-29932080-x7k2p"
    static let logTail = """
        2027-01-15T04:00:02Z using parent snapshot 4f2a9c1e
        2027-01-15T04:00:03Z Fatal: unable to create lock in backend: repository is already locked exclusively by PID 1 on paperless-ngx-backup-29931640-q8r2s by root (UID 0, GID 0)
        2027-01-15T04:00:03Z lock was created at 2027-01-14 04:00:05 (24h0m ago)

        """
    static let manifestJSON = #"""
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"paperless-ngx-backup-29932080","namespace":"paperless-ngx",
         "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"env\":[{\"name\":\"RESTIC_PASSWORD\",\"value\":\"hunter2-PLANTED\"}]}"},
         "managedFields":[{"manager":"kube-controller-manager"}]},
         "spec":{"backoffLimit":0,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"restic","image":"restic/restic:0.17.3",
           "env":[{"name":"RESTIC_REPOSITORY","value":"s3:https://s3.example.com/paperless"},{"name":"RESTIC_PASSWORD","value":"hunter2-PLANTED"},
                  {"name":"AWS_SECRET_ACCESS_KEY","valueFrom":{"secretKeyRef":{"name":"paperless-ngx-restic","key":"secret-key"}}}]}]}}},
         "status":{"failed":1,"startTime":"2027-01-15T04:00:00Z"}}
        """#

    /// The dashboard focused on File backups with the failed Job's row selected.
    static func dashboard(cached: Bool = true, width: Int = 120, height: Int = 35) -> AppState {
        let facts = Fixtures.facts(jobs: [Objects.job(job, status: Objects.failed)])
        var data = Fixtures.dataWithFacts(facts)
        data.facts[.fileBackups] = [
            PanelRow(text: "Recent restic Jobs (newest first):", role: .title, check: .fileBackups, verdict: nil),
            PanelRow(text: "\(job)  Failed  4h ago  took 3s  exit 11: repository locked", role: .critical, check: .fileBackups, verdict: .critical, subject: .job(job)),
        ]
        let podJSON = #"{"metadata":{"name":"\#(pod)","uid":"pod-uid-1","labels":{"job-name":"\#(job)"}},"spec":{"containers":[{"name":"restic"},{"name":"linkerd-proxy"}]},"status":{"phase":"Failed","startTime":"2027-01-15T04:00:00Z"}}"#
        data.pods = [Objects.decode(Pod.self, podJSON)].compactMap { $0 }
        let eventJSON = #"{"metadata":{"name":"e1"},"involvedObject":{"kind":"Job","name":"\#(job)"},"reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit","type":"Warning","count":1,"lastTimestamp":"2027-01-15T04:00:10Z"}"#
        data.events = [Objects.decode(KubeEvent.self, eventJSON)].compactMap { $0 }
        if cached { data.failedJobLog = FailedJobLog(job: job, pod: pod, container: "restic", log: .success(logTail)) }
        var s = Fixtures.state(width: width, height: height, data: data)
        s.dashboard.focus = .fileBackups
        s.dashboard.selected[.fileBackups] = PanelRows.rows(for: .fileBackups, in: s).firstIndex { $0.subject == .job(job) } ?? 0
        return s
    }

    /// The failed Job opened with Enter, its manifest read.
    static func opened(width: Int = 120, height: Int = 35) -> AppState {
        var s = dashboard(width: width, height: height)
        let effects = update(&s, .key(.enter))
        if case .readObject(_, let generation)? = effects.first {
            _ = update(&s, .objectRead(generation: generation, ObjectReadResult(manifest: .loaded(ObjectYAML.shown(json: Data(manifestJSON.utf8))))))
        }
        return s
    }
}

/// Rows that open: Enter on an object's row opens that object, `l` tails its pod, the views
/// accept the keys they name.
@Suite struct ObjectViewTests {
    @Test func enterOnAFailedJobRowOpensItsCachedLogTailEventsAndManifest() {
        var s = ObjectFixtures.dashboard()
        let effects = update(&s, .key(.enter))
        guard case .object(let view) = s.mode else { Issue.record("Enter opened \(s.mode), not the Job"); return }
        #expect(view.subject == .job(ObjectFixtures.job))
        // The log tail the refresh read for the cause is shown at once, not read again.
        #expect(effects == [.readObject(ObjectReadRequest(manifest: ["--context", "demo", "--namespace", "paperless-ngx", "get", "job/\(ObjectFixtures.job)", "-o", "json"]),
                                        generation: view.generation)])
        var text = render(s).text
        #expect(text.contains("job/\(ObjectFixtures.job) (Esc back)"))
        #expect(text.contains("Log tail (pod \(ObjectFixtures.pod), container restic):"))
        #expect(text.contains("repository is already locked exclusively by PID 1"))
        #expect(text.contains("Warning BackoffLimitExceeded ×1"))
        #expect(text.contains("reading…"))
        _ = update(&s, .objectRead(generation: view.generation, ObjectReadResult(manifest: .loaded(ObjectYAML.shown(json: Data(ObjectFixtures.manifestJSON.utf8))))))
        for _ in 0..<3 { _ = update(&s, .key(.pageDown)) }
        text = render(s).text
        #expect(text.contains("backoffLimit: 0"))
        #expect(!text.contains("hunter2-PLANTED"), "a secret reached the screen")
        // Esc goes back to the dashboard, the row still selected.
        _ = update(&s, .key(.escape))
        #expect(s.mode == .dashboard)
    }

    @Test func aJobWhoseLogWasNotReadGetsItReadWithTheManifest() {
        var s = ObjectFixtures.dashboard(cached: false)
        let effects = update(&s, .key(.enter))
        guard case .readObject(let request, let generation)? = effects.first else { Issue.record("nothing read"); return }
        #expect(request.log == ObjectReadRequest.LogTailRead(pod: ObjectFixtures.pod, container: "restic", cacheKey: "pod-uid-1", finished: true))
        #expect(render(s).text.contains("Log tail (pod \(ObjectFixtures.pod), container restic):"))
        _ = update(&s, .objectRead(generation: generation, ObjectReadResult(manifest: .failed("forbidden"), log: .loaded("restic says hello\n"))))
        let text = render(s).text
        #expect(text.contains("restic says hello"))
        #expect(text.contains("could not be read: forbidden"))
        // A late answer for another view changes nothing.
        var other = s
        _ = update(&other, .objectRead(generation: generation + 100, ObjectReadResult(manifest: .loaded("x: 1"))))
        #expect(other == s)
    }

    @Test func aRowThatStandsForNoObjectStillOpensThePanelDetails() {
        var s = ObjectFixtures.dashboard()
        s.dashboard.selected[.fileBackups] = 0
        #expect(update(&s, .key(.enter)).isEmpty)
        #expect(s.mode == .detail(DetailState(panel: .fileBackups)))
    }

    @Test func lOnAJobRowTailsThatJobsPodAndItsFinishedLogIsNotReconnected() {
        var s = ObjectFixtures.dashboard()
        let effects = update(&s, .key(.char("l")))
        guard case .startLogs(let request)? = effects.first else { Issue.record("no stream for the Job"); return }
        #expect(request.arguments == ["--context", "demo", "--namespace", "paperless-ngx", "logs", "-f", ObjectFixtures.pod, "-c", "restic", "--timestamps", "--tail=200"])
        _ = update(&s, .logLines(generation: request.generation, ["2027-01-15T04:00:03Z Fatal: unable to create lock"]))
        #expect(update(&s, .logEnded(generation: request.generation, reason: "ended")).isEmpty, "a finished pod's log is whole: no reconnect loop")
        #expect(render(s).text.contains("finished pod's log, complete"))
    }

    @Test func theObjectViewDoesWhatItsKeysSay() {
        // l: the Job's pod, from inside the view.
        var s = ObjectFixtures.opened()
        #expect(render(s).text.contains("Keys: l tails its log · u unlocks the repository · b starts another file backup · Esc back"))
        guard case .startLogs(let r)? = update(&s, .key(.char("l"))).first else { Issue.record("l did nothing"); return }
        #expect(r.arguments.contains(ObjectFixtures.pod))
        // Esc from the log tail comes back to the object, not the dashboard.
        _ = update(&s, .key(.escape))
        #expect(s.mode.scope == .object)
        // u: the unlock, as on the dashboard.
        var u = ObjectFixtures.opened()
        _ = update(&u, .key(.char("u")))
        #expect(u.mode.scope != .object, "u did nothing")
        #expect(render(u).text.contains("unlock"))
        // b: the file backup's confirmation.
        var b = ObjectFixtures.opened()
        _ = update(&b, .key(.char("b")))
        guard case .dialog(let dialog) = b.mode else { Issue.record("b did nothing"); return }
        #expect(dialog.title.contains("restic file backup"))
    }

    @Test func theDetailAcceptsTheKeysItRecommends() {
        // The File backups detail says "Key: u unlocks": u does, from the detail.
        var s = ObjectFixtures.dashboard()
        s.dashboard.selected[.fileBackups] = 0
        _ = update(&s, .key(.enter))
        #expect(render(s).text.contains("Key: u unlocks"))
        let before = s
        _ = update(&s, .key(.char("u")))
        #expect(s.stack.count == before.stack.count + 1, "u in the detail opened nothing")
        #expect(render(s).text.contains("unlock"))
        // l from the Log errors detail: Redis's own log, as the key row says.
        var l = Fixtures.actionState()
        l.dashboard.focus = .logs
        _ = update(&l, .key(.enter))
        guard case .startLogs(let request)? = update(&l, .key(.char("l"))).first else { Issue.record("l in the detail did nothing"); return }
        #expect(request.arguments.contains("redis"))
    }

    @Test func podAndClaimRowsOpenTheirObject() {
        var data = Fixtures.dataWithFacts()
        data.claims = ["paperless-ngx-data", "paperless-ngx-db-1"]
        var s = Fixtures.state(data: data)
        s.dashboard.focus = .storage
        let rows = PanelRows.rows(for: .storage, in: s)
        #expect(rows.first?.subject == .pvc("paperless-ngx-data"))
        let effects = update(&s, .key(.enter))
        guard case .readObject(let request, _)? = effects.first else { Issue.record("Enter on a claim's row read nothing"); return }
        #expect(request.manifest.suffix(3) == ["pvc/paperless-ngx-data", "-o", "json"])
    }
}

/// The command log: the shared flags once, a filter, the whole command on Enter, what an action created.
@Suite struct CommandLogTests {
    static func state() -> AppState {
        var s = Fixtures.state(data: Fixtures.dataWithFacts(Fixtures.facts(target: KubeTarget(kubeconfig: "/home/op/.kube/config", context: "demo", namespace: "paperless-ngx"))))
        s.width = 200
        let reads = ["pods", "jobs.batch", "cronjobs.batch", "events"].enumerated().map { i, kind in
            CommandRecord(startedAt: Fixtures.now - 40 + Double(i), duration: 0.2,
                          commandLine: "kubectl --kubeconfig /home/op/.kube/config --context demo --namespace paperless-ngx get \(kind) -o json",
                          exitStatus: 0, isAction: false)
        }
        var action = CommandRecord(startedAt: Fixtures.now - 5, duration: 0.4,
                                   commandLine: "kubectl --kubeconfig /home/op/.kube/config --context demo --namespace paperless-ngx create job --from=cronjob/paperless-ngx-backup manual-backup-20270115-0800",
                                   exitStatus: 0, isAction: true, title: "File backup (restic)")
        action.result = "job.batch/manual-backup-20270115-0800 created"
        for r in reads + [action] { _ = update(&s, .commandRan(r)) }
        _ = update(&s, .key(.char("c")))
        return s
    }

    @Test func theSharedFlagsAreShownOnceAndTheActionNamesWhatItCreated() {
        let text = render(Self.state()).text
        #expect(text.contains("Every command runs with --kubeconfig /home/op/.kube/config --context demo"))
        #expect(text.components(separatedBy: "--kubeconfig").count == 2, "the flags are repeated on the lines")
        #expect(text.contains("ACTION kubectl --namespace paperless-ngx create job --from=cronjob/paperless-ngx-backup manual-backup-20270115-0800  → job.batch/manual-backup-20270115-0800 created"))
    }

    @Test func enterShowsTheSelectedCommandInFull() {
        var s = Self.state()
        _ = update(&s, .key(.enter))
        #expect(render(s).text.contains("full command: kubectl --kubeconfig /home/op/.kube/config --context demo --namespace paperless-ngx create job"))
        _ = update(&s, .key(.char("k")))
        #expect(render(s).text.contains("full command: kubectl --kubeconfig /home/op/.kube/config --context demo --namespace paperless-ngx get events"))
    }

    @Test func slashFiltersAndEscClearsTheFilterBeforeClosing() {
        var s = Self.state()
        for key in [Key.char("/"), .char("j"), .char("o"), .char("b"), .char("s")] { _ = update(&s, .key(key)) }
        var text = render(s).text
        #expect(text.contains("get jobs.batch") && !text.contains("get pods"))
        _ = update(&s, .key(.enter))
        text = render(s).text
        #expect(text.contains("filter: jobs (2 of 5; Esc clears)"))
        #expect(text.contains("get cronjobs.batch") && !text.contains("get events"))
        _ = update(&s, .key(.escape))
        #expect(s.mode.scope == .commandLog)
        #expect(render(s).text.contains("get pods"))
        _ = update(&s, .key(.escape))
        #expect(s.mode == .dashboard)
    }
}
