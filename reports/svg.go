package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Series colours of the HTML charts, one per run (cycled).
var palette = []string{"#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2"}

const (
	colorFail  = "#dc2626"
	colorMuted = "#9ca3af"
)

// svgChart draws one chart as inline SVG: a plot area with axes, ticks and
// labels, in data coordinates mapped onto pixels.
type svgChart struct {
	w, h                     float64
	left, right, top, bottom float64
	x0, x1, y0, y1           float64
	b                        strings.Builder
}

// newChart starts a chart of w x h pixels over the data ranges [x0, x1] and
// [y0, y1] (widened when empty), with an accessible title.
func newChart(title string, w, h int, x0, x1, y0, y1 float64) *svgChart {
	if x1 <= x0 {
		x1 = x0 + 1
	}
	if y1 <= y0 {
		y1 = y0 + 1
	}
	c := &svgChart{w: float64(w), h: float64(h), left: 58, right: 16, top: 42, bottom: 42, x0: x0, x1: x1, y0: y0, y1: y1}
	fmt.Fprintf(&c.b, `<svg viewBox="0 0 %d %d" width="%d" height="%d" role="img" class="chart">`, w, h, w, h)
	fmt.Fprintf(&c.b, `<title>%s</title>`, html.EscapeString(title))
	fmt.Fprintf(&c.b, `<text x="%g" y="16" class="ct">%s</text>`, c.left, html.EscapeString(title))
	return c
}

func (c *svgChart) px(x float64) float64 {
	return c.left + (x-c.x0)/(c.x1-c.x0)*(c.w-c.left-c.right)
}

func (c *svgChart) py(y float64) float64 {
	return c.h - c.bottom - (y-c.y0)/(c.y1-c.y0)*(c.h-c.top-c.bottom)
}

// niceTicks returns about n round tick values covering [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	span := hi - lo
	if span <= 0 || n < 1 {
		return []float64{lo}
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	return out
}

// axes draws the frame, grid, ticks and axis labels.
func (c *svgChart) axes(xlabel, ylabel string, xticks bool) {
	bx, by := c.px(c.x0), c.py(c.y0)
	fmt.Fprintf(&c.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="ax"/>`, bx, by, c.px(c.x1), by)
	fmt.Fprintf(&c.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="ax"/>`, bx, by, bx, c.py(c.y1))
	for _, v := range niceTicks(c.y0, c.y1, 5) {
		y := c.py(v)
		fmt.Fprintf(&c.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="gr"/>`, bx, y, c.px(c.x1), y)
		fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" class="tl" text-anchor="end">%s</text>`, bx-4, y+4, fmtNum(v))
	}
	if xticks {
		for _, v := range niceTicks(c.x0, c.x1, 6) {
			x := c.px(v)
			fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" class="tl" text-anchor="middle">%s</text>`, x, by+14, fmtNum(v))
		}
	}
	fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" class="al" text-anchor="middle">%s</text>`,
		(bx+c.px(c.x1))/2, c.h-6, html.EscapeString(xlabel))
	fmt.Fprintf(&c.b, `<text x="12" y="%.1f" class="al" text-anchor="middle" transform="rotate(-90 12 %.1f)">%s</text>`,
		(by+c.py(c.y1))/2, (by+c.py(c.y1))/2, html.EscapeString(ylabel))
}

func (c *svgChart) dot(x, y, r float64, color, tip string) {
	fmt.Fprintf(&c.b, `<circle cx="%.1f" cy="%.1f" r="%g" fill="%s"><title>%s</title></circle>`,
		c.px(x), c.py(y), r, color, html.EscapeString(tip))
}

func (c *svgChart) cross(x, y float64, color, tip string) {
	X, Y := c.px(x), c.py(y)
	fmt.Fprintf(&c.b, `<path d="M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f" stroke="%s" stroke-width="1.5"><title>%s</title></path>`,
		X-3, Y-3, X+3, Y+3, X-3, Y+3, X+3, Y-3, color, html.EscapeString(tip))
}

// polyline joins data points; dash is an SVG dash array ("" for solid).
func (c *svgChart) polyline(xs, ys []float64, color, dash string) {
	var pts []string
	for i := range xs {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", c.px(xs[i]), c.py(ys[i])))
	}
	extra := ""
	if dash != "" {
		extra = fmt.Sprintf(` stroke-dasharray="%s"`, dash)
	}
	fmt.Fprintf(&c.b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`, strings.Join(pts, " "), color, extra)
}

// bar draws a rectangle from data (x0, y0) to (x1, y1).
func (c *svgChart) bar(x0, x1, y0, y1 float64, color, tip string) {
	X0, X1, Y0, Y1 := c.px(x0), c.px(x1), c.py(y1), c.py(y0)
	fmt.Fprintf(&c.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
		X0, Y0, math.Max(X1-X0, 0.5), math.Max(Y1-Y0, 0), color, html.EscapeString(tip))
}

// label writes text at a data position.
func (c *svgChart) label(x, y float64, text, anchor string) {
	fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" class="tl" text-anchor="%s">%s</text>`, c.px(x), c.py(y), anchor, html.EscapeString(text))
}

// legend writes coloured keys right-aligned on the line under the title.
func (c *svgChart) legend(names, colors []string) {
	x := c.w - c.right
	for i := len(names) - 1; i >= 0; i-- {
		x -= float64(len([]rune(names[i])))*6.6 + 24 // about 6.6 px a character at the .tl size
		fmt.Fprintf(&c.b, `<rect x="%.1f" y="23" width="10" height="10" fill="%s"/>`, x, colors[i])
		fmt.Fprintf(&c.b, `<text x="%.1f" y="32" class="tl">%s</text>`, x+14, html.EscapeString(names[i]))
	}
}

// html closes the chart. The markup is built only from numbers and escaped text.
func (c *svgChart) html() template.HTML {
	c.b.WriteString(`</svg>`)
	return template.HTML(c.b.String()) //nolint:gosec // every text node above went through html.EscapeString
}
