package pyver

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]string{
		"5.9.1":              "5.9.1",
		"5.0.0rc1":           "5.0.0rc1",
		"5.0.0-RC.1":         "5.0.0rc1",
		"3.12":               "3.12",
		"3.12.1.final.0":     "3.12.1",
		"3.13.0.candidate.1": "3.13.0rc1",
		"3.14.0a1+":          "3.14.0a1",
		"3.10-dev":           "3.10.dev0",
		"2.0.0.dev0":         "2.0.0.dev0",
		"1.0.0b2.dev3":       "1.0.0b2.dev3",
		"1.2.3.post1":        "1.2.3.post1",
		"1.2.3-1":            "1.2.3.post1",
		"1.2.3.4":            "1.2.3.4",
		"7":                  "7",
		"0.5.13+local_x":     "0.5.13+local.x",
		"v1.02.3":            "1.2.3",
		"1!2.0preview3":      "1!2.0rc3",
		" 0.6c11 ":           "0.6rc11",
	} {
		v, err := Parse(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if v.String() != want {
			t.Errorf("%s -> %s, want %s", in, v, want)
		}
	}
	for _, bad := range []string{"", "abc", "3.x", "1..2", "1.0+", "1.0+a..b"} {
		if _, err := parsePEP440(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func TestOrder(t *testing.T) {
	// PEP 440's own example order, with local labels and epochs.
	order := []string{"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456",
		"1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5",
		"1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1", "3.6.15", "3.13.0", "1!0.1"}
	for i := 1; i < len(order); i++ {
		if !MustParse(order[i-1]).Less(MustParse(order[i])) {
			t.Errorf("%s should sort before %s", order[i-1], order[i])
		}
	}
	if MustParse("1.0").Compare(MustParse("1.0.0")) != 0 {
		t.Error("trailing zeros do not count")
	}
	got := []string{"3.6.15", "3.13.0", "3.9.1", "3.12.0rc1", "3.12.0"}
	slices.SortFunc(got, CompareStrings)
	if want := []string{"3.6.15", "3.9.1", "3.12.0rc1", "3.12.0", "3.13.0"}; !slices.Equal(got, want) {
		t.Errorf("sorted %v", got)
	}
}

func TestSpecifiers(t *testing.T) {
	for _, c := range []struct {
		spec, v string
		want    bool
	}{
		{">=7", "7.0.0rc1", false}, // the pre-release sorts below 7
		{">=7.0.0a0", "7.0.0rc1", true},
		{"<7", "7.0.0rc1", false}, // "<V" keeps V's own pre-releases out
		{"<7", "6.5.7", true},
		{"<7.0.0rc2", "7.0.0rc1", true},
		{"~=2.2", "2.9", true},
		{"~=2.2", "3.0", false},
		{"~=1.4.5", "1.4.9", true},
		{"~=1.4.5", "1.5.0", false},
		{"==1.4.*", "1.4.0rc1", true},
		{"==1.4.*", "1.40", false},
		{"!=3.0.*", "3.0.1", false},
		{">1.7", "1.7.0.post1", false},
		{">1.7.post1", "1.7.0.post2", true},
		{">1.7", "1.7.0+local", false},
		{"==1.7", "1.7.0+local", true},
		{"==1.7+local", "1.7.0", false},
		{"===1.0", "1.0", true},
		{"===1.0", "1.0.0", false},
		{">=5.0,<6", "5.9.1", true},
		{"", "anything-ok", false}, // an unparseable installed version satisfies nothing
	} {
		s, err := ParseSpec(c.spec)
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		if got := s.ContainsString(c.v); got != c.want {
			t.Errorf("%q contains %s = %v, want %v", c.spec, c.v, got, c.want)
		}
	}
	for _, bad := range []string{"7", ">=", "=>7", "~=1", ">=1.*", "<=1.0+local", "==1.0a1.*", ">=1 .0"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"3.12.1.final.0": "3.12.1", "3.14.0rc1": "3.14.0rc1", "3.12": "3.12", " 3.11.7 ": "3.11.7",
		"3.13.0.candidate.1": "3.13.0rc1", "3.10-dev": "3.10.dev0", "junk": "junk",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	if MajorMinor("3.12.1.final.0") != "3.12" || MajorMinor("3") != "" {
		t.Error("MajorMinor")
	}
}
