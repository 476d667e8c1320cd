package reports

import (
	"fmt"
	"math"
	"strings"
)

// Cell is what one character of a text waterfall shows. Where a row stands for
// several requests (a waterfall too tall for its space), the higher Cell wins.
type Cell uint8

// The cells of a text waterfall, lowest first.
const (
	CellEmpty    Cell = iota
	CellDeadline      // a request's client timeout
	CellOpen          // sent, no answer yet
	CellRest          // the part of a request Server-Timing does not split, or all of it
	CellInfer         // running the model
	CellLoad          // loading the models
	CellWait          // waiting on the model lock
	CellError         // a failure that is not a timeout
	CellTimeout       // timed out
	numCells
)

// Glyphs distinct without colour, so a text waterfall reads in a CI summary and
// with NO_COLOR.
var cellGlyphs = [numCells]string{" ", "│", "━", "▓", "█", "▒", "░", "!", "×"}

var cellNames = [numCells]string{"", "client timeout", "in flight", "rest (no Server-Timing split)", "infer", "model load", "wait on the lock", "error", "timeout"}

// Glyph returns the character the cell is drawn with.
func (c Cell) Glyph() string { return cellGlyphs[min(c, numCells-1)] }

// CellLegend returns "░ wait on the lock · █ infer ..." for the cells that
// occur in rows, in a fixed order.
func CellLegend(rows []TextRow) string {
	var seen [numCells]bool
	for _, r := range rows {
		for _, c := range r.Cells {
			seen[c] = true
		}
	}
	var parts []string
	for _, c := range []Cell{CellWait, CellLoad, CellInfer, CellRest, CellOpen, CellTimeout, CellError, CellDeadline} {
		if seen[c] {
			parts = append(parts, c.Glyph()+" "+cellNames[c])
		}
	}
	return strings.Join(parts, " · ")
}

var pieceCells = [numKinds]Cell{kindWait: CellWait, kindLoad: CellLoad, kindInfer: CellInfer, kindRest: CellRest,
	kindTimeout: CellTimeout, kindError: CellError, kindOpen: CellOpen}

// TextRow is one line of a text waterfall: a label and one cell per column.
type TextRow struct {
	Label string
	Cells []Cell
}

// TextRows lays spans (in send order) out on width columns of cellMs each, one
// row per request, or, when there are more than maxRows, per group of
// consecutive requests (perRow > 1). timeoutMs (0: unknown) marks each
// request's deadline.
func TextRows(spans []Span, timeoutMs, cellMs float64, width, maxRows int) (rows []TextRow, perRow int) {
	n := len(spans)
	if n == 0 || width <= 0 || maxRows <= 0 || cellMs <= 0 {
		return nil, 1
	}
	perRow = (n + maxRows - 1) / maxRows
	for first := 0; first < n; first += perRow {
		last := min(first+perRow, n) - 1
		row := TextRow{Cells: make([]Cell, width)}
		for i := first; i <= last; i++ {
			fillPieces(row.Cells, pieces(&spans[i]), cellMs)
			if timeoutMs > 0 {
				setCell(row.Cells, int(math.Round((spans[i].StartMs+timeoutMs)/cellMs)), CellDeadline)
			}
		}
		switch {
		case perRow == 1:
			row.Label = fmt.Sprintf("#%d %s %s", first+1, spans[first].Outcome, fmtMs(spans[first].Ms))
		case first == last:
			row.Label = fmt.Sprintf("#%d", first+1)
		default:
			row.Label = fmt.Sprintf("#%d–%d", first+1, last+1)
		}
		rows = append(rows, row)
	}
	return rows, perRow
}

// fillPieces draws each piece on the cells whose middle it covers; a request
// too short to cover any middle still gets the cell it starts in.
func fillPieces(row []Cell, ps []piece, cellMs float64) {
	drawn := false
	for _, p := range ps {
		for i := int(math.Ceil(p.from/cellMs - 0.5)); float64(i)+0.5 < p.to/cellMs; i++ {
			if i >= 0 && i < len(row) {
				setCell(row, i, pieceCells[p.kind])
				drawn = true
			}
		}
	}
	if !drawn && len(ps) > 0 {
		longest := ps[0]
		for _, p := range ps {
			if p.to-p.from > longest.to-longest.from {
				longest = p
			}
		}
		setCell(row, int(ps[0].from/cellMs), pieceCells[longest.kind])
	}
}

func setCell(row []Cell, i int, c Cell) {
	if i >= 0 && i < len(row) && c > row[i] {
		row[i] = c
	}
}

// TextAxis returns a tick line for width columns of cellMs each: labels such
// as "0s", "1s", "2s" at their columns, ticks as close as the labels allow.
func TextAxis(cellMs float64, width int) string {
	spanMs := cellMs * float64(width)
	var line []rune
	for n := 8; n >= 1; n-- {
		ticks := niceTicks(0, spanMs, n)
		ok := true
		line = []rune(strings.Repeat(" ", width))
		next := 0
		for _, t := range ticks {
			col := int(math.Round(t / cellMs))
			label := []rune(fmtAxisMs(t, spanMs))
			if col+len(label) >= width {
				break // no room for the last label: leave it out
			}
			if col < next {
				ok = false
				break
			}
			line[col] = '╵'
			copy(line[col+1:], label)
			next = col + len(label) + 2
		}
		if ok {
			break
		}
	}
	return strings.TrimRight(string(line), " ")
}

// Sparkline draws values (from 0 to top) as one row of eighth blocks, resampled
// to width columns by the mean.
func Sparkline(values []float64, top float64, width int) string {
	if len(values) == 0 || width <= 0 {
		return ""
	}
	if top <= 0 {
		top = 1
	}
	const levels = "▁▂▃▄▅▆▇█"
	glyphs := []rune(levels)
	var b strings.Builder
	for c := range width {
		lo := c * len(values) / width
		hi := max((c+1)*len(values)/width, lo+1)
		sum := 0.0
		for _, v := range values[lo:min(hi, len(values))] {
			sum += v
		}
		mean := sum / float64(hi-lo)
		if mean <= 0 {
			b.WriteRune(' ')
			continue
		}
		b.WriteRune(glyphs[min(int(mean/top*float64(len(glyphs))), len(glyphs)-1)])
	}
	return b.String()
}
