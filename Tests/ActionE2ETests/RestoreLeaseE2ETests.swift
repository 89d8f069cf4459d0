import Foundation
import PaperDomain
import PaperKube
import ProcessTestSupport
import SimCluster
import Testing

/// Two operators at once, with the real kubectl against the simulator: the restore Lease
/// `paperctl-restore` refuses a second restore, naming who holds it and doing what; it is given
/// back at the end, and a lapsed one (its holder died) is taken over.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RestoreLeaseE2ETests {
    static let ns = "paperless-ngx"

    static func keeper(_ env: ActionEnv, _ who: String) throws -> RestoreLeaseKeeper {
        let kubectl = try KubectlLocator().locate()
        return RestoreLeaseKeeper(runner: KubectlRunner(executable: kubectl, timeout: 20), target: KubeTarget(kubeconfig: env.kubeconfig, namespace: ns), identity: who)
    }

    @Test func aSecondRestoreIsRefusedNamingTheHolderAndTheStepThenTheLeaseIsGivenBack() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: false)
        defer { Task { await env.stop() } }
        let alice = try Self.keeper(env, "alice@laptop pid 7")
        let bob = try Self.keeper(env, "bob@bastion pid 9")
        #expect(await alice.acquire(what: "restore files in-place: snapshot 1a2b3c4d") == nil)
        await alice.renewIfDue(step: "step 3/8: Scale paperless-ngx to 0")
        let refusal = try #require(await bob.acquire(what: "restore db"))
        #expect(refusal.contains("another restore holds Lease paperctl-restore: alice@laptop pid 7") && refusal.contains("restore files in-place: snapshot 1a2b3c4d")
                && refusal.contains("(step 3/8: Scale paperless-ngx to 0)"), "\(refusal)")
        let lease = try #require(env.sim.store.get(Catalogue.leases, namespace: Self.ns, name: "paperctl-restore"))
        #expect(lease.value(at: "spec.leaseDurationSeconds")?.intValue == RestoreLease.duration)
        #expect(lease.value(at: "spec.renewTime")?.stringValue?.hasSuffix("Z") == true)

        // The CLI is refused the same way, and creates nothing.
        let clustersBefore = env.sim.store.list(Catalogue.clusters, namespace: Self.ns).items.count
        let cli = try await env.paperctl(["restore", "db", "--to", "latest", "--yes"])
        #expect(cli.status == 1 && cli.stderr.contains("another restore holds Lease paperctl-restore: alice@laptop pid 7"), "\(cli.stdout)\n\(cli.stderr)")
        #expect(env.sim.store.list(Catalogue.clusters, namespace: Self.ns).items.count == clustersBefore)

        await alice.release()
        #expect(env.sim.store.get(Catalogue.leases, namespace: Self.ns, name: "paperctl-restore") == nil)
        #expect(await bob.acquire(what: "restore db") == nil)
        await bob.release()
    }

    @Test func aLapsedLeaseIsTakenOverAndTheCLIGivesItsLeaseBackWhenItEnds() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: false)
        defer { Task { await env.stop() } }
        // A holder that died 5 minutes ago: its Lease lapsed 90 s after its last renewal.
        let old = Date().timeIntervalSince1970 - 300
        let body = String(decoding: RestoreLease.json(holder: "carol@old pid 1", what: "restore files", step: nil, acquired: old, renewed: old, namespace: Self.ns, resourceVersion: nil), as: UTF8.self)
        let created = try await runProcess("kubectl", ["--kubeconfig", env.kubeconfig, "create", "-f", "-", "-n", Self.ns], stdin: body, limit: 30)
        #expect(created.status == 0, "\(created.stderr)")
        let run = try await env.paperctl(["restore", "db", "--to", "latest", "--name", "pdb-lease", "--yes", "--wait", "--timeout", "90"], limit: 120)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        // Taken over (a replace at the version read), then given back at the end.
        let writes = env.sim.store.recordedWrites.filter { $0.resource.contains("leases") }.map(\.verb)
        #expect(writes.contains("update") && writes.last == "delete", "\(writes)")
        #expect(env.sim.store.get(Catalogue.leases, namespace: Self.ns, name: "paperctl-restore") == nil)
    }

    /// A kubectl whose second read of the restore Lease fails as an unreachable server would
    /// (the first read is the take); every other call goes to the real kubectl.
    static func leaseReadFailingKubectl(_ dir: String) throws -> String {
        let real = try KubectlLocator().locate()
        let path = "\(dir)/kubectl-faulty"
        let script = """
            #!/bin/sh
            case " $* " in
              *" get leases.coordination.k8s.io "*)
                n=$(($(cat '\(dir)/lease-reads' 2>/dev/null || echo 0) + 1)); echo "$n" > '\(dir)/lease-reads'
                if [ "$n" -eq 2 ]; then echo 'Unable to connect to the server: dial tcp 127.0.0.1:6443: i/o timeout' >&2; exit 1; fi ;;
            esac
            exec '\(real)' "$@"

            """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func aFailedLeaseReadDuringARestoreKeepsTheLeaseAndItIsDeletedAtTheEnd() async throws {
        let env = try await ActionEnv.start([.healthy], realRestic: true)
        defer { Task { await env.stop() } }
        #expect(try await env.paperctl(["backup", "files", "--wait", "--timeout", "60"]).status == 0)
        let kubectl = try Self.leaseReadFailingKubectl(env.directory)
        let run = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--yes", "--wait", "--kubectl", kubectl], limit: 150)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let reads = Int((try? String(contentsOfFile: "\(env.directory)/lease-reads", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        #expect(reads >= 3, "the failing read was not reached (\(reads) reads)")
        #expect(!run.stderr.contains("LOST"), "an unreachable server is no loss: \(run.stderr)")
        // Kept through the failure, and given back at the end.
        let writes = env.sim.store.recordedWrites.filter { $0.resource.contains("leases") }.map(\.verb)
        #expect(writes.first == "create" && writes.last == "delete", "\(writes)")
        #expect(env.sim.store.get(Catalogue.leases, namespace: Self.ns, name: "paperctl-restore") == nil)

        // Without --wait the Lease is left on for the Job, said plainly, for the --timeout.
        let left = try await env.paperctl(["restore", "files", "--snapshot", "latest", "--yes", "--timeout", "1800"], limit: 120)
        #expect(left.status == 0, "\(left.stdout)\n\(left.stderr)")
        #expect(left.stdout.contains("The restore Lease paperctl-restore stays on for Job ") && left.stdout.contains("it is free once the Job has ended, at the latest in 30m"), "\(left.stdout)")
        let lease = try #require(env.sim.store.get(Catalogue.leases, namespace: Self.ns, name: "paperctl-restore"))
        #expect(lease.value(at: "spec.leaseDurationSeconds")?.intValue == 1800)
        let job = try #require(lease.value(at: "metadata.annotations")?["paperctl.io/job"]?.stringValue)
        #expect(env.sim.store.get(Catalogue.jobs, namespace: Self.ns, name: job) != nil)
    }
}
