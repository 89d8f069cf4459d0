import ArgumentParser
import Foundation
import PaperDomain
import PaperKube
import PaperRuntime
import PaperUI

#if canImport(Glibc)
import Glibc
#endif

// MARK: - ReportCommand

/// `paperctl-tui report`: the post-incident report from the incident journal (and the drill
/// record, when the cluster can be reached), in Markdown or JSON, to stdout or a new 0600 file.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the post-incident report (timeline, actions, RTO and RPO) from the incident journal.",
        discussion: """
            Without --since the report covers the newest incident in the journal: from the first verdict that left OK to the return to OK, or to now. With --since (a time, or a duration back from now such as 2h or 1d) it covers that window, up to --until or now.

            It reads the journal files of those days ($XDG_STATE_HOME/paperctl/YYYY-MM-DD.md) and, unless --offline, the drill record in the cluster; without a cluster the report still comes, and says so. Lines it cannot read (cut off, or from another version) are named at its end. Every line goes through the redactor. A fact the journal lacks is marked unknown.

            Exit status: 0 the report was written, 1 nothing to report or it could not be written.
            """
    )

    @Option(name: .long, help: "Start of the window: a time (2026-12-06T08:00:00Z, \"2026-12-06 09:00 Europe/Berlin\") or a duration back from now (2h, 90m, 1d).")
    var since: String?

    @Option(name: .long, help: "End of the window (a time; default: now).")
    var until: String?

    @Option(name: .long, help: "md (Markdown, default) or json.")
    var format: Format = .md

    @Option(name: [.customShort("o"), .long], help: "Write the report to this new file (mode 0600) instead of stdout.")
    var output: String?

    @Flag(name: .long, help: "With -o: replace an existing file.")
    var force = false

    @Flag(name: .long, help: "Do not read the drill record from the cluster.")
    var offline = false

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "Seconds before the kubectl call for the drill record is killed (default: 5).")
    var kubectlTimeout: Double = 5

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case md, json
    }

    func validate() throws {
        guard kubectlTimeout > 0, kubectlTimeout <= 600 else { throw ValidationError("--kubectl-timeout must be between 0 and 600 seconds") }
        let now = Date().timeIntervalSince1970
        if let since { _ = try Self.time(since, now: now, option: "--since", durations: true) }
        if let until { _ = try Self.time(until, now: now, option: "--until", durations: false) }
        if force && output == nil { throw ValidationError("--force only applies with -o FILE") }
    }

    func run() async throws {
        let now = Date().timeIntervalSince1970
        let environment = ProcessInfo.processInfo.environment
        let sinceTime = try since.map { try Self.time($0, now: now, option: "--since", durations: true) }
        let untilTime = try until.map { try Self.time($0, now: now, option: "--until", durations: false) }
        let journal: IncidentJournal
        switch Journal.location(environment: environment, now: now) {
        case .failure(let reason):
            Self.fail("no incident journal: \(reason.description)")
            throw ExitCode(1)
        case .success(let path):
            journal = IncidentJournal.read(directory: (path as NSString).deletingLastPathComponent, since: sinceTime, until: untilTime ?? now)
        }
        let clusterPart = offline ? IncidentReport.ClusterPart(record: nil, unavailable: "not asked (--offline)") : await drillRecord()
        let report: IncidentReport
        switch IncidentReport.build(journal, since: sinceTime, until: untilTime, now: now, version: BuildInfo.versionLine, cluster: clusterPart) {
        case .failure(let problem):
            Self.fail(problem.description)
            throw ExitCode(1)
        case .success(let built):
            report = built
        }
        let text = format == .json ? report.json() : report.markdown()
        guard let output else {
            FileDescriptorText.write(text, to: 1)
            return
        }
        do {
            if force { try Self.removeExisting(output) }
            try FileText.write(text, to: output, exclusive: true)
        } catch let error as FileText.WriteError where error.errno == EEXIST {
            Self.fail("\(output) already exists; nothing was written (give --force to replace it, or another path)")
            throw ExitCode(1)
        } catch {
            Self.fail("cannot write the report: \(error)")
            throw ExitCode(1)
        }
        FileDescriptorText.write("paperctl-tui: report written to \(output) (\(report.timeline.count) timeline rows"
                                 + (report.unreadable.isEmpty ? "" : ", \(report.unreadable.count) journal lines not read") + ")\n", to: 2)
    }

    /// A time, or (`durations`) a duration back from `now` (`2h`, `-2h`, `1h30m`, `1d`).
    static func time(_ text: String, now: Double, option: String, durations: Bool) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces)
        let isDuration = !t.isEmpty && t.drop { $0 == "-" }.first?.isNumber == true && !t.contains(":") && t.last?.isLetter == true
        if isDuration && !durations { throw ValidationError("\(option) takes a time, not a duration") }
        do {
            switch try RestorePoint.parse(isDuration && !t.hasPrefix("-") ? "-" + t : t, now: now) {
            case .time(let epoch): return epoch
            case .latest, .backup: throw ValidationError("\(option) \"\(text)\" is not a time")
            }
        } catch let error as RestorePoint.ParseError {
            // The restore point's generic advice names latest and backup:NAME, which a window cannot be.
            guard error.description.contains("use latest") else { throw ValidationError("\(option): \(error.description)") }
            throw ValidationError("\(option): \"\(text)\" is not a time\(durations ? " or a duration" : ""): use RFC 3339 (2026-12-06T08:00:00Z), "
                                  + "\"2026-12-06 09:00 Europe/Berlin\"" + (durations ? " or a duration back from now (2h, 90m, 1d)" : ""))
        }
    }

    /// Removes `path` for --force: only a regular file or a symbolic link (never followed).
    static func removeExisting(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG || type == S_IFLNK else { throw ValidationError("\(path) is not a regular file; not replaced") }
        guard unlink(path) == 0 else { throw FileText.WriteError(path: path, errno: errno) }
    }

    /// The drill record (ConfigMap paperctl-drills), or why it could not be read.
    func drillRecord() async -> IncidentReport.ClusterPart {
        let config: PaperConfig
        do {
            config = try ConfigLoader.load(explicitPath: cluster.config)
        } catch {
            return .init(record: nil, unavailable: "the config was refused (\(error.description))")
        }
        let executable: String
        do {
            executable = try KubectlLocator(explicitPath: cluster.kubectl).locate()
        } catch {
            return .init(record: nil, unavailable: "no kubectl: \(error.description)")
        }
        let target = cluster.target(config)
        let runner = KubectlRunner(executable: executable, timeout: kubectlTimeout)
        do {
            let data = try await runner.output(of: KubectlCommand(arguments: target.globalArguments + ["get", "configmaps", DrillRecord.configMapName, "-o", "json"]))
            guard let map = try? KubeJSON.decode(ConfigMap.self, from: data), let record = DrillRecord.read(from: [map]) else {
                return .init(record: nil, unavailable: "ConfigMap \(DrillRecord.configMapName) does not hold a drill record this version reads")
            }
            return .init(record: record, unavailable: nil)
        } catch {
            if case .notFound = error { return .init(record: nil, unavailable: "no ConfigMap \(DrillRecord.configMapName) in namespace \(target.namespace): no drill on record") }
            return .init(record: nil, unavailable: "the cluster could not be reached: \(Redactor.redact(error.description))")
        }
    }

    static func fail(_ message: String) {
        FileDescriptorText.write("paperctl-tui report: \(TerminalText.safe(Redactor.redact(message)))\n", to: 2)
    }
}
