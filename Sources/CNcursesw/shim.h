#ifndef PAPERCTL_CNCURSESW_SHIM_H
#define PAPERCTL_CNCURSESW_SHIM_H

#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* From <term.h>, declared here so its many macros stay out of Swift. */
extern int setupterm(const char *term, int filedes, int *errret);

/* Swift cannot see macros with arguments nor touch curses globals safely: accessors instead. */
static inline WINDOW *paperctl_stdscr(void) { return stdscr; }
static inline int paperctl_lines(void) { return LINES; }
static inline int paperctl_cols(void) { return COLS; }
static inline int paperctl_colors(void) { return COLORS; }
static inline int paperctl_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t paperctl_color_pair(int n) { return (attr_t)COLOR_PAIR(n); }
static inline attr_t paperctl_a_bold(void) { return A_BOLD; }
static inline attr_t paperctl_a_reverse(void) { return A_REVERSE; }
static inline attr_t paperctl_a_underline(void) { return A_UNDERLINE; }
static inline attr_t paperctl_a_dim(void) { return A_DIM; }
static inline attr_t paperctl_a_normal(void) { return A_NORMAL; }
static inline int paperctl_key_resize(void) { return KEY_RESIZE; }
static inline int paperctl_key_up(void) { return KEY_UP; }
static inline int paperctl_key_down(void) { return KEY_DOWN; }
static inline int paperctl_key_left(void) { return KEY_LEFT; }
static inline int paperctl_key_right(void) { return KEY_RIGHT; }
static inline int paperctl_key_npage(void) { return KEY_NPAGE; }
static inline int paperctl_key_ppage(void) { return KEY_PPAGE; }
static inline int paperctl_key_home(void) { return KEY_HOME; }
static inline int paperctl_key_end(void) { return KEY_END; }
static inline int paperctl_key_btab(void) { return KEY_BTAB; }
static inline int paperctl_key_enter(void) { return KEY_ENTER; }
static inline int paperctl_key_backspace(void) { return KEY_BACKSPACE; }
static inline int paperctl_key_code_yes(void) { return KEY_CODE_YES; }
static inline int paperctl_err(void) { return ERR; }

/* Draws one wide-character string with attributes at (y, x). */
static inline int paperctl_put(int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    attr_set(attrs, pair, NULL);
    return mvaddwstr(y, x, text);
}

#endif
