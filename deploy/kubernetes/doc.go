// Package kubernetes holds contend's Kubernetes manifests (the *.yaml files and
// the Dockerfile beside this file) and nothing else: its test decodes every
// manifest strictly into the real Kubernetes types, so a misspelt field fails
// `go test`. No Go code here is linked into the contend binary.
package kubernetes
