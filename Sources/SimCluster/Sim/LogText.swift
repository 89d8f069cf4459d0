import PaperKube

// MARK: - LogText

/// Realistic container output: Paperless (gunicorn, Django, Celery), Redis, linkerd-proxy,
/// PostgreSQL and restic, stamped in each program's own format.
enum LogText {
    static func pythonTime(_ t: Double) -> String {
        let c = UTCTime.civil(t)
        func p(_ v: Int, _ w: Int = 2) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(c.year, 4))-\(p(c.month))-\(p(c.day)) \(p(c.hour)):\(p(c.minute)):\(p(c.second)),\(p(c.nanosecond / 1_000_000, 3))"
    }

    static func redisTime(_ t: Double) -> String {
        let c = UTCTime.civil(t)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func p(_ v: Int, _ w: Int = 2) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(c.day)) \(months[max(0, min(11, c.month - 1))]) \(c.year) \(p(c.hour)):\(p(c.minute)):\(p(c.second)).\(p(c.nanosecond / 1_000_000, 3))"
    }

    /// One ordinary line of the Paperless container, chosen by a counter so the stream varies.
    static func appLine(_ t: Double, _ n: Int) -> String {
        let ts = pythonTime(t)
        let task = format6(n &* 2_654_435_761)
        switch n % 9 {
        case 0: return "[\(ts)] [INFO] [paperless.consumer] Consuming scan_\(1000 + n % 900).pdf"
        case 1: return "[\(ts): INFO/MainProcess] Task documents.tasks.consume_file[\(task)-6f1c-4b2e-9c1d-\(task)0a1b] received"
        case 2: return "[\(ts)] [INFO] [paperless.parsing.tesseract] Calling OCRmyPDF with args: {'language': 'deu+eng', 'output_type': 'pdfa'}"
        case 3: return "[\(ts): INFO/ForkPoolWorker-1] Task documents.tasks.consume_file[\(task)-6f1c-4b2e-9c1d-\(task)0a1b] succeeded in 8.41s: 'Success. New document id \(200 + n % 700) created'"
        case 4: return "[\(ts)] [INFO] [paperless.handlers] Assigning correspondent Stadtwerke to \(200 + n % 700)"
        case 5: return "10.42.0.1 - - [\(ts)] \"GET /api/documents/?page=1&page_size=25 HTTP/1.1\" 200 18342"
        case 6: return "[\(ts): INFO/MainProcess] Task paperless_mail.tasks.process_mail_accounts[\(task)-1111-4222-8333-\(task)4444] received"
        case 7: return "[\(ts)] [DEBUG] [paperless.classifier] Document classification model does not exist (yet), not performing automatic matching."
        default: return "[\(ts)] [INFO] [celery.beat] Scheduler: Sending due task Check all e-mail accounts (paperless_mail.tasks.process_mail_accounts)"
        }
    }

    static func format6(_ n: Int) -> String {
        let hex = String(UInt32(truncatingIfNeeded: n), radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    static func appStartup(_ t: Double) -> [String] {
        let ts = pythonTime(t)
        return [
            "Paperless-ngx docker container starting...",
            "Mapping UID and GID for paperless:paperless to 1000:1000",
            "Creating directory scratch directory /tmp/paperless",
            "Waiting for PostgreSQL to start...",
            "Connected to PostgreSQL",
            "Waiting for Redis...",
            "Connected to Redis broker.",
            "Apply database migrations...",
            "Operations to perform:",
            "  Apply all migrations: account, admin, auditlog, auth, authtoken, contenttypes, django_celery_results, documents, guardian, mfa, paperless, paperless_mail, sessions, socialaccount",
            "Running migrations:",
            "  No migrations to apply.",
            "Executing /usr/local/bin/paperless_cmd.sh",
            "[\(ts) +0000] [1] [INFO] Starting gunicorn 23.0.0",
            "[\(ts) +0000] [1] [INFO] Listening at: http://[::]:8000 (1)",
            "[\(ts) +0000] [1] [INFO] Using worker: paperless.workers.ConfigurableWorker",
            "[\(ts) +0000] [40] [INFO] Booting worker with pid: 40",
            "[\(ts): INFO/MainProcess] Connected to redis://:**@paperless-ngx-redis:6379//",
            "[\(ts): INFO/MainProcess] celery@paperless-ngx ready.",
        ]
    }

    /// The Celery/Redis failures of the redis-errors scenario. The first carries the password in the URL,
    /// exactly as Celery prints it when the broker URL is logged unmasked.
    static func redisErrorLines(_ t: Double, password: String, _ n: Int) -> [String] {
        let ts = pythonTime(t)
        switch n % 4 {
        case 0:
            return ["[\(ts): ERROR/MainProcess] consumer: Cannot connect to redis://:\(password)@paperless-ngx-redis:6379//: Error 111 connecting to paperless-ngx-redis:6379. Connection refused..",
                    "Trying again in \(2 * (n % 5 + 1)).00 seconds... (\(n % 5 + 1)/100)"]
        case 1:
            return ["[\(ts): WARNING/MainProcess] consumer: Connection to broker lost. Trying to re-establish the connection...",
                    "Traceback (most recent call last):",
                    "redis.exceptions.ConnectionError: Error while reading from socket: (104, 'Connection reset by peer')"]
        case 2:
            return ["[\(ts): ERROR/MainProcess] consumer: Cannot connect to redis://paperless-ngx-redis:6379//: Error 110 connecting to paperless-ngx-redis:6379. Connection timed out."]
        default:
            return ["[\(ts)] [ERROR] [celery.app.trace] Task documents.tasks.consume_file[\(format6(n))-aaaa-4bbb-8ccc-dddd\(format6(n))] raised unexpected: ConnectionError('Error 111 connecting to paperless-ngx-redis:6379. Connection refused.')"]
        }
    }

    static func crashLines(_ t: Double) -> [String] {
        [
            "Paperless-ngx docker container starting...",
            "Waiting for PostgreSQL to start...",
            "django.db.utils.OperationalError: connection to server at \"paperless-ngx-db-rw\" (10.43.12.7), port 5432 failed: Connection refused",
            "\tIs the server running on that host and accepting TCP/IP connections?",
            "[\(pythonTime(t))] [ERROR] [paperless.db] Failed to connect to database after 60 attempts, giving up",
        ]
    }

    static func proxyLine(_ t: Double, _ n: Int, redisDown: Bool) -> String {
        let uptime = "\(3 + n * 7).\(n % 1000)"
        if redisDown {
            return "[\(uptime)s]  WARN ThreadId(01) outbound:proxy{addr=10.43.40.11:6379}:service{ns= name=service port=0}: linkerd_reconnect: Failed to connect error=connect timed out after 1s"
        }
        return "[\(uptime)s]  INFO ThreadId(01) inbound: linkerd_app_core::serve: Connection closed error=connection closed before message completed client.addr=10.42.0.1:\(40000 + n % 20000)"
    }

    static func redisStartup(_ t: Double) -> [String] {
        let ts = redisTime(t)
        return [
            "1:C \(ts) # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
            "1:C \(ts) # Redis version=7.4.2, bits=64, commit=00000000, modified=0, pid=1, just started",
            "1:C \(ts) # Configuration loaded",
            "1:M \(ts) * monotonic clock: POSIX clock_gettime",
            "1:M \(ts) * Running mode=standalone, port=6379.",
            "1:M \(ts) * Server initialized",
            "1:M \(ts) * Ready to accept connections tcp",
        ]
    }

    static func postgresLine(_ t: Double, _ n: Int) -> String {
        let ts = pythonTime(t).replacingOccurrences(",", ".")
        switch n % 3 {
        case 0: return "{\"level\":\"info\",\"ts\":\"\(ts)Z\",\"logger\":\"postgres\",\"msg\":\"record\",\"logging_pod\":\"paperless-ngx-db-1\",\"record\":{\"log_time\":\"\(ts) UTC\",\"error_severity\":\"LOG\",\"message\":\"checkpoint complete: wrote 42 buffers (0.3%)\"}}"
        case 1: return "{\"level\":\"info\",\"ts\":\"\(ts)Z\",\"logger\":\"wal-archive\",\"msg\":\"Archived WAL file\",\"logging_pod\":\"paperless-ngx-db-1\",\"walName\":\"pg_wal/00000001000000000000004\(n % 10)\"}"
        default: return "{\"level\":\"info\",\"ts\":\"\(ts)Z\",\"logger\":\"postgres\",\"msg\":\"record\",\"logging_pod\":\"paperless-ngx-db-1\",\"record\":{\"error_severity\":\"LOG\",\"message\":\"connection authorized: user=paperless-ngx database=paperless-ngx\"}}"
        }
    }

    static func walFailureLine(_ t: Double) -> String {
        let ts = pythonTime(t).replacingOccurrences(",", ".")
        return "{\"level\":\"error\",\"ts\":\"\(ts)Z\",\"logger\":\"wal-archive\",\"msg\":\"failed to run wal-archive command\",\"logging_pod\":\"paperless-ngx-db-1\",\"error\":\"unexpected failure invoking barman-cloud-wal-archive: exit status 1\"}"
    }

    /// restic's output for a run, ending the way the scenario says.
    static func resticRun(outcome: SimOptions.ResticOutcome, start: Double) -> [String] {
        switch outcome {
        case .success:
            return [
                "using parent snapshot 4f2a9c1e",
                "",
                "Files:          12 new,     3 changed,  8410 unmodified",
                "Dirs:            2 new,     5 changed,   611 unmodified",
                "Added to the repository: 48.213 MiB (41.870 MiB stored)",
                "",
                "processed 8425 files, 4.102 GiB in 0:31",
                "snapshot \(LogText.format6(Int(start))) saved",
                "Applying Policy: keep 7 daily, 4 weekly, 6 monthly snapshots",
                "keep 17 snapshots:",
                "remove 1 snapshots:",
                "[0:00] 100.00%  1 / 1 files deleted",
            ]
        case .locked, .staleLock:
            return [
                "repository 9b6c2d51 opened (version 2, compression level auto)",
                "Fatal: unable to create lock in backend: repository is already locked exclusively by PID 27 on paperless-ngx-backup-29412000-x7k2p by root (UID 0, GID 0)",
                "lock was created at \(UTCTime.rfc3339(start - 86_400)) (24h0m12s ago)",
                "storage ID 0d4a9b27",
                "the `unlock` command can be used to remove stale locks",
            ]
        case .wrongPassword:
            return ["Fatal: wrong password or no key found"]
        }
    }

    /// A simulated `restic restore --verify`: restic 0.16+'s `--json` summary, or 0.14's verify line.
    static func resticRestore(json: Bool) -> [String] {
        json ? ["restic 0.17.3 compiled with go1.23.3 on linux/amd64",
                #"{"message_type":"summary","seconds_elapsed":31,"total_files":12,"files_restored":12,"total_bytes":50555383,"bytes_restored":50555383}"#]
             : ["restic 0.14.0 compiled with go1.19.8 on linux/amd64", "restoring <Snapshot 4f2a9c1e of [/data]> to /data",
                "verifying files in /data", "finished verifying 12 files in /data (took 1.204s)"]
    }

    /// A simulated listing Job (no restic on PATH): `restic snapshots --json` or `restic ls --json`
    /// in restic 0.17's own format, over the demo volume's tree at `/data`, and the file
    /// listing's live tail (`find`'s lines). Nil for any other script.
    static func resticListing(_ commands: [SimCommand], now: Double) -> [String]? {
        let day = 86_400.0
        let newest = (now / day).rounded(.down) * day + 4 * 3600 - (now.truncatingRemainder(dividingBy: day) < 4 * 3600 ? day : 0)
        let snapshots = (0..<3).map { i -> (id: String, time: Double) in
            (String(repeating: String(format: "%08x", 0x4f2a_9c1e + i), count: 8), newest - Double(i) * day)
        }
        let tree = PaperlessFiles.directories.map { (path: "/data/\($0)", size: nil as Int?) }
            + PaperlessFiles.files().map { (path: "/data/\($0.path)", size: Optional($0.data.count)) }
        var out: [String] = []
        var listed = false
        for command in commands {
            switch command {
            case .restic(let words) where words.first == "version":
                out.append("restic 0.17.3 compiled with go1.23.3 on linux/amd64")
            case .restic(let words) where words.first == "snapshots":
                let total = tree.compactMap(\.size).reduce(0, +)
                out.append("[" + snapshots.reversed().map { s in
                    #"{"time":"\#(UTCTime.rfc3339(s.time))","tree":"\#(s.id.prefix(16))","paths":["/data"],"hostname":"paperless-ngx","username":"root","id":"\#(s.id)","short_id":"\#(s.id.prefix(8))","summary":{"total_files_processed":\#(PaperlessFiles.files().count),"total_bytes_processed":\#(total)}}"#
                }.joined(separator: ",") + "]")
                listed = true
            case .restic(let words) where words.first == "ls":
                let positional = words.dropFirst().filter { !$0.hasPrefix("--") }
                let recursive = words.contains("--recursive")
                guard let wanted = positional.first, let snapshot = snapshots.first(where: { wanted == "latest" ? true : $0.id.hasPrefix(wanted) }) else {
                    out.append("Fatal: no matching ID found for prefix \"\(positional.first ?? "")\"")
                    return out
                }
                out.append(#"{"time":"\#(UTCTime.rfc3339(snapshot.time))","tree":"\#(snapshot.id.prefix(16))","paths":["/data"],"hostname":"paperless-ngx","username":"root","id":"\#(snapshot.id)","short_id":"\#(snapshot.id.prefix(8))","message_type":"snapshot","struct_type":"snapshot"}"#)
                let dirs = Array(positional.dropFirst())
                let mtime = UTCTime.rfc3339(snapshot.time - 3600)
                for node in tree where dirs.isEmpty || dirs.contains(where: { d in
                    node.path == d || (node.path.hasPrefix(d + "/") && (recursive || !node.path.dropFirst(d.count + 1).contains("/")))
                }) {
                    let name = node.path.split(separator: "/").last.map(String.init) ?? node.path
                    let type = node.size == nil ? "dir" : "file"
                    let size = node.size.map { #""size":\#($0),"# } ?? ""
                    out.append(#"{"name":"\#(name)","type":"\#(type)","path":"\#(node.path)","uid":1000,"gid":1000,\#(size)"mode":\#(node.size == nil ? 2_147_484_141 : 420),"permissions":"\#(node.size == nil ? "drwxr-xr-x" : "-rw-r--r--")","mtime":"\#(mtime)","atime":"\#(mtime)","ctime":"\#(mtime)","message_type":"node","struct_type":"node"}"#)
                }
                listed = true
            case .liveListing(let dir, let shown):
                out.append("paperctl-live: \(shown)")
                let children = tree.map(\.path).filter { $0.hasPrefix(dir + "/") && !$0.dropFirst(dir.count + 1).contains("/") }
                if children.isEmpty && !tree.contains(where: { $0.path == dir }) {
                    out.append("find: \(shown): No such file or directory")
                    out.append("paperctl-live-missing")
                }
                for child in children.sorted() { out.append(shown + child.dropFirst(dir.count)) }
            default:
                return nil
            }
        }
        return listed ? out : nil
    }

    /// `restic backup` against a bucket that refuses writes.
    static let resticBackupDenied = [
        "repository 9b6c2d51 opened (version 2, compression level auto)",
        "Fatal: unable to save snapshot: Save(<data/6f2e1b90c4>) returned error, retrying after 552.330144ms: client.PutObject: Access Denied.",
    ]

    /// `restic unlock` removing the stale lock.
    static let resticUnlock = ["repository 9b6c2d51 opened (version 2, compression level auto)", "successfully removed 1 locks"]
}

extension String {
    func replacingOccurrences(_ target: Character, _ replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
