import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Admission

/// Who may use the demo API: the user who runs it, through kubectl, and no web page.
///
/// kubectl sends no credentials over plain HTTP (client-go attaches a token only to a TLS
/// connection; kubernetes/kubectl#744), so a bearer token in the kubeconfig would never arrive.
/// Instead the server, bound to 127.0.0.1 only, looks each connection's peer socket up in
/// `/proc/net/tcp` and serves it only when its owner is the server's own uid: another local user
/// gets 403 for every request. Requests a browser makes (an `Origin` or `Sec-Fetch-*` header, or
/// a `Host` other than this loopback address and port, as in DNS rebinding) are refused too.
struct Admission: Sendable {
    let serverPort: Int
    let uid: UInt32

    init(serverPort: Int, uid: UInt32 = getuid()) {
        self.serverPort = serverPort
        self.uid = uid
    }

    static let browserHeaders = ["origin", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest"]

    /// Why the connection from `peerPort` on the loopback is refused, or nil.
    func refusal(peerPort: Int?, tables: [String] = ["/proc/net/tcp", "/proc/net/tcp6"]) -> String? {
        guard let peerPort, let owner = Self.owner(peerPort: peerPort, serverPort: serverPort, tables: tables) else {
            return "the connection's owner was not found in /proc/net/tcp; only the user running the demo is served"
        }
        return owner == uid ? nil : "uid \(owner) is not the user running the demo; only that user is served"
    }

    /// Why the request is refused, or nil.
    func refusal(host: String?, browser: Bool) -> String? {
        if browser { return "requests from a browser are refused" }
        guard let host, host == "127.0.0.1:\(serverPort)" || host == "localhost:\(serverPort)" else {
            return "Host \(host ?? "(none)") is not this server's address"
        }
        return nil
    }

    /// The uid owning the loopback TCP socket at `peerPort` connected to `serverPort`.
    static func owner(peerPort: Int, serverPort: Int, tables: [String]) -> UInt32? {
        for table in tables {
            guard let text = readAll(table) else { continue }
            if let uid = owner(in: text, peerPort: peerPort, serverPort: serverPort) { return uid }
        }
        return nil
    }

    /// The whole of a /proc file: read(2) until it returns 0 (Foundation stops after the first
    /// chunk, since /proc reports a size of 0).
    static func readAll(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? String(decoding: bytes, as: UTF8.self) : nil }
            bytes.append(contentsOf: buffer[0..<n])
        }
    }

    /// Reads one `/proc/net/tcp` or `tcp6` table: `sl local_address rem_address st … uid …`,
    /// addresses as hex `ADDR:PORT` (127.0.0.1 is `0100007F`, or `…FFFF00000100007F` in tcp6).
    static func owner(in table: String, peerPort: Int, serverPort: Int) -> UInt32? {
        let loopback: Set<Substring> = ["0100007F", "0000000000000000FFFF00000100007F"]
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 7 else { continue }
            let local = fields[1].split(separator: ":"), remote = fields[2].split(separator: ":")
            guard local.count == 2, remote.count == 2, loopback.contains(local[0]), loopback.contains(remote[0]),
                  Int(local[1], radix: 16) == peerPort, Int(remote[1], radix: 16) == serverPort else { continue }
            return UInt32(fields[7])
        }
        return nil
    }
}
