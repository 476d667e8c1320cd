package scenarios

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem in a scenario: where it is (File, Line, Field) and what is
// wrong with it (Msg). Load and Validate return a single *Error, or several joined
// with errors.Join and sorted by line; use Problems to list them.
type Error struct {
	File  string // the file name given to Load ("" for an unnamed reader)
	Line  int    // 1-based line, 0 when unknown
	Field string // path of the field, e.g. "steps[2].rate" ("" for the whole file)
	Msg   string
}

// Error formats the problem as "file:line: field: msg", leaving out the parts
// that are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(":")
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Problems returns every *Error in err: err itself, or the errors joined in it.
// It returns nil when err holds none.
func Problems(err error) []*Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e == err {
		return []*Error{e}
	}
	var out []*Error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, sub := range j.Unwrap() {
			out = append(out, Problems(sub)...)
		}
		return out
	}
	if inner := errors.Unwrap(err); inner != nil {
		return Problems(inner)
	}
	return nil
}

// maxProblems caps the problems one Load or Validate reports; a file with more
// is not a scenario with typos but something else.
const maxProblems = 100

// problems collects the errors of one Load or Validate.
type problems struct {
	file    string
	list    []*Error
	dropped int // problems past maxProblems, counted but not kept
}

func (p *problems) add(line int, field, format string, args ...any) {
	if len(p.list) >= maxProblems {
		p.dropped++
		return
	}
	p.list = append(p.list, &Error{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// has reports whether a problem was already recorded at field, inside it, or at
// one of its parents, so that checks on a value that failed to decode are skipped.
func (p *problems) has(field string) bool {
	for _, e := range p.list {
		if related(e.Field, field) {
			return true
		}
	}
	return false
}

// related reports whether one field path equals or contains the other.
func related(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if a == "" || !strings.HasPrefix(b, a) {
		return a == b
	}
	return len(a) == len(b) || b[len(a)] == '.' || b[len(a)] == '['
}

// err returns nil, the single problem, or all problems joined and sorted by line.
func (p *problems) err() error {
	switch len(p.list) {
	case 0:
		return nil
	case 1:
		return p.list[0]
	}
	slices.SortStableFunc(p.list, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	errs := make([]error, len(p.list), len(p.list)+1)
	for i, e := range p.list {
		errs[i] = e
	}
	if p.dropped > 0 {
		errs = append(errs, &Error{File: p.file, Msg: fmt.Sprintf("%d more problems not shown", p.dropped)})
	}
	return errors.Join(errs...)
}
