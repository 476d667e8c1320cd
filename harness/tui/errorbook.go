package tui

import (
	"strconv"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
)

// Bounds of the errors view's memory: classes kept per stream, distinct
// sample messages kept per class, and the length of one sample.
const (
	maxErrorClasses = 16
	maxSamples      = 3
	maxSampleLen    = 240
)

// defaultClass names a failed result by its outcome (the Runner's, carried on
// its event), with the status code for HTTP errors: "timeout", "refused",
// "http 503", "other".
func defaultClass(r *vegeta.Result, o reports.Outcome) string {
	switch o {
	case reports.Client4xx, reports.Server5xx:
		return "http " + strconv.Itoa(int(r.Code))
	default:
		return o.String()
	}
}

// errorClass counts the failures of one class in one run.
type errorClass struct {
	run, name string
	count     int
	samples   []string // distinct messages, first seen first, at most maxSamples
}

// errorBook is every failure class seen so far, in order of first appearance.
type errorBook struct {
	classes []errorClass
	total   int
}

// add counts one failure. Past maxErrorClasses classes, new ones are counted
// as "other" of their run.
func (b *errorBook) add(run, class, msg string) {
	b.total++
	i := b.find(run, class)
	if i < 0 && len(b.classes) >= maxErrorClasses {
		class = "other"
		i = b.find(run, class)
	}
	if i < 0 {
		b.classes = append(b.classes, errorClass{run: run, name: class})
		i = len(b.classes) - 1
	}
	c := &b.classes[i]
	c.count++
	msg = sample(msg)
	if msg == "" || len(c.samples) >= maxSamples {
		return
	}
	for _, s := range c.samples {
		if s == msg {
			return
		}
	}
	c.samples = append(c.samples, msg)
}

func (b *errorBook) find(run, class string) int {
	for i, c := range b.classes {
		if c.run == run && c.name == class {
			return i
		}
	}
	return -1
}

// sample makes a message fit on one line of bounded length.
func sample(msg string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	if r := []rune(msg); len(r) > maxSampleLen {
		msg = string(r[:maxSampleLen-1]) + "…"
	}
	return msg
}

// failureMessage is what the errors view shows for a failed result.
func failureMessage(r *vegeta.Result) string {
	if r.Error != "" {
		return r.Error
	}
	return "status " + strconv.Itoa(int(r.Code))
}
