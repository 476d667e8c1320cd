// Package lexicon generates the built-in translation models: Marian-style ONNX encoder and
// decoder graphs whose weights are constructed, not trained, from the FreeDict
// English-Hindi dictionary, so that greedy decoding with ONNX Runtime translates word by word.
package lexicon
