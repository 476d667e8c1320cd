package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"contend/harness"
)

// TestTickShowsRequestsInFlight feeds a step start and then a Progress tick
// with four requests sent and none answered (a cold start): the dashboard must
// count them in flight, and the waterfall draw them, before the first result;
// a later clock tick lengthens their bars.
func TestTickShowsRequestsInFlight(t *testing.T) {
	s := newScript()
	sc := seedScenario()
	s.runStarted(sc, "naive")
	s.targetStarted("naive", 0)
	s.stepStarted(sc.Steps[1], 1)
	sent := s.now
	s.after(harness.ProgressEvery)
	s.progress(sent, sent, sent, sent)
	m := at(s.events)
	m.width, m.height = 80, 24

	if got := m.step.snap; got.InFlight != 4 || got.Done != 0 {
		t.Fatalf("after the tick: in flight %d, done %d; want 4 and 0", got.InFlight, got.Done)
	}
	if v := m.View(); !strings.Contains(v, "in flight 4") {
		t.Errorf("overview does not show 4 in flight:\n%s", v)
	}
	m.view = waterfallView
	v := m.View()
	if n := strings.Count(v, "in flight 250ms"); n != 4 {
		t.Errorf("waterfall shows %d requests in flight for 250ms, want 4:\n%s", n, v)
	}
	next, _ := m.Update(tickMsg(sent.Add(2 * time.Second)))
	m = next.(model)
	if v := m.View(); strings.Count(v, "in flight 2.00s") != 4 {
		t.Errorf("after a clock tick 2 s in, the bars do not say 2.00s:\n%s", v)
	}

	// The first answer takes its request out of the in-flight rows (the clock
	// is still at the later tick).
	s.after(time.Second)
	s.result(sent, 200, "", 3, []float64{0, 1400, 1600})
	next, _ = m.Update(eventsMsg{events: s.events[len(s.events)-1:]})
	m = next.(model)
	v = m.View()
	if !strings.Contains(v, "#1 ok 1.25s") || strings.Count(v, "in flight 2.00s") != 3 {
		t.Errorf("after the first answer, want one ok row and three in flight:\n%s", v)
	}
}

// TestLinger keeps the final screen after the stream ended until q, with the
// other views a tab away; without Linger the model quits on its own.
func TestLinger(t *testing.T) {
	m, quit := feed(t, testModel(Linger(true), Summarize(testRow)), seedStream())
	if quit || !m.finished {
		t.Fatalf("quit %v, finished %v with Linger; want no quit, finished", quit, m.finished)
	}
	m.width, m.height = 80, 24
	final := m.View()
	for _, want := range []string{"finished", "double-checked", "q to quit"} {
		if !strings.Contains(final, want) {
			t.Errorf("lingering final screen has no %q:\n%s", want, final)
		}
	}
	next, cmd := m.Update(tea.KeyMsg{Type: tea.KeyTab})
	m = next.(model)
	if cmd != nil {
		t.Errorf("tab on the final screen returned a Cmd")
	}
	next, _ = m.Update(tea.KeyMsg{Type: tea.KeyTab})
	m = next.(model)
	if v := m.View(); m.view != waterfallView || !strings.Contains(v, "waterfall · double-checked · concurrent") {
		t.Errorf("two tabs from the final screen: view %v\n%s", m.view, v)
	}
	next, cmd = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	m = next.(model)
	if cmd == nil {
		t.Fatal("q on a lingering dashboard does not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok || m.quit || m.view != overviewView {
		t.Errorf("q: quit cmd %v, user quit %v, view %v; want a quit, no user quit, the final screen", ok, m.quit, m.view)
	}
	left := m.View()
	if strings.Contains(left, "q to quit") || !strings.Contains(left, "finished") ||
		strings.Replace(final, "\nrun ended: tab for the other views, q to quit", "", 1) != left {
		t.Errorf("the screen left behind is not the final screen without the hint:\n%s", left)
	}

	if _, quit := feed(t, testModel(Summarize(testRow)), seedStream()); !quit {
		t.Error("without Linger the model does not quit when the stream ends")
	}
}
