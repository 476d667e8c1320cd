package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

// StartTolerance is how late a shard may start an attack on the shared
// schedule before its report says it missed its start.
const StartTolerance = 250 * time.Millisecond

// ShardInfo is what a shard's report records of its place in a sharded run
// (`contend run --shard I/N`), so that `contend report --merge` can check that
// reports belong together and judge the whole: the JSON report's "shard".
type ShardInfo struct {
	Index int `json:"index"`
	Count int `json:"count"`
	// StartAt is the instant every shard held for (--start-at); zero when the
	// shard started at once.
	StartAt time.Time `json:"start_at,omitzero"`
	// Scenario is the scenario file's text, ScenarioSHA256 its digest: the merge
	// judges the merged data against it, and refuses shards of other scenarios.
	Scenario       string `json:"scenario_yaml"`
	ScenarioSHA256 string `json:"scenario_sha256"`
	// Target is the URL every shard attacked.
	Target string `json:"target"`
	// TimeoutMs is the --timeout the shard ran with (absent: the scenario's).
	TimeoutMs float64 `json:"timeout_ms,omitempty"`
	// StepSlotMs is the --step-slot the schedule was made with (absent: each
	// attack's worst case).
	StepSlotMs float64 `json:"step_slot_ms,omitempty"`
	// Out is the output directory the shard wrote to, as given (raw results
	// paths in the report start with it).
	Out   string      `json:"out,omitempty"`
	Steps []ShardStep `json:"steps"`
}

// ShardStep is one step of the original scenario as this shard ran it.
type ShardStep struct {
	scenarios.ShardStep
	// Attacks has one entry per timed attack the shard made: one for the step,
	// or one per sweep level it ran (in ShardStep.Levels' order).
	Attacks []ShardAttack `json:"attacks,omitempty"`
}

// ShardAttack is when one attack was due and when it ran.
type ShardAttack struct {
	// Planned is the attack's start on the shared schedule (zero without
	// --start-at); Started is when this shard started it.
	Planned time.Time `json:"planned,omitzero"`
	Started time.Time `json:"started"`
	// LateMs is how much later than planned the shard started, when by more
	// than StartTolerance (absent otherwise).
	LateMs float64 `json:"late_ms,omitempty"`
	// FirstSend and LastAnswer bound the attack's requests: the first one's
	// start and the last one's end (zero when it sent nothing).
	FirstSend  time.Time `json:"first_send,omitzero"`
	LastAnswer time.Time `json:"last_answer,omitzero"`
}

// ScenarioDigest is the hex SHA-256 of a scenario file's text, as ShardInfo
// records it.
func ScenarioDigest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Late returns the attack's lateness as a duration, 0 when on time.
func (a ShardAttack) Late() time.Duration {
	return time.Duration(a.LateMs * float64(time.Millisecond))
}

// MarkLate sets LateMs from Planned and Started when the start missed the
// schedule by more than StartTolerance.
func (a *ShardAttack) MarkLate() {
	if a.Planned.IsZero() {
		return
	}
	if late := a.Started.Sub(a.Planned); late > StartTolerance {
		a.LateMs = round3(millis(late))
	}
}

// FillWindows sets each attack's FirstSend and LastAnswer from the run's
// results: the step's, or its sweep levels' in order.
func (s *ShardInfo) FillWindows(ri RunInput) {
	byName := map[string]StepInput{}
	for _, si := range ri.Steps {
		byName[si.Step.Name] = si
	}
	for k := range s.Steps {
		st := &s.Steps[k]
		si, ok := byName[st.Step]
		if !ok {
			continue
		}
		if si.Step.Mode == scenarios.ModeSweep {
			for j := range st.Attacks {
				if j < len(si.Levels) {
					st.Attacks[j].FirstSend, st.Attacks[j].LastAnswer = window(si.Levels[j].Results)
				}
			}
			continue
		}
		if len(st.Attacks) > 0 {
			st.Attacks[0].FirstSend, st.Attacks[0].LastAnswer = window(si.Results)
		}
	}
}

// window is the first request's start and the last response's end.
func window(results []vegeta.Result) (first, last time.Time) {
	for i := range results {
		r := &results[i]
		if first.IsZero() || r.Timestamp.Before(first) {
			first = r.Timestamp
		}
		if e := r.End(); e.After(last) {
			last = e
		}
	}
	return first, last
}

// Notes returns the shard's lines for people: which shard it is, what it
// skipped, which starts it missed.
func (s *ShardInfo) Notes() []string {
	head := fmt.Sprintf("shard %d/%d", s.Index, s.Count)
	if !s.StartAt.IsZero() {
		head += ", started at " + s.StartAt.UTC().Format(time.RFC3339Nano)
	}
	out := []string{head + ": merge the shards' report.json with `contend report --merge`"}
	for _, st := range s.Steps {
		if st.Skipped != "" {
			out = append(out, fmt.Sprintf("skipped step %s: %s", st.Step, st.Skipped))
		}
		for j, a := range st.Attacks {
			if a.LateMs <= 0 {
				continue
			}
			what := "step " + st.Step
			if j < len(st.Levels) && len(st.Levels) > 1 {
				what += fmt.Sprintf(" level %d", st.Levels[j].Level)
			}
			out = append(out, fmt.Sprintf("LATE: %s started %s after its slot (tolerance %s): its requests did not land with the other shards'",
				what, a.Late().Round(time.Millisecond), StartTolerance))
		}
	}
	return out
}

// ShardNotes returns a shard's or a merged report's lines for people (none for
// an ordinary run): which shard, what was skipped or missed, what is missing.
func (r *Report) ShardNotes() []string {
	var notes []string
	if r.Shard != nil {
		notes = r.Shard.Notes()
	}
	if r.Merged != nil {
		notes = append(notes, r.Merged.Notes()...)
	}
	return notes
}
