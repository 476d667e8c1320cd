// Package extract turns a FreeDict English-Hindi dictionary in dictd format (an .index file and
// its .dict or .dict.dz body) into one-word English-to-Hindi pairs for the lexicon models.
//
// The rules, applied per English headword:
//
//   - the headword must be ASCII letters only (no spaces, digits, hyphens or apostrophes);
//     it is lower-cased, and when two headwords lower-case alike ("March", "march") the one
//     already in lower case wins, then the one first in the index;
//   - of the headword's entries, in index order, the first sense line ("1. ...") found is used;
//   - that line's alternatives are separated by commas; annotations in braces ({...}, also the
//     source's mismatched {...)) and in square brackets ([...]) are removed from each;
//   - the first alternative left that is a single word wins: Unicode letters and combining
//     marks only, so no "~" phrase joints, spaces, hyphens, digits or punctuation; it is put in
//     Unicode NFC;
//   - a headword whose first sense has no such alternative is dropped.
//
// The output is sorted by English word. Nothing here reads the file system: callers pass
// readers, so the rules are tested on a small handmade sample.
package extract
