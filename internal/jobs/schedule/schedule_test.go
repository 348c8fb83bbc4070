package schedule

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNext(t *testing.T) {
	tests := []struct {
		expr  string
		zone  string
		after string
		want  []string // consecutive occurrences, RFC 3339
	}{
		// The Backup default and plain daily/hourly schedules.
		{"cron(0 5 ? * * *)", "", "2024-01-01T00:00:00Z",
			[]string{"2024-01-01T05:00:00Z", "2024-01-02T05:00:00Z", "2024-01-03T05:00:00Z"}},
		{"cron(0 5 ? * * *)", "", "2024-01-01T05:00:00Z", // strictly after
			[]string{"2024-01-02T05:00:00Z"}},
		{"cron(0 5 ? * * *)", "", "2024-01-01T04:59:59.999Z",
			[]string{"2024-01-01T05:00:00Z"}},
		{"cron(15 * ? * * *)", "", "2024-01-01T00:20:00Z",
			[]string{"2024-01-01T01:15:00Z", "2024-01-01T02:15:00Z"}},
		{"cron(0/15 * * * ? *)", "", "2024-01-01T00:00:00Z",
			[]string{"2024-01-01T00:15:00Z", "2024-01-01T00:30:00Z", "2024-01-01T00:45:00Z", "2024-01-01T01:00:00Z"}},
		{"cron(1/10 * * * ? *)", "", "2024-01-01T00:00:00Z",
			[]string{"2024-01-01T00:01:00Z", "2024-01-01T00:11:00Z", "2024-01-01T00:21:00Z"}},
		{"cron(50/20 * * * ? *)", "", "2024-01-01T00:00:00Z", // a/n stops at the field's end
			[]string{"2024-01-01T00:50:00Z", "2024-01-01T01:50:00Z"}},
		{"cron(0 4/12 * * ? *)", "", "2024-01-01T00:00:00Z", // increments restart each day
			[]string{"2024-01-01T04:00:00Z", "2024-01-01T16:00:00Z", "2024-01-02T04:00:00Z"}},
		{"cron(0 22-2 * * ? *)", "", "2024-01-01T21:00:00Z", // wrapping range
			[]string{"2024-01-01T22:00:00Z", "2024-01-01T23:00:00Z", "2024-01-02T00:00:00Z", "2024-01-02T01:00:00Z", "2024-01-02T02:00:00Z", "2024-01-02T22:00:00Z"}},
		{"cron(0 8 1 * ? *)", "", "2024-01-15T00:00:00Z",
			[]string{"2024-02-01T08:00:00Z", "2024-03-01T08:00:00Z"}},
		{"cron(0 12 1,15 JAN,jul ? *)", "", "2024-01-10T00:00:00Z",
			[]string{"2024-01-15T12:00:00Z", "2024-07-01T12:00:00Z", "2024-07-15T12:00:00Z", "2025-01-01T12:00:00Z"}},
		{"cron(0 0 */10 * ? *)", "", "2024-01-01T00:00:00Z",
			[]string{"2024-01-11T00:00:00Z", "2024-01-21T00:00:00Z", "2024-01-31T00:00:00Z", "2024-02-01T00:00:00Z"}},
		{"cron(0 0 1 */3 ? *)", "", "2024-01-01T00:00:00Z",
			[]string{"2024-04-01T00:00:00Z", "2024-07-01T00:00:00Z", "2024-10-01T00:00:00Z", "2025-01-01T00:00:00Z"}},
		{"cron(0 0 1 NOV-FEB ? *)", "", "2024-03-01T00:00:00Z",
			[]string{"2024-11-01T00:00:00Z", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", "2025-11-01T00:00:00Z"}},

		// Day-of-week: 1-7 is SUN-SAT. 2024-01-01 is a Monday.
		{"cron(0 18 ? * MON-FRI *)", "", "2024-01-05T19:00:00Z", // Friday evening
			[]string{"2024-01-08T18:00:00Z", "2024-01-09T18:00:00Z"}},
		{"cron(0 18 ? * 2-6 *)", "", "2024-01-05T19:00:00Z",
			[]string{"2024-01-08T18:00:00Z"}},
		{"cron(0 0 ? * FRI-MON *)", "", "2024-01-02T00:00:00Z",
			[]string{"2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z", "2024-01-07T00:00:00Z", "2024-01-08T00:00:00Z", "2024-01-12T00:00:00Z"}},
		{"cron(0 0 ? * 1 *)", "", "2024-01-01T00:00:00Z", // Sunday
			[]string{"2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"}},
		{"cron(0 0 ? * L *)", "", "2024-01-01T00:00:00Z", // L alone: Saturday
			[]string{"2024-01-06T00:00:00Z", "2024-01-13T00:00:00Z"}},
		{"cron(0 0 ? * */2 *)", "", "2024-01-01T00:00:00Z", // SUN,TUE,THU,SAT
			[]string{"2024-01-02T00:00:00Z", "2024-01-04T00:00:00Z", "2024-01-06T00:00:00Z", "2024-01-07T00:00:00Z"}},

		// # : nth weekday of the month.
		{"cron(0 9 ? * 2#1 *)", "", "2023-12-31T00:00:00Z", // first Monday
			[]string{"2024-01-01T09:00:00Z", "2024-02-05T09:00:00Z", "2024-03-04T09:00:00Z"}},
		{"cron(0 9 ? * 3#2 *)", "", "2024-01-01T00:00:00Z", // second Tuesday, AWS's example
			[]string{"2024-01-09T09:00:00Z", "2024-02-13T09:00:00Z"}},
		{"cron(0 0 ? * THU#5 *)", "", "2024-01-01T00:00:00Z", // only months with five Thursdays
			[]string{"2024-02-29T00:00:00Z", "2024-05-30T00:00:00Z", "2024-08-29T00:00:00Z"}},

		// L in day-of-week: last such weekday.
		{"cron(0 0 ? * 6L *)", "", "2024-01-01T00:00:00Z", // last Friday
			[]string{"2024-01-26T00:00:00Z", "2024-02-23T00:00:00Z", "2024-03-29T00:00:00Z"}},
		{"cron(0 0 ? * FRIL *)", "", "2024-01-01T00:00:00Z",
			[]string{"2024-01-26T00:00:00Z"}},
		{"cron(0 0 ? * 1,7L *)", "", "2024-01-25T00:00:00Z", // every Sunday and the last Saturday
			[]string{"2024-01-27T00:00:00Z", "2024-01-28T00:00:00Z", "2024-02-04T00:00:00Z", "2024-02-11T00:00:00Z"}},

		// L, LW, W in day-of-month, with a leap year.
		{"cron(0 0 L * ? *)", "", "2024-01-01T00:00:00Z",
			[]string{"2024-01-31T00:00:00Z", "2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z", "2024-04-30T00:00:00Z"}},
		{"cron(0 0 L 2 ? *)", "", "2023-01-01T00:00:00Z",
			[]string{"2023-02-28T00:00:00Z", "2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z"}},
		{"cron(0 0 LW * ? *)", "", "2024-03-01T00:00:00Z", // Mar 31 Sun, Jun 30 Sun, Aug 31 Sat
			[]string{"2024-03-29T00:00:00Z", "2024-04-30T00:00:00Z", "2024-05-31T00:00:00Z", "2024-06-28T00:00:00Z", "2024-07-31T00:00:00Z", "2024-08-30T00:00:00Z"}},
		{"cron(0 0 15W * ? *)", "", "2024-06-01T00:00:00Z", // Jun 15 Sat -> Fri 14; Sep 15 Sun -> Mon 16
			[]string{"2024-06-14T00:00:00Z", "2024-07-15T00:00:00Z", "2024-08-15T00:00:00Z", "2024-09-16T00:00:00Z"}},
		{"cron(0 0 1W * ? *)", "", "2024-05-02T00:00:00Z", // Jun 1 Sat -> Mon 3, not May 31
			[]string{"2024-06-03T00:00:00Z", "2024-07-01T00:00:00Z", "2024-08-01T00:00:00Z", "2024-09-02T00:00:00Z"}},
		{"cron(0 0 31W * ? *)", "", "2024-03-01T00:00:00Z", // Mar 31 Sun -> Fri 29; months without a 31st skip
			[]string{"2024-03-29T00:00:00Z", "2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z"}},
		{"cron(0 0 1,L * ? *)", "", "2024-01-15T00:00:00Z",
			[]string{"2024-01-31T00:00:00Z", "2024-02-01T00:00:00Z", "2024-02-29T00:00:00Z"}},
		{"cron(0 0 29 2 ? *)", "", "2024-03-01T00:00:00Z", // 2100 is not a leap year
			[]string{"2028-02-29T00:00:00Z"}},
		{"cron(0 0 29 2 ? *)", "", "2096-03-01T00:00:00Z",
			[]string{"2104-02-29T00:00:00Z"}},

		// Years, and schedules that end.
		{"cron(0 0 1 1 ? 2025)", "", "2024-06-01T00:00:00Z", []string{"2025-01-01T00:00:00Z", ""}},
		{"cron(0 0 1 1 ? 2025)", "", "2025-06-01T00:00:00Z", []string{""}},
		{"cron(0 0 1 1 ? 2030-2032,2040)", "", "2024-01-01T00:00:00Z",
			[]string{"2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z", "2032-01-01T00:00:00Z", "2040-01-01T00:00:00Z", ""}},
		{"cron(0 0 1 1 ? 2024/10)", "", "2024-06-01T00:00:00Z",
			[]string{"2034-01-01T00:00:00Z", "2044-01-01T00:00:00Z"}},
		{"cron(59 23 31 12 ? *)", "", "2199-01-01T00:00:00Z", []string{"2199-12-31T23:59:00Z", ""}},
		{"cron(0 0 30 2 ? *)", "", "2024-01-01T00:00:00Z", []string{""}}, // never exists
		{"cron(0 0 1 1 ? *)", "", "1900-06-01T00:00:00Z", []string{"1970-01-01T00:00:00Z"}},

		// Time zones. Kolkata has no DST and a half-hour offset.
		{"cron(0 5 ? * * *)", "Asia/Kolkata", "2024-01-01T00:00:00Z",
			[]string{"2024-01-01T23:30:00Z", "2024-01-02T23:30:00Z"}},
		{"cron(0 5 ? * * *)", "Etc/UTC", "2024-01-01T00:00:00Z",
			[]string{"2024-01-01T05:00:00Z"}},
		// New York springs forward at 02:00 on 2024-03-10: 02:30 does not exist that day
		// and is skipped, as EventBridge Scheduler does.
		{"cron(30 2 * * ? *)", "America/New_York", "2024-03-09T05:00:00Z",
			[]string{"2024-03-09T07:30:00Z", "2024-03-11T06:30:00Z"}},
		{"cron(0 * * * ? *)", "America/New_York", "2024-03-10T05:30:00Z",
			[]string{"2024-03-10T06:00:00Z", "2024-03-10T07:00:00Z", "2024-03-10T08:00:00Z"}},
		// It falls back at 02:00 on 2024-11-03: 01:30 happens twice and fires once, the first time.
		{"cron(30 1 * * ? *)", "America/New_York", "2024-11-02T16:00:00Z",
			[]string{"2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z"}},
		{"cron(30 1 * * ? *)", "America/New_York", "2024-11-03T06:10:00Z", // 01:10 the second time
			[]string{"2024-11-04T06:30:00Z"}},
		{"cron(0 * * * ? *)", "America/New_York", "2024-11-03T04:30:00Z",
			[]string{"2024-11-03T05:00:00Z", "2024-11-03T07:00:00Z", "2024-11-03T08:00:00Z"}},
		// The daily default across both changes keeps 05:00 local time.
		{"cron(0 5 ? * * *)", "America/New_York", "2024-03-09T12:00:00Z",
			[]string{"2024-03-10T09:00:00Z", "2024-03-11T09:00:00Z"}},
		{"cron(0 5 ? * * *)", "Europe/Berlin", "2024-10-26T12:00:00Z",
			[]string{"2024-10-27T04:00:00Z"}},
		// Lord Howe Island moves its clocks by half an hour, 02:00 -> 02:30 on 2024-10-06.
		{"cron(15 2 * * ? *)", "Australia/Lord_Howe", "2024-10-04T12:00:00Z",
			[]string{"2024-10-04T15:45:00Z", "2024-10-06T15:15:00Z"}},

		// Rates count from the instant they are given.
		{"rate(5 minutes)", "", "2024-01-01T00:00:30Z", []string{"2024-01-01T00:05:30Z", "2024-01-01T00:10:30Z"}},
		{"rate(1 day)", "America/New_York", "2024-03-09T12:00:00Z", []string{"2024-03-10T12:00:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.expr+"@"+tc.zone+"/"+tc.after, func(t *testing.T) {
			s, err := ParseInZone(tc.expr, tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			at := utc(tc.after)
			for i, w := range tc.want {
				got := s.Next(at)
				if w == "" {
					if !got.IsZero() {
						t.Fatalf("occurrence %d: got %s, want none", i, got.UTC().Format(time.RFC3339))
					}
					return
				}
				if want := utc(w); !got.Equal(want) {
					t.Fatalf("occurrence %d after %s: got %s, want %s", i, at.UTC().Format(time.RFC3339),
						got.UTC().Format(time.RFC3339), w)
				}
				if got.Location() != s.Location() {
					t.Errorf("occurrence %d is in %v, want the schedule's %v", i, got.Location(), s.Location())
				}
				at = got
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		expr string
		want string // substring of the message
	}{
		{"", "want \"cron("},
		{"0 5 * * ? *", "want \"cron("},
		{"CRON(0 5 * * ? *)", "want \"cron("},
		{"cron(0 5 * * ? *", "want \"cron("},
		{"at(2024-01-01T00:00:00)", "want \"cron("},
		{"cron(0 5 * * *)", "has 5"},
		{"cron(0 0 5 * * ? *)", "has 7"},
		{"cron(0 5 * * * *)", "cannot both be specified"},
		{"cron(0 5 1 * MON *)", "cannot both be specified"},
		{"cron(0 5 ? * ? *)", `cannot both be "?"`},
		{"cron(60 5 * * ? *)", "minutes field: 60 is out of range 0-59"},
		{"cron(0 24 * * ? *)", "hours field: 24 is out of range 0-23"},
		{"cron(0 5 0 * ? *)", "day-of-month field: 0 is out of range 1-31"},
		{"cron(0 5 32 * ? *)", "day-of-month field: 32 is out of range"},
		{"cron(0 5 * 13 ? *)", "month field: 13 is out of range 1-12"},
		{"cron(0 5 * 0 ? *)", "month field: 0 is out of range"},
		{"cron(0 5 ? * 0 *)", "day-of-week field: 0 is out of range 1-7"},
		{"cron(0 5 ? * 8 *)", "day-of-week field: 8 is out of range"},
		{"cron(0 5 * * ? 1969)", "year field: 1969 is out of range 1970-2199"},
		{"cron(0 5 * * ? 2200)", "year field: 2200 is out of range"},
		{"cron(0 5 * * ? 99999999999999999999999)", "out of range"},
		{"cron(0 5 * FOO ? *)", `"FOO" is not a number from 1 to 12 or a name from JAN to DEC`},
		{"cron(0 5 ? * FUN *)", `"FUN" is not a number from 1 to 7 or a name from SUN to SAT`},
		{"cron(0 MON * * ? *)", `hours field: "MON" is not a number from 0 to 23`},
		{"cron(0/0 5 * * ? *)", "increment \"0\" in \"0/0\" must be from 1 to 60"},
		{"cron(*/61 5 * * ? *)", "must be from 1 to 60"},
		{"cron(0/x 5 * * ? *)", "increment \"x\" in \"0/x\" is not a whole number"},
		{"cron(0 5 * * ? 2025-2024)", `range "2025-2024" runs backwards`},
		{"cron(5- 5 * * ? *)", "missing value"},
		{"cron(-5 5 * * ? *)", "missing value"},
		{"cron(0 5 1,,2 * ? *)", "empty value"},
		{"cron(0 5 ?,1 * ? *)", `"?" must be the whole field`},
		{"cron(? 5 * * ? *)", `minutes field: "?" is only allowed in day-of-month and day-of-week`},
		{"cron(0 5 * * ? ?)", `year field: "?" is only allowed`},
		{"cron(0 5 ? * 3#1,6#3 *)", "a field with # can hold only that one expression"},
		{"cron(0 5 ? * 3#6 *)", "the number after # must be from 1 to 5"},
		{"cron(0 5 ? * 3#0 *)", "the number after # must be from 1 to 5"},
		{"cron(0 5 ? * 8#1 *)", "out of range"},
		{"cron(0 5 ? * #1 *)", "missing value"},
		{"cron(0 5 1#2 * ? *)", "# is only allowed in day-of-week"},
		{"cron(0 5 L-2 * ? *)", "L stands alone"},
		{"cron(0 5 LL * ? *)", "L stands alone"},
		{"cron(0 5 W * ? *)", "W follows a single day"},
		{"cron(0 5 1-5W * ? *)", "W follows a single day"},
		{"cron(0 5 32W * ? *)", "out of range"},
		{"cron(0 5 ? * 3W *)", `"3W" is not a number`},
		{"cron(0 5 ? * 9L *)", "L follows a single day of the week"},
		{"cron(0 L * * ? *)", `hours field: "L" is not a number`},
		{"rate(0 minutes)", "not a positive whole number"},
		{"rate(-5 minutes)", "not a positive whole number"},
		{"rate(1.5 hours)", "not a positive whole number"},
		{"rate(1 minutes)", "a rate of 1 takes a singular unit: rate(1 minute)"},
		{"rate(1 days)", "rate(1 day)"},
		{"rate(5 minute)", "a rate of 5 takes a plural unit: rate(5 minutes)"},
		{"rate(5 weeks)", `rate unit "weeks" is not one of`},
		{"rate(5 Minutes)", `rate unit "Minutes"`},
		{"rate(5)", "needs a value and a unit"},
		{"rate(5 minutes 3)", "needs a value and a unit"},
		{"rate(9999999999999 days)", "too long"},
		{"rate(99999999999999999999999 days)", "not a positive whole number"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			s, err := Parse(tc.expr)
			if err == nil {
				t.Fatalf("parsed as %v; want an error containing %q", s, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
			if pe.Expr != tc.expr {
				t.Errorf("ParseError.Expr = %q", pe.Expr)
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	for _, expr := range []string{
		"cron(0 5 ? * * *)", "cron(0 12 * * ? *)", "cron(15 * ? * * *)",
		"cron(0/5 8-17 ? * MON-FRI *)", "cron(0 0 ? 1,4,7,10 1 *)", "cron(0 9 ? * 2#1 *)",
		"cron(0 0 L * ? *)", "cron(0 0 LW * ? *)", "cron(0 0 15W * ? *)", "cron(0 0 ? * 6L *)",
		"cron(0 0 ? * sun#1 *)", "cron(0 0 1 jan ? 2030)", "cron(0 0 1 1 ? 1970-2199)",
		"cron(* * * * ? *)", "cron(0 0 ? * * */5)", "cron(0 0 1-31/2 * ? *)", "cron(0 0 ? * 1-7/3 *)",
		"  cron( 0   5  ?  *  *  * )  ", "cron(0 0 ? * L *)", "cron(0 0 L,LW,1W,15 * ? *)",
		"rate(1 minute)", "rate(2 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(999 days)",
		"rate( 4  hours )",
	} {
		if _, err := Parse(expr); err != nil {
			t.Errorf("Parse(%q): %v", expr, err)
		}
	}
}

func TestParseInZone(t *testing.T) {
	s, err := ParseInZone("cron(0 5 ? * * *)", "America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	if s.Location().String() != "America/New_York" {
		t.Errorf("Location = %v", s.Location())
	}
	for _, zone := range []string{"Mars/Olympus_Mons", "Local", "../etc/passwd"} {
		if _, err := ParseInZone("cron(0 5 ? * * *)", zone); err == nil || !strings.Contains(err.Error(), "time zone") {
			t.Errorf("zone %q: err = %v, want a time zone error", zone, err)
		}
	}
	if s, err := ParseInZone("rate(1 hour)", ""); err != nil || s.Location() != time.UTC {
		t.Errorf("empty zone: %v, %v", s, err)
	}
}

func TestAccessors(t *testing.T) {
	c, _ := Parse("cron(0 4/12 * * ? *)")
	if c.Kind() != Cron || c.String() != "cron(0 4/12 * * ? *)" {
		t.Errorf("Kind/String = %v %q", c.Kind(), c)
	}
	if got := strings.Join(c.Fields(), " "); got != "0 4/12 * * ? *" {
		t.Errorf("Fields = %q", got)
	}
	if d, v, u := c.Rate(); d != 0 || v != 0 || u != "" {
		t.Errorf("Rate of a cron = %v %v %q", d, v, u)
	}
	r, _ := Parse("rate(12 hours)")
	if d, v, u := r.Rate(); r.Kind() != Rate || d != 12*time.Hour || v != 12 || u != "hours" || r.Fields() != nil {
		t.Errorf("rate accessors: %v %v %v %q %v", r.Kind(), d, v, u, r.Fields())
	}
}

func TestMinInterval(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		expr string
		want time.Duration
	}{
		{"cron(0 5 ? * * *)", day},
		{"cron(15 * ? * * *)", time.Hour},
		{"cron(0/15 * * * ? *)", 15 * time.Minute},
		{"cron(* * * * ? *)", time.Minute},
		{"cron(0 4/12 * * ? *)", 12 * time.Hour},
		{"cron(0 22-2 * * ? *)", time.Hour},
		{"cron(0 0,12 ? * MON-FRI *)", 12 * time.Hour},
		{"cron(0 0 1 * ? *)", 28 * day},
		{"cron(0 0 L * ? *)", 28 * day},
		{"cron(0 0,23 1 * ? *)", 23 * time.Hour}, // the 1h wrap never happens: days are not consecutive
		{"cron(0 0,23 ? * MON *)", 23 * time.Hour},
		{"cron(0 0 ? * 2#1 *)", 28 * day},
		{"cron(0 0 29 2 ? *)", 1461 * day},
		{"cron(0 0 1 1 ? 2030)", 0},
		{"cron(0 0 30 2 ? *)", 0},
		{"cron(0 0 1 1 ? 2030,2032)", 730 * day},
		{"rate(5 minutes)", 5 * time.Minute},
		{"rate(1 day)", day},
	}
	for _, tc := range tests {
		s, err := Parse(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.MinInterval(); got != tc.want {
			t.Errorf("%s: MinInterval = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

// TestNextMatchesBruteForce checks the field-skipping search against a naive walk that
// tests every day and minute with independently written rules for L, W and #.
func TestNextMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	starts := []time.Time{utc("2023-12-30T22:17:00Z"), utc("2024-02-27T23:59:30Z"), utc("2024-12-31T23:30:00Z")}
	for i := 0; i < 300; i++ {
		minutes := pick("0", "*/17", "5,35", "58-2", "0/30", "*")
		hours := pick("0", "23", "*/7", "9-17", "22-1", "*")
		months := pick("*", "2", "FEB,MAR", "11-2", "*/5")
		years := pick("*", "*", "2024", "2024-2025", "2025/3")
		var dom, dow string
		if rng.IntN(2) == 0 {
			dom, dow = pick("*", "1", "L", "LW", "15W", "1W", "31W", "30", "29", "1,L", "28-3", "*/9", "L,5W"), "?"
		} else {
			dom, dow = "?", pick("*", "1", "7", "L", "6L", "2#1", "5#5", "1#4", "MON-FRI", "FRI-MON", "*/3", "1,7L")
		}
		expr := fmt.Sprintf("cron(%s %s %s %s %s %s)", minutes, hours, dom, months, dow, years)
		s, err := Parse(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		at := starts[i%len(starts)]
		for n := 0; n < 5; n++ {
			got := s.Next(at)
			want := bruteNext(s.cron, at, 3*366)
			if !got.Equal(want) && !(want.IsZero() && (got.IsZero() || got.Sub(at) > 3*365*24*time.Hour)) {
				t.Fatalf("%s after %s: Next = %s, brute force = %s", expr, at, got, want)
			}
			if got.IsZero() || want.IsZero() {
				break
			}
			at = got
		}
	}
}

// bruteNext walks UTC day by day, then minute by minute, for at most days days.
func bruteNext(c *cronSpec, after time.Time, days int) time.Time {
	day := time.Date(after.Year(), after.Month(), after.Day(), 0, 0, 0, 0, time.UTC)
	for i := 0; i <= days; i++ {
		d := day.AddDate(0, 0, i)
		if d.Year() > MaxYear || !c.hasYear(d.Year()) || c.months&(1<<uint(d.Month())) == 0 || !bruteDay(c, d) {
			continue
		}
		for m := 0; m < 24*60; m++ {
			t := d.Add(time.Duration(m) * time.Minute)
			if t.After(after) && c.hours&(1<<uint(t.Hour())) != 0 && c.minutes&(1<<uint(t.Minute())) != 0 {
				return t
			}
		}
	}
	return time.Time{}
}

func bruteDay(c *cronSpec, d time.Time) bool {
	weekday := func(t time.Time) bool { return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday }
	sameMonth := func(t time.Time) bool { return t.Month() == d.Month() }
	if c.dom != nil {
		if c.dom.days&(1<<uint(d.Day())) != 0 {
			return true
		}
		if c.dom.last && !sameMonth(d.AddDate(0, 0, 1)) {
			return true
		}
		if c.dom.lastWeekday && weekday(d) {
			last := true
			for t := d.AddDate(0, 0, 1); sameMonth(t); t = t.AddDate(0, 0, 1) {
				if weekday(t) {
					last = false
				}
			}
			if last {
				return true
			}
		}
		// dW: the weekday of this month closest to day W (no ties can occur).
		for w := 1; w <= 31; w++ {
			if c.dom.nearest&(1<<uint(w)) == 0 {
				continue
			}
			target := time.Date(d.Year(), d.Month(), w, 0, 0, 0, 0, time.UTC)
			if !sameMonth(target) {
				continue
			}
			best, bestDist := -1, 99
			for t := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC); sameMonth(t); t = t.AddDate(0, 0, 1) {
				dist := t.Day() - w
				if dist < 0 {
					dist = -dist
				}
				if weekday(t) && dist < bestDist {
					best, bestDist = t.Day(), dist
				}
			}
			if best == d.Day() {
				return true
			}
		}
		return false
	}
	bit := uint8(1) << uint(d.Weekday())
	switch {
	case c.dow.days&bit != 0:
		return true
	case c.dow.last&bit != 0 && !sameMonth(d.AddDate(0, 0, 7)):
		return true
	case c.dow.nth > 0 && int(d.Weekday()) == c.dow.nthDay && sameMonth(d.AddDate(0, 0, -7*(c.dow.nth-1))) &&
		!sameMonth(d.AddDate(0, 0, -7*c.dow.nth)):
		return true
	}
	return false
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"cron(0 5 ? * * *)", "cron(0/15 * * * ? *)", "cron(0 0 LW * ? *)", "cron(0 0 15W * ? *)",
		"cron(0 9 ? * 2#1 *)", "cron(0 0 ? * 6L *)", "cron(0 22-2 ? * FRI-MON 2024/2)",
		"cron(0 0 30 2 ? *)", "cron(59 23 31 12 ? 2199)", "rate(5 minutes)", "rate(1 day)",
		"cron(0 5 * * * *)", "cron(60 5 * * ? *)", "rate(1 minutes)", "cron(0 5 ? * 3#1,6#3 *)",
		"cron(*/1 */1 */1 */1 ? */1)", "cron(0 0 L,1W,31W * ? *)",
	} {
		f.Add(seed, int64(1704067200))
	}
	f.Fuzz(func(t *testing.T, expr string, unix int64) {
		s, err := Parse(expr)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			return
		}
		if again, err := Parse(s.String()); err != nil || again.String() != s.String() {
			t.Fatalf("re-parsing %q: %v", s, err)
		}
		at := time.Unix(unix%(1<<33), 0).UTC() // years 1697-2242
		for i := 0; i < 3; i++ {
			next := s.Next(at)
			if next.IsZero() {
				break
			}
			if !next.After(at) {
				t.Fatalf("%s: Next(%s) = %s, not after", expr, at, next)
			}
			if s.Kind() == Cron && (next.Second() != 0 || next.Year() > MaxYear) {
				t.Fatalf("%s: Next(%s) = %s", expr, at, next)
			}
			at = next
		}
	})
}

func BenchmarkNext(b *testing.B) {
	for _, expr := range []string{"cron(0 5 ? * * *)", "cron(0 0 ? * 6L *)", "cron(0 0 30 2 ? *)"} {
		s, err := ParseInZone(expr, "America/New_York")
		if err != nil {
			b.Fatal(err)
		}
		at := utc("2024-01-01T00:00:00Z")
		b.Run(expr, func(b *testing.B) {
			for b.Loop() {
				s.Next(at)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	if Cron.String() != "cron" || Rate.String() != "rate" || Kind(9).String() != "Kind(9)" {
		t.Error(Cron, Rate, Kind(9))
	}
}
