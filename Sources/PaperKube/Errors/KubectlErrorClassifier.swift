import Foundation

// MARK: - KubectlErrorClassifier

/// Turns kubectl's stderr text and exit status into typed errors.
///
/// kubectl reports each failing resource type on its own line, so a multi-type `get` can
/// partly succeed: `errors(inStderr:)` returns one error per meaningful line, and
/// `classify(stderr:exitStatus:)` picks the one that best explains the whole failure.
public enum KubectlErrorClassifier {
    /// The single most telling error for a failed call.
    public static func classify(stderr: String, exitStatus: Int32) -> KubectlError {
        let found = errors(inStderr: stderr)
        if let best = found.min(by: { rank($0) < rank($1) }) {
            if case .failed(_, let text) = best { return .failed(exitStatus: exitStatus, stderr: text) }
            return best
        }
        return .failed(exitStatus: exitStatus, stderr: firstMeaningfulLine(stderr) ?? "")
    }

    /// Every classifiable error line in `stderr`, in order, ignoring warnings and blank lines.
    public static func errors(inStderr stderr: String) -> [KubectlError] {
        var result: [KubectlError] = []
        for rawLine in stderr.split(whereSeparator: \.isNewline) {
            let line = stripKlogPrefix(String(rawLine)).trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("Warning:") else { continue }
            if let error = classify(line: line), !result.contains(error) { result.append(error) }
        }
        return result
    }

    // MARK: - One line

    static func classify(line: String) -> KubectlError? {
        let lower = line.lowercased()
        if let type = quoted(after: "doesn't have a resource type ", in: line) {
            return .resourceTypeNotServed(resource: type)
        }
        if lower.contains("(forbidden)") || lower.contains(" is forbidden: ") {
            if let (verb, resource) = forbiddenVerbAndResource(line) {
                return .forbidden(verb: verb, resource: resource, detail: stripErrorPrefix(line))
            }
            return .forbidden(verb: "access", resource: "unknown resource", detail: stripErrorPrefix(line))
        }
        if lower.contains("(unauthorized)") || lower.contains("must be logged in")
            || lower.contains("provide credentials") || lower.contains("getting credentials")
            || lower.contains("token has expired") || lower.contains("refresh token")
        {
            return .unauthorized(detail: stripErrorPrefix(line))
        }
        if lower.contains("error from server (timeout)") || lower.contains("context deadline exceeded")
            || lower.contains("client.timeout exceeded") || lower.contains("request canceled")
        {
            return .timeout(seconds: 0)
        }
        if lower.contains("connection refused") || lower.contains("unable to connect to the server")
            || lower.contains("was refused") || lower.contains("did you specify the right host")
            || lower.contains("no such host") || lower.contains("no route to host")
            || lower.contains("network is unreachable") || lower.contains("i/o timeout")
            || lower.contains("tls handshake") || lower.contains("x509:")
            || lower.contains("couldn't get current server api group list")
            || lower.contains("connection reset by peer")
        {
            return .unreachable(detail: stripErrorPrefix(line))
        }
        if lower.contains("(notfound)") || lower.hasSuffix(" not found") {
            return .notFound(detail: stripErrorPrefix(line))
        }
        if lower.hasPrefix("error") {
            return .failed(exitStatus: 1, stderr: line)
        }
        return nil
    }

    /// Smaller is more fundamental: a dead cluster explains a forbidden list, not the reverse.
    static func rank(_ error: KubectlError) -> Int {
        switch error {
        case .notInstalled: 0
        case .unreachable: 1
        case .unauthorized: 2
        case .timeout: 3
        case .resourceTypeNotServed: 4
        case .forbidden: 5
        case .notFound: 6
        case .unparseableOutput: 7
        case .failed: 8
        }
    }

    // MARK: - Text helpers

    /// `cannot list resource "backups" in API group "postgresql.cnpg.io"` → (`list`, `backups.postgresql.cnpg.io`).
    static func forbiddenVerbAndResource(_ line: String) -> (String, String)? {
        guard let cannot = line.range(of: " cannot ") else { return nil }
        let rest = line[cannot.upperBound...]
        guard let space = rest.firstIndex(of: " ") else { return nil }
        let verb = String(rest[rest.startIndex..<space])
        guard let resource = quoted(after: "resource ", in: String(rest)) else { return nil }
        let group = quoted(after: "API group ", in: String(rest)) ?? ""
        return (verb, group.isEmpty ? resource : "\(resource).\(group)")
    }

    static func quoted(after marker: String, in text: String) -> String? {
        guard let start = text.range(of: marker + "\"") else { return nil }
        let rest = text[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[rest.startIndex..<end])
    }

    static func stripErrorPrefix(_ line: String) -> String {
        var text = Substring(line)
        if text.hasPrefix("error: ") { text = text.dropFirst(7) }
        if text.hasPrefix("Error from server ("), let close = text.range(of: "): ") {
            text = text[close.upperBound...]
        }
        return String(text)
    }

    /// Removes a klog header such as `E0220 08:59:40.764303      19 memcache.go:265] `.
    static func stripKlogPrefix(_ line: String) -> String {
        let chars = Array(line.utf8.prefix(6))
        guard chars.count == 6, [UInt8(ascii: "I"), UInt8(ascii: "W"), UInt8(ascii: "E"), UInt8(ascii: "F")].contains(chars[0]),
            chars[1...4].allSatisfy({ $0 >= 48 && $0 <= 57 }), chars[5] == UInt8(ascii: " "),
            let close = line.range(of: "] ")
        else { return line }
        var rest = String(line[close.upperBound...])
        // klog wraps the message in "Unhandled Error" err="…"
        if let errStart = rest.range(of: "err=\"") {
            rest = String(rest[errStart.upperBound...])
            if rest.hasSuffix("\"") { rest.removeLast() }
            rest = rest.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return rest
    }

    static func firstMeaningfulLine(_ stderr: String) -> String? {
        stderr.split(whereSeparator: \.isNewline)
            .map { stripKlogPrefix(String($0)).trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("Warning:") }
    }
}
