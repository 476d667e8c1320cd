package lexicon

import (
	"fmt"
	"os"
	"path/filepath"
)

// Files written into each model directory.
const (
	EncoderFile         = "encoder_model.onnx"
	DecoderFile         = "decoder_model.onnx"
	DecoderWithPastFile = "decoder_with_past_model.onnx"
	ConfigFile          = "config.json"
	TokenizerFile       = "tokenizer.json"
	TargetTokenizerFile = "target_tokenizer.json"
)

// Directions are the model directories Build writes under its output directory.
var Directions = []string{"en-hi", "hi-en"}

// Build writes the lexicon models of the given size to outDir/en-hi and outDir/hi-en,
// creating the directories. Each holds encoder_model.onnx, decoder_model.onnx,
// decoder_with_past_model.onnx, config.json,
// tokenizer.json (source side) and target_tokenizer.json (target side). The same size always
// gives byte-identical files. Each file is written to a temporary name and renamed, so a
// reader never sees half a file.
func Build(outDir string, size Size) error {
	s, ok := specs[size]
	if !ok {
		return fmt.Errorf("build models: unknown size %q", size)
	}
	es, err := loadEntries()
	if err != nil {
		return fmt.Errorf("build models: %w", err)
	}
	for _, dir := range directions(es, s.maxWordLen) {
		if err := buildDirection(filepath.Join(outDir, dir.name), dir, size, s); err != nil {
			return fmt.Errorf("build %s %s models: %w", size, dir.name, err)
		}
	}
	return nil
}

func buildDirection(path string, dir *direction, size Size, s spec) error {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return fmt.Errorf("create model directory: %w", err)
	}
	codes, err := targetCodes(dir, s)
	if err != nil {
		return err
	}
	files := []struct {
		name string
		make func() ([]byte, error)
	}{
		{ConfigFile, func() ([]byte, error) { return configJSON(dir, size, s) }},
		{TokenizerFile, func() ([]byte, error) { return tokenizerJSON(dir.srcVocab, dir.source) }},
		{TargetTokenizerFile, func() ([]byte, error) { return tokenizerJSON(dir.tgtVocab, dir.target) }},
		{EncoderFile, func() ([]byte, error) { return buildEncoder(dir, s, codes) }},
		{DecoderFile, func() ([]byte, error) { return buildDecoder(dir, s, codes, false) }},
		{DecoderWithPastFile, func() ([]byte, error) { return buildDecoder(dir, s, codes, true) }},
	}
	for _, f := range files {
		b, err := f.make()
		if err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(path, f.name), b); err != nil {
			return err
		}
	}
	return nil
}

// targetCodes returns one content code per target id; <pad>'s is nil (a zero row).
func targetCodes(dir *direction, s spec) ([][]float32, error) {
	n := dir.tgtVocab.size() - 1
	codes, err := signCodes("content/"+dir.name, n, s.contentDim, 1)
	if err != nil {
		return nil, fmt.Errorf("content codes: %w", err)
	}
	return append(codes, nil), nil
}

// writeFileAtomic writes b to a temporary file beside path and renames it into place.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
