package lexicon

import "fmt"

// Size selects how much compute the generated models cost per token. Every size translates
// the same way; bigger sizes add wider and more transformer blocks.
type Size string

// The model sizes. Base is the default of `contend models build`.
const (
	// Tiny translates a ten-word sentence in a few milliseconds, for tests.
	Tiny Size = "tiny"
	// Base costs roughly 100 to 300 ms for a ten-word sentence on one core.
	Base Size = "base"
	// Large costs about 1.5 s for a ten-word sentence on one core, the seed's request cost.
	Large Size = "large"
)

// DefaultSize is the size `contend models build` and the demo use when none is given.
const DefaultSize = Base

// ParseSize returns the Size named s ("tiny", "base" or "large").
func ParseSize(s string) (Size, error) {
	switch sz := Size(s); sz {
	case Tiny, Base, Large:
		return sz, nil
	}
	return "", fmt.Errorf("unknown model size %q (want tiny, base or large)", s)
}

// spec is the shape of one size's models. The residual stream of width
// contentDim+positionDim+scratchDim is split into three subspaces: content carries target
// word codes, position carries position codes and scratch takes everything the cost blocks
// write.
type spec struct {
	contentDim  int
	positionDim int
	scratchDim  int
	layers      int // cost blocks in the encoder and in the decoder
	heads       int // attention heads of the cost blocks; must divide dModel
	ffnDim      int // inner width of the feed-forward networks
	// weightSets, when above zero, lets block i use the weights of block i mod
	// weightSets (as ALBERT shares its layers): the same cost in a fraction of the
	// file size and memory. 0: every block has its own.
	weightSets int
	// maxWordLen, when above zero, keeps only lexicon entries whose English word has at
	// most this many letters. Short words are the common ones, and the shortest-first
	// inversion makes a capped hi-en table a subset of the full one.
	maxWordLen int
}

func (s spec) dModel() int { return s.contentDim + s.positionDim + s.scratchDim }

// specs holds each size's shape, tuned by measuring with ONNX Runtime on one thread.
var specs = map[Size]spec{
	Tiny:  {contentDim: 32, positionDim: 32, scratchDim: 32, layers: 1, heads: 4, ffnDim: 128, maxWordLen: 5},
	Base:  {contentDim: 128, positionDim: 64, scratchDim: 320, layers: 6, heads: 8, ffnDim: 2048},
	Large: {contentDim: 256, positionDim: 64, scratchDim: 704, layers: 19, heads: 16, ffnDim: 4096, weightSets: 4},
}

// maxPositions is the longest source or target sequence, in tokens with </s>, as Marian's
// max_position_embeddings; config.json's max_length equals it.
const maxPositions = 512
