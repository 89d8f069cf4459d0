// MARK: - EnvDisplay

/// What a plan shows of a pod's env: every literal value is masked, in every container and
/// init container, except the few names that are settings and never credentials. A value
/// from a Secret (`valueFrom`) shows only the Secret's name and key, as Kubernetes has it.
public enum EnvDisplay {
    /// The env names whose literal values are shown (still through the redactor).
    public static let shownNames: Set<String> = [
        "TZ", "LANG", "LC_ALL", "HOME", "GOMAXPROCS", "GOGC",
        "RESTIC_PROGRESS_FPS", "RESTIC_REPOSITORY", "RESTIC_HOST", "RESTIC_CACHE_DIR", "RESTIC_COMPRESSION",
        "RESTIC_PACK_SIZE", "RESTIC_READ_CONCURRENCY", "AWS_DEFAULT_REGION", "AWS_REGION",
    ]

    /// `podSpec` (as `JSONSerialization` reads it) with the literal env values masked.
    public static func masked(podSpec: [String: Any]) -> [String: Any] {
        var spec = podSpec
        for key in ["initContainers", "containers", "ephemeralContainers"] {
            guard let containers = spec[key] as? [[String: Any]] else { continue }
            spec[key] = containers.map { container in
                var c = container
                if let env = c["env"] as? [[String: Any]] { c["env"] = env.map(masked(entry:)) }
                return c
            }
        }
        return spec
    }

    static func masked(entry: [String: Any]) -> [String: Any] {
        guard entry["value"] != nil, !shownNames.contains(entry["name"] as? String ?? "") else { return entry }
        var e = entry
        e["value"] = Redactor.mask
        return e
    }
}
