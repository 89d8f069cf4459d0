import PaperKube

// MARK: - SimCommand

/// One command of a container's script as the simulator runs it: never through a shell.
enum SimCommand: Sendable, Equatable {
    /// `restic ARGS…`: the local restic with exactly these arguments.
    case restic([String])
    /// `mkdir -p DIR`, done with FileManager.
    case mkdir(String)
    /// The drill's closing `printf 'paperctl-drill: files=%s bytes=%s\n' "$(find DIR …)" "$(du -sb DIR …)"`, measured in Swift.
    case drillSummary(String)
    /// The file listing's closing `printf 'paperctl-live: %s\n' DIR && { find DIR -mindepth 1 -maxdepth 1 || printf 'paperctl-live-missing\n'; }`,
    /// listed in Swift: `directory` is read, `shown` is printed (the path as the container names it).
    case liveListing(directory: String, shown: String)

    /// The same command with `map` applied to each word that may be a path.
    func mappingPaths(_ map: (String) -> String) -> SimCommand {
        switch self {
        case .restic(let words): .restic(words.map(map))
        case .mkdir(let dir): .mkdir(map(dir))
        case .drillSummary(let dir): .drillSummary(map(dir))
        case .liveListing(let dir, let shown): .liveListing(directory: map(dir), shown: shown)
        }
    }
}

// MARK: - SimScript

/// Reads the scripts paperctl and the CronJob give `/bin/sh -c` without a shell: commands joined
/// by `&&`, each word plain (`A-Za-z0-9-_./,=:@%+`), single-quoted, or a backslash-escaped
/// character (how a single quote is written inside single quotes). Anything else, including
/// `$`, backticks, double quotes, `;`, `|`, redirections and globs, is refused.
enum SimScript {
    struct Refusal: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    static let shells: Set<String> = ["/bin/sh", "sh", "/bin/bash", "bash", "/bin/ash", "ash", "/bin/dash", "dash"]

    /// The commands of a container's `command` + `args`: `sh -c SCRIPT` parsed, or an exec-form argv.
    static func commands(of words: [String]) throws(Refusal) -> [SimCommand] {
        guard let first = words.first else { return [.restic(["version"])] }
        if shells.contains(first) {
            guard words.count >= 3, words[1] == "-c" else { throw Refusal(description: "a shell without `-c SCRIPT` is not run") }
            return try script(words[2])
        }
        return [try command(words)]
    }

    static let drillMarker = " && printf 'paperctl-drill: files=%s bytes=%s\\n' "
    static let liveMarker = " && printf 'paperctl-live: %s\\n' "

    /// The commands of one script.
    static func script(_ text: String) throws(Refusal) -> [SimCommand] {
        var body = Substring(text)
        var tail: SimCommand?
        if let marker = text.range(of: drillMarker) {
            body = text[..<marker.lowerBound]
            tail = .drillSummary(try drillDirectory(String(text[marker.upperBound...])))
        } else if let marker = text.range(of: liveMarker) {
            body = text[..<marker.lowerBound]
            let dir = try liveDirectory(String(text[marker.upperBound...]))
            tail = .liveListing(directory: dir, shown: dir)
        }
        var out = try segments(String(body)).map { words throws(Refusal) in try command(words) }
        if let tail { out.append(tail) }
        return out
    }

    /// `"$(find Q -type f | wc -l)" "$(du -sb Q | cut -f1)"` with the same quoted directory Q twice.
    static func drillDirectory(_ tail: String) throws(Refusal) -> String {
        let refusal = Refusal(description: "the drill's summary is not in the form paperctl writes")
        let open = "\"$(find ", middle = " -type f | wc -l)\" \"$(du -sb ", close = " | cut -f1)\""
        guard tail.hasPrefix(open), tail.hasSuffix(close), let split = tail.range(of: middle) else { throw refusal }
        let first = String(tail[tail.index(tail.startIndex, offsetBy: open.count)..<split.lowerBound])
        let second = String(tail[split.upperBound..<tail.index(tail.endIndex, offsetBy: -close.count)])
        guard first == second, let words = try? segments(first), words.count == 1, words[0].count == 1 else { throw refusal }
        return words[0][0]
    }

    /// `Q && { find Q -mindepth 1 -maxdepth 1 || printf 'paperctl-live-missing\n'; }` with the same quoted directory Q twice.
    static func liveDirectory(_ tail: String) throws(Refusal) -> String {
        let refusal = Refusal(description: "the live listing is not in the form paperctl writes")
        let middle = " && { find ", close = " -mindepth 1 -maxdepth 1 || printf 'paperctl-live-missing\\n'; }"
        guard tail.hasSuffix(close), let split = tail.range(of: middle) else { throw refusal }
        let first = String(tail[..<split.lowerBound])
        let second = String(tail[split.upperBound..<tail.index(tail.endIndex, offsetBy: -close.count)])
        guard first == second, let words = try? segments(first), words.count == 1, words[0].count == 1 else { throw refusal }
        return words[0][0]
    }

    /// One command's words, by its program.
    static func command(_ words: [String]) throws(Refusal) -> SimCommand {
        guard let program = words.first else { throw Refusal(description: "an empty command is not run") }
        if program == "restic" || program.hasSuffix("/restic") { return .restic(Array(words.dropFirst())) }
        if words.count == 3, program == "mkdir", words[1] == "-p" { return .mkdir(words[2]) }
        throw Refusal(description: "only restic runs in the simulator, not `\(words.joined(separator: " "))`")
    }

    /// The words of each `&&`-joined command.
    static func segments(_ text: String) throws(Refusal) -> [[String]] {
        let scalars = Array(text.unicodeScalars)
        var segments: [[String]] = [[]]
        var word = String.UnicodeScalarView()
        var inWord = false
        func endWord() {
            if inWord { segments[segments.count - 1].append(String(word)) }
            word = String.UnicodeScalarView()
            inWord = false
        }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case " ", "\t":
                endWord()
            case "&":
                guard i + 1 < scalars.count, scalars[i + 1] == "&" else { throw Refusal(description: "`&` (a background job) is not run") }
                endWord()
                guard segments.last?.isEmpty == false else { throw Refusal(description: "`&&` without a command before it") }
                segments.append([])
                i += 1
            case "'":
                guard let close = scalars[(i + 1)...].firstIndex(of: "'") else { throw Refusal(description: "an unterminated single quote") }
                word.append(contentsOf: scalars[(i + 1)..<close])
                inWord = true
                i = close
            case "\\":
                guard i + 1 < scalars.count, scalars[i + 1] != "\n" else { throw Refusal(description: "a trailing backslash") }
                word.append(scalars[i + 1])
                inWord = true
                i += 1
            default:
                guard plain(c) else { throw Refusal(description: "the script has `\(c.escaped(asASCII: true))` outside single quotes, which only a shell would read") }
                word.append(c)
                inWord = true
            }
            i += 1
        }
        endWord()
        guard segments.allSatisfy({ !$0.isEmpty }) else { throw Refusal(description: "an empty command (`&&` at the end)") }
        return segments
    }

    static func plain(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ",", "=", ":", "@", "%", "+": true
        default: false
        }
    }
}
