@testable import SimCluster
import Foundation
import Testing

/// How the restic runner maps a container onto the local machine.
@Suite struct ResticPlanTests {
    @Test func theMountPathIsRewrittenOnlyWhereAWordIsThatPathOrBelowIt() {
        let local = "/state/pvc-paperless-ngx-data"
        #expect(ResticJobRunner.rewrite("/data", mountPath: "/data", to: local) == local)
        #expect(ResticJobRunner.rewrite("/data/media", mountPath: "/data", to: local) == "\(local)/media")
        // Not inside other words or paths.
        for word in ["/database", "/srv/data", "/data2", "snap:/data", "--target=/data"] {
            #expect(ResticJobRunner.rewrite(word, mountPath: "/data", to: local) == word)
        }
    }

    @Test func scriptsAreReadWithoutAShellAndOnlyResticMkdirAndTheDrillSummaryRun() throws {
        #expect(try SimScript.commands(of: ["/bin/sh", "-c", "restic backup /data --host paperless-ngx && restic forget --keep-daily 7 --prune"])
                == [.restic(["backup", "/data", "--host", "paperless-ngx"]), .restic(["forget", "--keep-daily", "7", "--prune"])])
        #expect(try SimScript.commands(of: ["/bin/sh", "-c", #"restic version && mkdir -p '/data/a b' && restic restore 'x:/data' --target '/data/a b' --include '/it'\''s \[1\].pdf'"#])
                == [.restic(["version"]), .mkdir("/data/a b"), .restic(["restore", "x:/data", "--target", "/data/a b", "--include", #"/it's \[1\].pdf"#])])
        #expect(try SimScript.commands(of: ["restic", "snapshots", "--json"]) == [.restic(["snapshots", "--json"])])
        #expect(try SimScript.commands(of: []) == [.restic(["version"])])
        #expect(try SimScript.commands(of: ["/bin/sh", "-c", #"restic version && restic restore latest --target /paperctl-drill --verify && printf 'paperctl-drill: files=%s bytes=%s\n' "$(find /paperctl-drill -type f | wc -l)" "$(du -sb /paperctl-drill | cut -f1)""#])
                == [.restic(["version"]), .restic(["restore", "latest", "--target", "/paperctl-drill", "--verify"]), .drillSummary("/paperctl-drill")])
        let refused = [
            "touch /tmp/pwned", "restic version; touch /tmp/pwned", "restic ls $(id)", "restic ls `id`", #"restic ls "$HOME""#,
            "restic version | sh", "restic version > /tmp/x", "restic version &", "restic ls /data/*", "restic version &&",
            #"restic version && printf 'paperctl-drill: files=%s bytes=%s\n' "$(find /a -type f | wc -l)" "$(du -sb /b | cut -f1)""#,
            #"restic version && printf 'paperctl-drill: files=%s bytes=%s\n' "$(find $(id) -type f | wc -l)" "$(du -sb $(id) | cut -f1)""#,
            "restic ls 'unterminated", "restic version\ntouch /tmp/pwned",
        ]
        for script in refused {
            #expect(throws: SimScript.Refusal.self, "\(script)") { try SimScript.commands(of: ["/bin/sh", "-c", script]) }
        }
        #expect(throws: SimScript.Refusal.self) { try SimScript.commands(of: ["/usr/bin/id"]) }
        #expect(throws: SimScript.Refusal.self) { try SimScript.commands(of: ["/bin/sh", "/tmp/script.sh"]) }
    }

    @Test func containerEnvComesFromValuesAndSecretsWithTheRepositoryMappedLocally() async throws {
        let sim = try await SimulatedCluster.start(scenarios: [.healthy], port: 0, speed: 1)
        defer { Task { await sim.stop() } }
        let runner = ResticJobRunner(executable: "/usr/bin/restic", stateDirectory: "/state")
        let cronJob = try #require(sim.store.get(Catalogue.cronJobs, namespace: "paperless-ngx", name: "paperless-ngx-backup"))
        let podSpec = try #require(cronJob.value(at: "spec.jobTemplate.spec.template.spec"))
        let container = try #require(podSpec["containers"]?.arrayValue?.first)
        let plan = try runner.containerPlan(container: container, podSpec: podSpec, namespace: "paperless-ngx", store: sim.store)
        #expect(plan.environment["RESTIC_PASSWORD"] == "hunter2-PLANTED-s3cr3t")
        #expect(plan.environment["AWS_ACCESS_KEY_ID"] == "DO00SIMULATEDKEYID00")
        #expect(plan.environment["RESTIC_REPOSITORY"] == "/state/restic-repo")
        #expect(plan.commands == [.restic(["backup", "/state/pvc-paperless-ngx-data", "--host", "paperless-ngx", "--tag", "paperless-ngx"]),
                                  .restic(["forget", "--keep-daily", "7", "--keep-weekly", "4", "--keep-monthly", "6", "--prune"])])
        #expect(plan.volumes == ["/state/pvc-paperless-ngx-data"])
    }

    @Test func base64DecodesWhatTheSeedEncodes() {
        for text in ["", "a", "ab", "abc", "hunter2-PLANTED-s3cr3t", "redis://:pw@host:6379/0"] {
            #expect(Base64.decode(Base64.encode(Array(text.utf8))) == Array(text.utf8))
        }
        #expect(Base64.decode("not base64!") == nil)
    }

    /// The file listing Job's script as paperctl writes it (ResticJob.filesScript with a live directory).
    static func listingScript(_ dir: String, live: String) -> [String] {
        ["/bin/sh", "-c", "restic version && restic ls --json '4f2a9c1e' '\(dir)' && printf 'paperctl-live: %s\\n' '\(live)' && { find '\(live)' -mindepth 1 -maxdepth 1 || printf 'paperctl-live-missing\\n'; }"]
    }

    @Test func theListingsLiveTailIsReadWithoutAShellOnlyInTheFormPaperctlWrites() throws {
        #expect(try SimScript.commands(of: Self.listingScript("/data/media docs", live: "/data/media docs"))
                == [.restic(["version"]), .restic(["ls", "--json", "4f2a9c1e", "/data/media docs"]), .liveListing(directory: "/data/media docs", shown: "/data/media docs")])
        let tampered = [
            Self.listingScript("/data/a", live: "/data/a")[2].replacingOccurrences(of: "{ find '/data/a'", with: "{ find '/etc'"),
            Self.listingScript("/data/a", live: "/data/a")[2].replacingOccurrences(of: "|| printf", with: "; id || printf"),
            // Unquoted, as only a shell would read it (single-quoted, `$(id)` is a directory's name).
            Self.listingScript("/data/a", live: "/data/a")[2].replacingOccurrences(of: "'/data/a' -mindepth", with: "$(id) -mindepth")
                .replacingOccurrences(of: "%s\\n' '/data/a'", with: "%s\\n' $(id)"),
        ]
        for script in tampered {
            #expect(throws: SimScript.Refusal.self, "\(script)") { try SimScript.commands(of: ["/bin/sh", "-c", script]) }
        }
    }

    /// Without restic on PATH, a listing Job still prints restic's own `ls --json` lines: the
    /// snapshot object, then one node object per entry (struct_type, name, type, path, size, mtime).
    @Test func theTimerSimulationPrintsResticsOwnLsJsonAndTheLiveTail() throws {
        let commands = try SimScript.commands(of: Self.listingScript("/data/media/documents/originals", live: "/data/media/documents/originals"))
        let lines = try #require(LogText.resticListing(commands, now: 1_800_000_000))
        #expect(lines.first == "restic 0.17.3 compiled with go1.23.3 on linux/amd64")
        let objects = lines.filter { $0.hasPrefix("{") }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.first?["struct_type"] as? String == "snapshot" && objects.first?["short_id"] as? String == "4f2a9c1e" && objects.first?["paths"] as? [String] == ["/data"])
        let nodes = objects.dropFirst()
        #expect(nodes.allSatisfy { $0["struct_type"] as? String == "node" && $0["message_type"] as? String == "node" && $0["mtime"] is String && $0["name"] is String })
        // The directory itself, then its six originals (restic ls without --recursive).
        #expect(nodes.map { $0["path"] as? String ?? "" } == ["/data/media/documents/originals"] + (1...6).map { String(format: "/data/media/documents/originals/%07d.pdf", $0) })
        #expect(nodes.dropFirst().allSatisfy { $0["type"] as? String == "file" && ($0["size"] as? Int ?? 0) > 0 })
        let live = Array(lines.drop { !$0.hasPrefix("paperctl-live: ") })
        #expect(live.first == "paperctl-live: /data/media/documents/originals" && live.count == 7)
        // --recursive lists everything below: 6 originals, 6 archived, 6 thumbnails and media.lock under /data/media.
        let recursive = try #require(LogText.resticListing(try SimScript.commands(of: ["/bin/sh", "-c", "restic version && restic ls --json --recursive latest /data/media"]), now: 1_800_000_000))
        #expect(recursive.filter { $0.contains(#""type":"file""#) }.count == 19)
        // A directory that is not there: find fails, the Job says so.
        let gone = try #require(LogText.resticListing(try SimScript.commands(of: Self.listingScript("/data/gone", live: "/data/gone")), now: 1_800_000_000))
        #expect(gone.suffix(2) == ["find: /data/gone: No such file or directory", "paperctl-live-missing"])
        // Any other script is not a listing.
        #expect(LogText.resticListing(try SimScript.commands(of: ["/bin/sh", "-c", "restic backup /data"]), now: 0) == nil)
    }
}
