package reports

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ANSI styles of the text reporter (used only when colour is on).
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// cell is one table cell: plain text, and the style to show it in when colour
// is on. Widths are measured on the plain text, so styles never misalign.
type cell struct {
	text  string
	style string
}

// styler applies styles, or not.
type styler struct{ color bool }

func (s styler) paint(style, text string) string {
	if !s.color || style == "" || text == "" {
		return text
	}
	return style + text + ansiReset
}

// table writes rows with columns padded to their widest cell, two spaces apart,
// each line prefixed by indent. Trailing blanks are trimmed.
func (s styler) table(w io.Writer, indent string, rows [][]cell) error {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c.text))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		b.WriteString(indent)
		pending := 0
		for i, c := range row {
			if c.text == "" {
				pending += widths[i] + 2
				continue
			}
			b.WriteString(strings.Repeat(" ", pending))
			b.WriteString(s.paint(c.style, c.text))
			pending = widths[i] - utf8.RuneCountInString(c.text) + 2
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	return nil
}
