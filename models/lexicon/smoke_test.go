package lexicon

import (
	"path/filepath"
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	if err := Build(dir, Tiny); err != nil {
		t.Fatal(err)
	}
	t.Logf("build %v", time.Since(start))
	m := loadTestModel(t, filepath.Join(dir, "en-hi"))
	for _, s := range []string{"The water is cold.", "good boy", "xyzzy river"} {
		start := time.Now()
		got := m.translate(t, s)
		t.Logf("%q -> %q in %v", s, got, time.Since(start))
	}
	m2 := loadTestModel(t, filepath.Join(dir, "hi-en"))
	t.Logf("%q", m2.translate(t, "वह पानी है ठंडा।"))
}
