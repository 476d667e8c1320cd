package harness

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// CheckOutDir creates dir (and its parents) when missing and checks that files can
// be written in it. Run calls it before sending any load; the CLI may call it
// earlier to fail before starting anything.
func CheckOutDir(dir string) error {
	if dir == "" {
		return errors.New("output directory: empty path")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".contend-write-check-*")
	if err != nil {
		return fmt.Errorf("output directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	werr := f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("output directory %s: remove write check: %w", dir, err)
	}
	if werr != nil {
		return fmt.Errorf("output directory %s is not writable: %w", dir, werr)
	}
	return nil
}

// rawName returns the file name of a step's raw results: <step>.bin, or
// <step>-c<level>.bin for a sweep level.
func rawName(step string, level int) string {
	name := fileSafe(step)
	if level > 0 {
		name += "-c" + strconv.Itoa(level)
	}
	return name + ".bin"
}

// fileSafe maps a run or step label to a file name: letters, digits, '.', '-'
// and '_' are kept, everything else becomes '_'.
func fileSafe(label string) string {
	var b strings.Builder
	for _, r := range label {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), ".")
	if s == "" {
		return "_"
	}
	return s
}

// rawWriter streams results to a file in vegeta's gob encoding, as
// `vegeta attack` writes them, so `vegeta report` and `vegeta plot` read it.
// A nil *rawWriter discards everything (no OutDir).
type rawWriter struct {
	path string
	f    *os.File
	buf  *bufio.Writer
	enc  vegeta.Encoder
	err  error // the first write error; later writes are skipped
}

// createRaw creates path for writing; the caller must call close.
func createRaw(path string) (*rawWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("save raw results: %w", err)
	}
	buf := bufio.NewWriter(f)
	return &rawWriter{path: path, f: f, buf: buf, enc: vegeta.NewEncoder(buf)}, nil
}

// write encodes one result; after a failure it does nothing (see close).
func (w *rawWriter) write(r *vegeta.Result) {
	if w == nil || w.err != nil {
		return
	}
	if err := w.enc.Encode(r); err != nil {
		w.err = fmt.Errorf("save raw results to %s: %w", w.path, err)
	}
}

// close flushes and closes the file and returns the first error met.
func (w *rawWriter) close() error {
	if w == nil {
		return nil
	}
	if err := w.buf.Flush(); err != nil && w.err == nil {
		w.err = fmt.Errorf("save raw results to %s: %w", w.path, err)
	}
	if err := w.f.Close(); err != nil && w.err == nil {
		w.err = fmt.Errorf("save raw results to %s: %w", w.path, err)
	}
	return w.err
}

// filePath returns the saved file's path ("" when nothing is saved).
func (w *rawWriter) filePath() string {
	if w == nil {
		return ""
	}
	return w.path
}

// ensureDir creates dir for a run's files.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return nil
}

// runDir is where a run's files go under the output directory.
func runDir(outDir, run string) string {
	return filepath.Join(outDir, fileSafe(run))
}
