import CNcursesw
import PaperKube
import PaperUI

#if canImport(Glibc)
import Glibc
#endif

// MARK: - ColorMode

/// How many colours the terminal gets; themes degrade to what it has.
public enum ColorMode: Sendable, Equatable {
    /// `direct` is truecolour: terminfo entries such as `xterm-direct` take 24-bit RGB as the colour number.
    case none, ansi8, ansi16, xterm256, direct

    /// NO_COLOR wins; otherwise what terminfo says.
    public static func detect(environment: [String: String], hasColors: Bool, colors: Int) -> ColorMode {
        if let v = environment["NO_COLOR"], !v.isEmpty { return .none }
        guard hasColors else { return .none }
        if colors >= 0x100_0000 { return .direct }
        if colors >= 256 { return .xterm256 }
        if colors >= 16 { return .ansi16 }
        if colors >= 8 { return .ansi8 }
        return .none
    }

    /// The terminal's colour number for an RGB colour (-1: the terminal's default).
    public func index(_ rgb: RGB?) -> Int32 {
        guard let rgb else { return -1 }
        switch self {
        case .none: return -1
        case .ansi8: return Int32(rgb.ansi(bright: false))
        case .ansi16: return Int32(rgb.ansi(bright: true))
        case .xterm256: return Int32(rgb.xterm256)
        case .direct: return Int32(rgb.r) << 16 | Int32(rgb.g) << 8 | Int32(rgb.b)
        }
    }
}

// MARK: - TerminalCheck

/// Whether curses can drive this terminal, asked before `initscr` (which would exit the process).
public enum TerminalCheck {
    public static func usable(term: String?) -> Bool {
        guard let term, !term.isEmpty, term != "dumb", term != "unknown" else { return false }
        var err: Int32 = 0
        return setupterm(term, 1, &err) == OK && err == 1
    }

    /// True when the locale's character set is UTF-8 (Unicode borders and symbols).
    public static func utf8Locale() -> Bool {
        setlocale(LC_ALL, "")
        guard let cs = nl_langinfo(Int32(CODESET)) else { return false }
        let name = String(cString: cs).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }
}

// MARK: - CursesScreen

/// The ncurses backend: initialise, map theme roles to colour pairs, flush changed cells, read keys,
/// and always restore the terminal. Only `TerminalApp` (one actor) calls into it.
final class CursesScreen {
    private var previous: ScreenBuffer?
    private var pairs: [Role: (attr: attr_t, pair: Int16)] = [:]
    let colorMode: ColorMode
    private(set) var active = false

    init(environment: [String: String]) {
        _ = initscr()
        raw()
        noecho()
        nonl()
        keypad(paperctl_stdscr(), true)
        nodelay(paperctl_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        let hasColors = has_colors()
        if hasColors {
            start_color()
            use_default_colors()
        }
        colorMode = ColorMode.detect(environment: environment, hasColors: hasColors, colors: Int(paperctl_colors()))
        active = true
        TerminalRestore.install()
    }

    var size: (width: Int, height: Int) { (Int(paperctl_cols()), Int(paperctl_lines())) }

    /// Maps each role to a colour pair and attributes.
    func apply(_ theme: Theme) {
        pairs = [:]
        for (i, role) in Role.allCases.enumerated() {
            let style = theme.style(role)
            var attr = paperctl_a_normal()
            if style.bold { attr |= paperctl_a_bold() }
            if style.underline { attr |= paperctl_a_underline() }
            if style.dim { attr |= paperctl_a_dim() }
            if style.reverse { attr |= paperctl_a_reverse() }
            var pair: Int16 = 0
            if colorMode != .none, i + 1 < Int(paperctl_color_pairs()) {
                pair = Int16(i + 1)
                init_extended_pair(Int32(pair), colorMode.index(style.fg), colorMode.index(style.bg))
            } else if colorMode == .none, role == .critical || role == .production || role == .banner || role == .selection || role == .header {
                attr |= paperctl_a_reverse()
            }
            pairs[role] = (attr, pair)
        }
        // Blank cells (an erase, a resize before the next frame) take the text role's colours, so a
        // theme that paints its background paints the whole screen.
        if colorMode != .none, let text = pairs[.text] {
            _ = wbkgd(paperctl_stdscr(), chtype(paperctl_color_pair(Int32(text.pair))))
        }
        previous = nil
    }

    /// Copies the changed cells of `buffer` to the terminal.
    func draw(_ buffer: ScreenBuffer) {
        if previous == nil || previous?.width != buffer.width || previous?.height != buffer.height { erase() }
        for run in buffer.changedRuns(since: previous) {
            // A run that starts on the right half of a wide character starts with the character.
            var x = run.x > 0 && buffer[run.x, run.y].isContinuation ? run.x - 1 : run.x
            let end = run.x + run.length
            while x < end {
                let role = buffer[x, run.y].role
                var text: [wchar_t] = []
                let start = x
                while x < end, buffer[x, run.y].role == role {
                    // The right half of a wide character: the terminal moved past it already.
                    if !buffer[x, run.y].isContinuation {
                        for scalar in buffer[x, run.y].char.unicodeScalars.prefix(1) { text.append(wchar_t(bitPattern: scalar.value)) }
                    }
                    x += 1
                }
                text.append(0)
                let style = pairs[role] ?? (paperctl_a_normal(), 0)
                _ = text.withUnsafeBufferPointer { paperctl_put(Int32(run.y), Int32(start), $0.baseAddress, style.attr, style.pair) }
            }
        }
        previous = buffer
        refresh()
    }

    func invalidate() {
        previous = nil
        clear()
    }

    /// Drains pending input without blocking.
    func readKeys() -> [TerminalInput] {
        var out: [TerminalInput] = []
        while out.count < 64 {
            var ch: wint_t = 0
            let r = get_wch(&ch)
            if r == paperctl_err() { break }
            if r == paperctl_key_code_yes() {
                switch Int32(ch) {
                case paperctl_key_resize(): out.append(.resize)
                case paperctl_key_up(): out.append(.key(.up))
                case paperctl_key_down(): out.append(.key(.down))
                case paperctl_key_left(): out.append(.key(.left))
                case paperctl_key_right(): out.append(.key(.right))
                case paperctl_key_npage(): out.append(.key(.pageDown))
                case paperctl_key_ppage(): out.append(.key(.pageUp))
                case paperctl_key_home(): out.append(.key(.home))
                case paperctl_key_end(): out.append(.key(.end))
                case paperctl_key_btab(): out.append(.key(.backTab))
                case paperctl_key_enter(): out.append(.key(.enter))
                case paperctl_key_backspace(): out.append(.key(.backspace))
                default: break
                }
                continue
            }
            switch ch {
            case 3: out.append(.key(.ctrlC))
            case 9: out.append(.key(.tab))
            case 10, 13: out.append(.key(.enter))
            case 27: out.append(.key(.escape))
            case 8, 127: out.append(.key(.backspace))
            default:
                if let scalar = Unicode.Scalar(UInt32(ch)), ch >= 32 { out.append(.key(.char(Character(scalar)))) }
            }
        }
        return out
    }

    /// Restores the terminal (idempotent).
    func close() {
        guard active else { return }
        active = false
        TerminalRestore.restore()
    }
}

enum TerminalInput: Equatable {
    case key(Key)
    case resize
}

// MARK: - TerminalRestore

/// Puts the terminal back on exit, on SIGINT/SIGTERM/SIGHUP and on a crash signal.
enum TerminalRestore {
    static func restore() {
        curs_set(1)
        endwin()
    }

    /// A terminating signal is recorded for the app loop, which quits and restores the terminal;
    /// a crash signal restores it at once and then kills the process.
    static func install() {
        ProcessSignals.catchTermination()
        ProcessSignals.onCrash { endwin() }
    }
}

/// The last terminating signal received (0 = none) is `TerminalSignals.received`; the app loop polls
/// it and exits cleanly.
public typealias TerminalSignals = ProcessSignals
