package models

import (
	"context"
	"fmt"
	"slices"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// session is one ONNX graph with its declared inputs. Inputs are fed by name in the order the
// graph declares them, so an export that orders or names its optional inputs differently
// still binds correctly. It is safe for concurrent use: ONNX Runtime's Run is.
type session struct {
	path    string // file the graph came from, for error messages
	s       *ort.DynamicAdvancedSession
	inputs  []ort.InputOutputInfo // declared inputs, in graph order
	outputs []string              // requested outputs
}

// newSession creates a session over an ONNX graph read from path, requesting the named
// outputs, which the graph must declare. Every input the graph declares must satisfy
// feedable, so that a graph meant for another role fails here rather than on first use.
func newSession(path string, data []byte, outputs []string, feedable func(name string) bool, opts *ort.SessionOptions) (*session, error) {
	ins, outs, err := graphIO(data)
	if err != nil {
		return nil, fmt.Errorf("read graph %s: %w", path, err)
	}
	for _, output := range outputs {
		if !slices.ContainsFunc(outs, func(o ort.InputOutputInfo) bool { return o.Name == output }) {
			return nil, fmt.Errorf("graph %s: no output %q (it declares %s)", path, output, ioNames(outs))
		}
	}
	for _, in := range ins {
		if !feedable(in.Name) {
			return nil, fmt.Errorf("graph %s: unexpected input %q (it declares %s)", path, in.Name, ioNames(ins))
		}
	}
	names := make([]string, len(ins))
	for i, in := range ins {
		names[i] = in.Name
	}
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(data, names, outputs, opts)
	if err != nil {
		return nil, fmt.Errorf("create session %s: %w", path, err)
	}
	return &session{path: path, s: s, inputs: ins, outputs: outputs}, nil
}

// input returns the declared input called name.
func (s *session) input(name string) (ort.InputOutputInfo, bool) {
	i := slices.IndexFunc(s.inputs, func(in ort.InputOutputInfo) bool { return in.Name == name })
	if i < 0 {
		return ort.InputOutputInfo{}, false
	}
	return s.inputs[i], true
}

// requireInput checks that the graph declares name with element type dt.
func (s *session) requireInput(name string, dt ort.TensorElementDataType) error {
	in, ok := s.input(name)
	if !ok {
		return fmt.Errorf("graph %s: no input %q (it declares %s)", s.path, name, ioNames(s.inputs))
	}
	if in.DataType != dt {
		return fmt.Errorf("graph %s: input %q is %s, want %s", s.path, name, in.DataType, dt)
	}
	return nil
}

// run feeds the named values to the graph and returns the requested outputs, which the
// caller must Destroy. Every declared input must be in feed; extra entries are ignored.
// A run interrupted through ro's terminate flag reports ctx's error.
func (s *session) run(ctx context.Context, ro *ort.RunOptions, feed map[string]ort.Value) ([]ort.Value, error) {
	in := make([]ort.Value, len(s.inputs))
	for i, decl := range s.inputs {
		v, ok := feed[decl.Name]
		if !ok {
			return nil, fmt.Errorf("run %s: no value for input %q", s.path, decl.Name)
		}
		in[i] = v
	}
	out := make([]ort.Value, len(s.outputs))
	if err := s.s.RunWithOptions(in, out, ro); err != nil {
		destroyAll(out)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("run %s: %w", s.path, ctxErr)
		}
		return nil, fmt.Errorf("run %s: %w", s.path, err)
	}
	return out, nil
}

// close releases the session.
func (s *session) close() error {
	if s == nil || s.s == nil {
		return nil
	}
	err := s.s.Destroy()
	s.s = nil
	if err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}

// watchCancel returns run options whose terminate flag is raised as soon as ctx is done, so
// that a Run in progress stops, and a release function that the caller must call once no
// Run uses the options any more.
func watchCancel(ctx context.Context) (*ort.RunOptions, func(), error) {
	ro, err := ort.NewRunOptions()
	if err != nil {
		return nil, nil, fmt.Errorf("create run options: %w", err)
	}
	finished := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-ctx.Done():
			// Terminate only fails on destroyed options, which cannot happen before exited
			// is closed.
			_ = ro.Terminate()
		case <-finished:
		}
	}()
	release := func() {
		close(finished)
		<-exited
		_ = ro.Destroy()
	}
	return ro, release, nil
}

// destroyAll releases every non-nil value.
func destroyAll(vals []ort.Value) {
	for _, v := range vals {
		if v != nil {
			_ = v.Destroy()
		}
	}
}

// ioNames lists declared names for error messages.
func ioNames(infos []ort.InputOutputInfo) string {
	names := make([]string, len(infos))
	for i, in := range infos {
		names[i] = in.Name
	}
	return strings.Join(names, ", ")
}
