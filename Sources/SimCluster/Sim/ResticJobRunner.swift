import Foundation
import PaperKube
import Subprocess
import Synchronization

// MARK: - ResticJobRunner

/// Runs restic-image Jobs with the real `restic` binary instead of the timer simulation.
///
/// The container's command is never given to a shell. Its script (`/bin/sh -c "restic backup
/// /data … && restic forget …"`) is parsed: only commands joined by `&&`, whose words are plain
/// or single-quoted, and of those only `restic …` (run as the configured restic executable with
/// that argv), `mkdir -p DIR` and the drill's closing `printf` (both done here in Swift).
/// Anything else (a `$`, a backtick, `;`, a redirection, another program) fails the container
/// with exit 1 and a log line saying why. Its env is resolved the way the kubelet does it
/// (plain values, and `secretKeyRef` read from the simulated Secrets). Two things are mapped to
/// the local machine:
///
/// - `RESTIC_REPOSITORY` points at `<stateDirectory>/restic-repo`, created with `restic init`
///   and the resolved `RESTIC_PASSWORD` on first use;
/// - each volume mount backed by a PVC (`/data` from `paperless-ngx-data`) becomes
///   `<stateDirectory>/pvc-<claim>`, seeded with a small Paperless-ngx media and data tree; a
///   word that is the mount path or a path below it is rewritten.
///
/// With a restic older than 0.16 (Debian's 0.14), `restore <snapshot>:<subfolder>` and the
/// restore's `--json` summary are emulated (see `emulatedRestore`), and `restic version` says
/// 0.16.0 with the real version beside it, so the dashboard plans as for the image's restic.
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
        var commands: [SimCommand]
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
        let parsed: [SimCommand]
        do {
            parsed = try SimScript.commands(of: command)
        } catch {
            throw ResolveError(description: "paperctl simulator: \(error.description); nothing was run")
        }
        let local = mounts.map(\.1) + [stateDirectory]
        let commands = try parsed.map { c throws(ResolveError) -> SimCommand in
            let mapped = c.mappingPaths { word in mounts.reduce(word) { Self.rewrite($0, mountPath: $1.0, to: $1.1) } }
            // Directories made or measured here stay inside the simulator's own state.
            if case .mkdir(let dir) = mapped, !local.contains(where: { dir == $0 || dir.hasPrefix($0 + "/") }) {
                throw ResolveError(description: "paperctl simulator: mkdir outside the container's volumes (\(dir)) refused; nothing was run")
            }
            if case .liveListing(let dir, _) = mapped, !local.contains(where: { dir == $0 || dir.hasPrefix($0 + "/") }) {
                throw ResolveError(description: "paperctl simulator: the live listing of a directory outside the container's volumes (\(dir)) refused; nothing was run")
            }
            if case .drillSummary(let dir) = mapped, !local.contains(where: { dir == $0 || dir.hasPrefix($0 + "/") }) {
                throw ResolveError(description: "paperctl simulator: the drill summary of a directory outside the container's volumes (\(dir)) refused; nothing was run")
            }
            return mapped
        }
        return ContainerPlan(commands: commands, environment: env,
                             volumes: mounts.map(\.1).filter { !scratchDirectories.contains($0) }, scratch: scratchDirectories)
    }

    /// `word` with `mountPath` replaced when the word is that path or a path below it.
    static func rewrite(_ word: String, mountPath: String, to local: String) -> String {
        guard !mountPath.isEmpty, mountPath != "/" else { return word }
        if word == mountPath { return local }
        if word.hasPrefix(mountPath + "/") { return local + word.dropFirst(mountPath.count) }
        return word
    }

    // MARK: Run

    private func run(_ plan: ContainerPlan, lines: AsyncStream<String>.Continuation) async -> Int {
        var environment: [String: String] = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
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
        // `a && b && c`: each in turn, stopping at the first that fails.
        for command in plan.commands {
            let code: Int
            switch command {
            case .restic(let arguments):
                code = await runRestic(arguments, environment: env, lines: lines)
            case .mkdir(let dir):
                do {
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    code = 0
                } catch {
                    lines.yield("mkdir: cannot create directory '\(dir)': \(error.localizedDescription)")
                    code = 1
                }
            case .drillSummary(let dir):
                let (files, bytes) = Self.measure(dir)
                lines.yield("paperctl-drill: files=\(files) bytes=\(bytes)")
                code = 0
            case .liveListing(let dir, let shown):
                // printf, then find's direct entries (its order is the directory's; sorted here), or the missing marker.
                lines.yield("paperctl-live: \(shown)")
                if let names = try? FileManager.default.contentsOfDirectory(atPath: dir) {
                    for name in names.sorted() { lines.yield("\(shown)/\(name)") }
                } else {
                    lines.yield("find: \(shown): No such file or directory")
                    lines.yield("paperctl-live-missing")
                }
                code = 0
            }
            if code != 0 { return code }
        }
        return 0
    }

    /// One `restic …` command: the real restic with that argv, or the emulation of what the
    /// image's restic has and the local one lacks.
    private func runRestic(_ arguments: [String], environment: [String: String], lines: AsyncStream<String>.Continuation) async -> Int {
        let exe: Executable = .path(.init(executable))
        if arguments.first == "version" {
            let (stream, continuation) = AsyncStream.makeStream(of: String.self)
            let forward = Task { [self] in
                for await line in stream {
                    if let version = Self.parseVersion(line), version < (0, 16) {
                        hostVersion.withLock { $0 = version }
                        lines.yield("restic 0.16.0 (paperctl simulator: emulated over \(line))")
                    } else {
                        lines.yield(line)
                    }
                }
            }
            let code = await Self.stream(exe, arguments: arguments, environment: environment, timeout: timeout, lines: continuation)
            continuation.finish()
            await forward.value
            return code
        }
        if arguments.first == "restore", arguments.count > 1, arguments[1].contains(":/"), await localVersion(environment: environment) < (0, 16) {
            return await emulatedRestore(arguments, environment: environment, lines: lines)
        }
        return await Self.stream(exe, arguments: arguments, environment: environment, timeout: timeout, lines: lines)
    }

    private let hostVersion = Mutex<(Int, Int)?>(nil)

    /// The local restic's (major, minor), read once with `restic version`.
    private func localVersion(environment: [String: String]) async -> (Int, Int) {
        if let known = hostVersion.withLock({ $0 }) { return known }
        let collected = Mutex<[String]>([])
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let collector = Task { for await line in stream { collected.withLock { $0.append(line) } } }
        _ = await Self.stream(.path(.init(executable)), arguments: ["version"], environment: environment, timeout: 30, lines: continuation)
        continuation.finish()
        await collector.value
        let version = collected.withLock { $0 }.lazy.compactMap(Self.parseVersion).first ?? (0, 0)
        hostVersion.withLock { $0 = version }
        return version
    }

    /// `restic 0.14.0 compiled with …` → (0, 14).
    static func parseVersion(_ line: String) -> (Int, Int)? {
        let words = line.split(separator: " ")
        guard words.count >= 2, words[0] == "restic" else { return nil }
        let numbers = words[1].split(separator: ".").compactMap { Int($0) }
        return numbers.count >= 2 ? (numbers[0], numbers[1]) : nil
    }

    /// `restic restore <snapshot>:<subfolder> --target T [--include P]… [--json] …` for a restic
    /// without the subfolder syntax (< 0.16): the snapshot is restored into a temporary directory
    /// with each include prefixed by the (escaped) subfolder, and the subfolder's content is
    /// copied to the target. With `--json`, a summary line like restic 0.16's gives the count of
    /// files the includes selected (restic's own `finished verifying` count is printed too).
    private func emulatedRestore(_ arguments: [String], environment: [String: String], lines: AsyncStream<String>.Continuation) async -> Int {
        let spec = arguments[1]
        guard let colon = spec.firstIndex(of: ":") else { return 1 }
        let snapshot = String(spec[..<colon])
        let subfolder = String(spec[spec.index(after: colon)...])
        var target: String?
        var includes: [String] = []
        var json = false
        var rest: [String] = []
        var i = 2
        while i < arguments.count {
            let word = arguments[i]
            switch word {
            case "--target", "-t", "--include", "-i":
                guard i + 1 < arguments.count else {
                    lines.yield("Fatal: flag needs an argument: \(word)")
                    return 1
                }
                if word == "--target" || word == "-t" { target = arguments[i + 1] } else { includes.append(arguments[i + 1]) }
                i += 2
                continue
            case "--json":
                json = true
            default:
                rest.append(word)
            }
            i += 1
        }
        guard let target else {
            lines.yield("Fatal: please specify a directory to restore to (--target)")
            return 1
        }
        let temporary = "\(stateDirectory)/tmp/restore-\(RandomName.suffix())\(RandomName.suffix())"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let prefix = ResticPattern.literal(subfolder)
        let patterns = includes.isEmpty ? [prefix] : includes.map { prefix + ($0.hasPrefix("/") ? $0 : "/" + $0) }
        let real = ["restore", snapshot, "--target", temporary] + patterns.flatMap { ["--include", $0] } + rest
        let code = await Self.stream(.path(.init(executable)), arguments: real, environment: environment, timeout: timeout, lines: lines)
        guard code == 0 else { return code }
        let source = temporary + subfolder
        let (files, bytes) = Self.measure(source)
        do {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            try Self.copyContents(of: source, into: target)
        } catch {
            lines.yield("Fatal: copying the restored subfolder to \(target) failed: \(error.localizedDescription)")
            return 1
        }
        if json {
            lines.yield(#"{"message_type":"summary","total_files":\#(files),"files_restored":\#(files),"total_bytes":\#(bytes),"bytes_restored":\#(bytes)}"#)
        }
        return 0
    }

    /// Regular files below `dir` and their total size.
    static func measure(_ dir: String) -> (files: Int, bytes: Int) {
        var files = 0
        var bytes = 0
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return (0, 0) }
        for case let path as String in walker {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: "\(dir)/\(path)"),
                  attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            files += 1
            bytes += (attributes[.size] as? NSNumber)?.intValue ?? 0
        }
        return (files, bytes)
    }

    /// Copies what `source` holds into `target`, replacing files of the same name (like `cp -a source/. target/`).
    static func copyContents(of source: String, into target: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: source, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
            try fm.copyItem(atPath: source, toPath: target)
            return
        }
        for name in try fm.contentsOfDirectory(atPath: source) {
            let from = "\(source)/\(name)", to = "\(target)/\(name)"
            var fromIsDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: from, isDirectory: &fromIsDirectory)
            var toIsDirectory: ObjCBool = false
            let exists = fm.fileExists(atPath: to, isDirectory: &toIsDirectory)
            if fromIsDirectory.boolValue, exists, toIsDirectory.boolValue {
                try copyContents(of: from, into: to)
            } else {
                if exists { try fm.removeItem(atPath: to) }
                try fm.copyItem(atPath: from, toPath: to)
            }
        }
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

    static let directories = ["media", "media/documents", "media/documents/originals", "media/documents/archive", "media/documents/thumbnails",
                              "data", "data/index", "data/log", "consume", "export"]

    /// The files of the volume, relative to its root, with their content.
    static func files() -> [(path: String, data: Data)] {
        var out: [(path: String, data: Data)] = []
        for doc in documents {
            let name = String(format: "%07d", doc.id)
            out.append(("media/documents/originals/\(name).pdf", pdf(title: doc.title)))
            out.append(("media/documents/archive/\(name).pdf", pdf(title: doc.title + " (archived, OCR)")))
            out.append(("media/documents/thumbnails/\(name).webp", Data("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 thumbnail \(doc.title)".utf8)))
        }
        out.append(("media/media.lock", Data()))
        out.append(("data/index/_MAIN_1.toc", Data("whoosh index segment paperless\n".utf8)))
        out.append(("data/index/MAIN_a1b2c3d4e5f6g7h8.seg", Data(repeating: 0x5a, count: 4096)))
        out.append(("data/index/MAIN_WRITELOCK", Data()))
        out.append(("data/celerybeat-schedule.db", Data(repeating: 0, count: 16384)))
        out.append(("data/log/paperless.log", Data("[2025-02-21 09:14:03,120] [INFO] [paperless.consumer] Document 2025-02-21 Zahnarzt Rechnung consumption finished\n".utf8)))
        out.append(("data/log/mail.log", Data()))
        return out
    }

    static func plant(in root: String) throws {
        let fm = FileManager.default
        for dir in directories { try fm.createDirectory(atPath: "\(root)/\(dir)", withIntermediateDirectories: true) }
        for file in files() { try write(file.data, to: "\(root)/\(file.path)") }
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
