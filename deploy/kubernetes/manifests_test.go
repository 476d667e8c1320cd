package kubernetes_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8syaml "sigs.k8s.io/yaml"

	"contend/scenarios"
)

// manifests are the decoded objects of every *.yaml file in this directory.
type manifests struct {
	configMaps map[string]*corev1.ConfigMap
	pvcs       map[string]*corev1.PersistentVolumeClaim
	jobs       map[string]*batchv1.Job
	pods       map[string]*corev1.Pod
}

// documents splits a multi-document YAML file into its documents.
func documents(data []byte) ([][]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out [][]byte
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		doc, err := yaml.Marshal(&n)
		if err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
}

// decodeStrict decodes one manifest into the real Kubernetes type of its kind,
// rejecting unknown and duplicate fields.
func decodeStrict(doc []byte, m *manifests) error {
	var tm metav1.TypeMeta
	if err := k8syaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	var obj metav1.Object
	switch tm.APIVersion + " " + tm.Kind {
	case "v1 ConfigMap":
		o := &corev1.ConfigMap{}
		obj = o
		if err := k8syaml.UnmarshalStrict(doc, o); err != nil {
			return err
		}
		m.configMaps[o.Name] = o
	case "v1 PersistentVolumeClaim":
		o := &corev1.PersistentVolumeClaim{}
		obj = o
		if err := k8syaml.UnmarshalStrict(doc, o); err != nil {
			return err
		}
		m.pvcs[o.Name] = o
	case "batch/v1 Job":
		o := &batchv1.Job{}
		obj = o
		if err := k8syaml.UnmarshalStrict(doc, o); err != nil {
			return err
		}
		m.jobs[o.Name] = o
	case "v1 Pod":
		o := &corev1.Pod{}
		obj = o
		if err := k8syaml.UnmarshalStrict(doc, o); err != nil {
			return err
		}
		m.pods[o.Name] = o
	default:
		return fmt.Errorf("apiVersion %q kind %q: not a kind this test knows; add it", tm.APIVersion, tm.Kind)
	}
	if obj.GetName() == "" {
		return fmt.Errorf("%s without metadata.name", tm.Kind)
	}
	return nil
}

func load(t *testing.T) *manifests {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests found (err %v): the test runs in deploy/kubernetes", err)
	}
	m := &manifests{
		configMaps: map[string]*corev1.ConfigMap{},
		pvcs:       map[string]*corev1.PersistentVolumeClaim{},
		jobs:       map[string]*batchv1.Job{},
		pods:       map[string]*corev1.Pod{},
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := documents(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, doc := range docs {
			if err := decodeStrict(doc, m); err != nil {
				t.Errorf("%s document %d: %v", f, i+1, err)
			}
		}
	}
	return m
}

// TestManifestsDecodeStrictly decodes every manifest into the real types and
// checks that they fit together: the Indexed Job's shard count, the volumes
// and config maps they name, the scenario they carry.
func TestManifestsDecodeStrictly(t *testing.T) {
	m := load(t)
	shards := m.jobs["contend-shards"]
	merge := m.jobs["contend-merge"]
	if shards == nil || merge == nil {
		t.Fatalf("want Jobs contend-shards and contend-merge, have %v", keys(m.jobs))
	}

	// The Indexed Job: N completions, all running at once, --shard I/N with the same N.
	if shards.Spec.CompletionMode == nil || *shards.Spec.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("contend-shards: completionMode %v, want Indexed", shards.Spec.CompletionMode)
	}
	if shards.Spec.Completions == nil || shards.Spec.Parallelism == nil ||
		*shards.Spec.Completions != *shards.Spec.Parallelism {
		t.Fatalf("contend-shards: completions and parallelism must be set and equal (every shard waits for one start)")
	}
	n := int(*shards.Spec.Completions)
	args := shards.Spec.Template.Spec.Containers[0].Args
	shardArg := regexp.MustCompile(`^--shard=\$\(JOB_COMPLETION_INDEX\)/(\d+)$`)
	found := false
	for _, a := range args {
		if sm := shardArg.FindStringSubmatch(a); sm != nil {
			found = true
			if got, _ := strconv.Atoi(sm[1]); got != n {
				t.Errorf("contend-shards: %s but completions is %d", a, n)
			}
		}
	}
	if !found {
		t.Errorf("contend-shards: no --shard=$(JOB_COMPLETION_INDEX)/%d in args %q", n, args)
	}
	if !slices.Contains(args, "--start-at=$(START_AT)") {
		t.Errorf("contend-shards: args %q do not hold the shards to --start-at=$(START_AT)", args)
	}
	if !slices.Contains(merge.Spec.Template.Spec.Containers[0].Args, "--merge") {
		t.Errorf("contend-merge: args %q do not merge", merge.Spec.Template.Spec.Containers[0].Args)
	}

	// Every $(VAR) in args is defined: by the container's env or, for the index,
	// by the Indexed Job controller.
	pods := map[string]corev1.PodSpec{"contend-shards": shards.Spec.Template.Spec, "contend-merge": merge.Spec.Template.Spec}
	for name, p := range m.pods {
		pods[name] = p.Spec
	}
	ref := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	for name, spec := range pods {
		for _, c := range spec.Containers {
			defined := map[string]bool{"JOB_COMPLETION_INDEX": name == "contend-shards"}
			for _, e := range c.Env {
				defined[e.Name] = true
				if r := e.ValueFrom; r != nil && r.ConfigMapKeyRef != nil {
					cm := m.configMaps[r.ConfigMapKeyRef.Name]
					if cm == nil {
						t.Errorf("%s: env %s names config map %q, which no manifest defines", name, e.Name, r.ConfigMapKeyRef.Name)
					} else if _, ok := cm.Data[r.ConfigMapKeyRef.Key]; !ok {
						t.Errorf("%s: env %s names key %q, absent from config map %s", name, e.Name, r.ConfigMapKeyRef.Key, cm.Name)
					}
				}
			}
			for _, a := range append(slices.Clone(c.Command), c.Args...) {
				for _, sm := range ref.FindAllStringSubmatch(a, -1) {
					if !defined[sm[1]] {
						t.Errorf("%s: %q uses $(%s), which nothing defines", name, a, sm[1])
					}
				}
			}
			mounted := map[string]bool{}
			for _, vm := range c.VolumeMounts {
				mounted[vm.Name] = true
			}
			for _, v := range spec.Volumes {
				if !mounted[v.Name] {
					t.Errorf("%s: volume %s is never mounted", name, v.Name)
				}
			}
		}
		for _, v := range spec.Volumes {
			switch {
			case v.ConfigMap != nil && m.configMaps[v.ConfigMap.Name] == nil:
				t.Errorf("%s: volume %s names config map %q, which no manifest defines", name, v.Name, v.ConfigMap.Name)
			case v.PersistentVolumeClaim != nil && m.pvcs[v.PersistentVolumeClaim.ClaimName] == nil:
				t.Errorf("%s: volume %s names claim %q, which no manifest defines", name, v.Name, v.PersistentVolumeClaim.ClaimName)
			}
		}
	}

	// The results volume is shared by pods on many nodes.
	for name, pvc := range m.pvcs {
		if !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
			t.Errorf("claim %s: access modes %v, want ReadWriteMany (shards on several nodes write to it)", name, pvc.Spec.AccessModes)
		}
	}

	// The scenario in the config map is one contend accepts.
	cm := m.configMaps["contend-scenario"]
	if cm == nil {
		t.Fatalf("no config map contend-scenario")
	}
	if _, err := scenarios.Load(strings.NewReader(cm.Data["scenario.yaml"]), "contend-scenario/scenario.yaml"); err != nil {
		t.Errorf("the scenario in contend-scenario: %v", err)
	}
}

// TestStrictDecodeCatchesTypos proves the decoding above can fail: a misspelt
// field and a field in the wrong place are errors.
func TestStrictDecodeCatchesTypos(t *testing.T) {
	data, err := os.ReadFile("shards-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, from, to string }{
		{"misspelt", "completionMode: Indexed", "completionMod: Indexed"},
		{"misplaced", "      restartPolicy: Never", "      restartPolicy: Never\n      completions: 4"},
		{"wrong type", "parallelism: 4", "parallelism: four"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(string(data), tc.from, tc.to, 1)
			if bad == string(data) {
				t.Fatalf("%q not found in shards-job.yaml", tc.from)
			}
			m := &manifests{configMaps: map[string]*corev1.ConfigMap{}, pvcs: map[string]*corev1.PersistentVolumeClaim{},
				jobs: map[string]*batchv1.Job{}, pods: map[string]*corev1.Pod{}}
			if err := decodeStrict([]byte(bad), m); err == nil {
				t.Errorf("a %s field decoded without error", tc.name)
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
