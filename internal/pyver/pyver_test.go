package pyver

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]string{
		"5.9.1":              "5.9.1",
		"5.0.0rc1":           "5.0.0-rc.1",
		"3.12":               "3.12.0",
		"3.12.1.final.0":     "3.12.1",
		"3.13.0.candidate.1": "3.13.0-rc.1",
		"3.14.0a1+":          "3.14.0-a.1",
		"2.0.0.dev0":         "2.0.0-dev.0",
		"1.0.0b2.dev3":       "1.0.0-b.2.dev.3",
		"1.2.3.post1":        "1.2.3+post1",
		"1.2.3-1":            "1.2.3+post1",
		"1.2.3.4":            "1.2.3+4",
		"7":                  "7.0.0",
		"0.5.13+local_x":     "0.5.13+local.x",
		"v1.02.3":            "1.2.3",
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
	for _, bad := range []string{"", "abc", "3.x", "1..2"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
	if !MustParse("5.0.0rc1").LessThan(MustParse("5.0.0")) {
		t.Error("rc sorts before the release")
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
