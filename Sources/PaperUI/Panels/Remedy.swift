import PaperDomain

// MARK: - Remedy

/// The key that acts on a check's diagnosed cause, as the header, the compact view, the footer
/// and the detail say it: a restic lock is `u`, a wrong restic password or a failed sync is `f`
/// on the ExternalSecret, Redis errors are Redis's log (`l`), a lock an unlock Job removed is a
/// backup that proves it (`b`); anything else is Enter (the detail).
struct Remedy: Equatable {
    /// The key as typed.
    var key: String
    /// "u unlocks", said after the cause.
    var says: String
    /// The footer's short form ("u unlock"), when the key is one the footer does not always show.
    var footer: String?
    /// The ExternalSecret `f` acts on, when the cause names one.
    var externalSecret: String?
    /// The log tail opens on Redis.
    var redisLog = false

    static func of(_ result: CheckResult, _ data: DashboardData) -> Remedy {
        let details = Remedy(key: "Enter", says: "Enter shows the details")
        guard result.verdict != .ok else { return details }
        switch result.id {
        case .fileBackups where result.cause?.kind == ResticDiagnosis.Cause.locked.rawValue:
            return Remedy(key: "u", says: "u unlocks", footer: "unlock")
        case .fileBackups where result.cause?.kind == FileBackupsCheck.lockRemovedKind:
            return Remedy(key: "b", says: "b proves it with a backup", footer: "backup")
        case .fileBackups where result.cause?.kind == ResticDiagnosis.Cause.wrongPassword.rawValue:
            let names = data.actions?.externalSecrets.map(\.metadata.name) ?? []
            guard let secret = FileBackupsCheck.resticExternalSecret(names: names, PaperConfig()) else { return details }
            return Remedy(key: "f", says: "f syncs \(secret)", footer: "sync", externalSecret: secret)
        case .secrets:
            let failing = (data.facts[.secrets] ?? []).first { $0.verdict == .critical }
            var name: String?
            if case .externalSecret(let secret)? = failing?.subject { name = secret }
            // Without the typed rows, the cause's source names it ("event UpdateFailed on ExternalSecret NAME (…)").
            if name == nil, let source = result.cause?.source, let range = source.range(of: "on ExternalSecret ") {
                name = source[range.upperBound...].split(separator: " ").first.map(String.init)
            }
            guard let secret = name else { return details }
            return Remedy(key: "f", says: "f syncs \(secret)", footer: "sync", externalSecret: secret)
        case .logs where result.reason.contains("Redis") && data.logSources.contains(where: { $0.container == "redis" }):
            return Remedy(key: "l", says: "l tails Redis", redisLog: true)
        default:
            return details
        }
    }

    /// The worst check (the first of equals) and its remedy.
    static func worst(_ data: DashboardData) -> (CheckResult, Remedy)? {
        let ordered = PanelID.allCases.flatMap { data.results(for: $0) }
        guard let worst = ordered.enumerated().max(by: { a, b in
            a.element.verdict != b.element.verdict ? a.element.verdict < b.element.verdict : a.offset > b.offset
        })?.element, worst.verdict != .ok else { return nil }
        return (worst, of(worst, data))
    }
}
