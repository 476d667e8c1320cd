package models

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	ort "github.com/yalue/onnxruntime_go"
)

// TestGraphIOMatchesRuntime: graphIO reads the same inputs and outputs as ONNX
// Runtime itself, for the encoder, the decoder and a merged decoder (whose past
// inputs mix fixed and symbolic dimensions).
func TestGraphIOMatchesRuntime(t *testing.T) {
	requireRuntime(t)
	root := tinyRoot(t)
	merged := filepath.Join(t.TempDir(), mergedDecoderFile)
	mergeDecoder(t, filepath.Join(root, "en-hi", decoderFile), merged, 4, 8)
	for _, path := range []string{
		filepath.Join(root, "en-hi", encoderFile),
		filepath.Join(root, "hi-en", decoderFile),
		merged,
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wantIn, wantOut, err := ort.GetInputOutputInfoWithONNXData(data)
			if err != nil {
				t.Fatal(err)
			}
			gotIn, gotOut, err := graphIO(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotIn, wantIn) || !reflect.DeepEqual(gotOut, wantOut) {
				t.Errorf("graphIO = %v -> %v\nruntime = %v -> %v", gotIn, gotOut, wantIn, wantOut)
			}
		})
	}
}

func TestGraphIORejectsGarbage(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("not a model"), {0x3a, 0xff}} {
		if _, _, err := graphIO(data); !errors.Is(err, errMalformedGraph) {
			t.Errorf("graphIO(%q) error %v, want errMalformedGraph", data, err)
		}
	}
}

// FuzzGraphIO: model files are input contend does not control; reading their
// inputs and outputs never panics, and every failure is errMalformedGraph.
func FuzzGraphIO(f *testing.F) {
	model := handMadeModel()
	f.Add(model)
	f.Add([]byte{})
	f.Add([]byte{0x3a, 0x02, 0x5a, 0x7f})
	f.Fuzz(func(t *testing.T, data []byte) {
		ins, outs, err := graphIO(data)
		if err != nil && !errors.Is(err, errMalformedGraph) {
			t.Fatalf("graphIO error %v is not errMalformedGraph", err)
		}
		if err != nil && (ins != nil || outs != nil) {
			t.Fatalf("graphIO returned inputs with an error")
		}
	})
}

// handMadeModel is a ModelProto, encoded by hand, whose graph has one int64 input
// input_ids [batch, 3] and one float output logits.
func handMadeModel() []byte {
	valueInfo := func(name string, elem byte, dims ...[]byte) []byte {
		var shape []byte
		for _, d := range dims {
			shape = append(shape, append([]byte{0x0a, byte(len(d))}, d...)...)
		}
		tensor := append([]byte{0x08, elem, 0x12, byte(len(shape))}, shape...)
		typ := append([]byte{0x0a, byte(len(tensor))}, tensor...)
		vi := append([]byte{0x0a, byte(len(name))}, name...)
		return append(vi, append([]byte{0x12, byte(len(typ))}, typ...)...)
	}
	in := valueInfo("input_ids", 7, []byte{0x12, 0x01, 'b'}, []byte{0x08, 0x03})
	out := valueInfo("logits", 1)
	graph := append(append([]byte{0x5a, byte(len(in))}, in...), append([]byte{0x62, byte(len(out))}, out...)...)
	model := append([]byte{0x08, 0x08, 0x3a, byte(len(graph))}, graph...)
	return model
}

func TestGraphIOHandMade(t *testing.T) {
	ins, outs, err := graphIO(handMadeModel())
	if err != nil {
		t.Fatal(err)
	}
	wantIn := []ort.InputOutputInfo{{Name: "input_ids", OrtValueType: ort.ONNXTypeTensor, Dimensions: ort.Shape{-1, 3}, DataType: ort.TensorElementDataTypeInt64}}
	wantOut := []ort.InputOutputInfo{{Name: "logits", OrtValueType: ort.ONNXTypeTensor, Dimensions: ort.Shape{}, DataType: ort.TensorElementDataTypeFloat}}
	if !reflect.DeepEqual(ins, wantIn) || !reflect.DeepEqual(outs, wantOut) {
		t.Errorf("graphIO = %v -> %v, want %v -> %v", ins, outs, wantIn, wantOut)
	}
}
