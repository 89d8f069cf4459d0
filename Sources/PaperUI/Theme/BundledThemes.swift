// Generated from themes/*.yaml by Tests/sync-themes.sh; ThemeTests keeps the two in step.
// Do not edit by hand: edit themes/NAME.yaml and run `bash Tests/sync-themes.sh`.

/// The bundled themes, compiled in so they work from any directory and from an installed binary.
enum BundledThemes {
    static let order = ["default", "light", "solarized-dark", "high-contrast", "monochrome"]

    static let files: [String: String] = [
        "default": #"""
            # paperctl-tui theme: default (dark). Palette first, then semantic roles.
            # Role keys: text muted border focus title header selection ok warn critical unknown
            #            key_hint log_error log_warn banner production
            # Colours: a palette name, "#rrggbb", or "default" (the terminal's own colour).
            # background: a colour painted under every cell (a role without fg takes text's), or "terminal"
            # (the terminal's own colours; only for a theme without colours). See README, "The background rule".
            name: default
            # Paints its own dark background, so it reads the same on a light terminal.
            background: black
            palette:
              fg: "#d0d0d0"
              dim: "#8a8a8a"
              blue: "#5fafff"
              cyan: "#5fd7d7"
              green: "#87d787"
              yellow: "#ffd75f"
              red: "#ff5f5f"
              magenta: "#d787ff"
              black: "#1c1c1c"
              darkred: "#af0000"
              selbg: "#3a3a3a"
            roles:
              text: { fg: fg }
              muted: { fg: dim }
              border: { fg: dim }
              focus: { fg: cyan, bold: true }
              title: { fg: blue, bold: true }
              header: { fg: fg, bg: selbg, bold: true }
              selection: { fg: fg, bg: selbg, bold: true }
              ok: { fg: green, bold: true }
              warn: { fg: yellow, bold: true }
              critical: { fg: red, bold: true }
              unknown: { fg: magenta, bold: true }
              key_hint: { fg: cyan }
              log_error: { fg: red }
              log_warn: { fg: yellow }
              banner: { fg: black, bg: yellow, bold: true }
              production: { fg: "#ffffff", bg: darkred, bold: true }
            """#,
        "light": #"""
            # paperctl-tui theme: light, dark text on its own white background (readable on any terminal).
            name: light
            # Paints its own white background: near-black text on a dark terminal's background would be unreadable.
            background: white
            palette:
              fg: "#1c1c1c"
              dim: "#6c6c6c"
              blue: "#005fd7"
              teal: "#005f5f"
              green: "#008700"
              amber: "#af5f00"
              red: "#d70000"
              purple: "#8700af"
              white: "#ffffff"
              selbg: "#d0d0d0"
            roles:
              text: { fg: fg }
              muted: { fg: dim }
              border: { fg: dim }
              focus: { fg: teal, bold: true }
              title: { fg: blue, bold: true }
              header: { fg: fg, bg: selbg, bold: true }
              selection: { fg: fg, bg: selbg, bold: true }
              ok: { fg: green, bold: true }
              warn: { fg: amber, bold: true }
              critical: { fg: red, bold: true }
              unknown: { fg: purple, bold: true }
              key_hint: { fg: teal }
              log_error: { fg: red }
              log_warn: { fg: amber }
              banner: { fg: white, bg: amber, bold: true }
              production: { fg: white, bg: red, bold: true }
            """#,
        "solarized-dark": #"""
            # paperctl-tui theme: solarized-dark (Ethan Schoonover's palette), painted on its own base03.
            # Solarized's accents are below WCAG's 4.5:1 on base03; red, orange, magenta, blue and green are
            # lightened just enough to reach it (marked "lightened"), body text is base1 and secondary text base0.
            name: solarized-dark
            background: base03
            palette:
              base03: "#002b36"
              base02: "#073642"
              base00: "#657b83"
              base0: "#839496"
              base1: "#93a1a1"
              yellow: "#b58900"
              orange: "#d7744c"   # lightened from #cb4b16
              red: "#e56765"      # lightened from #dc322f
              magenta: "#de66a0"  # lightened from #d33682
              blue: "#3a95d6"     # lightened from #268bd2
              cyan: "#2aa198"
              green: "#879b05"    # lightened from #859900
            roles:
              text: { fg: base1 }
              muted: { fg: base0 }
              border: { fg: base00 }
              focus: { fg: cyan, bold: true }
              title: { fg: blue, bold: true }
              header: { fg: base1, bg: base02, bold: true }
              selection: { fg: base1, bg: base02, bold: true }
              ok: { fg: green, bold: true }
              warn: { fg: yellow, bold: true }
              critical: { fg: red, bold: true }
              unknown: { fg: magenta, bold: true }
              key_hint: { fg: cyan }
              log_error: { fg: red }
              log_warn: { fg: orange }
              banner: { fg: base03, bg: yellow, bold: true }
              production: { fg: base03, bg: red, bold: true }
            """#,
        "high-contrast": #"""
            # paperctl-tui theme: high-contrast, pure colours on black for bright rooms and tired eyes.
            name: high-contrast
            background: black
            palette:
              white: "#ffffff"
              black: "#000000"
              grey: "#bcbcbc"
              cyan: "#00ffff"
              green: "#00ff00"
              yellow: "#ffff00"
              red: "#ff0000"
              darkred: "#af0000"
              magenta: "#ff00ff"
            roles:
              text: { fg: white, bg: black }
              muted: { fg: grey, bg: black }
              border: { fg: white, bg: black }
              focus: { fg: cyan, bg: black, bold: true, underline: true }
              title: { fg: white, bg: black, bold: true }
              header: { fg: black, bg: white, bold: true }
              selection: { fg: black, bg: cyan, bold: true }
              ok: { fg: green, bg: black, bold: true }
              warn: { fg: yellow, bg: black, bold: true }
              critical: { fg: white, bg: darkred, bold: true }
              unknown: { fg: magenta, bg: black, bold: true }
              key_hint: { fg: cyan, bg: black, bold: true }
              log_error: { fg: red, bg: black, bold: true }
              log_warn: { fg: yellow, bg: black }
              banner: { fg: black, bg: yellow, bold: true }
              production: { fg: white, bg: darkred, bold: true, underline: true }
            """#,
        "monochrome": #"""
            # paperctl-tui theme: monochrome. No colours at all: attributes only (also used for NO_COLOR
            # and terminals without colour). Verdicts stay readable through their symbols and words.
            name: monochrome
            # Follows the terminal: no colour at all, so the text is the terminal's own foreground on its own background.
            background: terminal
            palette: {}
            roles:
              text: {}
              muted: {}   # not dim: half-intensity text falls below 4.5:1 on any background
              border: {}
              focus: { bold: true, underline: true }
              title: { bold: true }
              header: { reverse: true }
              selection: { reverse: true }
              ok: {}
              warn: { bold: true }
              critical: { bold: true }   # not reverse: the selection is reverse, and a CRIT row must not look selected (✖ says CRIT)
              unknown: { underline: true }
              key_hint: { bold: true }
              log_error: { bold: true }
              log_warn: { underline: true }
              banner: { reverse: true, bold: true }
              production: { reverse: true, bold: true }
            """#,
    ]
}
