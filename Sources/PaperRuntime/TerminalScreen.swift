import PaperUI

// MARK: - ScreenInput

/// What the terminal reports: a key, or that its size changed.
public enum ScreenInput: Sendable, Equatable {
    case key(Key)
    case resize
}

// MARK: - TerminalScreen

/// The one thing the app loop draws on and reads keys from. The ncurses backend is one; tests
/// use a fake that records frames and hands out scripted keys. Only the loop's actor calls it.
public protocol TerminalScreen: AnyObject {
    var size: (width: Int, height: Int) { get }
    /// Keys and resizes waiting right now; never blocks.
    func readInputs() -> [ScreenInput]
    func draw(_ buffer: ScreenBuffer)
    func apply(_ theme: Theme)
    /// The next draw repaints every cell (after a resize or a theme change).
    func invalidate()
    /// Gives the terminal back (idempotent): the loop calls it on every way out.
    func close()
}
