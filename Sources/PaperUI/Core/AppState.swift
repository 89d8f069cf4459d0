import PaperDomain

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
    /// Object rows shown under a panel's checks (recent Backups, recent restic Jobs).
    public var facts: [PanelID: [PanelRow]]

    /// What the action keys need (active Jobs, blocking Backups, backup method…).
    public var actions: ActionContext?
    /// Containers the log tail can follow, app container first.
    public var logSources: [LogSource]

    public init(checks: [CheckResult], takenAt: Double, facts: [PanelID: [PanelRow]] = [:], actions: ActionContext? = nil, logSources: [LogSource] = []) {
        self.checks = checks
        self.takenAt = takenAt
        self.facts = facts
        self.actions = actions
        self.logSources = logSources
    }

    public var overall: Verdict { Verdict.overall(checks.map(\.verdict)) }

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

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
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

// MARK: - Mode

public enum Mode: Sendable, Equatable {
    case dashboard
    case detail(PanelID)
    case help
    case filter(PanelID)
    /// A dialog showing the exact command; `y` runs it, Esc/n cancels.
    case confirm(ActionPlan)
    /// A dialog explaining why an action key runs nothing (read-only, already running, rate limit).
    case refused(title: String, reason: String)
    case commandLog
    case journal([String])
    /// The full-screen log tail (its state is `AppState.logView`).
    case logs
}

// MARK: - AppState

/// Everything the screen shows; changed only by `update`.
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
    public var focus: PanelID = .pods
    public var selected: [PanelID: Int] = [:]
    public var scroll: [PanelID: Int] = [:]
    public var filters: [PanelID: String] = [:]
    public var filterDraft = ""
    public var detailScroll = 0
    public var mode: Mode = .dashboard
    public var themeIndex = 0
    public var themeCount = 1
    public var now: Double
    public var quitting = false
    public var unicode = true
    /// Every action key explains itself and runs nothing.
    public var readOnly = false
    /// Recent kubectl runs (bounded), newest last.
    public var commandLog: [CommandRecord] = []
    public var commandLogScroll = 0
    /// Short messages for the operator (action results, finished backups), newest last.
    public var notices: [String] = []
    /// Objects created by our actions, watched until they finish: name -> kind.
    public var tracked: [String: ActionPlan.Kind] = [:]
    public var lastForceSync: [String: Double] = [:]
    /// Force-synced secrets waiting for their refreshTime to move: name -> refreshTime before.
    public var awaitingSync: [String: Double] = [:]
    /// An action is being run; a second confirmation is impossible until it returns.
    public var actionInFlight = false
    public static let commandLogLimit = 500
    public var logView: LogViewState?
    public var logCapacity = 100_000

    public init(width: Int, height: Int, context: String, namespace: String, refreshInterval: Double = 5, now: Double) {
        self.width = width
        self.height = height
        self.context = context
        self.namespace = namespace
        self.refreshInterval = refreshInterval
        self.now = now
    }

    /// A context name that looks like production must be impossible to miss.
    public var isProductionContext: Bool {
        let c = context.lowercased()
        return c.contains("prod") || c.contains("prd") || c.hasSuffix("-live")
    }

    public var tooSmall: Bool { width < 80 || height < 24 }
}
