package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// kubeAPI is a real kube-apiserver (Kubernetes' own, built from the Go module proxy by
// tools/kubeapiserver, with an etcd in the same process) on loopback, for server-side dry
// runs: the manifests meet the API server's own decoding, defaulting, validation and
// admission, as `kubectl apply --server-side --dry-run=server` would have them meet.
type kubeAPI struct {
	base   string
	token  string
	client *http.Client
}

// startKubeAPI starts the API server and stops it (by its PID) when the test ends.
func startKubeAPI(t *testing.T) *kubeAPI {
	t.Helper()
	bin := filepath.Join(buildDir(), "kube", "kubeapiserver")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("the API server is not built (scripts/build-kubeapiserver.sh): %v", err)
	}
	dir := t.TempDir()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	saKey := filepath.Join(dir, "sa.key")
	os.WriteFile(saKey, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
	// a static token in a 0600 file (never in argv), whose user may do anything (system:masters)
	tok := make([]byte, 16)
	rand.Read(tok)
	k := &kubeAPI{token: fmt.Sprintf("%x", tok)}
	os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(k.token+`,jdash-test,1,"system:masters"`+"\n"), 0o600)
	port := freePort(t)
	k.base = fmt.Sprintf("https://127.0.0.1:%d", port)
	logf, _ := os.Create(filepath.Join(dir, "log"))
	cmd := exec.Command(bin, filepath.Join(dir, "etcd"),
		fmt.Sprintf("--secure-port=%d", port), "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none", // (it refuses a loopback address to advertise otherwise)
		"--cert-dir="+filepath.Join(dir, "certs"), "--token-auth-file="+filepath.Join(dir, "tokens.csv"),
		"--authorization-mode=RBAC", "--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+saKey, "--service-account-signing-key-file="+saKey)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		// it serves the certificate it made itself: trusted, and nothing else is
		if k.client == nil {
			pemBytes, err := os.ReadFile(filepath.Join(dir, "certs", "apiserver.crt"))
			if err != nil {
				continue
			}
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(pemBytes)
			k.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		}
		if code, body, err := k.do("GET", "/readyz", "", nil); err == nil && code == 200 && body == "ok" {
			return k
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log"))
	t.Fatalf("the API server was not ready after 90 s:\n%s", tail(string(log), 40))
	return nil
}

func (k *kubeAPI) do(method, path, contentType string, body []byte) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, k.base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+k.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// groupPath is where the API serves an apiVersion: the core group under /api, the others
// under /apis.
func groupPath(apiVersion string) string {
	if !strings.Contains(apiVersion, "/") {
		return "/api/" + apiVersion
	}
	return "/apis/" + apiVersion
}

// resource is where the API serves a kind of an apiVersion, from its discovery document.
func (k *kubeAPI) resource(apiVersion, kind string) (name string, namespaced bool, err error) {
	code, body, err := k.do("GET", groupPath(apiVersion), "", nil)
	if err != nil || code != 200 {
		return "", false, fmt.Errorf("discovery of %s: %d %v", apiVersion, code, err)
	}
	var list struct {
		Resources []struct {
			Name, Kind string
			Namespaced bool
		}
	}
	json.Unmarshal([]byte(body), &list)
	for _, r := range list.Resources {
		if r.Kind == kind && !strings.Contains(r.Name, "/") {
			return r.Name, r.Namespaced, nil
		}
	}
	return "", false, fmt.Errorf("the API server has no kind %s in %s", kind, apiVersion)
}

// dryRunApply server-side applies every document of the files with dryRun=All and strict
// field validation (`kubectl apply --server-side --dry-run=server --validate=strict`), in the
// namespace "default"; it returns each object's result.
func (k *kubeAPI) dryRunApply(files ...string) ([]string, error) { return k.apply(true, files...) }

// can asks the API server's authorizer whether a user may do verb on resource in namespace
// (a SubjectAccessReview, as `kubectl auth can-i --as USER`).
func (k *kubeAPI) can(t *testing.T, user, verb, resource, namespace string) bool {
	t.Helper()
	review, _ := json.Marshal(map[string]any{"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
		"spec": map[string]any{"user": user, "resourceAttributes": map[string]string{"verb": verb, "resource": resource, "namespace": namespace}}})
	code, body, err := k.do("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", "application/json", review)
	var answer struct{ Status struct{ Allowed bool } }
	if err != nil || code != 201 || json.Unmarshal([]byte(body), &answer) != nil {
		t.Fatalf("SubjectAccessReview: %d %v %s", code, err, body)
	}
	return answer.Status.Allowed
}

// apply server-side applies every document of the files in the namespace "default" (with
// dryRun=All when dry), with strict field validation.
func (k *kubeAPI) apply(dry bool, files ...string) ([]string, error) {
	var results []string
	var errs []error
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var obj map[string]any
			if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: %v", f, err)
			}
			if obj == nil {
				continue
			}
			apiVersion, _ := obj["apiVersion"].(string)
			kind, _ := obj["kind"].(string)
			meta, _ := obj["metadata"].(map[string]any)
			name, _ := meta["name"].(string)
			res, namespaced, err := k.resource(apiVersion, kind)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", filepath.Base(f), err))
				continue
			}
			path := groupPath(apiVersion)
			if namespaced {
				path += "/namespaces/default"
			}
			path += "/" + res + "/" + name + "?fieldManager=jdash-test&fieldValidation=Strict&force=true"
			result := "applied"
			if dry {
				path, result = path+"&dryRun=All", "server dry run"
			}
			body, _ := json.Marshal(obj) // JSON is YAML: the apply patch as it was read
			code, answer, err := k.do("PATCH", path, "application/apply-patch+yaml", body)
			what := fmt.Sprintf("%s: %s/%s %s", filepath.Base(f), apiVersion, kind, name)
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("%s: %v", what, err))
			case code/100 != 2:
				errs = append(errs, fmt.Errorf("%s: %d %s", what, code, answer))
			default:
				results = append(results, fmt.Sprintf("%s: %d (%s)", what, code, result))
			}
		}
	}
	return results, errors.Join(errs...)
}
