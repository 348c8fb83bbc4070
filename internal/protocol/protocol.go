// Package protocol holds the wire codecs of the AWS protocols xregion serves — JSON 1.1,
// query (form in, XML out) and REST-JSON — all driven by the service models in
// internal/awsmodel, plus the validation of inputs against the models' constraints.
package protocol

import (
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
)

// Codec reads requests and writes answers for one service in that service's protocol.
type Codec interface {
	// Decode finds the operation a request names and decodes its input into a new value
	// of the operation's input type. Errors are *awserr.Error values in the protocol's
	// vocabulary (unknown operation, malformed body).
	Decode(r *http.Request, body []byte) (*awsmodel.Operation, any, error)
	// Encode writes a successful answer.
	Encode(w http.ResponseWriter, op *awsmodel.Operation, output any, requestID string)
	// EncodeError writes an error answer. op is nil when the request named no known
	// operation.
	EncodeError(w http.ResponseWriter, op *awsmodel.Operation, err *awserr.Error, requestID string)
	// NotImplemented is the error for an operation of the model that xregion does not
	// implement. It names the operation and is a 4xx, never a 5xx: clients retry 5xx
	// answers for minutes.
	NotImplemented(operation string) *awserr.Error
}

// MaxBodyBytes bounds every request body. AWS's own limits are far lower for the services
// served here (Secrets Manager values are at most 64 KiB); the bound exists so a runaway
// client cannot exhaust memory.
const MaxBodyBytes = 8 << 20

// NewInput returns a pointer to a fresh input value for op.
func NewInput(op *awsmodel.Operation) any {
	if op.Input == nil {
		return &awsmodel.Empty{}
	}
	return reflect.New(op.Input.GoType).Interface()
}

// Timestamp formats named by the models.
const (
	TimestampISO8601 = "iso8601"
	TimestampUnix    = "unixTimestamp"
	TimestampRFC822  = "rfc822"
)

// FormatTime formats a timestamp for the wire.
func FormatTime(t time.Time, format string) string {
	t = t.UTC()
	switch format {
	case TimestampUnix:
		return formatUnix(t)
	case TimestampRFC822:
		return t.Format(http.TimeFormat)
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

// formatUnix writes epoch seconds with at most millisecond precision, as AWS does
// ("1700000000.123").
func formatUnix(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)
}

// ParseTime parses a timestamp in any of the forms clients send: ISO 8601 (with or without
// fractional seconds and zone), epoch seconds, or an HTTP date.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := http.ParseTime(s); err == nil {
		return t.UTC(), nil
	}
	if sec, err := strconv.ParseFloat(s, 64); err == nil {
		return UnixFloat(sec), nil
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q", s)
}

// UnixFloat converts epoch seconds with a fraction to a time, to the millisecond.
func UnixFloat(sec float64) time.Time {
	return time.UnixMilli(int64(sec*1000 + copysign(0.5, sec))).UTC()
}

func copysign(v, sign float64) float64 {
	if sign < 0 {
		return -v
	}
	return v
}

// Alloc returns the value to fill for dst: dst itself, or a new value that dst, a nil
// pointer field, is made to point at.
func Alloc(dst reflect.Value) reflect.Value {
	if dst.Kind() != reflect.Pointer {
		return dst
	}
	if dst.IsNil() {
		dst.Set(reflect.New(dst.Type().Elem()))
	}
	return dst.Elem()
}
