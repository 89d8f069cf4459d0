import Foundation
import PaperDomain
import PaperKube

// MARK: - PanelID

/// The six panels, in focus order (keys 1–6).
public enum PanelID: Int, Sendable, CaseIterable, Hashable {
    case pods, database, fileBackups, secrets, storage, logs

    public var title: String {
        switch self {
        case .pods: "Pods"
        case .database: "Database backups"
        case .fileBackups: "File backups"
        case .secrets: "Secrets"
        case .storage: "Storage"
        case .logs: "Log errors"
        }
    }

    /// The checks whose verdicts the panel shows.
    public var checks: [CheckID] {
        switch self {
        case .pods: [.pods, .network]
        case .database: [.database, .dbBackups, .walArchiving, .scheduledBackup]
        case .fileBackups: [.fileBackups]
        case .secrets: [.secrets]
        case .storage: [.storage]
        case .logs: [.logs]
        }
    }
}

// MARK: - Data

/// One successful refresh: the checks and when the snapshot was taken.
public struct DashboardData: Sendable, Equatable {
    public var checks: [CheckResult]
    public var takenAt: Double
    /// Object rows shown under a panel's checks (recent Backups, recent restic Jobs, ExternalSecrets).
    public var facts: [PanelID: [PanelRow]]

    /// The typed objects the action keys plan from and track by (Jobs, Backups, ExternalSecrets…).
    public var actions: ActionFacts?
    /// Containers the log tail can follow, app container first.
    public var logSources: [LogSource]
    /// The restore Lease when someone holds it (this session or another).
    public var restoreLease: Lease?
    /// Where the data came from: the watches through the proxy, or polling with kubectl (and why).
    public var feed: LiveStatus = .off
    /// The objects a row can open (Enter) and tail (`l`): the namespace's pods, its claims' names,
    /// its events, and the newest failed backup Job's log tail the refresh already read.
    public var pods: [Pod] = []
    public var claims: [String] = []
    public var events: [KubeEvent] = []
    public var failedJobLog: FailedJobLog?

    public init(checks: [CheckResult], takenAt: Double, facts: [PanelID: [PanelRow]] = [:], actions: ActionFacts? = nil, logSources: [LogSource] = [], restoreLease: Lease? = nil) {
        self.restoreLease = restoreLease
        self.checks = checks
        self.takenAt = takenAt
        self.facts = facts
        self.actions = actions
        self.logSources = logSources
    }

    public var overall: Verdict { Verdict.overall(checks.map(\.verdict)) }

    /// The restore Lease when another session holds it.
    public var othersRestore: Lease? {
        guard let lease = restoreLease, lease.holderIdentity != RestoreLease.myIdentity else { return nil }
        return lease
    }

    public func results(for panel: PanelID) -> [CheckResult] {
        panel.checks.compactMap { id in checks.first { $0.id == id } }
    }

    public func verdict(for panel: PanelID) -> Verdict {
        let r = results(for: panel)
        return r.isEmpty ? .unknown : Verdict.overall(r.map(\.verdict))
    }
}

/// Why a refresh failed, sorted into what the operator must do about it.
public struct RefreshError: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case unauthorized, unreachable, timeout, other }
    public var kind: Kind
    public var message: String

    /// `message` is redacted here: kubectl's stderr can name a proxy password or a token.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = Redactor.redact(message)
    }

    /// Unauthorized and unreachable get one prominent banner and a backoff.
    public var needsBanner: Bool { kind == .unauthorized || kind == .unreachable || kind == .timeout }
}

/// Explicit data states: never a pile of flags.
public enum DataState: Sendable, Equatable {
    case loading
    case loaded(DashboardData)
    /// The last refresh failed: the last good data is kept and shown as stale.
    case stale(DashboardData, RefreshError)
    /// Nothing ever loaded.
    case failed(RefreshError)

    public var data: DashboardData? {
        switch self {
        case .loaded(let d), .stale(let d, _): d
        case .loading, .failed: nil
        }
    }

    public var error: RefreshError? {
        switch self {
        case .stale(_, let e), .failed(let e): e
        case .loading, .loaded: nil
        }
    }
}

// MARK: - AppState

/// Everything the screen shows; changed only by `update`.
///
/// What every mode shares lives here (data, refresh, notices, command log, tracking); what a
/// mode owns lives in its own state struct on the mode stack (`modes`), so an overlay opened
/// from inside a flow returns to that flow, not to the dashboard.
public struct AppState: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var context: String
    public var namespace: String
    public var data: DataState = .loading
    public var refreshing = false
    public var lastAttempt: Double?
    public var nextRefreshAt: Double = 0
    public var refreshInterval: Double
    public var backoff: Double = 0
    public var themeIndex = 0
    public var themeCount = 1
    /// The themes' names, in `themeIndex` order: `t` says which one it picked.
    public var themeNames: [String] = []
    public var now: Double
    public var quitting = false
    public var unicode = true
    /// Every dangerous key explains itself and runs nothing.
    public var readOnly = false
    /// paperctl-tui's version, for the journal's session lines.
    public var version = "dev"
    /// The dashboard's own state: it is always at the bottom of the stack.
    public var dashboard = DashboardState()
    /// The modes above the dashboard, innermost last. Empty: the dashboard has the keys.
    public var stack: [Mode] = []
    /// Recent kubectl runs (bounded), newest last.
    public var commandLog: [CommandRecord] = []
    /// Short messages for the operator (action results, finished backups), newest last.
    public var notices: [String] = []
    /// Why the last journal entry was not written: shown in the footer until the app ends.
    public var journalProblem: String?
    /// Jobs and Backups created by our actions, followed by name and UID until they finish.
    public var tracked: [TrackedObject] = []
    public var lastForceSync: [String: Double] = [:]
    /// Force-synced secrets waiting for their refreshTime to move, by name.
    public var awaitingSync: [String: AwaitedSync] = [:]
    /// How long a force-sync may take before the tool says it is still failing (ESO reconciles
    /// an annotated ExternalSecret within seconds).
    public static let syncWait: Double = 30
    /// The generation of the action being run; a second confirmation is refused until it returns.
    public var actionInFlight: Int?
    /// Hands out generations to long-running effects, so late messages of an old one are ignored.
    public var generation = 0
    /// A key pressed before the first data arrived, applied as soon as they do.
    public var pending: PendingIntent?
    /// The operator's zone: times are shown in UTC and in it (tests pin it).
    public var timeZone: TimeZone = .current
    /// Printed after the terminal is restored: what to run to get the app back when a restore was left running.
    public var exitNotes: [String] = []
    public static let commandLogLimit = 500
    /// A watch's change arrived while a refresh ran: the next refresh comes soon, not at the interval.
    public var changedDuringRefresh = false
    /// Seconds between recomputes a burst of watch events can cause (at most 4 frames a second).
    public static let liveCoalesce = 0.25
    public var logCapacity = 100_000

    public init(width: Int, height: Int, context: String, namespace: String, refreshInterval: Double = 5, now: Double) {
        self.width = width
        self.height = height
        self.context = context
        self.namespace = namespace
        self.refreshInterval = refreshInterval
        self.now = now
    }

    /// The mode that has the keys.
    public var mode: Mode { stack.last ?? .dashboard }

    /// The log tail on the stack, if open (it may be under an overlay).
    public var logView: LogViewState? {
        for case .logs(let view) in stack.reversed() { return view }
        return nil
    }

    /// The whole stack, dashboard first.
    public var modes: [Mode] { [.dashboard] + stack }

    /// A context name that looks like production must be impossible to miss.
    public var isProductionContext: Bool {
        let c = context.lowercased()
        return c.contains("prod") || c.contains("prd") || c.hasSuffix("-live")
    }

    /// Too small for anything: below 40×10 (from there to 80×22 the dashboard is a compact list).
    public var tooSmall: Bool { width < 40 || height < 10 }

    public mutating func nextGeneration() -> Int {
        generation += 1
        return generation
    }
}

// MARK: - AwaitedSync

/// A force-sync waiting for `status.refreshTime` to move.
public struct AwaitedSync: Sendable, Equatable {
    /// refreshTime when the annotation was written (nil: never synced).
    public var refreshTimeBefore: Double?
    public var annotatedAt: Double

    public init(refreshTimeBefore: Double?, annotatedAt: Double) {
        self.refreshTimeBefore = refreshTimeBefore
        self.annotatedAt = annotatedAt
    }
}

// MARK: - PendingIntent

/// What the operator asked for before there was data to act on.
public struct PendingIntent: Sendable, Equatable {
    public var intent: Intent
    /// The key as the help shows it, for the notice.
    public var label: String
    public var dangerous: Bool

    public init(intent: Intent, label: String, dangerous: Bool) {
        self.intent = intent
        self.label = label
        self.dangerous = dangerous
    }
}
