import Foundation
import PaperDomain
import PaperKube
import PaperUI

#if canImport(Glibc)
import Glibc
#endif

// MARK: - ReportFile

/// The journal view's `w`: the post-incident report of the newest incident (as
/// `paperctl-tui report` writes it without options), in Markdown, as a new 0600 file beside the
/// journal named by the incident's start in UTC (`incident-20261206T080210Z.md`; `-2`, `-3` …
/// when a report of that incident is already there: a report a person has filled in is never
/// replaced). The drill record in the cluster is not read: the report says so.
public enum ReportFile {
    public static func write(journal: JournalFile, now: Double, version: String) -> ReportWriteOutcome {
        if let unavailable = journal.unavailable { return .failed("no incident journal: \(unavailable)") }
        let directory = (journal.path as NSString).deletingLastPathComponent
        if let problem = JournalFile.prepareDirectory(directory) { return .failed(problem) }
        let read = IncidentJournal.read(directory: directory, since: nil, until: now)
        let cluster = IncidentReport.ClusterPart(record: nil, unavailable: "not read from the dashboard (`paperctl-tui report` reads it)")
        let report: IncidentReport
        switch IncidentReport.build(read, since: nil, until: nil, now: now, version: version, cluster: cluster) {
        case .failure(let problem):
            return .failed(problem.description.replacingOccurrences(of: "give --since to report a window anyway", with: "`paperctl-tui report --since TIME` reports a window anyway"))
        case .success(let built):
            report = built
        }
        let text = report.markdown()
        for n in 1...99 {
            let path = "\(directory)/\(report.fileStem)\(n == 1 ? "" : "-\(n)").md"
            do {
                try FileText.write(text, to: path, exclusive: true)
                return .written(path: path, rows: report.timeline.count, unreadable: report.unreadable.count)
            } catch let error as FileText.WriteError where error.errno == EEXIST {
                continue
            } catch {
                return .failed("cannot write \(error)")
            }
        }
        return .failed("99 reports of this incident are already in \(directory); none replaced")
    }
}
