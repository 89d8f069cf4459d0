import Foundation
import PaperDomain
import PaperKube
import Synchronization
import Testing
import TestSupport

/// The restore Lease against a scripted API server: `get`, `create`, `replace` (checked against
/// the resourceVersion, as the API server does) and `delete` of Lease `paperctl-restore`, with
/// faults injected on the reads and the renewals.
final class LeaseServer: Sendable {
    struct State {
        var lease: [String: Any]?
        var version = 1
        /// The next this many `get lease` calls time out.
        var failingReads = 0
        /// The next `replace` is answered with a conflict.
        var conflictNextReplace = false
        /// Job name -> "running" or "complete".
        var jobs: [String: String] = [:]
        var deletes = 0
    }

    let state = Mutex(State())
    var runner: FakeRunner { FakeRunner { [self] command throws(KubectlError) in try self.answer(command) } }

    func answer(_ command: KubectlCommand) throws(KubectlError) -> CommandOutput {
        let args = command.arguments
        if args.contains("jobs.batch"), let name = args.last(where: { !$0.hasPrefix("-") && $0 != "json" && $0 != "jobs.batch" && $0 != "get" }) {
            let phase = state.withLock { $0.jobs[name] }
            guard let phase else { return .failure("Error from server (NotFound): jobs.batch \"\(name)\" not found") }
            let status = phase == "complete" ? #"{"conditions":[{"type":"Complete","status":"True"}],"succeeded":1}"# : #"{"active":1}"#
            return .ok(#"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"\#(name)"},"status":\#(status)}"#)
        }
        return try state.withLock { s throws(KubectlError) -> CommandOutput in
            if args.contains("get") {
                if s.failingReads > 0 {
                    s.failingReads -= 1
                    throw KubectlError.timeout(seconds: 10)
                }
                guard var lease = s.lease else { return .failure("Error from server (NotFound): leases.coordination.k8s.io \"paperctl-restore\" not found") }
                var meta = lease["metadata"] as? [String: Any] ?? [:]
                meta["resourceVersion"] = "\(s.version)"
                lease["metadata"] = meta
                return .ok((try? JSONSerialization.data(withJSONObject: lease)) ?? Data())
            }
            if args.contains("delete") {
                s.lease = nil
                s.deletes += 1
                return .ok("lease deleted")
            }
            guard let body = command.stdin, var object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { return .failure("no body") }
            if args.contains("create") {
                if s.lease != nil { return .failure("Error from server (AlreadyExists): leases.coordination.k8s.io \"paperctl-restore\" already exists") }
            } else if args.contains("replace") {
                let sent = (object["metadata"] as? [String: Any])?["resourceVersion"] as? String
                if s.conflictNextReplace || sent != "\(s.version)" {
                    s.conflictNextReplace = false
                    return .failure("Error from server (Conflict): Operation cannot be fulfilled on leases.coordination.k8s.io \"paperctl-restore\": the object has been modified")
                }
                if s.lease == nil { return .failure("Error from server (NotFound): leases.coordination.k8s.io \"paperctl-restore\" not found") }
            }
            var meta = object["metadata"] as? [String: Any] ?? [:]
            meta.removeValue(forKey: "resourceVersion")
            object["metadata"] = meta
            s.lease = object
            s.version += 1
            return .ok("lease written")
        }
    }

    /// Someone else writes the Lease (another session, or an operator by hand).
    func put(holder: String, renewed: Double, duration: Int = RestoreLease.duration, job: String? = nil) {
        let body = RestoreLease.json(holder: holder, what: "restore files", step: nil, acquired: renewed, renewed: renewed, namespace: "paperless-ngx",
                                     resourceVersion: nil, durationSeconds: duration, job: job)
        state.withLock {
            $0.lease = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            $0.version += 1
        }
    }

    var holder: String? { state.withLock { (($0.lease?["spec"] as? [String: Any])?["holderIdentity"] as? String) } }
    var spec: [String: Any]? { state.withLock { $0.lease?["spec"] as? [String: Any] } }
    var annotations: [String: String] { state.withLock { (($0.lease?["metadata"] as? [String: Any])?["annotations"] as? [String: String]) ?? [:] } }
}

@Suite("restore Lease: errors, losses, skew, release")
struct RestoreLeaseKeeperTests {
    static let target = KubeTarget(kubeconfig: "/k/config", context: "prod", namespace: "paperless-ngx")
    static let start = 1_800_000_000.0

    final class Clock: Sendable {
        let time = Mutex(RestoreLeaseKeeperTests.start)
        var now: @Sendable () -> Double { { self.time.withLock { $0 } } }
        func advance(_ s: Double) { time.withLock { $0 += s } }
    }

    static func keeper(_ server: LeaseServer, _ clock: Clock, _ who: String = "alice@laptop pid 7") -> RestoreLeaseKeeper {
        RestoreLeaseKeeper(runner: server.runner, target: target, identity: who, clock: clock.now)
    }

    static func renewTime(_ server: LeaseServer) -> Double? { (server.spec?["renewTime"] as? String).flatMap(UTCTime.parse) }

    @Test func aReadFailureDuringARestoreKeepsTheLeaseRetriesSoonerAndItIsDeletedAtTheEnd() async throws {
        let server = LeaseServer()
        let clock = Clock()
        let alice = Self.keeper(server, clock)
        #expect(await alice.acquire(what: "restore files in-place") == nil)
        // A third of the lease duration later the renewal is due; the read times out twice.
        clock.advance(31)
        server.state.withLock { $0.failingReads = 2 }
        #expect(await alice.renewIfDue() == nil, "a timeout is no loss and is not announced as one")
        #expect(await alice.isHolding)
        #expect(await alice.permit(step: "step 2/8: Scale paperless-ngx to 0") == .granted, "the Lease was renewed 31 s ago: the step may start")
        #expect(server.state.withLock { $0.failingReads } == 0, "the step's renewal tried again at once")
        // Retried 5 s later (not 30 s): the read answers and the Lease is renewed then.
        clock.advance(5)
        #expect(await alice.renewIfDue() == nil)
        #expect(Self.renewTime(server) == Self.start + 36)
        #expect(server.annotations[RestoreLease.stepAnnotation] == "step 2/8: Scale paperless-ngx to 0")
        // The restore ends: the Lease names us and is deleted.
        #expect(await alice.release() == nil)
        #expect(server.state.withLock { $0.lease == nil && $0.deletes == 1 })
    }

    @Test func aReadFailureWhenReleasingIsRetriedAndTheLeaseIsStillDeleted() async throws {
        let server = LeaseServer()
        let clock = Clock()
        let alice = Self.keeper(server, clock)
        #expect(await alice.acquire(what: "restore db") == nil)
        server.state.withLock { $0.failingReads = 1 }
        #expect(await alice.release() == nil)
        #expect(server.state.withLock { $0.lease == nil })
    }

    @Test func aConflictingRenewalThatReadsBackAsOursKeepsHolding() async throws {
        let server = LeaseServer()
        let clock = Clock()
        let alice = Self.keeper(server, clock)
        #expect(await alice.acquire(what: "restore files") == nil)
        clock.advance(31)
        server.state.withLock { $0.conflictNextReplace = true }
        #expect(await alice.renewIfDue() == nil)
        #expect(await alice.isHolding)
        clock.advance(5)
        #expect(await alice.renewIfDue() == nil)
        #expect(Self.renewTime(server) == Self.start + 36)
        #expect(server.holder == "alice@laptop pid 7")
    }

    @Test func anotherHolderIsALossAnnouncedOnceAndNoStepStartsUntilTheLeaseIsTakenAgain() async throws {
        let server = LeaseServer()
        let clock = Clock()
        let alice = Self.keeper(server, clock)
        #expect(await alice.acquire(what: "restore files in-place") == nil)
        clock.advance(31)
        server.put(holder: "bob@bastion pid 9", renewed: clock.now())
        let lost = try #require(await alice.renewIfDue(step: "step 3/8: Restore"))
        #expect(lost.hasPrefix("the restore Lease paperctl-restore was LOST: bob@bastion pid 9") && lost.contains("no further writing step starts until it is taken again"), "\(lost)")
        #expect(await alice.renewIfDue(step: "step 3/8: Restore") == nil, "said once")
        #expect(server.holder == "bob@bastion pid 9", "bob's Lease is not stolen back")
        guard case .refused(let why) = await alice.permit(step: "step 4/8: Scale up") else { Issue.record("a step started on bob's Lease"); return }
        #expect(why.contains("cannot be taken again: another restore holds Lease paperctl-restore: bob@bastion pid 9"), "\(why)")
        // Bob's restore ends and gives the Lease back: it is taken again before the next step.
        server.state.withLock { $0.lease = nil }
        guard case .retaken(let note) = await alice.permit(step: "step 4/8: Scale up") else { Issue.record("not taken again"); return }
        #expect(note.contains("was lost (bob@bastion pid 9") && note.contains("is taken again"), "\(note)")
        #expect(server.holder == "alice@laptop pid 7" && server.annotations[RestoreLease.stepAnnotation] == "step 4/8: Scale up")
        #expect(await alice.release() == nil)
        #expect(server.holder == nil)
    }

    @Test func aDeletedLeaseIsALoss() async throws {
        let server = LeaseServer()
        let clock = Clock()
        let alice = Self.keeper(server, clock)
        #expect(await alice.acquire(what: "restore files") == nil)
        server.state.withLock { $0.lease = nil }
        let lost = try #require(await alice.renewIfDue(step: "step 2/3: Restore"))
        #expect(lost.contains("LOST: it was deleted"))
        #expect(server.holder == nil, "a renewal does not re-create it behind the operator's back")
    }

    @Test func renewalsFailingForAlmostTheWholeDurationStopTheNextStep() async throws {
        let server = LeaseServer()
        let clock = Clock()
        let alice = Self.keeper(server, clock)
        #expect(await alice.acquire(what: "restore files") == nil)
        server.state.withLock { $0.failingReads = 1000 }
        clock.advance(Double(RestoreLease.duration) - RestoreLease.skewMargin)
        guard case .refused(let why) = await alice.permit(step: "step 5/8: Scale up") else { Issue.record("a step started on a Lease that may have lapsed"); return }
        #expect(why.contains("ago and cannot be renewed (cannot read it: ") && why.contains("it may have lapsed"), "\(why)")
        #expect(await alice.isHolding, "not lost: still ours as far as anyone knows")
    }

    @Test func anotherHostsLeaseIsJudgedWithASkewMargin() async throws {
        let server = LeaseServer()
        let clock = Clock()
        // Bob renewed 100 s ago by our clock: lapsed by 10 s, inside the 30 s margin (his clock may be behind).
        server.put(holder: "bob@bastion pid 9", renewed: clock.now() - 100)
        let refusal = try #require(await Self.keeper(server, clock).acquire(what: "restore db"))
        #expect(refusal.hasPrefix("another restore holds Lease paperctl-restore: bob@bastion pid 9"))
        #expect(server.holder == "bob@bastion pid 9")
        // 121 s ago: past the lapse and the margin.
        clock.advance(21)
        #expect(await Self.keeper(server, clock).acquire(what: "restore db") == nil)
        #expect(server.holder == "alice@laptop pid 7")
    }

    @Test func releaseDeletesOnlyALeaseThatStillNamesUs() async throws {
        let server = LeaseServer()
        let clock = Clock()
        let alice = Self.keeper(server, clock)
        #expect(await alice.acquire(what: "restore files") == nil)
        server.put(holder: "bob@bastion pid 9", renewed: clock.now())
        #expect(await alice.release() == nil)
        #expect(server.holder == "bob@bastion pid 9")
        #expect(server.state.withLock { $0.deletes } == 0)
    }

    @Test func aLeaseLeftOnForAJobLastsForItAndIsFreeOnceTheJobHasEnded() async throws {
        let server = LeaseServer()
        let clock = Clock()
        let cli = Self.keeper(server, clock, "ops@bastion pid 12")
        #expect(await cli.acquire(what: "restore files side-by-side (CLI)") == nil)
        server.state.withLock { $0.jobs["restic-restore-1"] = "running" }
        #expect(await cli.handOver(toJob: "restic-restore-1", seconds: 3600) == nil)
        #expect(await cli.release() == nil)
        #expect(server.holder == "ops@bastion pid 12", "the CLI exits, the Lease stays on for the Job")
        #expect(server.spec?["leaseDurationSeconds"] as? Int == 3600 && server.annotations[RestoreLease.jobAnnotation] == "restic-restore-1")
        // Ten minutes later the Job still writes: a second restore is refused.
        clock.advance(600)
        let bob = Self.keeper(server, clock, "bob@bastion pid 9")
        let refusal = try #require(await bob.acquire(what: "restore files in-place"))
        #expect(refusal.contains("ops@bastion pid 12") && refusal.contains("Job restic-restore-1 runs; not waited for"), "\(refusal)")
        // The Job completes: the Lease is free before its hour is up.
        server.state.withLock { $0.jobs["restic-restore-1"] = "complete" }
        #expect(await bob.acquire(what: "restore files in-place") == nil)
        #expect(server.holder == "bob@bastion pid 9")
    }
}
