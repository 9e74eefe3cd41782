package compose

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/jdash-dev/jdash/internal/clierr"
	"github.com/jdash-dev/jdash/internal/pyver"
)

// ImageBuild is how an export's images are built: on which base, and with the pip settings of the
// environment the export runs in (a mirror, a TLS-inspecting proxy's CA).
type ImageBuild struct {
	BaseImage string // "" : the official python:<X.Y.Z>-slim of the env's Python
	Pip       Pip
}

// Pip is what the image builds take of pip's settings (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL,
// PIP_TRUSTED_HOST, PIP_CERT).
type Pip struct {
	IndexURL      string
	ExtraIndexURL []string
	TrustedHost   []string
	Cert          []byte // the CA bundle PIP_CERT names, carried into the build context
	CertFrom      string // its path on this host
}

// The export's pip files: the settings (no credentials) and the CA bundle go into the build
// context and the image; the settings with credentials only into a 0600 file, mounted as a
// build secret.
const (
	pipDir        = "pip"
	pipConf       = "pip/pip.conf"
	pipCA         = "pip/ca.pem"
	pipSecretConf = "secrets/pip.conf"
	pipInImage    = "/etc/jdash-pip"
)

// PipFromEnv reads pip's settings from the environment; readFile reads PIP_CERT's bundle.
// An invalid URL is a usage error naming the variable.
func PipFromEnv(getenv func(string) string, readFile func(string) ([]byte, error)) (Pip, error) {
	var p Pip
	check := func(name, u string) error {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return clierr.Usagef("%s: %q is not an http(s) URL", name, withoutUserinfo(u))
		}
		return nil
	}
	if v := strings.TrimSpace(getenv("PIP_INDEX_URL")); v != "" {
		if err := check("PIP_INDEX_URL", v); err != nil {
			return p, err
		}
		p.IndexURL = v
	}
	for _, v := range strings.Fields(getenv("PIP_EXTRA_INDEX_URL")) {
		if err := check("PIP_EXTRA_INDEX_URL", v); err != nil {
			return p, err
		}
		p.ExtraIndexURL = append(p.ExtraIndexURL, v)
	}
	p.TrustedHost = strings.Fields(getenv("PIP_TRUSTED_HOST"))
	if c := strings.TrimSpace(getenv("PIP_CERT")); c != "" {
		data, err := readFile(c)
		if err != nil {
			return p, clierr.Usagef("PIP_CERT: %v", err)
		}
		if !strings.Contains(string(data), "-----BEGIN CERTIFICATE-----") {
			return p, clierr.Usagef("PIP_CERT: %s holds no PEM certificate", c)
		}
		p.Cert, p.CertFrom = data, c
	}
	return p, nil
}

// withoutUserinfo shows a URL for a message with what precedes its host's "@" masked: an index
// URL that fails to parse may still carry a password.
func withoutUserinfo(u string) string {
	at := strings.LastIndex(u, "@")
	if at < 0 {
		return u
	}
	start := 0
	if i := strings.Index(u, "://"); i >= 0 && i < at {
		start = i + 3
	}
	return u[:start] + "***" + u[at:]
}

// credentialed reports an index URL with a user or password in it.
func credentialed(u string) bool {
	pu, err := url.Parse(u)
	return err == nil && pu.User != nil
}

// hasCredentials reports settings that must not go into an image or a plain file.
func (p Pip) hasCredentials() bool {
	if credentialed(p.IndexURL) {
		return true
	}
	for _, u := range p.ExtraIndexURL {
		if credentialed(u) {
			return true
		}
	}
	return false
}

func (p Pip) empty() bool {
	return p.IndexURL == "" && len(p.ExtraIndexURL) == 0 && len(p.TrustedHost) == 0 && p.Cert == nil
}

// conf is pip's config file of the settings (the CA at its place in the image).
func (p Pip) conf() []byte {
	var b strings.Builder
	b.WriteString("# pip's settings of the environment jdash up --export ran in\n[global]\n")
	if p.IndexURL != "" {
		fmt.Fprintf(&b, "index-url = %s\n", p.IndexURL)
	}
	if len(p.ExtraIndexURL) > 0 {
		fmt.Fprintf(&b, "extra-index-url = %s\n", strings.Join(p.ExtraIndexURL, "\n    "))
	}
	if len(p.TrustedHost) > 0 {
		fmt.Fprintf(&b, "trusted-host = %s\n", strings.Join(p.TrustedHost, "\n    "))
	}
	if p.Cert != nil {
		fmt.Fprintf(&b, "cert = %s/ca.pem\n", pipInImage)
	}
	return []byte(b.String())
}

// files are the export's pip files: the plain config, or (with credentials) the secret one,
// and the CA bundle.
func (p Pip) files(ex *Export) {
	if p.empty() {
		return
	}
	if p.hasCredentials() {
		ex.Files[pipSecretConf] = p.conf()
		ex.Secret[pipSecretConf] = true
		ex.Notes = append(ex.Notes, "pip's index URL carries credentials: they are in "+pipSecretConf+" (0600), which the image builds mount as the build secret pip (BuildKit), never in a layer: build with DOCKER_BUILDKIT=1 docker build --secret id=pip,src="+pipSecretConf)
	} else {
		ex.Files[pipConf] = p.conf()
	}
	if p.Cert != nil {
		ex.Files[pipCA] = p.Cert
		ex.Notes = append(ex.Notes, "the CA bundle of PIP_CERT ("+p.CertFrom+") is copied into the images' "+pipInImage+"/ca.pem")
	}
}

var pythonImage = regexp.MustCompile(`^(?:(?:docker\.io/)?library/)?python(?::([0-9][^@]*))?(?:@.*)?$`)

// base is the FROM of an env's image, whether it is a python image (else the recipe makes a
// venv from the base's python3), and a warning when its Python is not the env's X.Y.
func (b ImageBuild) base(pythonVersion string) (image string, python bool, warn string) {
	if b.BaseImage == "" {
		return "python:" + pythonVersion + "-slim", true, ""
	}
	m := pythonImage.FindStringSubmatch(b.BaseImage)
	if m == nil {
		return b.BaseImage, false, ""
	}
	if tag := m[1]; tag != "" {
		if v := strings.SplitN(tag, "-", 2)[0]; pyver.MajorMinor(v) != "" && pyver.MajorMinor(v) != pyver.MajorMinor(pythonVersion) {
			warn = fmt.Sprintf("the base image %s has Python %s, the env has %s: the pinned distributions may not install or run there", b.BaseImage, pyver.MajorMinor(v), pyver.MajorMinor(pythonVersion))
		}
	}
	return b.BaseImage, true, warn
}
