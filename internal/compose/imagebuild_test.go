package compose

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jdash-dev/jdash/internal/clierr"
)

const testCA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

func getenvOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func readCA(p string) ([]byte, error) {
	if p == "/ca.pem" {
		return []byte(testCA), nil
	}
	if p == "/not-pem" {
		return []byte("hello"), nil
	}
	return nil, os.ErrNotExist
}

func TestPipFromEnv(t *testing.T) {
	p, err := PipFromEnv(getenvOf(map[string]string{"PIP_INDEX_URL": "https://mirror.example/simple", "PIP_EXTRA_INDEX_URL": "https://a.example/simple https://b.example/simple",
		"PIP_TRUSTED_HOST": "mirror.example a.example", "PIP_CERT": "/ca.pem"}), readCA)
	if err != nil || p.IndexURL != "https://mirror.example/simple" || len(p.ExtraIndexURL) != 2 || len(p.TrustedHost) != 2 || string(p.Cert) != testCA {
		t.Fatalf("%+v %v", p, err)
	}
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PIP_INDEX_URL": "mirror.example/simple"}, "PIP_INDEX_URL"},
		{map[string]string{"PIP_EXTRA_INDEX_URL": "https://ok.example ftp://x"}, "PIP_EXTRA_INDEX_URL"},
		{map[string]string{"PIP_CERT": "/missing"}, "PIP_CERT"},
		{map[string]string{"PIP_CERT": "/not-pem"}, "PIP_CERT: /not-pem holds no PEM certificate"},
	} {
		_, err := PipFromEnv(getenvOf(c.env), readCA)
		var ue *clierr.UsageError
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error naming %s", c.env, err, c.want)
		}
	}
	// a URL refused for its scheme keeps its password out of the message
	if _, err := PipFromEnv(getenvOf(map[string]string{"PIP_INDEX_URL": "ftp://user:s3cret@mirror.example/simple"}), readCA); err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), `"ftp://***@mirror.example/simple"`) {
		t.Errorf("a refused URL with credentials: %v", err)
	}
	if p, err := PipFromEnv(getenvOf(nil), readCA); err != nil || !p.empty() {
		t.Errorf("no settings: %+v %v", p, err)
	}
}

func TestBaseImage(t *testing.T) {
	for _, c := range []struct {
		base, image string
		python      bool
		warn        string
	}{
		{"", "python:3.11.7-slim", true, ""},
		{"python:3.11-slim-bookworm", "python:3.11-slim-bookworm", true, ""},
		{"docker.io/library/python:3.12.1", "docker.io/library/python:3.12.1", true, "has Python 3.12, the env has 3.11"},
		{"python", "python", true, ""},
		{"debian-python:bookworm", "debian-python:bookworm", false, ""},
		{"registry.example/python:3.11", "registry.example/python:3.11", false, ""}, // not the official image: a venv is safe
	} {
		image, python, warn := ImageBuild{BaseImage: c.base}.base("3.11.7")
		if image != c.image || python != c.python || (c.warn == "") != (warn == "") || !strings.Contains(warn, c.warn) {
			t.Errorf("%q: %q %v %q", c.base, image, python, warn)
		}
	}
}

// A base that is not a python image gets a venv from its python3, where pip installs and jdash
// sets up; pip's settings come in as a file, the CA bundle beside it.
func TestDockerfileOnAnotherBase(t *testing.T) {
	e := ExportEnv{PythonVersion: "3.11.7", Pins: []string{"notebook==6.5.7"}, Profile: "classic"}
	pip, _ := PipFromEnv(getenvOf(map[string]string{"PIP_INDEX_URL": "https://mirror.example/simple", "PIP_CERT": "/ca.pem"}), readCA)
	got := string(Dockerfile(e, true, ImageBuild{BaseImage: "debian-python:bookworm", Pip: pip}))
	for _, want := range []string{"FROM debian-python:bookworm\n", "RUN python3 -m venv /opt/jdash-env\nENV VIRTUAL_ENV=/opt/jdash-env PATH=/opt/jdash-env/bin:$PATH\n",
		"COPY pip/ /etc/jdash-pip/\nENV PIP_CONFIG_FILE=/etc/jdash-pip/pip.conf\n", "RUN pip install \\\n    notebook==6.5.7\n",
		"RUN jdash setup --sys-prefix --profile classic --env /opt/jdash-env\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("the Dockerfile lacks %q:\n%s", want, got)
		}
	}
	ex := &Export{Files: map[string][]byte{}, Secret: map[string]bool{}}
	pip.files(ex)
	if string(ex.Files[pipCA]) != testCA || !strings.Contains(string(ex.Files[pipConf]), "index-url = https://mirror.example/simple\ncert = /etc/jdash-pip/ca.pem\n") || len(ex.Secret) != 0 {
		t.Errorf("pip files: %q", ex.Files)
	}
}

// Credentials in an index URL go into the 0600 file only, mounted as a build secret: no
// Dockerfile, plain file or layer holds them.
func TestPipCredentialsStayOutOfTheImage(t *testing.T) {
	pip, err := PipFromEnv(getenvOf(map[string]string{"PIP_INDEX_URL": "https://user:s3cret@mirror.example/simple"}), readCA)
	if err != nil {
		t.Fatal(err)
	}
	ex := &Export{Files: map[string][]byte{}, Secret: map[string]bool{}}
	pip.files(ex)
	df := string(Dockerfile(ExportEnv{PythonVersion: "3.11.7", Pins: []string{"a==1"}}, false, ImageBuild{Pip: pip}))
	ex.Files["x/Dockerfile"] = []byte(df)
	for name, data := range ex.Files {
		if strings.Contains(string(data), "s3cret") != ex.Secret[name] {
			t.Errorf("%s (secret: %v) holds the credential: %v", name, ex.Secret[name], strings.Contains(string(data), "s3cret"))
		}
	}
	if !ex.Secret[pipSecretConf] || !strings.Contains(df, "RUN --mount=type=secret,id=pip,target=/etc/jdash-pip/secret.conf PIP_CONFIG_FILE=/etc/jdash-pip/secret.conf pip install") || strings.Contains(df, "COPY pip/") {
		t.Errorf("the Dockerfile does not mount the secret:\n%s", df)
	}
}
