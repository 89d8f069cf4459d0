#if canImport(Glibc)
import Glibc
#endif
import Synchronization

// MARK: - ProcessSignals

/// The one place this program handles signals: the terminating ones (SIGINT, SIGTERM, SIGHUP) are
/// recorded for a loop to poll and exit cleanly; the crash ones run a last cleanup and then kill
/// the process as they would have.
///
/// The dashboard polls `received` in its loop and restores the terminal on a crash; `demo-cluster`
/// awaits `waitForTermination()` to stop its server.
public enum ProcessSignals {
    /// The last terminating signal received (0 = none).
    public static let received = Atomic<Int32>(0)

    /// The signals that ask the program to stop.
    public static let terminating: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    /// The signals of a crash.
    public static let crashing: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]

    /// Records SIGINT, SIGTERM and SIGHUP in `received` instead of being killed by them.
    public static func catchTermination() {
        // A C handler cannot capture anything: it names the type, not `Self`.
        let record: @convention(c) (Int32) -> Void = { sig in ProcessSignals.received.store(sig, ordering: .relaxed) }
        for sig in terminating { signal(sig, record) }
    }

    /// On a crash signal: runs `cleanup`, then re-raises the signal with its default action (the
    /// process dies as it would have, core dump included). `cleanup` must not capture anything.
    public static func onCrash(_ cleanup: @escaping @convention(c) () -> Void) {
        crashCleanup.store(unsafeBitCast(cleanup, to: UInt.self), ordering: .relaxed)
        let crash: @convention(c) (Int32) -> Void = { sig in
            let bits = ProcessSignals.crashCleanup.load(ordering: .relaxed)
            if bits != 0 { unsafeBitCast(bits, to: (@convention(c) () -> Void).self)() }
            signal(sig, SIG_DFL)
            raise(sig)
        }
        for sig in crashing { signal(sig, crash) }
    }

    /// Catches the terminating signals and returns the first one received, without blocking a thread.
    @discardableResult
    public static func waitForTermination(pollInterval: Duration = .milliseconds(100)) async -> Int32 {
        catchTermination()
        while true {
            let sig = received.load(ordering: .relaxed)
            if sig != 0 { return sig }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// The crash cleanup as the bits of a C function pointer (0 = none): a signal handler may read
    /// an atomic, not a lock.
    private static let crashCleanup = Atomic<UInt>(0)
}
