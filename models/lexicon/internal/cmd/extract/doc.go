// Command extract regenerates models/lexicon/data/eng-hin.tsv from the FreeDict English-Hindi
// dictionary installed by Debian's dict-freedict-eng-hin package, applying the rules of
// package contend/models/lexicon/internal/extract. Run it through go generate:
//
//	go generate ./models/lexicon
//
// or directly, from models/lexicon:
//
//	go run ./internal/cmd/extract -index /usr/share/dictd/freedict-eng-hin.index \
//	    -dict /usr/share/dictd/freedict-eng-hin.dict.dz -out data/eng-hin.tsv
//
// It is a command, so like cmd/contend it owns flags and the exit code; the extraction itself
// is a library with tests.
package main
