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
