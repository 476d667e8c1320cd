// Package lexicon generates the built-in translation models: Marian-style ONNX encoder and
// decoder graphs whose weights are constructed, not trained, from the FreeDict
// English-Hindi dictionary, so that greedy decoding with ONNX Runtime translates word by
// word. It owns the generator, the embedded word list (data/eng-hin.tsv, GPL-2.0-or-later,
// see data/NOTICE) and its extractor (internal/extract, run by go generate). It imports
// nothing from contend and never loads the models it writes (package models does).
//
// # Files
//
// Build(dir, size) writes dir/en-hi and dir/hi-en, each laid out like a Hugging Face
// Optimum export of Helsinki-NLP/opus-mt-en-hi:
//
//	encoder_model.onnx     input_ids, attention_mask int64 [batch_size, encoder_sequence_length]
//	                       -> last_hidden_state float32 [batch_size, encoder_sequence_length, d_model]
//	decoder_model.onnx     input_ids int64 [batch_size, decoder_sequence_length],
//	                       encoder_hidden_states float32 [batch_size, encoder_sequence_length, d_model],
//	                       encoder_attention_mask int64 [batch_size, encoder_sequence_length]
//	                       -> logits float32 [batch_size, decoder_sequence_length, vocab_size],
//	                          present.N.decoder.key/value [batch_size, heads, decoder_sequence_length, head size],
//	                          present.N.encoder.key/value [batch_size, heads, encoder_sequence_length, head size]
//	decoder_with_past_model.onnx
//	                       input_ids int64 [batch_size, 1] (the last token),
//	                       encoder_attention_mask int64 [batch_size, encoder_sequence_length],
//	                       past_key_values.N.decoder.key/value [batch_size, heads, past length, head size],
//	                       past_key_values.N.encoder.key/value [batch_size, heads, encoder_sequence_length, head size]
//	                       -> logits float32 [batch_size, 1, vocab_size],
//	                          present.N.decoder.key/value [batch_size, heads, past length + 1, head size]
//	config.json            Marian keys (model_type "marian", d_model, vocab_size = logits width,
//	                       encoder_vocab_size, pad/eos/unk/decoder_start_token_id, max_length,
//	                       encoder_layers, ...) and a "contend" section (generator, size, langs)
//	tokenizer.json         source-side WordLevel tokenizer (Hugging Face tokenizers format)
//	target_tokenizer.json  target-side WordLevel tokenizer; its vocab maps logits ids to tokens
//
// for N = 0 .. decoder_layers-1: Optimum's Marian export "with past". Graphs are IR 8,
// default opset 17, standard operators only. decoder_model.onnx alone re-reads the whole
// prefix at each step; with decoder_with_past_model.onnx a step reads only the last token
// and the cache, so its cost does not grow with the prefix.
//
// # Tokens and decoding
//
// Ids follow Marian: </s> = 0, <unk> = 1, <pad> = the last id; decoder_start_token_id is
// <pad>. The tokenizers NFC-normalize (and lower-case English), split on whitespace, then
// isolate each punctuation character (the danda "।" included), and append </s> through a
// TemplateProcessing post-processor, so callers need not add it. Greedy decoding from
// <pad> emits one target token per source token, then </s> at the source's </s>: at most
// source length + 1 steps. Source words outside the lexicon come out as <unk>, in place; the
// inference side copies the source word through. Sequences are at most max_length (512)
// tokens, </s> included: the position tables have no more rows.
//
// Punctuation maps ". , ? !" to "। , ? !" (en-hi) and back, with "." also accepted in
// Hindi. The hi-en table inverts the lexicon: of the English words translating to a Hindi
// word, the shortest, then the alphabetically first.
//
// # Construction
//
// The residual stream of width d_model is split into a content subspace (target-word codes:
// distinct ±1/sqrt(n) sign vectors, one per target token), a position subspace (sign codes
// per position with pairwise inner products at most 0.5) and a scratch subspace.
//
//   - Encoder: the embedding of a source word is the content code of its translation; the
//     position table adds position codes; pre-norm transformer blocks (LayerNormalization,
//     multi-head self-attention with the padding mask, swish feed-forward) follow, their
//     output projections writing scratch only, so content and position pass through bit
//     for bit.
//   - Decoder: previous tokens are embedded with the shared table and projected into
//     scratch; position codes are added. An alignment attention (queries = position code ×
//     60, keys = the encoder's position codes, values = its content codes, padded source
//     positions masked with -1e9) copies source position t's code to decoder position t.
//     It reads those codes from layer 0's cross-attention keys and values, whose
//     projections copy the position and content subspaces exactly into their first
//     columns; so the decoder with past, which sees the encoder only through the cache,
//     aligns the same way.
//     Pre-norm blocks (causal self-attention, cross-attention, feed-forward) write scratch
//     only. Logits = stream × shared tableᵀ + final_logits_bias (<pad> -1e4), the
//     embeddings tied as in Marian, so the argmax at position t is the translation of
//     source token t.
//
// The blocks are the cost: the sizes differ only in width, depth and (tiny) vocabulary.
// Large's 19 blocks cycle through 4 sets of weights (block i uses set i mod 4, as ALBERT
// shares its layers), so it costs 19 blocks of compute in the files and memory of 4.
// Measured with ONNX Runtime 1.30 on one intra-op thread, CPU time for a ten-word sentence
// (12 source tokens, 12 decoder steps); see BenchmarkTranslate:
//
//	size   d_model  layers  ffn   vocabulary                    cost     files per direction
//	tiny   96       1       128   English words of <= 5 letters ~4 ms    ~4.5 MB
//	base   512      6       2048  whole lexicon                 ~190 ms  ~330 MB
//	large  1024     19 (4)  4096  whole lexicon                 ~1.5 s   ~820 MB
//
// (The files include decoder_with_past_model.onnx, a third of each size.)
package lexicon
