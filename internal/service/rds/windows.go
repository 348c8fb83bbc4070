package rds

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/ids"
)

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
	minWindow      = 30
	// logInterval is how often RDS uploads transaction logs, and so the granularity of
	// LatestRestorableTime (RDS User Guide, "Restoring a DB instance to a specified time").
	logInterval = 5 * time.Minute
	day         = 24 * time.Hour
)

// backupBlocks are the 8-hour UTC blocks from which RDS picks default backup and
// maintenance windows, per Region (RDS User Guide, "Backup window"). Regions not listed
// use 03:00–11:00.
var backupBlocks = map[string]int{ // start minute; the block is 8 hours long
	"us-east-1": 3 * 60, "us-east-2": 3 * 60, "us-west-1": 6 * 60, "us-west-2": 6 * 60,
	"af-south-1": 3 * 60, "ap-east-1": 6 * 60, "ap-south-1": 16*60 + 30, "ap-northeast-1": 13 * 60,
	"ap-northeast-2": 13 * 60, "ap-northeast-3": 0, "ap-southeast-1": 14 * 60, "ap-southeast-2": 12 * 60,
	"ca-central-1": 3 * 60, "eu-central-1": 20 * 60, "eu-west-1": 22 * 60, "eu-west-2": 22 * 60,
	"eu-west-3": 7*60 + 29, "eu-north-1": 23 * 60, "eu-south-1": 2 * 60, "me-south-1": 6 * 60, "sa-east-1": 23 * 60,
}

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func hhmm(m int) string {
	m = ((m % minutesPerDay) + minutesPerDay) % minutesPerDay
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

func parseHHMM(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// dailyWindow is a backup window: start and end minute of the day, UTC; it may cross
// midnight.
type dailyWindow struct{ Start, End int }

func (w dailyWindow) length() int {
	return ((w.End-w.Start)%minutesPerDay + minutesPerDay) % minutesPerDay
}

func (w dailyWindow) String() string { return hhmm(w.Start) + "-" + hhmm(w.End) }

func parseDailyWindow(s string) (dailyWindow, error) {
	a, b, ok := strings.Cut(s, "-")
	start, ok1 := parseHHMM(a)
	end, ok2 := parseHHMM(b)
	if !ok || !ok1 || !ok2 {
		return dailyWindow{}, msgBackupWindowFormat.New(s)
	}
	w := dailyWindow{start, end}
	if w.length() < minWindow {
		return dailyWindow{}, msgBackupWindowShort.New()
	}
	return w, nil
}

// weeklyWindow is a maintenance window: start and end minute of the week (Monday 00:00
// UTC is 0); it may wrap into the next week.
type weeklyWindow struct{ Start, End int }

func (w weeklyWindow) length() int {
	return ((w.End-w.Start)%minutesPerWeek + minutesPerWeek) % minutesPerWeek
}

func (w weeklyWindow) String() string {
	return weekdays[w.Start/minutesPerDay] + ":" + hhmm(w.Start) + "-" + weekdays[w.End/minutesPerDay] + ":" + hhmm(w.End)
}

func parseWeekPoint(s string) (int, bool) {
	d, t, ok := strings.Cut(strings.ToLower(s), ":")
	if !ok {
		return 0, false
	}
	di := -1
	for i, wd := range weekdays {
		if wd == d {
			di = i
		}
	}
	m, ok := parseHHMM(t)
	if di < 0 || !ok {
		return 0, false
	}
	return di*minutesPerDay + m, true
}

func parseWeeklyWindow(s string) (weeklyWindow, error) {
	a, b, ok := strings.Cut(s, "-")
	start, ok1 := parseWeekPoint(a)
	end, ok2 := parseWeekPoint(b)
	if !ok || !ok1 || !ok2 {
		return weeklyWindow{}, msgMaintWindowFormat.New(s)
	}
	w := weeklyWindow{start, end}
	if w.length() < minWindow {
		return weeklyWindow{}, msgMaintWindowShort.New()
	}
	return w, nil
}

// overlaps reports whether the daily backup window meets the weekly maintenance window
// on any day.
func overlaps(b dailyWindow, m weeklyWindow) bool {
	for d := 0; d < 8; d++ { // 8 days: a backup window crossing midnight on Sunday reaches Monday
		bs := d*minutesPerDay + b.Start
		be := bs + b.length()
		for _, shift := range []int{-minutesPerWeek, 0, minutesPerWeek} {
			ms := m.Start + shift
			me := ms + m.length()
			if bs < me && ms < be {
				return true
			}
		}
	}
	return false
}

func checkWindows(backup, maint string) error {
	b, err := parseDailyWindow(backup)
	if err != nil {
		return err
	}
	m, err := parseWeeklyWindow(maint)
	if err != nil {
		return err
	}
	if overlaps(b, m) {
		return msgWindowsOverlap.New()
	}
	return nil
}

// defaultWindows picks a random 30-minute backup window in the Region's block, and a
// random 30-minute maintenance window on a random day in the same block that does not
// overlap it, as RDS does.
func defaultWindows(region, backup, maint string) (string, string) {
	block, ok := backupBlocks[region]
	if !ok {
		block = 3 * 60
	}
	pick := func(n int) int {
		v, _ := strconv.Atoi(ids.From("0123456789", 6))
		return v % n
	}
	const blockLen = 8 * 60
	if backup == "" {
		s := block + pick(blockLen-minWindow+1)
		backup = dailyWindow{s % minutesPerDay, (s + minWindow) % minutesPerDay}.String()
	}
	if maint == "" {
		b, err := parseDailyWindow(backup)
		for tries := 0; ; tries++ {
			d := pick(7)
			s := d*minutesPerDay + block + pick(blockLen-minWindow+1)
			w := weeklyWindow{s % minutesPerWeek, (s + minWindow) % minutesPerWeek}
			if err != nil || !overlaps(b, w) || tries > 50 {
				maint = w.String()
				break
			}
		}
	}
	return backup, maint
}

// nextDaily is the first start of the daily window after t.
func nextDaily(t time.Time, w dailyWindow) time.Time {
	day0 := t.UTC().Truncate(day)
	at := day0.Add(time.Duration(w.Start) * time.Minute)
	if !at.After(t) {
		at = at.Add(day)
	}
	return at
}

// nextWeekly is the first start of the weekly window after t.
func nextWeekly(t time.Time, w weeklyWindow) time.Time {
	t = t.UTC()
	monday := t.Truncate(day).AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	at := monday.Add(time.Duration(w.Start) * time.Minute)
	for !at.After(t) {
		at = at.AddDate(0, 0, 7)
	}
	return at
}

// lastLogUpload is the latest restorable instant at t: the last five-minute boundary,
// but never before the first restorable instant.
func lastLogUpload(t, start time.Time) time.Time {
	l := t.UTC().Truncate(logInterval)
	if l.Before(start) {
		return start
	}
	return l
}
