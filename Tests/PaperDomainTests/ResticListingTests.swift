import Foundation
import PaperKube
import Testing
@testable import PaperDomain

/// `restic ls --json` read as restic prints it, the live volume's listing compared with it, the
/// count of files a path matches, and the "what next" block after a file restore (issue 23 item
/// 12, issue 21's match count).
@Suite struct ResticListingTests {
    /// restic 0.14's `ls --json latest /data/media/documents/originals` (captured from restic 0.14.0):
    /// the snapshot object, then the directory itself, then its entries.
    static let ls014 = """
        restic 0.14.0 compiled with go1.19.8 on linux/amd64
        {"time":"2026-12-06T04:00:12.79018463Z","tree":"4107823392e073f2","paths":["/data"],"hostname":"paperless-ngx","username":"root","id":"b09c9ebde0b60717b5dc5c18322defecff5d7d00aa449f8a714a93f926c04fd4","short_id":"b09c9ebd","struct_type":"snapshot"}
        {"name":"originals","type":"dir","path":"/data/media/documents/originals","uid":0,"gid":0,"mode":2147484141,"permissions":"drwxr-xr-x","mtime":"2026-12-05T21:36:38.217582242Z","atime":"2026-12-05T21:36:38.217582242Z","ctime":"2026-12-05T21:36:38.217582242Z","struct_type":"node"}
        {"name":"0000004.pdf","type":"file","path":"/data/media/documents/originals/0000004.pdf","uid":0,"gid":0,"size":2048,"mode":420,"permissions":"-rw-r--r--","mtime":"2024-09-30T10:15:00+02:00","atime":"2024-09-30T10:15:00+02:00","ctime":"2024-09-30T10:15:00+02:00","struct_type":"node"}
        {"name":"0000005.pdf","type":"file","path":"/data/media/documents/originals/0000005.pdf","uid":0,"gid":0,"size":1024,"mode":420,"permissions":"-rw-r--r--","mtime":"2025-01-07T08:00:00Z","atime":"2025-01-07T08:00:00Z","ctime":"2025-01-07T08:00:00Z","struct_type":"node"}
        {"name":"2025","type":"dir","path":"/data/media/documents/originals/2025","uid":0,"gid":0,"mode":2147484141,"permissions":"drwxr-xr-x","mtime":"2025-02-21T09:14:03Z","atime":"2025-02-21T09:14:03Z","ctime":"2025-02-21T09:14:03Z","struct_type":"node"}
        """

    /// restic 0.17 adds `message_type` to both kinds of line.
    static let ls017 = """
        restic 0.17.3 compiled with go1.23.3 on linux/amd64
        {"time":"2026-12-06T04:00:12Z","tree":"41078233","paths":["/data"],"hostname":"paperless-ngx","username":"root","id":"b09c9ebd00","short_id":"b09c9ebd","message_type":"snapshot","struct_type":"snapshot"}
        {"name":"0000004.pdf","type":"file","path":"/data/media/documents/originals/0000004.pdf","uid":0,"gid":0,"size":2048,"mode":420,"permissions":"-rw-r--r--","mtime":"2024-09-30T08:15:00Z","atime":"2024-09-30T08:15:00Z","ctime":"2024-09-30T08:15:00Z","message_type":"node","struct_type":"node"}
        """

    @Test func lsJsonOfRestic014And017GivesTheNodesWithTheirSizesAndDatesAndSkipsTheSnapshotLine() {
        let nodes = ResticOutput.nodes(in: Self.ls014)
        #expect(nodes.map(\.path) == ["/data/media/documents/originals", "/data/media/documents/originals/0000004.pdf",
                                      "/data/media/documents/originals/0000005.pdf", "/data/media/documents/originals/2025"])
        #expect(nodes.map(\.isDirectory) == [true, false, false, true])
        #expect(nodes[1].size == 2048 && nodes[1].name == "0000004.pdf")
        // The offset is honoured: 10:15 at +02:00 is 08:15 UTC.
        #expect(nodes[1].mtime.map(UTCTime.rfc3339) == "2024-09-30T08:15:00Z")
        let newer = ResticOutput.nodes(in: Self.ls017)
        #expect(newer == [ResticNode(path: "/data/media/documents/originals/0000004.pdf", isDirectory: false, size: 2048, mtime: UTCTime.parse("2024-09-30T08:15:00Z"))])
    }

    @Test func theLiveListingAfterItsMarkerGivesTheNamesAndWhatTheSnapshotHasThatTheLiveVolumeLacks() throws {
        let log = Self.ls014 + """

            paperctl-live: /data/media/documents/originals
            /data/media/documents/originals/0000005.pdf
            /data/media/documents/originals/2025
            /data/media/documents/originals/0000099.pdf
            """
        let live = try #require(ResticOutput.liveListing(in: log))
        #expect(live.directory == "/data/media/documents/originals")
        #expect(live.names == ["0000005.pdf", "2025", "0000099.pdf"])
        #expect(!live.directoryMissing)
        let entries = ResticOutput.nodes(in: Self.ls014).dropFirst().map { node in
            var n = node
            n.path = String(node.path.dropFirst("/data/".count))
            return n
        }
        // 0000004.pdf was deleted live; 0000099.pdf is newer than the snapshot and not its concern.
        #expect(live.missing(entries).map(\.path) == ["media/documents/originals/0000004.pdf"])
        #expect(RestoreToolkit.FileListing(job: "j", nodes: entries, totalBytes: 0, live: live).missingLive.map(\.name) == ["0000004.pdf"])
        // Without the marker the live side is unknown, and nothing is called missing.
        #expect(ResticOutput.liveListing(in: Self.ls014) == nil)
        #expect(RestoreToolkit.FileListing(job: "j", nodes: entries, totalBytes: 0).missingLive.isEmpty)
    }

    @Test func aDirectoryGoneFromTheLiveVolumeMakesEveryEntryMissingLive() throws {
        let log = Self.ls014 + "\npaperctl-live: /data/media/documents/originals\nfind: /data/media/documents/originals: No such file or directory\npaperctl-live-missing\n"
        let live = try #require(ResticOutput.liveListing(in: log))
        #expect(live.directoryMissing && live.names.isEmpty)
        let entries = [ResticNode(path: "media/documents/originals/0000004.pdf", isDirectory: false), ResticNode(path: "media/documents/originals/2025", isDirectory: true)]
        #expect(live.missing(entries) == entries)
        // find failing on one unreadable entry while it listed others is not a missing directory.
        let partial = try #require(ResticOutput.liveListing(in: log.replacingOccurrences(of: "find: ", with: "/data/media/documents/originals/0000004.pdf\nfind: ")))
        #expect(!partial.directoryMissing && partial.missing(entries).map(\.name) == ["2025"])
    }

    @Test func theListingScriptIsTheFormTheSimulatorReadsAndTheCountScriptListsOnePathRecursively() throws {
        // The simulator (SimScript) accepts exactly this form; ResticPlanTests feeds it the same text.
        #expect(try ResticJob.filesScript(snapshot: "4f2a9c1e", directory: "/data/media docs", liveDirectory: "/data/media docs")
                == "restic version && restic ls --json 4f2a9c1e '/data/media docs' && printf 'paperctl-live: %s\\n' '/data/media docs' && { find '/data/media docs' -mindepth 1 -maxdepth 1 || printf 'paperctl-live-missing\\n'; }")
        #expect(try ResticJob.matchScript(snapshot: "4f2a9c1e", path: "/data/media/invoice[1].pdf") == "restic version && restic ls --json --recursive 4f2a9c1e '/data/media/invoice[1].pdf'")
        #expect(throws: ResticJob.BuildError.self) { try ResticJob.matchScript(snapshot: "4f2a9c1e", path: "/data/../etc") }
        #expect(throws: ResticJob.BuildError.self) { try ResticJob.filesScript(snapshot: "4f2a9c1e", directory: "/data", liveDirectory: "/data/a\nb") }
    }

    @Test func thePathMatchCountsFilesAtOrBelowThePathLiterallyAndNotItsSiblings() {
        let log = """
            {"time":"2026-12-06T04:00:12Z","paths":["/data"],"id":"b09c","short_id":"b09c","struct_type":"snapshot"}
            {"name":"docs","type":"dir","path":"/data/media/docs","size":0,"struct_type":"node"}
            {"name":"a.pdf","type":"file","path":"/data/media/docs/a.pdf","size":1000,"struct_type":"node"}
            {"name":"sub","type":"dir","path":"/data/media/docs/sub","struct_type":"node"}
            {"name":"b.pdf","type":"file","path":"/data/media/docs/sub/b.pdf","size":24,"struct_type":"node"}
            {"name":"docs2","type":"dir","path":"/data/media/docs2","struct_type":"node"}
            {"name":"c.pdf","type":"file","path":"/data/media/docs2/c.pdf","size":5,"struct_type":"node"}
            """
        #expect(ResticOutput.pathMatch(in: log, root: "/data", path: "media/docs") == PathMatch(path: "media/docs", files: 2, bytes: 1024))
        #expect(ResticOutput.pathMatch(in: log, root: "/data", path: "media/docs/a.pdf").files == 1)
        #expect(ResticOutput.pathMatch(in: log, root: "/data", path: "media/doc").files == 0)
        #expect(ResticOutput.pathMatch(in: log, root: "/data", path: "media/*").files == 0, "ls matches literally, as the escaped --include does")
        #expect(PathMatch(path: "x", files: 12_431, bytes: 4_400_000_000).text == "12 431 files (4.1 GiB)")
        #expect(PathMatch(path: "x", files: 1, bytes: 2048).text == "1 file (2.0 KiB)")
    }

    static let target = KubeTarget(kubeconfig: "/home/op/.kube/prod", context: "prod", namespace: "paperless-ngx")
    static let appDeployment = #"""
        {"metadata":{"name":"paperless-ngx"},"spec":{"replicas":1,"selector":{"matchLabels":{"app.kubernetes.io/name":"paperless-ngx"}},
         "template":{"spec":{"containers":[{"name":"paperless-ngx","image":"ghcr.io/paperless-ngx/paperless-ngx:2.20.3",
           "env":[{"name":"PAPERLESS_MEDIA_ROOT","value":"/usr/src/paperless/data/media"},{"name":"PAPERLESS_EMPTY_TRASH_DELAY","value":"14"},
                  {"name":"PAPERLESS_DBPASS","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}],
           "volumeMounts":[{"mountPath":"/usr/src/paperless/data","name":"data"}]}],
          "volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"paperless-ngx-data"}}]}}}}
        """#

    static func planAndFacts(_ target: FileRestoreRequest.Target, path: String?, deployment: String = appDeployment) throws -> (FileRestorePlan, ActionFacts) {
        var facts = RestorePlanningTests.facts(replicas: 1)
        facts.target = Self.target
        facts.deployment = try KubeJSON.decode(Deployment.self, from: Data(deployment.utf8))
        let snapshot = ResticSnapshot(id: "4f2a9c1e77", time: RestorePlanningTests.now - 86_400, paths: ["/data"])
        let plan = try FileRestore.plan(FileRestoreRequest(snapshot: snapshot, path: path, target: target), facts: facts, cronJob: RestorePlanningTests.cronJob,
                                        neededBytes: 1000, now: RestorePlanningTests.now)
        return (plan, facts)
    }

    @Test func whatNextNamesTheTrashReConsumingTheDatabaseAndTheExactCleanupCommandOnTheOperatorsCluster() throws {
        let (plan, facts) = try Self.planAndFacts(.sideBySide, path: "media/documents/originals")
        let lines = FileRestoreAftercare.lines(plan: plan, facts: facts, cronJob: RestorePlanningTests.cronJob)
        let text = lines.map(\.text).joined(separator: "\n")
        #expect(text.contains("trash") && text.contains("14 days (PAPERLESS_EMPTY_TRASH_DELAY)"))
        #expect(text.contains("unknown to Paperless") && text.contains("Both, on one restore point"))
        let commands = lines.filter { $0.kind == .command }.map(\.text)
        let copy = "/usr/src/paperless/data/restore-20270115T080000Z"
        #expect(commands == [
            "kubectl --kubeconfig /home/op/.kube/prod --context prod exec deploy/paperless-ngx -c paperless-ngx -n paperless-ngx -- find \(copy)/media/documents/originals -type f -exec cp -- '{}' /usr/src/paperless/consume/ ';'",
            "kubectl --kubeconfig /home/op/.kube/prod --context prod exec deploy/paperless-ngx -c paperless-ngx -n paperless-ngx -- rm -rf -- \(copy)",
        ])
        #expect(plan.targetDirectory == "/data/restore-20270115T080000Z", "the restic Job's /data is the app's /usr/src/paperless/data")
    }

    @Test func whatNextInPlaceHasNothingToCleanUpAndWithoutTheRootMountedGivesNoGuessedCommand() throws {
        let (plan, facts) = try Self.planAndFacts(.inPlace, path: nil)
        let lines = FileRestoreAftercare.lines(plan: plan, facts: facts, cronJob: RestorePlanningTests.cronJob)
        #expect(lines.contains { $0.text.hasPrefix("3. Nothing to clean up") })
        #expect(!lines.contains { $0.text.contains("rm -rf") })
        #expect(lines.first { $0.kind == .command }?.text.contains("find /usr/src/paperless/data/media/documents/originals -type f") == true)
        #expect(lines.contains { $0.text.contains("30 days by default") } == false, "the app's own delay is named")
        // The app mounts only a subPath of the volume: no command that names a wrong path.
        let subPath = Self.appDeployment.replacingOccurrences(of: #""name":"data"}]}]"#, with: #""name":"data","subPath":"media"}]}]"#)
        let (side, facts2) = try Self.planAndFacts(.sideBySide, path: nil, deployment: subPath)
        let guarded = FileRestoreAftercare.lines(plan: side, facts: facts2, cronJob: RestorePlanningTests.cronJob)
        #expect(!guarded.contains { $0.kind == .command })
        #expect(guarded.contains { $0.text.contains("remove /data/restore-20270115T080000Z from a pod that mounts the volume's root") })
    }

    @Test func aPathMatchingNothingIsRefusedAndACountedPathIsInThePlanText() throws {
        let facts = RestorePlanningTests.facts(replicas: 1)
        let snapshot = ResticSnapshot(id: "4f2a9c1e77", time: RestorePlanningTests.now - 86_400, paths: ["/data"])
        #expect(throws: FileRestore.Refusal.self) {
            try FileRestore.plan(FileRestoreRequest(snapshot: snapshot, path: "media/Documents", target: .sideBySide), facts: facts, cronJob: RestorePlanningTests.cronJob,
                                 neededBytes: nil, now: RestorePlanningTests.now, match: PathMatch(path: "media/Documents", files: 0, bytes: 0))
        }
        let plan = try FileRestore.plan(FileRestoreRequest(snapshot: snapshot, path: "media", target: .inPlace), facts: facts, cronJob: RestorePlanningTests.cronJob,
                                        neededBytes: nil, now: RestorePlanningTests.now, match: PathMatch(path: "media", files: 12_431, bytes: 4_400_000_000))
        #expect(plan.text.split(separator: "\n")[1] == "The path /media matches 12 431 files (4.1 GiB) in the snapshot: each overwrites the live file of the same name")
    }
}
