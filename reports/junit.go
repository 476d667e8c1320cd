package reports

import (
	"encoding/xml"
	"fmt"
	"io"
)

// JUnit XML, in the shape CI systems read (Jenkins, GitLab, GitHub actions):
// <testsuites> holding one <testsuite> per run, one <testcase> per expectation.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// NewJUnitReporter returns a Reporter that writes r as JUnit XML: one
// <testsuite> per run with one <testcase> per expectation (a <failure> when it
// failed) and an <error> test case when the run itself failed; expectations that
// matched no run and baseline checks get a suite each.
func NewJUnitReporter(r *Report) Reporter {
	return func(w io.Writer) error {
		doc := junit(r)
		if _, err := io.WriteString(w, xml.Header); err != nil {
			return fmt.Errorf("write junit report: %w", err)
		}
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return fmt.Errorf("write junit report: %w", err)
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return fmt.Errorf("write junit report: %w", err)
		}
		return nil
	}
}

func junit(r *Report) junitSuites {
	name := r.Scenario
	if name == "" {
		name = "contend"
	}
	doc := junitSuites{Name: name, Suites: []junitSuite{}}
	var total float64
	for i := range r.Runs {
		run := &r.Runs[i]
		var wall float64
		for _, s := range run.Steps {
			wall += s.WallS
		}
		total += wall
		suite := expectationSuite(name+"/"+run.Label(), name+"."+run.Label(), run.Expectations, wall)
		suite.Properties = []junitProperty{{Name: "target", Value: run.Target}}
		if run.URL != "" {
			suite.Properties = append(suite.Properties, junitProperty{Name: "url", Value: run.URL})
		}
		if run.Error != "" {
			suite.Cases = append(suite.Cases, junitCase{Name: "run", Classname: name + "." + run.Label(), Time: "0.000",
				Error: &junitProblem{Message: run.Error, Type: "run", Text: run.Error}})
			suite.Tests++
			suite.Errors++
		}
		doc.Suites = append(doc.Suites, suite)
	}
	if len(r.Expectations) > 0 {
		doc.Suites = append(doc.Suites, expectationSuite(name+"/unmatched", name+".unmatched", r.Expectations, 0))
	}
	if len(r.Baseline) > 0 {
		doc.Suites = append(doc.Suites, expectationSuite(name+"/baseline", name+".baseline", r.Baseline, 0))
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	doc.Time = fmt.Sprintf("%.3f", total)
	return doc
}

func expectationSuite(name, class string, list []Expectation, wall float64) junitSuite {
	s := junitSuite{Name: name, Time: fmt.Sprintf("%.3f", wall), Cases: []junitCase{}}
	for _, e := range list {
		c := junitCase{Name: e.Name, Classname: class, Time: "0.000"}
		if !e.OK {
			c.Failure = &junitProblem{Message: e.Detail, Type: "expectation", Text: e.Detail}
			s.Failures++
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
	}
	return s
}
