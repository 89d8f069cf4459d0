import Foundation
import PaperKube
import Subprocess
import Synchronization

// MARK: - ResticJobRunner

/// Runs restic-image Jobs with the real `restic` binary instead of the timer simulation.
///
/// The pod's first restic container runs as its command and args say (`/bin/sh -c "restic
/// backup /data … && restic forget …"`), with its env resolved the way the kubelet does it (plain
/// values, and `secretKeyRef` read from the simulated Secrets). Two things are mapped to the
/// local machine:
///
/// - `RESTIC_REPOSITORY` points at `<stateDirectory>/restic-repo`, created with `restic init`
///   and the resolved `RESTIC_PASSWORD` on first use;
/// - each volume mount backed by a PVC (`/data` from `paperless-ngx-data`) becomes
///   `<stateDirectory>/pvc-<claim>`, seeded with a small Paperless-ngx media and data tree; the
///   mount path is rewritten in the command and args.
///
/// stdout and stderr lines go to the pod log as they come; restic's own exit code becomes the
/// container's. A watchdog interrupts the process group after `timeout` seconds (restic exits
/// 130 and drops its lock) and kills it 5 s later.
///
/// The `restic-locked` and `restic-wrong-password` scenarios stay simulated (`start` returns
/// nil): Debian's restic (0.14) exits 1 for both, while the deployment's restic 0.17 exits 11
/// and 12, which is what those scenarios are about.
public final class ResticJobRunner: JobRunning {
    /// Absolute path of the restic executable.
    public let executable: String
    /// Where the repository, the PVC stand-ins and restic's cache live.
    public let stateDirectory: String
    /// Seconds of real time before the watchdog stops a run.
    public let timeout: Double

    private let initQueue = SerialTasks()

    public var repositoryDirectory: String { "\(stateDirectory)/restic-repo" }

    /// The local directory standing in for a PersistentVolumeClaim.
    public func volumeDirectory(claim: String) -> String { "\(stateDirectory)/pvc-\(claim)" }

    public init(executable: String, stateDirectory: String, timeout: Double = 600) {
        self.executable = executable
        self.stateDirectory = stateDirectory
        self.timeout = timeout
    }

    /// A runner when `restic` is on `PATH` and `PAPERCTL_DEMO_RESTIC` is not `off`, else nil
    /// (the simulator then falls back to the timer simulation, silently).
    public static func detect(stateDirectory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> ResticJobRunner? {
        let switchValue = (environment["PAPERCTL_DEMO_RESTIC"] ?? "").lowercased()
        if ["off", "0", "no", "false", "simulated"].contains(switchValue) { return nil }
        guard let path = which("restic", path: environment["PATH"] ?? "") else { return nil }
        return ResticJobRunner(executable: path, stateDirectory: stateDirectory ?? defaultStateDirectory(environment: environment))
    }

    /// `$XDG_STATE_HOME/paperctl/demo-cluster`, else `~/.local/state/paperctl/demo-cluster`.
    public static func defaultStateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return "\(state)/paperctl/demo-cluster" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSTemporaryDirectory()
        return "\(home)/.local/state/paperctl/demo-cluster"
    }

    static func which(_ name: String, path: String) -> String? {
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    // MARK: JobRunning

    public func start(job: JSONValue, pod: JSONValue, options: SimOptions, store: ObjectStore) -> JobRun? {
        guard options.restic == .success else { return nil }
        let containers = pod.value(at: "spec.containers")?.arrayValue ?? []
        guard let container = containers.first(where: { ($0["image"]?.stringValue ?? "").contains("restic") }) else { return nil }
        let namespace = pod.value(at: "metadata.namespace")?.stringValue ?? options.namespace
        let plan: ContainerPlan
        do {
            plan = try containerPlan(container: container, podSpec: pod.value(at: "spec") ?? [:], namespace: namespace, store: store)
        } catch {
            // The kubelet's message for a missing Secret or key. Simplified: a real pod would wait in
            // CreateContainerConfigError; here the container fails at once with exit 1.
            return JobRun(lines: AsyncStream { c in c.yield("Error: \(error.description)"); c.finish() }, exitCode: { 1 })
        }
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let task = Task { [self] in
            let code = await run(plan, lines: continuation)
            continuation.finish()
            return code
        }
        return JobRun(lines: stream, exitCode: { await task.value })
    }

    // MARK: Plan

    struct ContainerPlan: Sendable {
        var arguments: [String]
        var environment: [String: String]
        var volumes: [String]
        /// emptyDir stand-ins: created empty before the run, removed after it.
        var scratch: [String] = []
    }

    struct ResolveError: Error, CustomStringConvertible {
        let description: String
    }

    /// The command line, env and local volume directories for one container.
    func containerPlan(container: JSONValue, podSpec: JSONValue, namespace: String, store: ObjectStore) throws(ResolveError) -> ContainerPlan {
        var env: [String: String] = [:]
        for item in container["env"]?.arrayValue ?? [] {
            guard let name = item["name"]?.stringValue else { continue }
            if let value = item["value"]?.stringValue {
                env[name] = value
            } else if let ref = item.value(at: "valueFrom.secretKeyRef"), let secretName = ref["name"]?.stringValue, let key = ref["key"]?.stringValue {
                guard let secret = store.get(Catalogue.secrets, namespace: namespace, name: secretName) else {
                    if ref["optional"]?.boolValue == true { continue }
                    throw ResolveError(description: "secret \"\(secretName)\" not found")
                }
                if let encoded = secret.value(at: "data")?[key]?.stringValue, let bytes = Base64.decode(encoded) {
                    env[name] = String(decoding: bytes, as: UTF8.self)
                } else if let plain = secret.value(at: "stringData")?[key]?.stringValue {
                    env[name] = plain
                } else if ref["optional"]?.boolValue != true {
                    throw ResolveError(description: "couldn't find key \(key) in Secret \(namespace)/\(secretName)")
                }
            }
        }
        env["RESTIC_REPOSITORY"] = repositoryDirectory
        // Claim name by volume name, then mount path → local directory.
        var claims: [String: String] = [:]
        for volume in podSpec["volumes"]?.arrayValue ?? [] {
            if let name = volume["name"]?.stringValue, let claim = volume.value(at: "persistentVolumeClaim.claimName")?.stringValue {
                claims[name] = claim
            }
        }
        // emptyDir volumes (a restore drill's scratch space) become fresh directories of their own.
        var scratch: [String: String] = [:]
        for volume in podSpec["volumes"]?.arrayValue ?? [] where volume["emptyDir"] != nil {
            if let name = volume["name"]?.stringValue { scratch[name] = "\(stateDirectory)/tmp/emptydir-\(RandomName.suffix())\(RandomName.suffix())" }
        }
        var mounts: [(String, String)] = []
        var scratchDirectories: [String] = []
        for mount in container["volumeMounts"]?.arrayValue ?? [] {
            guard let path = mount["mountPath"]?.stringValue, let name = mount["name"]?.stringValue else { continue }
            if let claim = claims[name] {
                mounts.append((path, volumeDirectory(claim: claim)))
            } else if let dir = scratch[name] {
                mounts.append((path, dir))
                scratchDirectories.append(dir)
            }
        }
        mounts.sort { $0.0.count > $1.0.count }
        let command = (container["command"]?.arrayValue ?? []).compactMap(\.stringValue) + (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        let arguments = command.map { word in mounts.reduce(word) { Self.rewrite($0, mountPath: $1.0, to: $1.1) } }
        return ContainerPlan(arguments: arguments.isEmpty ? ["restic", "version"] : arguments, environment: env,
                             volumes: mounts.map(\.1).filter { !scratchDirectories.contains($0) }, scratch: scratchDirectories)
    }

    /// Replaces `mountPath` where it stands as a path of its own (`/data`, `/data/x`), not inside another word.
    static func rewrite(_ text: String, mountPath: String, to local: String) -> String {
        guard !mountPath.isEmpty, mountPath != "/" else { return text }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: mountPath) {
            let before = rest[rest.startIndex..<range.lowerBound]
            let previous = before.last ?? out.last
            let next = rest[range.upperBound...].first
            let startsWord = previous == nil || previous == " " || previous == "=" || previous == "'" || previous == "\"" || previous == "\t"
            let endsWord = next == nil || next == " " || next == "/" || next == "'" || next == "\"" || next == ";" || next == "\t"
            out += before
            out += startsWord && endsWord ? local : mountPath
            rest = rest[range.upperBound...]
        }
        return out + rest
    }

    // MARK: Run

    private func run(_ plan: ContainerPlan, lines: AsyncStream<String>.Continuation) async -> Int {
        var environment: [String: String] = [
            "PATH": (["\(stateDirectory)/shim", URL(fileURLWithPath: executable).deletingLastPathComponent().path] + ["/usr/local/bin", "/usr/bin", "/bin"]).joined(separator: ":"),
            "HOME": "\(stateDirectory)/home",
            "RESTIC_CACHE_DIR": "\(stateDirectory)/restic-cache",
            "TMPDIR": "\(stateDirectory)/tmp",
            "LANG": "C.UTF-8",
        ]
        for (k, v) in plan.environment { environment[k] = v }
        defer { for dir in plan.scratch { try? FileManager.default.removeItem(atPath: dir) } }
        do {
            try prepareDirectories(plan.volumes)
            for dir in plan.scratch { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            try installShim()
        } catch {
            lines.yield("Error: cannot prepare the local volume: \(error)")
            return 1
        }
        let env = environment
        let initFailure: String? = await initQueue.run { [self] in await initializeRepositoryIfNeeded(environment: env) }
        if let initFailure {
            lines.yield("Fatal: \(initFailure)")
            return 1
        }
        let exe: Executable = plan.arguments[0].hasPrefix("/") ? .path(.init(plan.arguments[0])) : .name(plan.arguments[0])
        return await Self.stream(exe, arguments: Array(plan.arguments.dropFirst()), environment: env, timeout: timeout, lines: lines)
    }

    /// Runs a process in its own session, forwarding stdout and stderr lines, with the watchdog.
    static func stream(_ exe: Executable, arguments: [String], environment: [String: String], timeout: Double,
                       lines: AsyncStream<String>.Continuation) async -> Int {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.send(signal: .interrupt, toProcessGroup: true, allowedDurationToNextStep: .seconds(5)),
                                    .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(200))]
        let env = Environment.custom(Dictionary(uniqueKeysWithValues: environment.compactMap { k, v in Environment.Key(rawValue: k).map { ($0, v) } }))
        do {
            let result = try await Subprocess.run(exe, arguments: Arguments(arguments), environment: env, platformOptions: options,
                                                  input: .none, output: .sequence, error: .sequence) { execution in
                let watchdog = Task {
                    try? await Task.sleep(for: .seconds(timeout))
                    guard !Task.isCancelled else { return }
                    lines.yield("paperctl simulator: watchdog stopped the container after \(Int(timeout)) s")
                    try? execution.send(signal: .interrupt, toProcessGroup: true)
                    try? await Task.sleep(for: .seconds(5))
                    guard !Task.isCancelled else { return }
                    try? execution.send(signal: .kill, toProcessGroup: true)
                }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do { for try await line in execution.standardOutput.strings() { lines.yield(line) } } catch {}
                    }
                    group.addTask {
                        do { for try await line in execution.standardError.strings() { lines.yield(line) } } catch {}
                    }
                    await group.waitForAll()
                }
                watchdog.cancel()
            }
            switch result.terminationStatus {
            case .exited(let code): return Int(code)
            case .signaled(let signal): return 128 + Int(signal)
            }
        } catch {
            lines.yield("Error: failed to start the container process: \(error)")
            return 128
        }
    }

    // MARK: Local state

    private func prepareDirectories(_ volumes: [String]) throws {
        let fm = FileManager.default
        for dir in ["home", "restic-cache", "tmp"] {
            try fm.createDirectory(atPath: "\(stateDirectory)/\(dir)", withIntermediateDirectories: true)
        }
        for volume in volumes {
            if !fm.fileExists(atPath: volume) { try PaperlessFiles.plant(in: volume) }
            try PaperlessFiles.appendLogLine(in: volume)
        }
    }

    /// The deployment's restic (0.17) restores `<snapshot>:<subfolder>`; Debian's restic 0.14 has
    /// no such syntax (it came in 0.16). This wrapper, first on the container's PATH, restores the
    /// snapshot into a temporary directory and copies the subfolder's content to the target, so a
    /// restore Job written for the real image runs here unchanged. Everything else goes straight
    /// to the real restic.
    private func installShim() throws {
        let path = "\(stateDirectory)/shim/restic"
        let script = Self.shimScript(realRestic: executable)
        if (try? String(contentsOfFile: path, encoding: .utf8)) == script { return }
        try FileManager.default.createDirectory(atPath: "\(stateDirectory)/shim", withIntermediateDirectories: true)
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    static func shimScript(realRestic: String) -> String {
        """
        #!/bin/sh
        # paperctl simulator: `restic restore <snapshot>:<subfolder>` for a restic without it (< 0.16).
        REAL='\(realRestic.replacingOccurrences(of: "'", with: "'\\''"))'
        if [ "$1" = restore ]; then
          case "$2" in
            *:/*)
              if "$REAL" version | grep -q -E '^restic 0[.](1[6-9]|[2-9][0-9])'; then exec "$REAL" "$@"; fi
              snap="${2%%:*}"; sub="${2#*:}"; shift 2
              target=""; tmp=$(mktemp -d "${TMPDIR:-/tmp}/paperctl-restore.XXXXXX")
              args=""; included=no
              while [ $# -gt 0 ]; do
                case "$1" in
                  --target|-t) target="$2"; shift 2 ;;
                  --include|-i) args="$args --include $sub$2"; included=yes; shift 2 ;;
                  --json) shift ;;
                  *) args="$args $1"; shift ;;
                esac
              done
              [ "$included" = yes ] || args="$args --include $sub"
              # shellcheck disable=SC2086
              "$REAL" restore "$snap" --target "$tmp" $args || { code=$?; rm -rf "$tmp"; exit $code; }
              mkdir -p "$target" && cp -a "$tmp$sub/." "$target/"; code=$?
              rm -rf "$tmp"
              exit $code
              ;;
          esac
        fi
        exec "$REAL" "$@"

        """
    }

    /// `restic init` when the repository has no config yet and the container has a password;
    /// nil on success (or when skipped), else restic's message.
    private func initializeRepositoryIfNeeded(environment: [String: String]) async -> String? {
        guard !FileManager.default.fileExists(atPath: "\(repositoryDirectory)/config") else { return nil }
        // Without a password there is nothing to initialise with; the container's own restic fails as it would.
        guard let password = environment["RESTIC_PASSWORD"], !password.isEmpty else { return nil }
        let collected = Mutex<[String]>([])
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let collector = Task { for await line in stream { collected.withLock { $0.append(line) } } }
        let code = await Self.stream(.path(.init(executable)), arguments: ["init"], environment: environment, timeout: 60, lines: continuation)
        continuation.finish()
        await collector.value
        guard code != 0 else { return nil }
        let output = collected.withLock { $0 }.filter { !$0.isEmpty }.joined(separator: "; ")
        return "restic init of the local repository failed (exit \(code)): \(output)"
    }
}

// MARK: - SerialTasks

/// Runs async operations one after another (the repository is initialised once, not by two Jobs at the same time).
final class SerialTasks: Sendable {
    private let last = Mutex<Task<Void, Never>?>(nil)

    func run<T: Sendable>(_ operation: @escaping @Sendable () async -> T) async -> T {
        let task = last.withLock { previous -> Task<T, Never> in
            let prior = previous
            let next = Task<T, Never> {
                await prior?.value
                return await operation()
            }
            previous = Task { _ = await next.value }
            return next
        }
        return await task.value
    }
}

// MARK: - PaperlessFiles

/// A small Paperless-ngx volume: media (originals, archive, thumbnails) and data (search index, logs).
enum PaperlessFiles {
    static let documents: [(id: Int, title: String)] = [
        (1, "2024-03-12 Stadtwerke Rechnung Strom"), (2, "2024-04-02 Finanzamt Steuerbescheid 2023"),
        (3, "2024-06-18 Versicherung Hausrat Police"), (4, "2024-09-30 Arbeitgeber Lohnabrechnung September"),
        (5, "2025-01-07 Vermieter Nebenkostenabrechnung"), (6, "2025-02-21 Zahnarzt Rechnung"),
    ]

    static func plant(in root: String) throws {
        let fm = FileManager.default
        for dir in ["media/documents/originals", "media/documents/archive", "media/documents/thumbnails", "data/index", "data/log", "consume", "export"] {
            try fm.createDirectory(atPath: "\(root)/\(dir)", withIntermediateDirectories: true)
        }
        for doc in documents {
            let name = String(format: "%07d", doc.id)
            try write(pdf(title: doc.title), to: "\(root)/media/documents/originals/\(name).pdf")
            try write(pdf(title: doc.title + " (archived, OCR)"), to: "\(root)/media/documents/archive/\(name).pdf")
            try write(Data("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 thumbnail \(doc.title)".utf8), to: "\(root)/media/documents/thumbnails/\(name).webp")
        }
        try write(Data(), to: "\(root)/media/media.lock")
        try write(Data("whoosh index segment paperless\n".utf8), to: "\(root)/data/index/_MAIN_1.toc")
        try write(Data(repeating: 0x5a, count: 4096), to: "\(root)/data/index/MAIN_a1b2c3d4e5f6g7h8.seg")
        try write(Data(), to: "\(root)/data/index/MAIN_WRITELOCK")
        try write(Data(repeating: 0, count: 16384), to: "\(root)/data/celerybeat-schedule.db")
        try write(Data("[2025-02-21 09:14:03,120] [INFO] [paperless.consumer] Document 2025-02-21 Zahnarzt Rechnung consumption finished\n".utf8),
                  to: "\(root)/data/log/paperless.log")
        try write(Data(), to: "\(root)/data/log/mail.log")
    }

    /// One line per backup run, so each snapshot has a changed file as on a live volume.
    static func appendLogLine(in root: String) throws {
        let path = "\(root)/data/log/paperless.log"
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("[\(UTCTime.rfc3339(Date().timeIntervalSince1970))] [INFO] [paperless.tasks] Sanity checker detected no issues\n".utf8))
    }

    static func write(_ data: Data, to path: String) throws {
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// A minimal one-page PDF with the title as its text.
    static func pdf(title: String) -> Data {
        let text = title.replacingOccurrences(of: "(", with: "[").replacingOccurrences(of: ")", with: "]")
        let content = "BT /F1 14 Tf 72 720 Td (\(text)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(body)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(format: "%010d 00000 n \n", o) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }
}

// MARK: - Base64 decoding

extension Base64 {
    /// Standard base64 (padding optional, whitespace ignored); nil when malformed.
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(byte - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(byte - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): values.append(62)
            case UInt8(ascii: "/"): values.append(63)
            case UInt8(ascii: "="), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: " "): continue
            default: return nil
            }
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i + 1 < values.count {
            let a = values[i], b = values[i + 1]
            out.append(a << 2 | b >> 4)
            if i + 2 < values.count { out.append((b & 15) << 4 | values[i + 2] >> 2) }
            if i + 3 < values.count { out.append((values[i + 2] & 3) << 6 | values[i + 3]) }
            i += 4
        }
        return out
    }
}
