import ArgumentParser
import Foundation
import Subprocess

#if canImport(Glibc)
import Glibc
#endif

/// Issue 13's budgets for the whole process tree (the dashboard and every kubectl child), against the demo cluster.
///
/// Idle CPU of the tree ≤ 1 % of one core, no kubectl process started while idle, peak RSS of the
/// tree ≤ 100 MiB, and a change in the cluster on screen within 1 s (p95), with the default 5 s refresh.
/// Reproduce with:
///
///     swift build -c release --product paperctl-tui && swift build -c release --product paperctl-bench && .build/release/paperctl-bench live
struct LiveBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "live", abstract: "Whole process tree: idle CPU, kubectl starts, peak RSS, change → frame latency.")

    @Option(help: "Seconds of idle measurement.") var idle = 60.0
    @Option(help: "Seconds to let the dashboard settle once its data is on screen.") var settle = 10.0
    @Option(help: "Cluster changes timed to the frame that shows them.") var changes = 10
    @Flag(help: "Run the dashboard with --no-proxy (polling with kubectl on every refresh): the figures before issue 13.") var noProxy = false

    /// What the idle window saw.
    struct Window {
        var seconds = 0.0
        var treeTicks = 0, rootTicks = 0, reapedTicks = 0
        var newKubectl: Set<Int32> = []
        var otherNew = 0
        var peakRSS = 0
        var peakChildren: [(comm: String, kib: Int)] = []
        var composition: [ProcStat] = []
    }

    func run() async throws {
        guard which("tmux") != nil else { print("tmux missing: live measurements skipped"); return }
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let tool = "\(dir)/paperctl-tui"
        let work = NSTemporaryDirectory() + "paperctl-livebench-\(getpid())"
        try FileManager.default.createDirectory(atPath: "\(work)/run", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: "\(work)/run")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let kubeconfig = "\(work)/kubeconfig"
        let socket = "paperctl-live-\(getpid())"
        let port = freePort()
        _ = try await Subprocess.run(.path(.init(tool)), arguments: ["demo-cluster", "--port", String(port), "--write-kubeconfig", kubeconfig],
                                     input: .none, output: .discarded, error: .discarded) { cluster in
            await measure(tool: tool, work: work, kubeconfig: kubeconfig, socket: socket)
            _ = try? await runCommand("/usr/bin/env", ["tmux", "-L", socket, "kill-server"])
            try? cluster.send(signal: .terminate)
        }
    }

    /// Starts the dashboard in tmux, waits for its data, then measures the idle window and the change latency.
    func measure(tool: String, work: String, kubeconfig: String, socket: String) async {
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: kubeconfig) { try? await Task.sleep(for: .milliseconds(50)) }
        guard FileManager.default.fileExists(atPath: kubeconfig) else { print("demo cluster wrote no kubeconfig: skipped"); return }
        let command = "env HOME=\(work) XDG_RUNTIME_DIR=\(work)/run TERM=xterm-256color LANG=C.UTF-8 \(tool) --kubeconfig \(kubeconfig) --refresh 5\(noProxy ? " --no-proxy" : "")"
        _ = try? await runCommand("/usr/bin/env", ["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "200", "-y", "60", command])
        var pid: Int32 = 0
        for _ in 0..<100 {
            if let out = try? await runCommand("/usr/bin/env", ["pgrep", "-f", "-n", "--", "--kubeconfig \(kubeconfig) --refresh"]).1,
               let p = Int32(out.trimmingCharacters(in: .whitespacesAndNewlines)) { pid = p; break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard pid > 0 else { print("dashboard process not found: skipped"); return }

        // Warm-up: 8 s after the first frame, and the File backups panel with data on screen.
        var firstFrame: ContinuousClock.Instant?
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        var ready = false
        while !ready && ContinuousClock.now < deadline {
            let screen = await capture(socket)
            if firstFrame == nil, !screen.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { firstFrame = .now }
            if let firstFrame, firstFrame.duration(to: .now) >= .seconds(8) { ready = screen.contains("File backups") && !screen.contains("loading…") }
            if !ready { try? await Task.sleep(for: .milliseconds(200)) }
        }
        if !ready { print("warning: no dashboard data on screen within 60 s; measuring anyway") }
        try? await Task.sleep(for: .seconds(settle))

        let w = await idleWindow(root: pid)
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pct = { (ticks: Int) in String(format: "%.2f", Double(ticks) / hz / max(w.seconds, 0.001) * 100) }
        print("idle CPU of the whole tree over \(Int(w.seconds.rounded())) s: \(pct(w.treeTicks)) % of one core (dashboard alone \(pct(w.rootTicks)) %; "
              + "children that ended in the window, from the dashboard's cutime+cstime: \(pct(w.reapedTicks)) %; children alive at the end: "
              + "\(pct(w.treeTicks - w.rootTicks - w.reapedTicks)) %)   budget ≤ 1 %")
        let perMinute = Double(w.newKubectl.count) / max(w.seconds / 60, 0.001)
        print("kubectl processes started per idle minute: \(String(format: "%.1f", perMinute)) (\(w.newKubectl.count) in \(Int(w.seconds.rounded())) s; "
              + "\(w.otherNew) other new processes; 100 ms sampling, processes living < 100 ms might be missed)   budget 0")
        let children = w.peakChildren.isEmpty ? "none" : w.peakChildren.map { "\($0.comm) \(mib($0.kib)) MiB" }.joined(separator: ", ")
        print("peak RSS of the tree: \(mib(w.peakRSS)) MiB (dashboard VmHWM \(mib(memory(of: pid).peak)) MiB; children at the peak: \(children))   budget ≤ 100 MiB")
        print("tree at the end of the idle window:")
        for p in w.composition {
            print("  \(p.pid)  \(p.comm)  \(mib(memory(of: p.pid).rss)) MiB  \(String(processArgv(p.pid).joined(separator: " ").prefix(100)))")
        }

        guard let kubectl = which("kubectl") else { print("kubectl missing: change → frame latency skipped"); return }
        await changeLatency(kubectl: kubectl, kubeconfig: kubeconfig, socket: socket)
    }

    /// Scans the tree every 100 ms for `idle` seconds (CPU ticks per pid, new processes) and sums its RSS every second.
    func idleWindow(root: Int32) async -> Window {
        var w = Window()
        let start = processTree(root: root)
        let startPids = Set(start.map(\.pid))
        var first: [Int32: Int] = [:], last: [Int32: Int] = [:]
        for p in start { first[p.pid] = p.ticks; last[p.pid] = p.ticks }
        let reaped0 = start.first { $0.pid == root }?.childTicks ?? 0
        var reaped1 = reaped0
        var others: Set<Int32> = []
        let t0 = ContinuousClock.now
        var step = 0
        while true {
            step += 1
            try? await Task.sleep(until: t0.advanced(by: .milliseconds(100 * step)), clock: .continuous)
            let tree = processTree(root: root)
            for p in tree {
                if first[p.pid] == nil { first[p.pid] = 0 }  // appeared during the window: all its ticks count
                last[p.pid] = p.ticks
                if p.pid == root { reaped1 = p.childTicks }
                if !startPids.contains(p.pid) {
                    if isKubectl(p) { w.newKubectl.insert(p.pid) } else { others.insert(p.pid) }
                }
            }
            if step % 10 == 0 {
                let rss = tree.map { (p: $0, kib: memory(of: $0.pid).rss) }
                let sum = rss.reduce(0) { $0 + $1.kib }
                if sum > w.peakRSS { w.peakRSS = sum; w.peakChildren = rss.filter { $0.p.pid != root }.map { (comm: $0.p.comm, kib: $0.kib) } }
            }
            let elapsed = t0.duration(to: .now)
            if elapsed >= .seconds(idle) {
                w.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                w.composition = tree
                break
            }
        }
        w.rootTicks = (last[root] ?? 0) - (first[root] ?? 0)
        w.reapedTicks = reaped1 - reaped0
        // The tree: the dashboard, the children it reaped in the window (their whole CPU, from its
        // cutime+cstime: sampling misses a kubectl that lives 100 ms), and the children still alive
        // at the end (what they used in the window). A child is in one of the last two, never both.
        let alive = Set(w.composition.map(\.pid)).subtracting([root])
        w.treeTicks = w.rootTicks + w.reapedTicks + alive.reduce(0) { $0 + (last[$1] ?? 0) - (first[$1] ?? 0) }
        w.otherNew = others.subtracting(w.newKubectl).count  // a fork seen before its exec of kubectl counts once, as kubectl
        return w
    }

    /// Fails `changes` suspended backup Jobs one at a time and times each from its status patch to the frame that shows it.
    func changeLatency(kubectl: String, kubeconfig: String, socket: String) async {
        guard changes > 0 else { return }
        let base = ["--kubeconfig", kubeconfig, "-n", "paperless-ngx"]
        var times: [Double] = []
        var failures = 0
        for i in 1...changes {
            if i > 1 { try? await Task.sleep(for: .seconds(2)) }
            let job = "bench-fail-\(i)"
            // A suspended Job: the simulator's Job controller never runs it, so only the patch changes it.
            let dry = try? await runCommand(kubectl, base + ["create", "job", "--from=cronjob/paperless-ngx-backup", job, "--dry-run=client", "-o", "json"])
            guard let dry, dry.0 == 0, var object = (try? JSONSerialization.jsonObject(with: Data(dry.1.utf8))) as? [String: Any] else {
                print("change \(i): kubectl create job --dry-run failed: \(dry.map { $0.2.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "did not run"); skipped")
                failures += 1; continue
            }
            var spec = object["spec"] as? [String: Any] ?? [:]
            spec["suspend"] = true
            object["spec"] = spec
            guard let json = try? JSONSerialization.data(withJSONObject: object) else { print("change \(i): re-serializing the Job failed; skipped"); failures += 1; continue }
            let created = try? await kubectlWithInput(kubectl, base + ["create", "-f", "-"], json)
            guard let created, created.0 == 0 else {
                print("change \(i): creating \(job) failed: \(created.map { $0.1.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "did not run"); skipped")
                failures += 1; continue
            }
            let now = ISO8601DateFormatter().string(from: Date())
            let patch = #"{"status":{"failed":1,"startTime":"\#(now)","conditions":[{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit"}]}}"#
            let patched = try? await runCommand(kubectl, base + ["patch", "job", job, "--subresource=status", "--type=merge", "-p", patch])
            guard let patched, patched.0 == 0 else {
                print("change \(i): status patch failed: \(patched.map { $0.2.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "did not run"); skipped")
                failures += 1; continue
            }
            let t0 = ContinuousClock.now
            var seen = false
            while !seen && t0.duration(to: .now) < .seconds(10) {
                let screen = await capture(socket)
                seen = screenShows(job: job, in: screen)
            }
            let elapsed = t0.duration(to: .now)
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            if seen { times.append(ms) } else { print("change \(i): \(job) not on screen within 10 s"); failures += 1 }
        }
        let sorted = times.sorted()
        let p95 = sorted.isEmpty ? 0 : sorted[max(0, Int((0.95 * Double(sorted.count)).rounded(.up)) - 1)]
        print("change in the cluster → frame: median \(Int(median(times).rounded())) ms, p95 \(Int(p95.rounded())) ms over \(times.count) changes"
              + "\(failures > 0 ? " (\(failures) failed)" : "")   budget p95 ≤ 1000 ms")
    }

    /// Whether the screen shows the failed backup Job: the File backups panel notes "failed <name> at …"
    /// (not followed by a digit, so bench-fail-1 does not match bench-fail-10).
    func screenShows(job: String, in screen: String) -> Bool {
        screen.split(separator: "\n").contains { line in
            guard let r = line.firstRange(of: "failed \(job)") else { return false }
            return line[r.upperBound...].first.map { !$0.isNumber } ?? true
        }
    }

    /// The visible text of the dashboard's pane.
    func capture(_ socket: String) async -> String {
        (try? await runCommand("/usr/bin/env", ["tmux", "-L", socket, "capture-pane", "-p", "-t", "b"]))?.1 ?? ""
    }

    /// Runs kubectl with `data` on standard input; returns its exit status and standard error.
    func kubectlWithInput(_ kubectl: String, _ args: [String], _ data: Data) async throws -> (Int32, String) {
        let r = try await Subprocess.run(.path(.init(kubectl)), arguments: Arguments(args), input: .data(data), output: .discarded, error: .string(limit: 1 << 20))
        switch r.terminationStatus {
        case .exited(let c): return (Int32(c), r.standardError)
        case .signaled(let s): return (128 + Int32(s), r.standardError)
        }
    }

    func mib(_ kib: Int) -> String { String(format: "%.1f", Double(kib) / 1024) }
}

/// The fields of /proc/PID/stat the tree walk and the CPU accounting need.
struct ProcStat {
    let pid: Int32, ppid: Int32, comm: String
    /// utime + stime, in clock ticks.
    let ticks: Int
    /// cutime + cstime: the CPU of the children it has waited for.
    let childTicks: Int
}

/// Parses /proc/PID/stat; the comm in parentheses may hold spaces, so fields are counted after the last ")".
func readProcStat(_ pid: Int32) -> ProcStat? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
    let f = text[text.index(after: close)...].split(separator: " ")
    // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
    guard f.count > 14, let ppid = Int32(f[1]), let u = Int(f[11]), let s = Int(f[12]), let cu = Int(f[13]), let cs = Int(f[14]) else { return nil }
    return ProcStat(pid: pid, ppid: ppid, comm: String(text[text.index(after: open)..<close]), ticks: u + s, childTicks: cu + cs)
}

/// `root` and all its descendants, from one scan of /proc (ppid links); empty once `root` is gone.
func processTree(root: Int32) -> [ProcStat] {
    let all = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }.compactMap(readProcStat)
    let children = Dictionary(grouping: all, by: \.ppid)
    var tree: [ProcStat] = []
    var queue = all.filter { $0.pid == root }
    while let p = queue.popLast() {
        tree.append(p)
        queue += children[p.pid] ?? []
    }
    return tree
}

/// The argv of a process, from /proc/PID/cmdline; empty for a zombie.
func processArgv(_ pid: Int32) -> [String] {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
    return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
}

/// Whether a process is kubectl, by its comm or its argv[0] (a fork not yet exec'd still carries its parent's).
func isKubectl(_ p: ProcStat) -> Bool {
    p.comm == "kubectl" || (processArgv(p.pid).first?.hasSuffix("kubectl") ?? false)
}
