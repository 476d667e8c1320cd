// Package models loads and runs the translation models that the built-in target serves.
//
// It owns three things: the ONNX Runtime shared library, found by ResolveLibrary and
// initialised once per process by InitRuntime; the model directories, one per translation
// direction (DirFor, ResolveModelsRoot); and inference: Load returns a *Model, a Translator
// that tokenizes a batch, checks its length against the limits (SourceLimit, MaxTokens),
// runs the encoder once and decodes greedily step by step, with the key/value cache when the
// export has decoder_with_past_model.onnx, copying unknown words through.
//
// A model directory is a Hugging Face Marian export converted to ONNX by Optimum or
// transformers.js:
//
//	<root>/en-hi/config.json              d_model, vocab_size, special ids, max_length
//	<root>/en-hi/generation_config.json   optional; wins for max_length, decoder_start_token_id
//	<root>/en-hi/tokenizer.json           Hugging Face tokenizers format (source side)
//	<root>/en-hi/target_tokenizer.json    optional target side; tokenizer.json when absent
//	<root>/en-hi/tokenizer_config.json    optional; its model_max_length can lower the limit
//	<root>/en-hi/encoder_model.onnx       input_ids, attention_mask -> last_hidden_state
//	<root>/en-hi/decoder_model.onnx       input_ids, encoder_hidden_states,
//	                                      encoder_attention_mask -> logits (and present.*)
//	  or decoder_model_merged.onnx        the same, plus use_cache_branch and past_key_values.*
//	<root>/en-hi/decoder_with_past_model.onnx
//	                                      optional: input_ids [batch, 1], encoder_attention_mask,
//	                                      past_key_values.N.{decoder,encoder}.{key,value}
//	                                      -> logits, present.N.decoder.{key,value}
//
// With decoder_with_past_model.onnx beside a decoder_model.onnx that outputs present.* (an
// Optimum export "with past", and the lexicon models), the first step runs decoder_model.onnx
// on the start token and keeps its present.* outputs as the cache; every later step feeds the
// last token and the cache to the with-past decoder, whose present.N.decoder.* replace the
// self-attention's part. A step then costs the same however long the prefix, so a
// translation's cost grows linearly with its length; without the file (or with
// DecoderCache(false)) every step re-reads the whole prefix, which costs quadratically.
// A merged decoder always runs without its cache (use_cache_branch=false).
//
// The ONNX files may also sit in an onnx/ subdirectory, as transformers.js lays them out.
// Typical use:
//
//	lib, err := models.ResolveLibrary("")      // $CONTEND_ORT_LIB or .cache/onnxruntime/...
//	err = models.InitRuntime(lib)
//	root, err := models.ResolveModelsRoot("", "base")
//	m, err := models.Load(models.DirFor(root, "en", "hi"))
//	defer m.Close()
//	out, err := m.Translate(ctx, []string{"the water is cold"})
//
// The generator of the built-in lexicon models lives in the subpackage models/lexicon.
//
// This package imports nothing from contend (its tests import models/lexicon to build
// models). It never calls os.Exit, log.Fatal, flag or signal.Notify: errors are returned and
// name the file they concern, so that the server can say which model file is missing or corrupt.
package models
