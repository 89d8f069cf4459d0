import Foundation
import Yams
// MARK: - ConfigLoader

/// Reads `PaperConfig` from YAML, refusing anything it does not understand.
///
/// The file is `--config PATH` when given, else `$XDG_CONFIG_HOME/paperctl/config.yaml`
/// (`~/.config/…` without XDG). A missing default file means the defaults; a missing explicit
/// file is an error. Unknown keys, wrong types, out-of-range values and bad YAML are refused
/// with the file, line, key and reason, because a typo silently ignored would make a check
/// look at the wrong object.
public enum ConfigLoader {
    /// The default path: `$XDG_CONFIG_HOME/paperctl/config.yaml`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return "\(xdg)/paperctl/config.yaml" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return "\(home)/.config/paperctl/config.yaml"
    }

    /// Loads the explicit file, or the default file if it exists, or the defaults.
    public static func load(explicitPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> PaperConfig {
        let path = explicitPath ?? defaultPath(environment: environment)
        guard FileManager.default.fileExists(atPath: path) else {
            if explicitPath != nil { throw ConfigError(file: path, reason: "file not found") }
            return PaperConfig()
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, reason: "cannot read file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, reason: "not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses YAML text on top of the defaults.
    public static func parse(_ yaml: String, file: String = "config.yaml") throws(ConfigError) -> PaperConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(file: file, line: line(of: error, in: yaml), reason: "invalid YAML: \(problem(of: error))")
        } catch {
            throw ConfigError(file: file, reason: "invalid YAML: \(error)")
        }
        var config = PaperConfig()
        guard let root else { return config }
        var reader = ConfigReader(file: file)
        try reader.apply(root, to: &config)
        return config
    }

    /// The line (1-based, as an editor numbers it) of the mistake. libyaml reports where it gave
    /// up, which is often the next line or the end of the file: for a key without its colon or a
    /// quote never closed, the scanner's context ("while scanning a simple key / a quoted scalar")
    /// marks the token at fault; any other problem found on a blank line or past the end belongs
    /// to the last line with content before it.
    static func line(of error: YamlError, in yaml: String) -> Int? {
        switch error {
        case .scanner(let context?, _, _, _) where context.text.contains("simple key") || context.text.contains("quoted scalar"):
            return context.mark.line
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            let empty = { (n: Int) in
                n > lines.count || lines[n - 1].allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" } || lines[n - 1].drop { $0 == " " }.hasPrefix("#")
            }
            var line = mark.line
            while line > 1, empty(line) { line -= 1 }
            return line
        default:
            return nil
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable"
        }
    }
}
