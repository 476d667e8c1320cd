package reports

// Checking that saved reports are shards of one run, before MergeShards adds them up.

import (
	"errors"
	"fmt"

	"contend/scenarios"
)

// indexShards checks that the files are shards of one run, each index once,
// and returns them in index order with what the merged report records of them.
func indexShards(files []ShardFile, allowPartial bool) ([]*ShardFile, *MergeInfo, error) {
	if len(files) == 0 {
		return nil, nil, errors.New("merge: no shard reports")
	}
	first := files[0]
	for _, f := range files {
		if f.Report == nil || f.Report.Shard == nil {
			return nil, nil, fmt.Errorf("merge %s: %w", f.Name, ErrNotShard)
		}
		if got := ScenarioDigest(f.Report.Shard.Scenario); got != f.Report.Shard.ScenarioSHA256 {
			return nil, nil, fmt.Errorf("merge %s: %w: its scenario's text has digest %s, the report says %s",
				f.Name, ErrShardsMismatch, short(got), short(f.Report.Shard.ScenarioSHA256))
		}
		if err := sameRun(first, f); err != nil {
			return nil, nil, err
		}
	}
	info := first.Report.Shard
	if info.Count < 1 || info.Count > scenarios.MaxShards {
		return nil, nil, fmt.Errorf("merge %s: shard count %d out of 1..%d", first.Name, info.Count, scenarios.MaxShards)
	}
	byIndex := make([]*ShardFile, info.Count)
	for i := range files {
		f := &files[i]
		idx := f.Report.Shard.Index
		if idx < 0 || idx >= info.Count {
			return nil, nil, fmt.Errorf("merge %s: shard index %d out of 0..%d", f.Name, idx, info.Count-1)
		}
		if prev := byIndex[idx]; prev != nil {
			return nil, nil, fmt.Errorf("merge: %w: shard %d/%d in %s and in %s", ErrShardTwice, idx, info.Count, prev.Name, f.Name)
		}
		byIndex[idx] = f
	}
	mi := &MergeInfo{Count: info.Count, StartAt: info.StartAt}
	var present []*ShardFile
	for i, f := range byIndex {
		if f == nil {
			mi.Missing = append(mi.Missing, i)
			continue
		}
		mi.Shards = append(mi.Shards, i)
		present = append(present, f)
	}
	if len(mi.Missing) > 0 && !allowPartial {
		return nil, nil, fmt.Errorf("merge: %w: %s of %d (have %s; --allow-partial merges what is there)",
			ErrShardMissing, joinInts(mi.Missing), info.Count, joinInts(mi.Shards))
	}
	return present, mi, nil
}

// sameRun checks that f is a shard of the same run as first.
func sameRun(first, f ShardFile) error {
	a, b := first.Report.Shard, f.Report.Shard
	differ := func(what, x, y string) error {
		return fmt.Errorf("merge: %w: %s has %s %s, %s has %s", ErrShardsMismatch, first.Name, what, x, f.Name, y)
	}
	switch {
	case a.ScenarioSHA256 != b.ScenarioSHA256:
		return differ("scenario", short(a.ScenarioSHA256), short(b.ScenarioSHA256))
	case a.Count != b.Count:
		return differ("shard count", fmt.Sprint(a.Count), fmt.Sprint(b.Count))
	case !a.StartAt.Equal(b.StartAt):
		return differ("start", fmtTime(a.StartAt), fmtTime(b.StartAt))
	case a.Target != b.Target:
		return differ("target", a.Target, b.Target)
	case a.TimeoutMs != b.TimeoutMs:
		return differ("--timeout (ms)", fmt.Sprint(a.TimeoutMs), fmt.Sprint(b.TimeoutMs))
	case a.StepSlotMs != b.StepSlotMs:
		return differ("--step-slot (ms)", fmt.Sprint(a.StepSlotMs), fmt.Sprint(b.StepSlotMs))
	}
	return nil
}
