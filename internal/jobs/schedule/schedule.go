// Package schedule parses and evaluates the schedule expressions AWS services accept:
// AWS Backup plan rules (ScheduleExpression plus ScheduleExpressionTimezone) and Secrets
// Manager rotation (RotationRules.ScheduleExpression). Both use the EventBridge dialect:
//
//	cron(minutes hours day-of-month month day-of-week year)
//	rate(value unit)
//
// The cron dialect is Quartz-derived, not Unix cron: six fields, day-of-week numbered 1-7
// for SUN-SAT, exactly one of day-of-month and day-of-week must be "?", and the special
// forms L, W and # exist. See Parse for the exact grammar and the places where AWS's
// documentation is silent and a choice was made.
//
// This package only answers "is this a valid expression, and when does it fire next?".
// Each service enforces its own limits on top (Backup: at most hourly; Secrets Manager:
// at most every four hours, minutes must be 0, year must be *); MinInterval, Fields and
// Rate expose what those checks need.
package schedule

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"

	// Backup plans name IANA zones, and the binary must evaluate them the same way on a
	// host without /usr/share/zoneinfo (a scratch container), so the database ships inside.
	_ "time/tzdata"
)

// Years outside this range are rejected by AWS's cron grammar, and no occurrence is ever
// produced outside it.
const (
	MinYear = 1970
	MaxYear = 2199
)

// Kind tells a cron schedule from a rate schedule.
type Kind int

const (
	Cron Kind = iota + 1
	Rate
)

func (k Kind) String() string {
	switch k {
	case Cron:
		return "cron"
	case Rate:
		return "rate"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Schedule is a parsed expression. It is immutable and safe for concurrent use.
type Schedule struct {
	expr string
	loc  *time.Location

	// rate() only
	every     time.Duration
	rateValue int
	rateUnit  string

	// cron() only
	cron *cronSpec
}

// ParseError says what is wrong with an expression, precisely enough to be shown to the
// user in the service's validation error.
type ParseError struct {
	Expr  string // the expression as given
	Field string // the cron field at fault ("minutes", ..., "year"), or "" for the whole
	Msg   string
}

func (e *ParseError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("invalid schedule expression %q: %s field: %s", e.Expr, e.Field, e.Msg)
	}
	return fmt.Sprintf("invalid schedule expression %q: %s", e.Expr, e.Msg)
}

// Parse parses a cron() or rate() expression evaluated in UTC.
func Parse(expr string) (*Schedule, error) {
	return ParseInLocation(expr, time.UTC)
}

// ParseInZone parses expr to be evaluated in the IANA time zone named zone, as Backup's
// ScheduleExpressionTimezone gives it; "" means UTC.
func ParseInZone(expr, zone string) (*Schedule, error) {
	if zone == "" {
		return Parse(expr)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		// "Local" is Go's name for the host's zone, which AWS has never heard of.
		return nil, fmt.Errorf("invalid schedule time zone %q: not an IANA time zone name", zone)
	}
	return ParseInLocation(expr, loc)
}

// ParseInLocation parses expr to be evaluated in loc (nil means UTC). A rate has no
// calendar, so loc does not change when it fires.
func ParseInLocation(expr string, loc *time.Location) (*Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	s := &Schedule{expr: expr, loc: loc}
	body, kind, ok := unwrap(expr)
	if !ok {
		return nil, &ParseError{Expr: expr, Msg: `want "cron(minutes hours day-of-month month day-of-week year)" or "rate(value unit)"`}
	}
	var err error
	switch kind {
	case Cron:
		s.cron, err = parseCron(expr, body)
	case Rate:
		err = s.parseRate(body)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

func unwrap(expr string) (body string, kind Kind, ok bool) {
	e := strings.TrimSpace(expr)
	if !strings.HasSuffix(e, ")") {
		return "", 0, false
	}
	switch {
	case strings.HasPrefix(e, "cron("):
		return e[len("cron(") : len(e)-1], Cron, true
	case strings.HasPrefix(e, "rate("):
		return e[len("rate(") : len(e)-1], Rate, true
	}
	return "", 0, false
}

var rateUnits = map[string]struct {
	d        time.Duration
	singular bool
}{
	"minute": {time.Minute, true}, "minutes": {time.Minute, false},
	"hour": {time.Hour, true}, "hours": {time.Hour, false},
	"day": {24 * time.Hour, true}, "days": {24 * time.Hour, false},
}

func (s *Schedule) parseRate(body string) error {
	fail := func(format string, a ...any) error {
		return &ParseError{Expr: s.expr, Msg: fmt.Sprintf(format, a...)}
	}
	parts := strings.Fields(body)
	if len(parts) != 2 {
		return fail("a rate needs a value and a unit, as in rate(5 minutes)")
	}
	value, unit := parts[0], parts[1]
	if !isDigits(value) {
		return fail("rate value %q is not a positive whole number", value)
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 1 {
		return fail("rate value %q is not a positive whole number", value)
	}
	u, ok := rateUnits[unit]
	if !ok {
		return fail("rate unit %q is not one of minute, minutes, hour, hours, day, days", unit)
	}
	// AWS insists on agreement: rate(1 hours) and rate(5 hour) are both refused.
	if n == 1 && !u.singular {
		return fail("a rate of 1 takes a singular unit: rate(1 %s)", strings.TrimSuffix(unit, "s"))
	}
	if n > 1 && u.singular {
		return fail("a rate of %d takes a plural unit: rate(%d %ss)", n, n, unit)
	}
	if int64(n) > math.MaxInt64/int64(u.d) {
		return fail("rate %d %s is too long", n, unit)
	}
	s.every = time.Duration(n) * u.d
	s.rateValue, s.rateUnit = n, unit
	return nil
}

// String returns the expression as given.
func (s *Schedule) String() string { return s.expr }

// Kind reports whether s is a cron or a rate schedule.
func (s *Schedule) Kind() Kind {
	if s.cron != nil {
		return Cron
	}
	return Rate
}

// Location is the zone cron fields are read in.
func (s *Schedule) Location() *time.Location { return s.loc }

// Rate returns the interval of a rate schedule with its value and unit as written
// ("hours", "day", ...), or zeros for a cron schedule. Secrets Manager needs the unit: its
// default rotation window depends on whether the schedule is in hours or in days.
func (s *Schedule) Rate() (every time.Duration, value int, unit string) {
	return s.every, s.rateValue, s.rateUnit
}

// Fields returns the six cron fields as written, or nil for a rate. Services check their
// own restrictions on them (Secrets Manager: minutes must be "0", year must be "*").
func (s *Schedule) Fields() []string {
	if s.cron == nil {
		return nil
	}
	f := s.cron.fields
	return f[:]
}

// Next returns the first occurrence strictly after after, in the schedule's location, or
// the zero Time when there is none (a year list that has passed, or a date that never
// exists, such as 30 February).
//
// A rate has no calendar anchor: Next returns after plus the interval, so callers pass
// the previous occurrence (or the creation time for the first one), which is how
// EventBridge counts a rate from when the rule was created.
//
// A cron schedule is read on the wall clock of its location, with minute precision. Across
// daylight-saving changes it behaves as EventBridge Scheduler documents: a wall time that
// does not exist (clocks going forward) is skipped, and one that happens twice (clocks going
// back) fires once, at the earlier instant.
func (s *Schedule) Next(after time.Time) time.Time {
	if s.cron == nil {
		return after.Add(s.every).In(s.loc)
	}
	return s.cron.next(after, s.loc)
}

// maxGapScan bounds the occurrences MinInterval walks before it settles for its lower bound.
const maxGapScan = 200_000

// MinInterval is the shortest time between two consecutive occurrences: the interval of a
// rate, and for a cron the smallest gap over every occurrence from 1970 to 2199, measured
// on UTC wall-clock time (a daylight-saving change in the schedule's zone can make one
// real gap shorter or longer by the size of the shift). It is zero when the schedule fires
// at most once. Backup refuses schedules under one hour and Secrets Manager under four;
// this is the number both compare.
func (s *Schedule) MinInterval() time.Duration {
	if s.cron == nil {
		return s.every
	}
	c := s.cron
	lower := c.gridGap()
	var best time.Duration
	prev := c.next(time.Date(MinYear-1, 12, 31, 23, 59, 0, 0, time.UTC), time.UTC)
	for i := 0; i < maxGapScan && !prev.IsZero(); i++ {
		t := c.next(prev, time.UTC)
		if t.IsZero() {
			return best
		}
		if gap := t.Sub(prev); best == 0 || gap < best {
			best = gap
			if best <= lower {
				return best
			}
		}
		prev = t
	}
	if prev.IsZero() {
		return best
	}
	// Too many occurrences to walk them all: the grid bound is never more than the truth,
	// so a limit checked against it is never wrongly passed.
	return lower
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// nextBit returns the lowest set bit of set at or above from.
func nextBit(set uint64, from int) (int, bool) {
	if from >= 64 {
		return 0, false
	}
	if from < 0 {
		from = 0
	}
	set &^= (uint64(1) << uint(from)) - 1
	if set == 0 {
		return 0, false
	}
	return bits.TrailingZeros64(set), true
}
