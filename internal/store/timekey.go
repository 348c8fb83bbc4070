package store

import (
	"fmt"
	"time"
)

// TimeKey is a fixed-width key part whose byte order is t's time order, for indexes by
// time. Between 1970 and 2262 it is the 20-digit zero-padded UnixNano that such keys have
// always held, so existing indexes stay valid; past 2262, where UnixNano overflows, it goes
// on counting (seconds, then nanoseconds, still 20 digits until the year 5138). Times
// before 1970 do not occur: the clock starts at the present and only moves forward.
func TimeKey(t time.Time) string {
	return fmt.Sprintf("%011d%09d", t.Unix(), t.Nanosecond())
}

// maxKeyNanos is the latest time TimeKeyDesc writes in its original form: UnixNano's
// limit, 2262-04-11T23:47:16.854775807Z.
var maxKeyNanos = time.Unix(0, 1<<63-1)

// TimeKeyDesc is a key part whose byte order is t's reverse time order. Up to 2262 it is
// the 20-digit MaxInt64 - UnixNano indexes have always held. Later times cannot count
// down below zero, so they start with '-', which sorts before every digit, followed by a
// count down from the year 5138; among themselves they sort latest first too.
func TimeKeyDesc(t time.Time) string {
	if !t.After(maxKeyNanos) {
		return fmt.Sprintf("%020d", 1<<63-1-t.UnixNano())
	}
	const lastSecond = 99_999_999_999 // TimeKey's 11 digits of seconds
	return fmt.Sprintf("-%011d%09d", lastSecond-t.Unix(), 999_999_999-t.Nanosecond())
}
