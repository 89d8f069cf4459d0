import Foundation
import ProcessTestSupport
import Subprocess
import Testing

/// A private tmux server (own socket) running the built paperctl-tui, read with capture-pane.
struct Tmux {
    let socket: String
    let home: String

    /// The built binary sits next to the test bundle in `.build/<config>/`.
    static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while dir.path.contains(".xctest") { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("paperctl-tui").path
    }

    /// Starts `paperctl-tui ARGS` in a detached session of the given size. After the program exits
    /// the pane prints a marker and the terminal modes, so tests can see the terminal was restored.
    static func start(_ args: [String], width: Int = 120, height: Int = 35, term: String = "xterm-256color", env: [String: String] = [:]) async throws -> Tmux {
        let id = UUID().uuidString.prefix(8)
        let home = NSTemporaryDirectory() + "paperctl-e2e-\(id)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let t = Tmux(socket: "paperctl-e2e-\(id)", home: home)
        var vars = ["HOME": home, "TERM": term, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "XDG_STATE_HOME": "\(home)/state", "XDG_CONFIG_HOME": "\(home)/config"]
        for (k, v) in env { vars[k] = v }
        let envText = vars.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let quoted = ([binary] + args).map { "'\($0)'" }.joined(separator: " ")
        let command = "env \(envText) \(quoted); echo \"EXITED status=$?\"; echo MODES: $(stty -a | grep -o -w -E -- '-?icanon|-?echo|-?isig'); sleep 120"
        _ = try await t.tmux(["new-session", "-d", "-s", "main", "-x", String(width), "-y", String(height), command])
        return t
    }

    @discardableResult
    func tmux(_ args: [String]) async throws -> String {
        let r = try await Subprocess.run(.name("tmux"), arguments: Arguments(["-L", socket, "-f", "/dev/null"] + args),
                                         environment: .inherit.updating(["TERM": "xterm-256color"]),
                                         output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        return r.standardOutput
    }

    func screen() async throws -> String { try await tmux(["capture-pane", "-p", "-t", "main"]) }

    func send(_ keys: String...) async throws { try await tmux(["send-keys", "-t", "main"] + keys) }

    func resize(width: Int, height: Int) async throws {
        try await tmux(["resize-window", "-t", "main", "-x", String(width), "-y", String(height)])
    }

    /// Waits until the screen contains every one of `texts` and returns it. Wait for the content
    /// a test then asserts, not for a title drawn before it: a screen can be captured half drawn.
    /// Throws `WaitTimeout` (naming the texts, with the last screen) when they do not all appear.
    @discardableResult
    func waitFor(_ texts: String..., timeout: Double = 25) async throws -> String {
        try await waitUntil(texts.map { "\"\($0)\"" }.joined(separator: " and "), timeout: timeout) { screen in
            texts.allSatisfy { screen.contains($0) }
        }
    }

    /// Waits until `done` holds for the screen and returns it; throws `WaitTimeout` naming `what`,
    /// with the last screen, when it does not.
    @discardableResult
    func waitUntil(_ what: String, timeout: Double = 25, _ done: (String) -> Bool) async throws -> String {
        try await ProcessTestSupport.waitFor("\(what) on the screen", timeout: timeout, every: .milliseconds(150), read: { try await screen() }, until: done)
    }

    func stop() async { stopNow() }

    /// Kills the private tmux server (and the dashboard in it) before the test returns:
    /// a fire-and-forget Task could be lost when the test process exits, leaving orphans.
    func stopNow() {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["tmux", "-L", socket, "kill-server"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
        try? FileManager.default.removeItem(atPath: home)
    }
}
