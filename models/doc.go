// Package models loads and runs the translation models that the built-in target serves.
//
// It owns three things: the ONNX Runtime shared library, found by ResolveLibrary and
// initialised once per process by InitRuntime; the model directories, one per translation
// direction (DirFor, ResolveModelsRoot); and inference: Load returns a *Model, a Translator
// that tokenizes a batch, runs the encoder once and decodes greedily step by step, copying
// unknown words through.
//
// A model directory is a Hugging Face Marian export converted to ONNX by Optimum or
// transformers.js:
//
//	<root>/en-hi/config.json              d_model, vocab_size, special ids, max_length
//	<root>/en-hi/generation_config.json   optional; wins for max_length, decoder_start_token_id
//	<root>/en-hi/tokenizer.json           Hugging Face tokenizers format (source side)
//	<root>/en-hi/target_tokenizer.json    optional target side; tokenizer.json when absent
//	<root>/en-hi/encoder_model.onnx       input_ids, attention_mask -> last_hidden_state
//	<root>/en-hi/decoder_model.onnx       input_ids, encoder_hidden_states,
//	                                      encoder_attention_mask -> logits
//	  or decoder_model_merged.onnx        the same, plus use_cache_branch and past_key_values.*
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
