package ui

import "testing"

func TestColorEnabled(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, c := range []struct {
		tty  bool
		env  map[string]string
		mode string
		want bool
	}{
		{true, nil, "auto", true},
		{false, nil, "auto", false},
		{true, map[string]string{"NO_COLOR": "1"}, "auto", false},
		{true, map[string]string{"TERM": "dumb"}, "auto", false},
		{false, map[string]string{"CLICOLOR_FORCE": "1"}, "auto", true},
		{false, map[string]string{"CLICOLOR_FORCE": "0"}, "auto", false},
		{true, nil, "never", false},
		{false, map[string]string{"NO_COLOR": "1"}, "always", true},
	} {
		if got := ColorEnabled(c.tty, env(c.env), c.mode); got != c.want {
			t.Errorf("tty=%v env=%v mode=%s: got %v", c.tty, c.env, c.mode, got)
		}
	}
	io, _, _ := Test(false)
	if io.Colors().Red("x") != "x" {
		t.Error("no colour off a TTY")
	}
	io, _, _ = Test(true)
	if io.Colors().Red("x") == "x" {
		t.Error("colour on a TTY")
	}
}

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain/.venv": "plain/.venv", "héllo": "héllo",
		"evil\x1b[2Jname": `evil\x1b[2Jname`, "two\nlines": `two\nlines`, "bad\xffutf8": `bad\xffutf8`, "c1\u0085": `c1\u0085`,
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}
