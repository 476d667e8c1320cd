package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// burstWaterfalls is the demo's burst of 10 on 2 cores with a 300 ms request and
// a 2.25 s timeout: under one lock the requests run one at a time, so the last
// ones time out; with 2 cores they all overlap and finish.
func burstWaterfalls() (naive, fixed *Waterfall) {
	const timeoutMs = 2250
	lock, _ := simulate(lockModel, 2, 10, 10, 300, true)
	for i := range lock {
		if lock[i].lat > timeoutMs {
			lock[i] = timeoutReq(lock[i].at, timeoutMs)
		}
	}
	cores, _ := simulate(coreModel, 2, 10, 10, 300, true)
	return buildWaterfall(results(t0, lock), ms(timeoutMs)), buildWaterfall(results(t0, cores), ms(timeoutMs))
}

// largeWaterfall is an open-loop step of 1,000 requests, 40 ms apart, taking
// 100 ms each, the last 50 failing: more than a waterfall draws one by one.
func largeWaterfall() *Waterfall {
	var rqs []rq
	for i := range 1000 {
		r := timedReq(float64(i)*40, 100, 0, 0, 100)
		if i >= 950 {
			r = timeoutReq(float64(i)*40, 100)
		}
		rqs = append(rqs, r)
	}
	return buildWaterfall(results(t0, rqs), time.Second)
}

func TestWaterfallBuilder(t *testing.T) {
	naive, fixed := burstWaterfalls()
	t.Run("spans in send order with Server-Timing", func(t *testing.T) {
		if naive.Requests != 10 || len(naive.Spans) != 10 || naive.Sampled() {
			t.Fatalf("requests %d, spans %d, sampled %v; want 10, 10, false", naive.Requests, len(naive.Spans), naive.Sampled())
		}
		timeouts := 0
		for i, s := range naive.Spans {
			if i > 0 && s.StartMs < naive.Spans[i-1].StartMs {
				t.Errorf("span %d sent at %v, before span %d at %v", i, s.StartMs, i-1, naive.Spans[i-1].StartMs)
			}
			switch s.Outcome {
			case "timeout":
				timeouts++
				if s.Timing != nil {
					t.Errorf("span %d timed out but has Server-Timing %+v", i, *s.Timing)
				}
			case "ok":
				if s.Timing == nil || s.Timing.InferMs != 300 {
					t.Errorf("span %d: timing %+v, want infer 300", i, s.Timing)
				}
			}
		}
		// Under the lock request k ends at 300k ms: 7 end by 2.1 s, 3 time out.
		if timeouts != 3 {
			t.Errorf("timeouts %d, want 3", timeouts)
		}
		if naive.TimeoutMs != 2250 || naive.EndMs != 2250 {
			t.Errorf("timeout %v, end %v; want 2250, 2250", naive.TimeoutMs, naive.EndMs)
		}
		if fixed.EndMs != 1500 { // 10 requests on 2 cores: 5 rounds of 300 ms
			t.Errorf("double-checked ends at %v, want 1500", fixed.EndMs)
		}
	})
	t.Run("band holds every request's time in flight", func(t *testing.T) {
		for name, w := range map[string]*Waterfall{"naive": naive, "large": largeWaterfall()} {
			sum, want := 0.0, 0.0
			for _, v := range w.Band.InFlight {
				sum += v * w.Band.BucketMs
			}
			for _, s := range w.Spans {
				want += s.Ms
			}
			if w.Sampled() {
				want = 1000 * 100
			}
			if math.Abs(sum-want) > want*1e-3 {
				t.Errorf("%s: band integrates to %v ms in flight, want %v", name, sum, want)
			}
			if len(w.Band.InFlight) > WaterfallBandBuckets {
				t.Errorf("%s: %d buckets, want at most %d", name, len(w.Band.InFlight), WaterfallBandBuckets)
			}
		}
	})
	t.Run("a large step keeps only the band", func(t *testing.T) {
		w := largeWaterfall()
		if !w.Sampled() || w.Spans != nil || w.Requests != 1000 {
			t.Fatalf("sampled %v, %d spans, %d requests; want only the band of 1000", w.Sampled(), len(w.Spans), w.Requests)
		}
		failed := 0
		for _, n := range w.Band.Failed {
			failed += n
		}
		if failed != 50 {
			t.Errorf("band counts %d failures, want 50", failed)
		}
		// 100 ms requests every 40 ms: 2.5 in flight in the steady middle.
		if mid := w.Band.InFlight[len(w.Band.InFlight)/2]; math.Abs(mid-2.5) > 0.3 {
			t.Errorf("mid-step in flight %v, want about 2.5", mid)
		}
	})
	t.Run("cancelled requests are left out", func(t *testing.T) {
		rs := results(t0, []rq{okReq(0, 100), {at: 0, lat: 50, err: RunStoppedError}})
		w := buildWaterfall(rs, 0)
		if w.Requests != 1 || len(w.Spans) != 1 || w.Spans[0].Outcome != "ok" {
			t.Errorf("got %d requests, spans %+v; want only the ok one", w.Requests, w.Spans)
		}
	})
}

func TestWaterfallJSONRoundTrip(t *testing.T) {
	rep := seedReport()
	var b bytes.Buffer
	if err := NewJSONReporter(rep)(&b); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(back.Runs[0].Steps[1].Waterfall)
	want, _ := json.Marshal(rep.Runs[0].Steps[1].Waterfall)
	if rep.Runs[0].Steps[1].Waterfall == nil || !bytes.Equal(got, want) {
		t.Errorf("waterfall after a JSON round trip:\n%s\nwant\n%s", got, want)
	}
}

func TestWaterfallSVG(t *testing.T) {
	naive, fixed := burstWaterfalls()
	svg := string(waterfallSVG("concurrent (concurrent): every request from send to answer", []WaterfallLane{
		{Label: "naive", Color: palette[0], W: naive},
		{Label: "double-checked", Color: palette[1], W: fixed},
	}))
	golden(t, "waterfall-burst.svg", []byte(svg+"\n"))
	band := string(waterfallSVG("rate (rate): every request from send to answer", []WaterfallLane{
		{Label: "open-loop", Color: palette[2], W: largeWaterfall()},
	}))
	golden(t, "waterfall-band.svg", []byte(band+"\n"))
	svg += band
	for _, want := range []string{
		`class="chart waterfall"`,
		"#8 timeout 2.25s",              // a timed-out row, labelled
		"wait on the lock",              // the legend
		"client timeout 2.25s",          // the lane caption
		"more than 200, so requests in", // the large lane says it is a band
		`stroke="` + colorFail + `" stroke-width="2" stroke-dasharray`, // the deadline line
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the waterfall has no %q", want)
		}
	}
	// One bar group per request of the two small lanes.
	if n := strings.Count(svg, "<g><title>#"); n != 20 {
		t.Errorf("%d request bars, want 20", n)
	}
}

func TestTextWaterfall(t *testing.T) {
	naive, fixed := burstWaterfalls()
	burst := []WaterfallLane{{Label: "naive", W: naive}, {Label: "double-checked", W: fixed}}
	var b strings.Builder
	b.WriteString(textWaterfall(burst, 64, 24))
	b.WriteString("\n-- at most 4 rows a lane --\n")
	b.WriteString(textWaterfall(burst, 64, 4))
	b.WriteString("\n-- a large step --\n")
	b.WriteString(textWaterfall([]WaterfallLane{{Label: "open-loop", W: largeWaterfall()}}, 64, 24))
	got := b.String()
	golden(t, "waterfall.txt", []byte(got))
	for _, want := range []string{
		"#8 timeout 2.25s", "░ wait on the lock", "× timeout", "│ client timeout",
		"#1–3", "3 requests a row", // 10 requests in 4 rows
		"in flight", "more than 200",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text waterfall has no %q:\n%s", want, got)
		}
	}
}

func TestTextRows(t *testing.T) {
	spans := []Span{
		{StartMs: 0, Ms: 400, Outcome: "ok", Timing: &SpanTiming{WaitMs: 200, InferMs: 200}},
		{StartMs: 0, Ms: 1000, Outcome: "timeout"},
		OpenSpan(100, 600),
	}
	rows, per := TextRows(spans, 1000, 100, 12, 10)
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = r.Label + "|" + cellsText(r.Cells)
	}
	want := []string{
		"#1 ok 400ms|░░██      │ ",
		"#2 timeout 1.00s|××××××××××│ ",
		"#3 in flight 500ms| ━━━━━     │",
	}
	if per != 1 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows (%d a row):\n%s\nwant:\n%s", per, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Merged into one row, the strongest cell of the three wins each column.
	rows, per = TextRows(spans, 1000, 100, 12, 1)
	if per != 3 || len(rows) != 1 || cellsText(rows[0].Cells) != "××××××××××││" || rows[0].Label != "#1–3" {
		t.Errorf("merged: %d a row, %q %q", per, rows[0].Label, cellsText(rows[0].Cells))
	}
}
