import ArgumentParser
import Foundation
import Subprocess

#if canImport(Glibc)
import Glibc
#endif

/// `paperctl-bench`: measures the budgets README names, against the real binaries.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paperctl-bench",
        abstract: "Benchmarks for paperctl-tui's budgets (build with -c release).",
        subcommands: [SimBench.self, TUIBench.self, LogsBench.self, SnapshotBench.self, LiveBench.self, RedactBench.self]
    )
}

// MARK: - Helpers

/// Runs a command to completion, returning (status, stdout, stderr, seconds).
func runCommand(_ path: String, _ args: [String]) async throws -> (Int32, String, String, Double) {
    let start = Date()
    let r = try await Subprocess.run(.path(.init(path)), arguments: Arguments(args), output: .string(limit: 64 << 20), error: .string(limit: 16 << 20))
    let status: Int32
    switch r.terminationStatus {
    case .exited(let c): status = Int32(c)
    case .signaled(let s): status = 128 + Int32(s)
    }
    return (status, r.standardOutput, r.standardError, Date().timeIntervalSince(start))
}

func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return 0 }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// A free TCP port on 127.0.0.1 (bind to 0, read it back, close).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Opens a TCP connection and sends one HTTP request; the socket stays open (a watch stream).
func openStream(port: Int, path: String) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard ok == 0 else { close(fd); return nil }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: application/json\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    return fd
}

/// VmRSS and VmHWM of a process, in KiB.
func memory(of pid: Int32) -> (rss: Int, peak: Int) {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
    func field(_ name: String) -> Int {
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            return Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "") ?? 0
        }
        return 0
    }
    return (field("VmRSS:"), field("VmHWM:"))
}
