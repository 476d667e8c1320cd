package lexicon

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// ONNX versions written into every model: IR 8 with the default-domain opset 17, the first
// opset with LayerNormalization, as Optimum exports Marian models.
const (
	irVersion = 8
	opset     = 17
)

// graph accumulates the nodes, initializers and interface of one ONNX graph. Value names are
// generated from a counter, so building the same graph twice gives the same bytes.
type graph struct {
	name    string
	nodes   []*onnx.NodeProto
	inits   []*onnx.TensorProto
	inputs  []*onnx.ValueInfoProto
	outputs []*onnx.ValueInfoProto
	next    int             // counter for generated value names
	consts  map[string]int  // cache of small constants by key, to name each once
	named   map[string]bool // initializer names added, each at most once
}

func newGraph(name string) *graph {
	return &graph{name: name, consts: map[string]int{}, named: map[string]bool{}}
}

// has reports whether an initializer of that name was added: cost blocks that
// share their weights (spec.weightSets) add them once and reuse them.
func (g *graph) has(name string) bool { return g.named[name] }

// fresh returns a new unique value name with the given prefix.
func (g *graph) fresh(prefix string) string {
	g.next++
	return fmt.Sprintf("%s_%d", prefix, g.next)
}

// node appends a node of type op and returns its single output's name.
func (g *graph) node(op string, inputs []string, attrs ...*onnx.AttributeProto) string {
	out := g.fresh("/" + op)
	g.nodes = append(g.nodes, &onnx.NodeProto{
		Name:      fmt.Sprintf("%s_node_%d", op, g.next),
		OpType:    op,
		Input:     inputs,
		Output:    []string{out},
		Attribute: attrs,
	})
	return out
}

// nodeTo appends a node of type op writing the named output (for graph outputs).
func (g *graph) nodeTo(out, op string, inputs []string, attrs ...*onnx.AttributeProto) {
	g.next++
	g.nodes = append(g.nodes, &onnx.NodeProto{
		Name:      fmt.Sprintf("%s_node_%d", op, g.next),
		OpType:    op,
		Input:     inputs,
		Output:    []string{out},
		Attribute: attrs,
	})
}

// floats adds a float32 initializer and returns its name.
func (g *graph) floats(name string, dims []int64, data []float32) string {
	if n := product(dims); n != len(data) {
		panic(fmt.Sprintf("initializer %s: dims %v hold %d values, got %d", name, dims, n, len(data)))
	}
	if g.named[name] {
		panic(fmt.Sprintf("initializer %s added twice", name))
	}
	g.named[name] = true
	// float_data rather than raw_data: the slice is serialized as is, without a second copy
	// of the weights in memory.
	g.inits = append(g.inits, &onnx.TensorProto{
		Name:      name,
		Dims:      dims,
		DataType:  int32(onnx.TensorProto_FLOAT),
		FloatData: data,
	})
	return name
}

// ints adds an int64 initializer and returns its name.
func (g *graph) ints(name string, dims []int64, data []int64) string {
	if n := product(dims); n != len(data) {
		panic(fmt.Sprintf("initializer %s: dims %v hold %d values, got %d", name, dims, n, len(data)))
	}
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	g.inits = append(g.inits, &onnx.TensorProto{
		Name:     name,
		Dims:     dims,
		DataType: int32(onnx.TensorProto_INT64),
		RawData:  raw,
	})
	return name
}

// scalarF returns the name of a float32 scalar constant, added once per value.
func (g *graph) scalarF(v float32) string {
	key := fmt.Sprintf("f:%08x", math.Float32bits(v))
	if _, ok := g.consts[key]; !ok {
		g.consts[key] = len(g.consts)
		g.floats(fmt.Sprintf("const_f_%d", g.consts[key]), nil, []float32{v})
	}
	return fmt.Sprintf("const_f_%d", g.consts[key])
}

// vecI returns the name of a 1-D int64 constant (or a scalar when scalar is true).
func (g *graph) vecI(scalar bool, vs ...int64) string {
	key := fmt.Sprintf("i:%t:%v", scalar, vs)
	if _, ok := g.consts[key]; !ok {
		g.consts[key] = len(g.consts)
		dims := []int64{int64(len(vs))}
		if scalar {
			dims = nil
		}
		g.ints(fmt.Sprintf("const_i_%d", g.consts[key]), dims, vs)
	}
	return fmt.Sprintf("const_i_%d", g.consts[key])
}

// dim is one dimension of a graph input or output: a fixed size or a symbolic name.
type dim struct {
	size  int64
	param string
}

func valueInfo(name string, elem onnx.TensorProto_DataType, dims ...dim) *onnx.ValueInfoProto {
	shape := &onnx.TensorShapeProto{}
	for _, d := range dims {
		if d.param != "" {
			shape.Dim = append(shape.Dim, &onnx.TensorShapeProto_Dimension{
				Value: &onnx.TensorShapeProto_Dimension_DimParam{DimParam: d.param},
			})
		} else {
			shape.Dim = append(shape.Dim, &onnx.TensorShapeProto_Dimension{
				Value: &onnx.TensorShapeProto_Dimension_DimValue{DimValue: d.size},
			})
		}
	}
	return &onnx.ValueInfoProto{
		Name: name,
		Type: &onnx.TypeProto{Value: &onnx.TypeProto_TensorType{
			TensorType: &onnx.TypeProto_Tensor{ElemType: int32(elem), Shape: shape},
		}},
	}
}

func (g *graph) input(name string, elem onnx.TensorProto_DataType, dims ...dim) string {
	g.inputs = append(g.inputs, valueInfo(name, elem, dims...))
	return name
}

func (g *graph) output(name string, elem onnx.TensorProto_DataType, dims ...dim) {
	g.outputs = append(g.outputs, valueInfo(name, elem, dims...))
}

// marshal serializes the graph as a model with deterministic bytes.
func (g *graph) marshal(doc string) ([]byte, error) {
	m := &onnx.ModelProto{
		IrVersion:       irVersion,
		OpsetImport:     []*onnx.OperatorSetIdProto{{Domain: "", Version: opset}},
		ProducerName:    "contend-lexicon",
		ProducerVersion: "1",
		DocString:       doc,
		Graph: &onnx.GraphProto{
			Name:        g.name,
			Node:        g.nodes,
			Initializer: g.inits,
			Input:       g.inputs,
			Output:      g.outputs,
		},
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("marshal %s graph: %w", g.name, err)
	}
	return b, nil
}

// Attribute helpers.

func attrInt(name string, v int64) *onnx.AttributeProto {
	return &onnx.AttributeProto{Name: name, Type: onnx.AttributeProto_INT, I: v}
}

func attrInts(name string, vs ...int64) *onnx.AttributeProto {
	return &onnx.AttributeProto{Name: name, Type: onnx.AttributeProto_INTS, Ints: vs}
}

func attrFloat(name string, v float32) *onnx.AttributeProto {
	return &onnx.AttributeProto{Name: name, Type: onnx.AttributeProto_FLOAT, F: v}
}

func product(dims []int64) int {
	n := 1
	for _, d := range dims {
		n *= int(d)
	}
	return n
}
