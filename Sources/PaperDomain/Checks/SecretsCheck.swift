import Foundation
import PaperKube

// MARK: - SecretsCheck

/// `secrets`: each ExternalSecret is `Ready=True` and refreshed within `secretRefreshFactor`
/// (2) times its refresh interval, and its SecretStore/ClusterSecretStore is Ready. Only sync
/// state is read; secret values never are.
public struct SecretsCheck: HealthCheck {
    public let id = CheckID.secrets
    public init() {}

    public func evaluate(_ ctx: CheckContext) -> CheckResult {
        let snapshot = ctx.snapshot
        let listCommand = ctx.kubectl("get", "externalsecret")
        if let error = snapshot.whyUnreadable(.externalSecret) {
            if case .resourceTypeNotServed = error {
                return CheckResult(id: id, verdict: .unknown, reason: "ExternalSecret type not served: External Secrets Operator CRDs are not installed",
                                   hint: CheckContext.hint(for: error), command: listCommand)
            }
            return ctx.unknown(id, "ExternalSecrets", error, command: listCommand)
        }
        var f = Findings()
        let wanted = ctx.config.externalSecrets.isEmpty ? snapshot.externalSecrets.map(\.metadata.name).sorted() : ctx.config.externalSecrets
        if wanted.isEmpty {
            return CheckResult(id: id, verdict: .warn, reason: "no ExternalSecrets in namespace \(ctx.namespace)", command: listCommand)
        }
        var readyCount = 0
        for name in wanted {
            let describe = ctx.kubectl("describe", "externalsecret", name)
            guard let es = snapshot.externalSecrets.first(where: { $0.metadata.name == name }) else {
                f.raise(.critical, "ExternalSecret \(name) not found", hint: "check the Helm chart and ArgoCD sync", command: listCommand)
                continue
            }
            let ready = es.conditions[type: "Ready"]
            let refreshed = es.refreshTime.map { "refreshed \(ctx.age($0)) ago" } ?? "never refreshed"
            // "NAME (…)" rather than "NAME: …": a name like paperless-ngx-secret-key followed by
            // a colon reads as a credential field to the redactor.
            f.note("\(name) (Ready=\(ready?.status ?? "-") \(ready?.reason ?? "-")), \(refreshed), interval \(es.refreshIntervalText ?? "?"), store \(es.storeKind ?? "?")/\(es.storeName ?? "?")")
            switch ready?.status {
            case "True":
                readyCount += 1
            case "False":
                // ESO's condition message is often generic ("could not get secret data from provider");
                // the newest UpdateFailed event on the ExternalSecret says what the provider answered.
                let failure = snapshot.events
                    .filter { $0.involvedKind == "ExternalSecret" && $0.involvedName == name && $0.reason == "UpdateFailed" && $0.message?.isEmpty == false }
                    .max { ($0.lastSeen ?? 0) < ($1.lastSeen ?? 0) }
                if let failure, let message = failure.message {
                    let seen = "×\(failure.count)" + (failure.lastSeen.map { ", newest \(ctx.age($0)) ago" } ?? "")
                    let cause = Self.providerCause(message, source: "event UpdateFailed on ExternalSecret \(name) (\(seen))", forceSync: Self.forceSyncCommand(ctx, name))
                    if f.cause == nil { f.cause = cause }
                    f.note("\(name) condition message: \(ready?.message ?? "no message")")
                    f.raise(.critical, "\(name) not synced (\(ready?.reason ?? "no reason")): \(message)", hint: cause.nextStep, command: describe)
                } else {
                    f.raise(.critical, "\(name) not synced (\(ready?.reason ?? "no reason")): \(ready?.message ?? "no message")",
                            hint: "describe it for the provider error (1Password item or field missing, token, rate limit); force a sync once fixed", command: describe)
                }
            default:
                f.raise(.warn, "\(name) has no Ready condition yet", command: describe)
            }
            let factor = ctx.config.thresholds.secretRefreshFactor
            let periodic = es.refreshPolicy == nil || es.refreshPolicy == "Periodic"
            if periodic, let interval = es.refreshIntervalSeconds, interval > 0 {
                if let time = es.refreshTime {
                    if ctx.now - time > factor * interval {
                        f.raise(.warn, "\(name) last refreshed \(ctx.age(time)) ago, more than \(factor.formatted)× its \(es.refreshIntervalText ?? "") interval",
                                hint: "ESO may be failing or rate-limited; force a sync",
                                command: Self.forceSyncCommand(ctx, name))
                    }
                } else if ready?.status == "True" {
                    f.raise(.warn, "\(name) reports no refreshTime", command: describe)
                }
            }
            // The store behind it.
            if let storeName = es.storeName {
                let storeKind: ResourceKind = es.storeKind == "ClusterSecretStore" ? .clusterSecretStore : .secretStore
                if let error = snapshot.whyUnreadable(storeKind) {
                    f.raise(.unknown, "\(storeKind.kind) \(storeName) unreadable: \(error.description)", hint: CheckContext.hint(for: error))
                } else if let store = snapshot.secretStores.first(where: { $0.metadata.name == storeName && $0.kind == storeKind.kind }) {
                    if let storeReady = store.conditions[type: "Ready"], storeReady.isFalse {
                        f.raise(.critical, "\(store.kind) \(storeName) not Ready (\(storeReady.reason ?? "no reason")): \(storeReady.message ?? "no message")",
                                hint: "the provider credentials (1Password token) are invalid or expired", command: ctx.kubectl("describe", store.kind.lowercased(), storeName))
                    } else if store.conditions[type: "Ready"] == nil {
                        f.raise(.unknown, "\(store.kind) \(storeName) reports no Ready condition: the External Secrets controller may not have validated it",
                                hint: "check that the external-secrets controller is running", command: ctx.kubectl("describe", store.kind.lowercased(), storeName))
                    } else if let storeReady = store.conditions[type: "Ready"], !storeReady.isTrue {
                        f.raise(.unknown, "\(store.kind) \(storeName) Ready is \(storeReady.status): \(storeReady.message ?? "no message")",
                                command: ctx.kubectl("describe", store.kind.lowercased(), storeName))
                    }
                } else {
                    f.raise(.critical, "\(storeKind.kind) \(storeName) used by \(name) does not exist", command: ctx.kubectl("get", storeKind.resource))
                }
            }
        }
        // Deduplicate store problems reported once per ExternalSecret.
        var seen = Set<String>()
        f.problems = f.problems.filter { seen.insert($0.text).inserted }
        return f.result(id, ok: "\(readyCount)/\(wanted.count) ExternalSecrets synced and fresh, stores Ready", command: listCommand)
    }

    /// `kubectl annotate externalsecret NAME force-sync=$(date +%s) --overwrite`, the substitution left for the shell.
    static func forceSyncCommand(_ ctx: CheckContext, _ name: String) -> String {
        ctx.kubectl("annotate", "externalsecret", name, "force-sync=$(date +%s)", "--overwrite").replacingOccurrences(of: "'force-sync=$(date +%s)'", with: "force-sync=$(date +%s)")
    }

    /// What the provider's answer in an UpdateFailed event means, and the next step.
    static func providerCause(_ message: String, source: String, forceSync: String) -> CheckResult.Cause {
        let m = message.lowercased()
        let (kind, next): (String, String)
        if m.contains("does not exist") || m.contains("not found") || m.contains("no item") {
            (kind, next) = ("item missing in the provider", "the key the event names is not in the store's vault: create the item (or field), or fix spec.data[].remoteRef.key/property, then force a sync: \(forceSync)")
        } else if m.contains("rate limit") || m.contains("too many requests") {
            (kind, next) = ("provider rate limit", "the provider throttles the store's token: wait, lengthen refreshInterval or enable the store's cache, then force a sync: \(forceSync)")
        } else if ["403", "unauthorized", "forbidden", "does not have access", "invalid token", "expired"].contains(where: m.contains) {
            (kind, next) = ("provider refused the store's credentials", "the store's token cannot read that vault: check the SecretStore/ClusterSecretStore credentials and the token's vault access, then force a sync: \(forceSync)")
        } else if m.contains("already exists") || m.contains("owned by another") || m.contains("immutable") {
            (kind, next) = ("target Secret conflict", "the target Secret exists and is not this ExternalSecret's to write: check spec.target (creationPolicy, name) and the Secret's owner")
        } else {
            (kind, next) = ("provider error", "fix what the provider answered, then force a sync: \(forceSync)")
        }
        return CheckResult.Cause(kind: kind, evidence: message, nextStep: next, source: source)
    }
}
