package schedule

import (
	"fmt"
	"strings"
	"time"
)

// cronSpec is a parsed cron(): one bit set per field, plus the day rules that depend on
// the month (L, W, #), which can only be resolved once the month is known.
type cronSpec struct {
	fields  [6]string
	minutes uint64   // bit m, 0-59
	hours   uint64   // bit h, 0-23
	months  uint64   // bit m, 1-12
	years   bitset   // bit y-MinYear
	dom     *domSpec // nil when day-of-month is "?"
	dow     *dowSpec // nil when day-of-week is "?"
}

type domSpec struct {
	days        uint64 // bit d, 1-31
	last        bool   // L: last day of the month
	lastWeekday bool   // LW: last Monday-Friday of the month
	nearest     uint64 // bit d for dW: the weekday nearest to day d
}

type dowSpec struct {
	days   uint8 // bit w, 0 (Sunday) - 6 (Saturday)
	last   uint8 // bit w for wL: the last such weekday of the month
	nth    int   // n of w#n, 0 when unused
	nthDay int   // w of w#n
}

type fieldDef struct {
	name   string
	min    int
	max    int
	names  []string // names for min, min+1, ...
	cyclic bool     // ranges may wrap around (FRI-MON, 22-2)
}

const (
	fMinutes = iota
	fHours
	fDayOfMonth
	fMonth
	fDayOfWeek
	fYear
)

var fieldDefs = [6]fieldDef{
	{name: "minutes", min: 0, max: 59, cyclic: true},
	{name: "hours", min: 0, max: 23, cyclic: true},
	{name: "day-of-month", min: 1, max: 31, cyclic: true},
	{name: "month", min: 1, max: 12, cyclic: true,
		names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 1, max: 7, cyclic: true,
		names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
	{name: "year", min: MinYear, max: MaxYear},
}

// bitset holds the values of any field; years are stored from bit 0 for MinYear.
type bitset [4]uint64

func (b *bitset) set(i int)      { b[i/64] |= 1 << uint(i%64) }
func (b *bitset) has(i int) bool { return b[i/64]&(1<<uint(i%64)) != 0 }
func (f fieldDef) span() int     { return f.max - f.min + 1 }
func (f fieldDef) wrap(v int) int {
	return f.min + (v-f.min)%f.span()
}

// add records value v; years start at bit 0 so that 230 of them fit in four words.
func (b *bitset) add(f fieldDef, v int) {
	if f.min == MinYear {
		v -= MinYear
	}
	b.set(v)
}

// Parse grammar, field by field (AWS's table plus the choices made where it is silent):
//
//	minutes       0-59            , - * /
//	hours         0-23            , - * /
//	day-of-month  1-31            , - * / ? L LW nW
//	month         1-12, JAN-DEC   , - * /
//	day-of-week   1-7, SUN-SAT    , - * / ? L nL n#k
//	year          1970-2199       , - * /
//
// Choices: names are case-insensitive; a range may wrap in every field but year (FRI-MON,
// 22-2), as in Quartz; "a/n" means a, a+n, ... up to the field's maximum; "/" is accepted
// in day-of-week as Secrets Manager documents it; L, LW and nW may be list items alongside
// plain values (the union is meant), while n#k must be the field's only item, which AWS
// states. "L" alone in day-of-week means Saturday, the last day of the week.
func parseCron(expr, body string) (*cronSpec, error) {
	parts := strings.Fields(body)
	if len(parts) != 6 {
		return nil, &ParseError{Expr: expr, Msg: fmt.Sprintf(
			"a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one has %d", len(parts))}
	}
	c := &cronSpec{}
	copy(c.fields[:], parts)
	fail := func(field int, format string, a ...any) error {
		return &ParseError{Expr: expr, Field: fieldDefs[field].name, Msg: fmt.Sprintf(format, a...)}
	}
	for i, p := range parts {
		f := fieldDefs[i]
		if p == "?" {
			if i != fDayOfMonth && i != fDayOfWeek {
				return nil, fail(i, `"?" is only allowed in day-of-month and day-of-week`)
			}
			continue
		}
		var set bitset
		var err error
		switch i {
		case fDayOfMonth:
			c.dom, err = parseDayOfMonth(f, p)
		case fDayOfWeek:
			c.dow, err = parseDayOfWeek(f, p)
		default:
			err = parseList(f, p, &set)
		}
		if err != nil {
			return nil, fail(i, "%s", err.Error())
		}
		switch i {
		case fMinutes:
			c.minutes = set[0]
		case fHours:
			c.hours = set[0]
		case fMonth:
			c.months = set[0]
		case fYear:
			c.years = set
		}
	}
	switch {
	case c.dom == nil && c.dow == nil:
		return nil, &ParseError{Expr: expr, Msg: `day-of-month and day-of-week cannot both be "?": give one of them`}
	case c.dom != nil && c.dow != nil:
		return nil, &ParseError{Expr: expr, Msg: `day-of-month and day-of-week cannot both be specified: one of them must be "?"`}
	}
	return c, nil
}

func parseList(f fieldDef, field string, set *bitset) error {
	for _, item := range strings.Split(field, ",") {
		if err := f.addItem(set, item); err != nil {
			return err
		}
	}
	return nil
}

// addItem adds "*", "a", "a-b", each optionally followed by "/step".
func (f fieldDef) addItem(set *bitset, item string) error {
	if item == "" {
		return fmt.Errorf("empty value in list")
	}
	if item == "?" {
		return fmt.Errorf(`"?" must be the whole field, not part of a list`)
	}
	base, stepText, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		if !isDigits(stepText) {
			return fmt.Errorf("increment %q in %q is not a whole number", stepText, item)
		}
		n, err := atoiBounded(stepText, f.span())
		if err != nil || n < 1 {
			return fmt.Errorf("increment %q in %q must be from 1 to %d", stepText, item, f.span())
		}
		step = n
	}
	var lo, hi int
	if base == "*" {
		lo, hi = f.min, f.max
	} else {
		a, b, isRange := strings.Cut(base, "-")
		var err error
		if lo, err = f.value(a); err != nil {
			return err
		}
		switch {
		case isRange:
			if hi, err = f.value(b); err != nil {
				return err
			}
		case hasStep:
			hi = f.max
		default:
			hi = lo
		}
	}
	if lo > hi {
		if !f.cyclic {
			return fmt.Errorf("range %q runs backwards", base)
		}
		hi += f.span()
	}
	for v := lo; v <= hi; v += step {
		set.add(f, f.wrap(v))
	}
	return nil
}

// value parses one number or name of the field.
func (f fieldDef) value(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("missing value")
	}
	if isDigits(s) {
		n, err := atoiBounded(s, f.max)
		if err != nil || n < f.min || n > f.max {
			return 0, fmt.Errorf("%s is out of range %d-%d", s, f.min, f.max)
		}
		return n, nil
	}
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, nil
		}
	}
	if f.names != nil {
		return 0, fmt.Errorf("%q is not a number from %d to %d or a name from %s to %s",
			s, f.min, f.max, f.names[0], f.names[len(f.names)-1])
	}
	return 0, fmt.Errorf("%q is not a number from %d to %d", s, f.min, f.max)
}

// atoiBounded parses digits, refusing anything above limit before it can overflow.
func atoiBounded(s string, limit int) (int, error) {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
		if n > limit {
			return 0, fmt.Errorf("too large")
		}
	}
	return n, nil
}

func parseDayOfMonth(f fieldDef, field string) (*domSpec, error) {
	d := &domSpec{}
	var set bitset
	for _, item := range strings.Split(field, ",") {
		up := strings.ToUpper(item)
		switch {
		case up == "L":
			d.last = true
		case up == "LW":
			d.lastWeekday = true
		case strings.HasPrefix(up, "L"):
			return nil, fmt.Errorf("%q: L stands alone (last day of the month) or as LW (last weekday of the month)", item)
		case strings.HasSuffix(up, "W"):
			n := up[:len(up)-1]
			if !isDigits(n) {
				return nil, fmt.Errorf("%q: W follows a single day, as in 15W (the weekday nearest the 15th)", item)
			}
			v, err := f.value(n)
			if err != nil {
				return nil, fmt.Errorf("%q: %v", item, err)
			}
			d.nearest |= 1 << uint(v)
		case strings.Contains(up, "#"):
			return nil, fmt.Errorf("%q: # is only allowed in day-of-week", item)
		default:
			if err := f.addItem(&set, item); err != nil {
				return nil, err
			}
		}
	}
	d.days = set[0]
	return d, nil
}

func parseDayOfWeek(f fieldDef, field string) (*dowSpec, error) {
	d := &dowSpec{}
	var set bitset
	items := strings.Split(field, ",")
	for _, item := range items {
		up := strings.ToUpper(item)
		switch {
		case up == "L":
			d.days |= 1 << 6
		case strings.Contains(up, "#"):
			if len(items) != 1 {
				return nil, fmt.Errorf("%q: a field with # can hold only that one expression (AWS reads \"3#1,6#3\" as two)", field)
			}
			day, nth, _ := strings.Cut(up, "#")
			w, err := f.value(day)
			if err != nil {
				return nil, fmt.Errorf("%q: %v", item, err)
			}
			if len(nth) != 1 || nth[0] < '1' || nth[0] > '5' {
				return nil, fmt.Errorf("%q: the number after # must be from 1 to 5", item)
			}
			d.nthDay, d.nth = w-1, int(nth[0]-'0')
		case len(up) > 1 && strings.HasSuffix(up, "L"):
			w, err := f.value(up[:len(up)-1])
			if err != nil {
				return nil, fmt.Errorf("%q: L follows a single day of the week, as in 6L (the last Friday of the month): %v", item, err)
			}
			d.last |= 1 << uint(w-1)
		default:
			if err := f.addItem(&set, item); err != nil {
				return nil, err
			}
		}
	}
	// Stored 1-7 by the grammar; Go counts weekdays 0-6 from Sunday.
	d.days |= uint8(set[0] >> 1)
	return d, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// nearestWeekday is the Monday-Friday nearest to day d of a month of n days whose first
// day falls on weekday wd1, never leaving the month (Quartz's rule: 1W on a Saturday is
// Monday the 3rd, and the last day on a Sunday moves back to Friday).
func nearestWeekday(d, n int, wd1 time.Weekday) int {
	switch (int(wd1) + d - 1) % 7 {
	case int(time.Saturday):
		if d == 1 {
			return 3
		}
		return d - 1
	case int(time.Sunday):
		if d == n {
			return d - 2
		}
		return d + 1
	}
	return d
}

// daysOf returns the days of month m of year y on which the schedule fires, as bits 1-31.
func (c *cronSpec) daysOf(y int, m time.Month) uint64 {
	n := daysIn(y, m)
	wd1 := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Weekday()
	var b uint64
	if dom := c.dom; dom != nil {
		b = dom.days & ((uint64(1) << uint(n+1)) - 2)
		if dom.last {
			b |= 1 << uint(n)
		}
		if dom.lastWeekday {
			b |= 1 << uint(nearestWeekday(n, n, wd1))
		}
		for rest := dom.nearest; rest != 0; rest &= rest - 1 {
			d, _ := nextBit(rest, 0)
			// Like a plain 31 in a 30-day month, 31W fires only in months that have a 31st.
			if d <= n {
				b |= 1 << uint(nearestWeekday(d, n, wd1))
			}
		}
		return b
	}
	dow := c.dow
	for d := 1; d <= n; d++ {
		w := (int(wd1) + d - 1) % 7
		bit := uint8(1) << uint(w)
		if dow.days&bit != 0 ||
			(dow.last&bit != 0 && d+7 > n) ||
			(dow.nth > 0 && w == dow.nthDay && (d-1)/7+1 == dow.nth) {
			b |= 1 << uint(d)
		}
	}
	return b
}

func (c *cronSpec) hasYear(y int) bool {
	if y < MinYear || y > MaxYear {
		return false
	}
	return c.years.has(y - MinYear)
}

// next walks the wall clock of loc from the minute after after, field by field from the
// year down, skipping whole months and days that cannot match.
func (c *cronSpec) next(after time.Time, loc *time.Location) time.Time {
	w := after.In(loc)
	// UTC here is only a calendar: it normalises minute 60 into the next hour and so on.
	s := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute()+1, 0, 0, time.UTC)
	if s.Year() < MinYear {
		s = time.Date(MinYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	sy, sm, sd, sh, smi := s.Year(), int(s.Month()), s.Day(), s.Hour(), s.Minute()
	for y := sy; y <= MaxYear; y++ {
		if !c.hasYear(y) {
			continue
		}
		m0 := 1
		if y == sy {
			m0 = sm
		}
		for m, ok := nextBit(c.months, m0); ok && m <= 12; m, ok = nextBit(c.months, m+1) {
			firstMonth := y == sy && m == sm
			d0 := 1
			if firstMonth {
				d0 = sd
			}
			days := c.daysOf(y, time.Month(m))
			for d, ok := nextBit(days, d0); ok; d, ok = nextBit(days, d+1) {
				firstDay := firstMonth && d == sd
				h0 := 0
				if firstDay {
					h0 = sh
				}
				for h, ok := nextBit(c.hours, h0); ok; h, ok = nextBit(c.hours, h+1) {
					mi0 := 0
					if firstDay && h == sh {
						mi0 = smi
					}
					for mi, ok := nextBit(c.minutes, mi0); ok; mi, ok = nextBit(c.minutes, mi+1) {
						if t, ok := instant(y, time.Month(m), d, h, mi, loc); ok && t.After(after) {
							return t
						}
					}
				}
			}
		}
	}
	return time.Time{}
}

// instant maps a wall time of loc to the instant the schedule fires at: none when a
// clock change skips that wall time, the earlier of two when a clock change repeats it.
// time.Date alone cannot do this: it does not say which instant it picks for a repeated
// wall time, and it silently moves a skipped one.
func instant(y int, m time.Month, d, h, mi int, loc *time.Location) (time.Time, bool) {
	if loc == time.UTC {
		return time.Date(y, m, d, h, mi, 0, 0, time.UTC), true
	}
	wall := time.Date(y, m, d, h, mi, 0, 0, time.UTC)
	var best time.Time
	// The real instant is within 14 hours of wall read as UTC, so offsets sampled a day
	// either side see both sides of any one clock change around it.
	for _, probe := range [3]time.Time{wall.Add(-24 * time.Hour), wall, wall.Add(24 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		t := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if t.Year() == y && t.Month() == m && t.Day() == d && t.Hour() == h && t.Minute() == mi &&
			(best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	return best, !best.IsZero()
}

// gridGap is a lower bound for the gap between consecutive occurrences, from the times of
// day alone: the smallest step between them, including the wrap from the last of one day
// to the first of the next.
func (c *cronSpec) gridGap() time.Duration {
	first, prev, best := -1, -1, 24*60
	for h, ok := nextBit(c.hours, 0); ok; h, ok = nextBit(c.hours, h+1) {
		for mi, ok := nextBit(c.minutes, 0); ok; mi, ok = nextBit(c.minutes, mi+1) {
			t := h*60 + mi
			if first < 0 {
				first = t
			} else if t-prev < best {
				best = t - prev
			}
			prev = t
		}
	}
	if first >= 0 && first+24*60-prev < best {
		best = first + 24*60 - prev
	}
	return time.Duration(best) * time.Minute
}
