import Foundation
import Yams

// MARK: - ConfigReader

/// Walks the YAML tree, writing known keys into the config and refusing the rest.
struct ConfigReader {
    let file: String

    func fail(_ node: Node, _ key: String, _ reason: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, key: key, reason: reason)
    }

    func mapping(_ node: Node, _ path: String, allowed: [String]) throws(ConfigError) -> [(String, Node)] {
        guard case .mapping(let map) = node else { throw fail(node, path.isEmpty ? "(top level)" : path, "expected a mapping of keys") }
        var result: [(String, Node)] = []
        for (keyNode, value) in map {
            guard let key = keyNode.string else { throw fail(keyNode, path, "keys must be strings") }
            let full = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                throw fail(keyNode, full, "unknown key; expected one of: \(allowed.joined(separator: ", "))")
            }
            result.append((key, value))
        }
        return result
    }

    func string(_ node: Node, _ key: String, allowEmpty: Bool = false) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw fail(node, key, "expected a string") }
        let isNull = scalar.style == .plain && ["~", "null", "Null", "NULL"].contains(scalar.string)
        let value = isNull ? "" : scalar.string
        if value.isEmpty && !allowEmpty { throw fail(node, key, "must not be empty") }
        return value
    }

    func name(_ node: Node, _ key: String, allowEmpty: Bool = false) throws(ConfigError) -> String {
        let value = try string(node, key, allowEmpty: allowEmpty)
        if value.isEmpty { return value }
        let allowed = value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." }
        let edges = [value.unicodeScalars.first, value.unicodeScalars.last].allSatisfy { s in s.map { $0 != "-" && $0 != "." } ?? false }
        guard allowed, edges, value.count <= 253 else {
            throw fail(node, key, "\"\(value)\" is not a valid Kubernetes name (lower-case letters, digits, '-' and '.')")
        }
        return value
    }

    func number(_ node: Node, _ key: String, range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init) else {
            throw fail(node, key, "expected a number, got \"\(node.string ?? "a collection")\"")
        }
        guard range.contains(value) else {
            throw fail(node, key, "\(value.formatted) is out of range \(range.lowerBound.formatted)…\(range.upperBound.formatted)")
        }
        return value
    }

    func list(_ node: Node, _ key: String, item: (Node, String) throws(ConfigError) -> String) throws(ConfigError) -> [String] {
        guard case .sequence(let seq) = node else { throw fail(node, key, "expected a list") }
        var out: [String] = []
        for (index, element) in seq.enumerated() { out.append(try item(element, "\(key)[\(index)]")) }
        return out
    }

    func labels(_ node: Node, _ key: String) throws(ConfigError) -> [String: String] {
        guard case .mapping(let map) = node else { throw fail(node, key, "expected a mapping of label keys to values") }
        var out: [String: String] = [:]
        for (k, v) in map {
            guard let labelKey = k.string, !labelKey.isEmpty else { throw fail(k, key, "label keys must be non-empty strings") }
            out[labelKey] = try string(v, "\(key).\(labelKey)", allowEmpty: true)
        }
        return out
    }

    func egress(_ node: Node, _ key: String) throws(ConfigError) -> String {
        let value = try string(node, key)
        let parts = value.split(separator: "/")
        guard parts.count == 2, let port = Int(parts[0]), (1...65535).contains(port), ["TCP", "UDP", "SCTP"].contains(parts[1].uppercased()) else {
            throw fail(node, key, "\"\(value)\" is not PORT/PROTOCOL, e.g. 5432/TCP")
        }
        return "\(port)/\(parts[1].uppercased())"
    }

    mutating func apply(_ root: Node, to config: inout PaperConfig) throws(ConfigError) {
        let top = ["namespace", "timeoutSeconds", "refreshSeconds", "readOnly", "app", "redis", "database", "fileBackup", "externalSecrets", "storage", "network", "thresholds"]
        for (key, value) in try mapping(root, "", allowed: top) {
            switch key {
            case "namespace": config.namespace = try name(value, key)
            case "timeoutSeconds": config.timeoutSeconds = try number(value, key, range: 1...600)
            case "refreshSeconds": config.refreshSeconds = try number(value, key, range: 1...3600)
            case "readOnly":
                guard case .scalar = value, let b = value.bool else { throw fail(value, key, "expected true or false") }
                config.readOnly = b
            case "app":
                for (k, v) in try mapping(value, key, allowed: ["deployment", "container", "sidecars"]) {
                    switch k {
                    case "deployment": config.app.deployment = try name(v, "app.deployment")
                    case "container": config.app.container = try name(v, "app.container")
                    default: config.app.sidecars = try list(v, "app.sidecars") { n, p throws(ConfigError) in try name(n, p) }
                    }
                }
            case "redis":
                for (_, v) in try mapping(value, key, allowed: ["deployment"]) { config.redis.deployment = try name(v, "redis.deployment") }
            case "database":
                for (k, v) in try mapping(value, key, allowed: ["cluster", "scheduledBackup", "objectStore"]) {
                    switch k {
                    case "cluster": config.database.cluster = try name(v, "database.cluster")
                    case "scheduledBackup": config.database.scheduledBackup = try name(v, "database.scheduledBackup", allowEmpty: true)
                    default: config.database.objectStore = try name(v, "database.objectStore", allowEmpty: true)
                    }
                }
            case "fileBackup":
                for (k, v) in try mapping(value, key, allowed: ["cronJob", "jobLabels"]) {
                    if k == "cronJob" { config.fileBackup.cronJob = try name(v, "fileBackup.cronJob") } else { config.fileBackup.jobLabels = try labels(v, "fileBackup.jobLabels") }
                }
            case "externalSecrets":
                config.externalSecrets = try list(value, key) { n, p throws(ConfigError) in try name(n, p) }
            case "storage":
                for (k, v) in try mapping(value, key, allowed: ["dataPVC", "databasePVCs"]) {
                    if k == "dataPVC" { config.storage.dataPVC = try name(v, "storage.dataPVC", allowEmpty: true) } else {
                        config.storage.databasePVCs = try list(v, "storage.databasePVCs") { n, p throws(ConfigError) in try name(n, p) }
                    }
                }
            case "network":
                for (k, v) in try mapping(value, key, allowed: ["appEgress", "backupEgress"]) {
                    let entries = try list(v, "network.\(k)") { n, p throws(ConfigError) in try egress(n, p) }
                    if k == "appEgress" { config.network.appEgress = entries } else { config.network.backupEgress = entries }
                }
            case "thresholds":
                try applyThresholds(value, to: &config.thresholds)
            default:
                break
            }
        }
        if config.thresholds.storageWarnPercent >= config.thresholds.storageCriticalPercent {
            throw ConfigError(file: file, key: "thresholds.storageWarnPercent", reason: "must be below storageCriticalPercent (\(config.thresholds.storageCriticalPercent.formatted))")
        }
    }

    func applyThresholds(_ node: Node, to t: inout PaperConfig.Thresholds) throws(ConfigError) {
        let keys = ["storageWarnPercent", "storageCriticalPercent", "backupGraceMinutes", "backupQueueBlockedMinutes", "restartWindowMinutes", "logWindowMinutes", "secretRefreshFactor"]
        for (k, v) in try mapping(node, "thresholds", allowed: keys) {
            let key = "thresholds.\(k)"
            switch k {
            case "storageWarnPercent": t.storageWarnPercent = try number(v, key, range: 1...100)
            case "storageCriticalPercent": t.storageCriticalPercent = try number(v, key, range: 1...100)
            case "backupGraceMinutes": t.backupGraceMinutes = try number(v, key, range: 0...10_080)
            case "backupQueueBlockedMinutes": t.backupQueueBlockedMinutes = try number(v, key, range: 1...10_080)
            case "restartWindowMinutes": t.restartWindowMinutes = try number(v, key, range: 1...10_080)
            case "logWindowMinutes": t.logWindowMinutes = try number(v, key, range: 1...1440)
            default: t.secretRefreshFactor = try number(v, key, range: 1...100)
            }
        }
    }
}

extension Double {
    /// `80` → "80", `0.5` → "0.5".
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
