#!/usr/bin/env bash
# Provisions the ONNX Runtime shared library from the npm package onnxruntime-node.
# `npm pack` downloads the tarball without running any install script; both the
# tarball and the extracted library are checked against pinned SHA-256 sums.
set -euo pipefail

version="${ORT_NPM_VERSION:?ORT_NPM_VERSION is not set}"
tgz_sha="${ORT_TGZ_SHA256:?ORT_TGZ_SHA256 is not set}"
lib_sha="${ORT_LIB_SHA256:?ORT_LIB_SHA256 is not set}"
dest="${1:?usage: provision-ort.sh DEST_LIBRARY_PATH}"

if [[ -f "$dest" ]] && echo "$lib_sha  $dest" | sha256sum --check --status; then
  exit 0
fi
command -v npm >/dev/null || { echo "provision-ort: npm is required (apt-get install npm)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "onnxruntime-node@${version}" >/dev/null)
tgz="$work/onnxruntime-node-${version}.tgz"
if ! echo "$tgz_sha  $tgz" | sha256sum --check --status; then
  echo "provision-ort: checksum mismatch for onnxruntime-node-${version}.tgz (want $tgz_sha, got $(sha256sum "$tgz" | cut -d' ' -f1))" >&2
  exit 1
fi
member="package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
tar -xzf "$tgz" -C "$work" "$member"
if ! echo "$lib_sha  $work/$member" | sha256sum --check --status; then
  echo "provision-ort: checksum mismatch for $member" >&2
  exit 1
fi
mkdir -p "$(dirname "$dest")"
install -m 0644 "$work/$member" "$dest.tmp"
mv "$dest.tmp" "$dest"
echo "provision-ort: onnxruntime ${version} -> $dest"
