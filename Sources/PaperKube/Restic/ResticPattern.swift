// MARK: - ResticPattern

/// restic's include and exclude values are patterns: each path part is matched with Go's
/// `filepath.Match` (internal/filter/filter.go, unchanged from 0.14 to 0.18), where `*`, `?`,
/// `[` and `]` are pattern characters and a backslash escapes the next character.
public enum ResticPattern {
    /// `path` as a pattern that matches only itself (`invoice[1].pdf` → `invoice\[1\].pdf`).
    public static func literal(_ path: String) -> String {
        var out = ""
        for c in path {
            if c == "*" || c == "?" || c == "[" || c == "]" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
