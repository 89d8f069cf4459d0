import Foundation
import PaperKube

// MARK: - FileRestoreAftercare

/// What an operator does after a file restore ("someone deleted documents"): the trash first,
/// then bringing restored files back into Paperless, then cleaning up the copy. The wizard's
/// Done screen and `restore files` print the same lines; every command names the cluster
/// (`--kubeconfig`/`--context`) like the other printed commands.
public enum FileRestoreAftercare {
    /// Paperless-ngx's default for `PAPERLESS_EMPTY_TRASH_DELAY`, in days.
    public static let defaultTrashDays = 30
    /// The official image's consume directory when `PAPERLESS_CONSUMPTION_DIR` is not set.
    public static let defaultConsumeDirectory = "/usr/src/paperless/consume"

    public struct Line: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case title, text, command }
        public var kind: Kind
        public var text: String

        public init(_ kind: Kind, _ text: String) {
            self.kind = kind
            self.text = text
        }
    }

    /// The "what next" block for a finished `plan`.
    public static func lines(plan: FileRestorePlan, facts: ActionFacts, cronJob: Data?) -> [Line] {
        let config = facts.config
        let app = config.app.container
        let env = facts.deployment?.literalEnv[app] ?? [:]
        let trashDays = env["PAPERLESS_EMPTY_TRASH_DELAY"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let consume = env["PAPERLESS_CONSUMPTION_DIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? defaultConsumeDirectory
        let claim = facts.dataVolume?.claim.metadata.name
        let resticMount = cronJob.flatMap { ResticJob.dataMountPath(cronJob: $0, claim: claim) }
        // The same volume as the app container sees it (the root of the claim, not a subPath).
        let appMount = facts.deployment?.claimMounts.first { $0.container == app && $0.subPath == nil && (claim == nil || $0.claim == claim) }?.mountPath
        func appPath(_ resticPath: String) -> String? {
            guard let resticMount, let appMount else { return nil }
            if resticPath == resticMount { return appMount }
            guard resticPath.hasPrefix(resticMount + "/") else { return nil }
            return appMount + resticPath.dropFirst(resticMount.count)
        }
        func exec(_ words: [String]) -> String {
            KubectlCommand(arguments: facts.target.connectionArguments + ["exec", "deploy/\(config.app.deployment)", "-c", app, "-n", facts.target.namespace, "--"] + words).displayLine
        }
        let path = plan.request.path
        let sideBySide = plan.request.target == .sideBySide
        var out: [Line] = [Line(.title, "What next")]

        // 1. The trash.
        let days = trashDays.map { "\($0) days (PAPERLESS_EMPTY_TRASH_DELAY)" } ?? "\(defaultTrashDays) days by default (PAPERLESS_EMPTY_TRASH_DELAY)"
        out.append(Line(.text, "1. Deleted documents? Look in Paperless's trash first (web UI → Trash): it keeps them \(days), and they come back from there with their tags and notes."))

        // 2. Files alone are unknown to Paperless.
        out.append(Line(.text, "2. Files restored alone are unknown to Paperless (its database lost their records). Re-consume the originals (each becomes a new document; one still known is refused as a duplicate):"))
        let restoredRoot = sideBySide ? plan.targetDirectory : (resticMount ?? plan.targetDirectory)
        let source: String
        if let path {
            source = "\(restoredRoot)/\(path)"
        } else {
            let media = (env["PAPERLESS_MEDIA_ROOT"]).flatMap { m -> String? in
                guard let appMount, m.hasPrefix(appMount + "/") else { return nil }
                return String(m.dropFirst(appMount.count + 1))
            } ?? "media"
            source = "\(restoredRoot)/\(media)/documents/originals"
        }
        if let appSource = appPath(source) {
            out.append(Line(.command, exec(["find", appSource, "-type", "f", "-exec", "cp", "--", "{}", consume + "/", ";"])))
        } else {
            out.append(Line(.text, "   copy the files from \(source) (the restic Job's view of the volume) into \(consume): the app does not mount the volume's root, so no exact command can be given"))
        }
        out.append(Line(.text, "   or restore the database to the same point too: R → \"Both, on one restore point\"."))

        // 3. The copy.
        if sideBySide {
            out.append(Line(.text, "3. Remove the copy when done: \(plan.targetDirectory) fills the data volume, and the next backups save it too."))
            if let appCopy = appPath(plan.targetDirectory) {
                out.append(Line(.command, exec(["rm", "-rf", "--", appCopy])))
            } else {
                out.append(Line(.text, "   remove \(plan.targetDirectory) from a pod that mounts the volume's root (the app container does not)"))
            }
        } else {
            let safety = plan.request.skipSafetyBackup == nil ? "the safety snapshot (host \(ResticJob.safetyHost)) keeps the files as they were before" : "no safety snapshot was made (skipped)"
            out.append(Line(.text, "3. Nothing to clean up: the files were restored in place; \(safety)."))
        }
        return out
    }
}
