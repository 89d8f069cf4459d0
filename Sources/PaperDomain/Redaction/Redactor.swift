import Foundation

// MARK: - Redactor

/// Removes credentials from text before it is printed: URL userinfo, `password=…`-style
/// pairs, Authorization headers, bearer tokens, JWTs and AWS access key ids.
///
/// `redis://:s3cret@paperless-ngx-redis:6379` becomes `redis://:***@paperless-ngx-redis:6379`.
/// Every reason, evidence line and log excerpt goes through `redact` before output.
public enum Redactor {
    /// The mask that replaces a secret.
    public static let mask = "***"

    private struct Rule: @unchecked Sendable {
        let regex: NSRegularExpression
        let template: String
    }

    private static let rules: [Rule] = {
        let specs: [(String, String)] = [
            // scheme://user:password@host → scheme://user:***@host
            (#"([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/@:'"]*):([^\s/@'"]+)@"#, "$1$2:***@"),
            // scheme://token@host → scheme://***@host
            (#"([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/@:'"*]+)@"#, "$1***@"),
            // Authorization: Bearer xyz / Basic xyz / token
            (#"(?i)(authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token|digest)?\s*)[^\s"',;]+"#, "$1***"),
            // a bare bearer token
            (#"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=\-]{8,}"#, "$1 ***"),
            // key=value where the key names a secret
            (#"(?i)([A-Za-z0-9_.\-]*(?:pass|pwd|secret|token|api[_\-]?key|access[_\-]?key|credential)[A-Za-z0-9_.\-]*["']?[ \t]*=[ \t]*["']?)(?!\*\*\*)(?![{\[])([^\s"',;&]+)"#, "$1***"),
            // key: value / "key": "value"; a plural key ("ExternalSecrets: …") is prose, not a field
            (#"(?i)([A-Za-z0-9_.\-]*(?:pass|pwd|secret|token|api[_\-]?key|access[_\-]?key|credential)[A-Za-z0-9_.\-]*(?<![sS])(?<!ed)["']?[ \t]*:[ \t]*["']?)(?!\*\*\*)(?![{\[])([^\s"',;&]+)"#, "$1***"),
            // a command-line flag that takes a secret as its next word: kubectl --token X, --password X
            (#"(?i)(--(?:token|password|[a-z\-]*secret[a-z\-]*)\s+)(?!\*\*\*)([^\s"']+)"#, "$1***"),
            // JSON web tokens
            (#"eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}"#, "***"),
            // AWS access key ids
            (#"\b(AKIA|ASIA)[A-Z0-9]{16}\b"#, "$1***"),
        ]
        return specs.compactMap { pattern, template in
            (try? NSRegularExpression(pattern: pattern)).map { Rule(regex: $0, template: template) }
        }
    }()

    /// `text` with every recognised credential masked.
    public static func redact(_ text: String) -> String {
        guard mightContainSecret(text) else { return text }
        var result = text
        for rule in rules {
            let range = NSRange(result.startIndex..<result.endIndex, in: result)
            result = rule.regex.stringByReplacingMatches(in: result, range: range, withTemplate: rule.template)
        }
        return result
    }

    /// A cheap pre-filter so ordinary lines skip the regular expressions.
    static func mightContainSecret(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("@") || lower.contains("pass") || lower.contains("pwd") || lower.contains("secret")
            || lower.contains("token") || lower.contains("key") || lower.contains("authorization") || lower.contains("bearer")
            || lower.contains("credential") || lower.contains("eyj") || lower.contains("akia") || lower.contains("asia")
    }
}
