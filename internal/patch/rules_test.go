package patch

import "testing"

func TestRulesLoadAndApplicability(t *testing.T) {
	rs, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]Rule{}
	for _, r := range rs {
		ids[r.ID] = r
	}
	for _, id := range []string{"I-1", "I-3", "I-4", "I-5", "I-6", "I-7", "I-8", "I-9", "I-10", "I-11", "I-12", "I-13", "I-17", "I-18", "I-20", "I-27", "I-28"} {
		if _, ok := ids[id]; !ok {
			t.Errorf("rule %s missing", id)
		}
	}
	vers := map[string]string{"notebook": "7.2.0", "nbclassic": "1.1.0", "jupyter_dashboards": "0.7.0"}
	v := func(d string) string { return vers[d] }
	w := ids["I-3"].Applicability(v, "3.11.7")
	if !w.Applies || len(w.Targets) != 1 || w.Targets[0] != "jupyter_dashboards" {
		t.Errorf("I-3: %+v", w)
	}
	vers["notebook"] = "6.5.7"
	if w := ids["I-3"].Applicability(v, "3.11.7"); w.Applies {
		t.Errorf("I-3 on notebook 6: %+v", w)
	}
	vers["notebook"] = "6.5.7"
	if w := ids["I-27"].Applicability(v, "3.12.1"); !w.Applies {
		t.Errorf("I-27 on 3.12 without setuptools: %+v", w)
	}
	vers["setuptools"] = "70.0.0"
	if w := ids["I-27"].Applicability(v, "3.12.1"); w.Applies {
		t.Errorf("I-27 with setuptools: %+v", w)
	}
}
