package rds

import "testing"

// The class limits follow the User Guide's table (data/engines.json's _comment): each
// major line from its first version with the class, later majors in full, earlier none.
func TestClassLimitsFollowTheUserGuide(t *testing.T) {
	cases := []struct {
		engine, class, version string
		offered                bool
	}{
		{"postgres", "db.m7g.large", "12.22", false},
		{"postgres", "db.m7g.large", "13.4", true},
		{"postgres", "db.r7g.large", "14.12", true},
		{"postgres", "db.m7g.large", "16.3", true},
		{"postgres", "db.t2.micro", "12.22", true},
		{"postgres", "db.t2.micro", "13.4", false},
		{"mysql", "db.m7g.large", "5.7.44", false},
		{"mysql", "db.m7g.large", "8.0.36", true},
		{"mysql", "db.m7g.large", "8.4.3", true},
		{"mysql", "db.r4.large", "8.0.41", true},
		{"mysql", "db.r4.large", "8.4.4", false},
		{"mariadb", "db.m7g.large", "10.5.27", true},
		{"mariadb", "db.m7g.large", "10.11.10", true},
		{"mariadb", "db.m4.large", "10.6.20", true},
		{"mariadb", "db.m4.large", "10.11.10", false},
	}
	for _, c := range cases {
		e := engines()[c.engine]
		v, ok := e.version(c.version)
		if !ok {
			t.Fatalf("%s %s is not in the catalogue", c.engine, c.version)
		}
		if got := e.offers(c.class, v); got != c.offered {
			t.Errorf("%s %s on %s: offered %v, want %v", c.engine, c.version, c.class, got, c.offered)
		}
	}
	// A minor version below the first of its line that has the class, which the
	// catalogue does not list, is refused; one above it is offered.
	limit := classLimit{FromVersions: []string{"13.4", "14.5", "15.2"}}
	for version, want := range map[string]bool{"14.4": false, "14.5": true, "15.1": false, "15.10": true, "11.22": false, "17.2": true} {
		major := version[:2]
		if got := limit.allows(engineVersion{Version: version, Major: major}); got != want {
			t.Errorf("%s: allowed %v, want %v", version, got, want)
		}
	}
}
