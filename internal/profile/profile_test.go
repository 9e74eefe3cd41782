package profile

import "testing"

func TestProfiles(t *testing.T) {
	for _, n := range []string{"classic", "modern", "gateway", "nbclassic"} {
		p, err := Get(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.PackagesFor("3.11.7"); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := Get("nope"); err == nil || err.Error() != `unknown profile "nope": use one of classic, gateway, modern, nbclassic` {
		t.Errorf("unknown profile: %v", err)
	}
	p, _ := Get("classic")
	pk, _ := p.PackagesFor("3.13.1")
	found := false
	for _, x := range pk {
		found = found || x == "pyzmq>=26,<27"
	}
	if !found {
		t.Errorf("3.13 pins: %v", pk)
	}
}

func TestRequirementSatisfied(t *testing.T) {
	for _, c := range []struct {
		req, installed string
		want           bool
	}{
		{"notebook==6.5.7", "6.5.7", true},
		{"notebook==6.5.7", "7.0.0", false},
		{"jupyter_client<8", "7.4.9", true},
		{"jupyter_client<8", "8.6.3", false},
		{"ipywidgets>=7,<8", "7.8.5", true},
		{"ipywidgets>=7,<8", "8.1.0", false},
		{"setuptools<82", "", false},
		{"voila", "0.5.13", true},
		{"pyzmq>=26,<27", "26.2.0", true},
	} {
		if got := ParseRequirement(c.req).Satisfied(c.installed); got != c.want {
			t.Errorf("%s with %q: %v", c.req, c.installed, got)
		}
	}
	if r := ParseRequirement("jupyter_client<8"); r.Name != "jupyter_client" || r.Spec != "<8" {
		t.Errorf("%+v", r)
	}
}
