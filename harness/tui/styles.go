package tui

import (
	"io"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// styles are every style the view uses, all from one renderer so that colour
// follows one decision (NO_COLOR, NoColor, or what the output supports).
type styles struct {
	title, dim, bold             lipgloss.Style
	tabOn, tabOff                lipgloss.Style
	ok, timeout, errs            lipgloss.Style
	wait, load, infer            lipgloss.Style
	chart, chartFail, axis, tick lipgloss.Style
	bar                          lipgloss.Style
	head                         lipgloss.Style
	good, partial, bad           lipgloss.Style
	help                         help.Styles
}

// Colours (ANSI 256). Timeouts have their own, apart from other errors.
const (
	colourTitle   = "99"
	colourDim     = "245"
	colourOK      = "42"
	colourTimeout = "214"
	colourError   = "196"
	colourWait    = "203"
	colourLoad    = "220"
	colourInfer   = "38"
	colourChart   = "75"
	colourBar     = "63"
)

func newStyles(r *lipgloss.Renderer) styles {
	fg := func(c string) lipgloss.Style { return r.NewStyle().Foreground(lipgloss.Color(c)) }
	keyStyle := fg("250")
	descStyle := fg(colourDim)
	sepStyle := fg("240")
	return styles{
		title:     fg(colourTitle).Bold(true),
		dim:       fg(colourDim),
		bold:      r.NewStyle().Bold(true),
		tabOn:     fg(colourTitle).Bold(true).Underline(true),
		tabOff:    fg(colourDim),
		ok:        fg(colourOK),
		timeout:   fg(colourTimeout).Bold(true),
		errs:      fg(colourError).Bold(true),
		wait:      fg(colourWait),
		load:      fg(colourLoad),
		infer:     fg(colourInfer),
		chart:     fg(colourChart),
		chartFail: fg(colourTimeout),
		axis:      fg("240"),
		bar:       fg(colourBar),
		tick:      fg(colourDim),
		head:      r.NewStyle().Bold(true),
		good:      fg(colourOK).Bold(true),
		partial:   fg(colourLoad).Bold(true),
		bad:       fg(colourError).Bold(true),
		help: help.Styles{
			Ellipsis:       sepStyle,
			ShortKey:       keyStyle,
			ShortDesc:      descStyle,
			ShortSeparator: sepStyle,
			FullKey:        keyStyle,
			FullDesc:       descStyle,
			FullSeparator:  sepStyle,
		},
	}
}

// plainStyles are styles without colour, for tests and golden files.
func plainStyles() styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return newStyles(r)
}
