package secretsmanager

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/jobs/schedule"
	"github.com/xregion/xregion/internal/service/kit"
)

// minRotationInterval is AWS's limit: a secret rotates at most every four hours.
const minRotationInterval = 4 * time.Hour

// rotationExclude are the characters AWS's rotation function templates leave out of the
// passwords they generate; the built-in rotator does the same.
const rotationExclude = `/@"'\`

// rules is a validated RotationRules.
type rules struct {
	afterDays *int64
	duration  string
	schedule  string
}

// checkRules validates RotationRules; nil means the request keeps the stored rules.
func checkRules(in *sm.RotationRulesType) (*rules, error) {
	if in == nil {
		return nil, nil
	}
	r := &rules{afterDays: in.AutomaticallyAfterDays, duration: deref(in.Duration), schedule: deref(in.ScheduleExpression)}
	if r.afterDays != nil && r.schedule != "" {
		return nil, msgBothSchedules.New()
	}
	if r.schedule != "" {
		sched, err := schedule.Parse(r.schedule)
		if err != nil {
			var pe *schedule.ParseError
			if errors.As(err, &pe) {
				return nil, msgBadSchedule.New(r.schedule, pe.Msg)
			}
			return nil, msgScheduleSyntax.New(r.schedule)
		}
		if sched.Kind() == schedule.Rate {
			if _, _, unit := sched.Rate(); strings.HasPrefix(unit, "minute") {
				return nil, msgRateUnit.New(r.schedule)
			}
		} else {
			f := sched.Fields()
			if f[0] != "0" {
				return nil, msgCronMinutes.New(r.schedule)
			}
			if f[5] != "*" {
				return nil, msgCronYear.New(r.schedule)
			}
		}
		if iv := sched.MinInterval(); iv > 0 && iv < minRotationInterval {
			return nil, msgTooOften.New(r.schedule)
		}
	}
	if r.duration != "" {
		if _, err := parseDuration(r.duration); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// parseDuration reads a rotation window length: a number of hours, "3h", from 1 to 24.
func parseDuration(d string) (time.Duration, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(d, "h"))
	if !strings.HasSuffix(d, "h") || err != nil || n < 1 || n > 24 {
		return 0, msgBadDuration.New(d)
	}
	return time.Duration(n) * time.Hour, nil
}

type window struct{ start, end time.Time }

// nextWindow is the first rotation window that starts after base. AutomaticallyAfterDays
// and rate(n days) windows start at midnight UTC, n days after base's day, and last the
// rest of the day; rate(n hours) windows start at midnight and every n hours after, and
// last an hour; a cron window starts at each occurrence and lasts an hour when the
// schedule is in hours, else the rest of the day. Duration shortens or lengthens any of
// them. ok is false when there is no schedule.
func (r *rotationState) nextWindow(base time.Time) (w window, ok bool) {
	base = base.UTC()
	length := time.Duration(0)
	switch {
	case r.AfterDays != nil:
		w.start = day(base).AddDate(0, 0, int(*r.AfterDays))
		length = 24 * time.Hour
	case r.Schedule != "":
		sched, err := schedule.Parse(r.Schedule)
		if err != nil {
			return w, false
		}
		if sched.Kind() == schedule.Rate {
			every, n, unit := sched.Rate()
			if strings.HasPrefix(unit, "day") {
				w.start, length = day(base).AddDate(0, 0, n), 24*time.Hour
				break
			}
			length = time.Hour
			for d := day(base); w.start.IsZero(); d = d.AddDate(0, 0, 1) {
				for t := d; t.Before(d.AddDate(0, 0, 1)); t = t.Add(every) {
					if t.After(base) {
						w.start = t
						break
					}
				}
			}
		} else {
			w.start = sched.Next(base).UTC()
			if w.start.IsZero() {
				return w, false
			}
			if iv := sched.MinInterval(); iv > 0 && iv < 24*time.Hour {
				length = time.Hour
			} else {
				length = day(w.start).AddDate(0, 0, 1).Sub(w.start)
			}
		}
	default:
		return w, false
	}
	if r.Duration != "" {
		if d, err := parseDuration(r.Duration); err == nil {
			length = d
		}
	}
	w.end = w.start.Add(length)
	return w, true
}

// checkWindow refuses a Duration that makes a window run into the next UTC day.
func (r *rotationState) checkWindow(now time.Time) error {
	if r.Duration == "" {
		return nil
	}
	w, ok := r.nextWindow(now)
	if ok && w.end.After(day(w.start).AddDate(0, 0, 1)) {
		return msgWindowTooLong.New(r.Duration)
	}
	return nil
}

func rulesOut(r *rotationState) *sm.RotationRulesType {
	if r.AfterDays == nil && r.Schedule == "" && r.Duration == "" {
		return nil
	}
	out := &sm.RotationRulesType{}
	if r.AfterDays != nil {
		out.AutomaticallyAfterDays = new(*r.AfterDays)
	}
	if r.Schedule != "" {
		out.ScheduleExpression = new(r.Schedule)
		// AWS reports the interval of a schedule in days where it is one.
		if sched, err := schedule.Parse(r.Schedule); err == nil && sched.Kind() == schedule.Rate {
			if _, n, unit := sched.Rate(); strings.HasPrefix(unit, "day") {
				out.AutomaticallyAfterDays = new(int64(n))
			}
		}
	}
	if r.Duration != "" {
		out.Duration = new(r.Duration)
	}
	return out
}

func enqueueRotation(tx kit.Tx, v kit.View, rec *secretRecord, at time.Time, step, version string) (string, error) {
	return jobRotate.Enqueue(tx, at, rotationPayload{secretRef: refOf(v, rec), Step: step, Version: version})
}

// scheduleRotation computes NextRotationDate from base and arms the rotation at the start
// of the next window, replacing any rotation armed before.
func (s *Service) scheduleRotation(tx kit.Tx, v kit.View, rec *secretRecord, base time.Time) error {
	r := rec.Rotation
	if err := tx.CancelJobs(r.Job); err != nil {
		return err
	}
	r.Job, r.Next = "", nil
	if !r.Enabled {
		return nil
	}
	w, ok := r.nextWindow(base)
	if !ok {
		return nil
	}
	r.Next = new(w.end.Add(-time.Second))
	id, err := enqueueRotation(tx, v, rec, w.start, stepScheduled, "")
	r.Job = id
	return err
}

// rotationInProgress returns the version an unfinished rotation left AWSPENDING on.
func rotationInProgress(rec *secretRecord) string {
	if p := rec.Stages[stagePending]; p != "" && p != rec.Stages[stageCurrent] {
		return p
	}
	return ""
}

func (s *Service) RotateSecret(ctx context.Context, in *sm.RotateSecretRequest) (*sm.RotateSecretResponse, error) {
	c := s.Call(ctx)
	if in.ClientRequestToken == nil {
		return nil, msgNeedTokenRotate.New()
	}
	newRules, err := checkRules(in.RotationRules)
	if err != nil {
		return nil, err
	}
	token := *in.ClientRequestToken
	immediate := in.RotateImmediately == nil || *in.RotateImmediately
	return writePrimary(s, c, *in.SecretId, func(tx kit.Tx, v kit.View, rec *secretRecord) (*sm.RotateSecretResponse, error) {
		// The owner rotates its secret itself: a function of the user's has no place there.
		if in.RotationLambdaARN != nil {
			if err := userWritable(rec); err != nil {
				return nil, err
			}
		}
		out := &sm.RotateSecretResponse{ARN: new(rec.arn(v)), Name: new(rec.Name)}
		r, err := rotationOf(rec, in.RotationLambdaARN, newRules)
		if err != nil {
			return nil, err
		}
		if p := rotationInProgress(rec); p != "" {
			if p != token {
				return nil, msgRotationBusy.New()
			}
			out.VersionId = new(token) // a retry of the call that started it
			return out, nil
		}
		now := c.Now()
		if err := r.checkWindow(now); err != nil {
			return nil, err
		}
		r.Enabled, rec.Rotation = true, r
		base := now
		if immediate {
			if err := s.mayRotate(tx, v, c.Caller, rec, token); err != nil {
				return nil, err
			}
			if err := s.startRotation(tx, v, rec, token, now); err != nil {
				return nil, err
			}
			out.VersionId = new(token)
		} else if r.Last != nil {
			base = *r.Last
		}
		if err := s.scheduleRotation(tx, v, rec, base); err != nil {
			return nil, err
		}
		return out, s.commit(tx, v, rec, now)
	})
}

// rotationOf is the rotation configuration a RotateSecret asks for: the stored one with
// the request's Lambda function and rules. A secret needs a rotation function, or an
// owning service that rotates it.
func rotationOf(rec *secretRecord, lambdaARN *string, newRules *rules) (*rotationState, error) {
	r := &rotationState{}
	if rec.Rotation != nil {
		c := *rec.Rotation
		r = &c
	}
	if lambdaARN != nil {
		r.LambdaARN = *lambdaARN
	}
	if r.LambdaARN == "" && rec.OwningService == "" {
		return nil, msgNoRotationFunction.New()
	}
	if newRules != nil {
		r.AfterDays, r.Duration, r.Schedule = newRules.afterDays, newRules.duration, newRules.schedule
	}
	return r, nil
}

// startRotation writes the AWSPENDING version token of a rotation RotateSecret starts at
// once, and arms its promotion after the transition delay.
func (s *Service) startRotation(tx kit.Tx, v kit.View, rec *secretRecord, token string, now time.Time) error {
	if versions.Has(v, rec.Name, token) {
		return msgTokenInUse.New(token, rec.arn(v))
	}
	val, err := s.rotatedValue(tx, v, rec)
	if err != nil {
		return err
	}
	if err := s.addVersion(tx, v, rec, token, val, []string{stagePending}, now); err != nil {
		return err
	}
	r := rec.Rotation
	if err := tx.CancelJobs(r.FinishJob); err != nil {
		return err
	}
	r.FinishJob, err = enqueueRotation(tx, v, rec, s.After(), stepFinish, token)
	return err
}

func (s *Service) CancelRotateSecret(ctx context.Context, in *sm.CancelRotateSecretRequest) (*sm.CancelRotateSecretResponse, error) {
	c := s.Call(ctx)
	return writePrimary(s, c, *in.SecretId, func(tx kit.Tx, v kit.View, rec *secretRecord) (*sm.CancelRotateSecretResponse, error) {
		r := rec.Rotation
		if r == nil || (r.LambdaARN == "" && rec.OwningService == "") {
			return nil, msgNoLambda.New()
		}
		if err := tx.CancelJobs(r.Job, r.FinishJob); err != nil {
			return nil, err
		}
		r.Enabled, r.Next, r.Job, r.FinishJob = false, nil, "", ""
		out := &sm.CancelRotateSecretResponse{ARN: new(rec.arn(v)), Name: new(rec.Name)}
		if p := rotationInProgress(rec); p != "" {
			out.VersionId = new(p)
		}
		return out, s.commit(tx, v, rec, c.Now())
	})
}

// rotatedValue is the built-in rotator's new value: the AWSCURRENT value with a new
// password, the "password" field of a JSON object or else the whole value.
func (s *Service) rotatedValue(tx kit.Tx, v kit.View, rec *secretRecord) (secretValue, error) {
	pw, err := randomPassword(passwordSpec{length: defaultPasswordLength, exclude: rotationExclude, requireEach: true})
	if err != nil {
		return secretValue{}, err
	}
	id := rec.Stages[stageCurrent]
	if id == "" {
		return secretValue{String: &pw}, nil
	}
	ver, err := versions.Get(v, rec.Name, id)
	if err != nil || ver == nil {
		return secretValue{String: &pw}, err
	}
	cur, err := s.loadValue(tx, v, rec, ver)
	if err != nil {
		return secretValue{}, err
	}
	if cur.String == nil {
		return secretValue{Binary: []byte(pw)}, nil
	}
	// The other fields keep their encoding exactly (a large number stays as written).
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(*cur.String), &obj) == nil && obj != nil {
		quoted, err := json.Marshal(pw)
		if err != nil {
			return secretValue{}, err
		}
		obj["password"] = quoted
		b, err := json.Marshal(obj)
		if err != nil {
			return secretValue{}, err
		}
		return secretValue{String: new(string(b))}, nil
	}
	return secretValue{String: &pw}, nil
}

// runRotate finishes a rotation RotateSecret started, or carries out a scheduled one.
func (s *Service) runRotate(_ context.Context, tx kit.Tx, job *jobs.Job, p rotationPayload) error {
	v := tx.In(p.Account, p.Region)
	rec, err := secrets.Get(v, p.Name)
	if err != nil || rec == nil || rec.Suffix != p.Suffix || rec.isReplica() || rec.Rotation == nil {
		return err
	}
	r := rec.Rotation
	now := s.Clock.Now()
	switch p.Step {
	case stepFinish:
		if r.FinishJob != job.ID {
			return nil // cancelled
		}
		r.FinishJob = ""
		if rec.Stages[stagePending] == p.Version && rec.Stages[stageCurrent] != p.Version {
			if err := attach(rec, p.Version, []string{stageCurrent}); err != nil {
				return err
			}
			r.Last = &now
		}
	case stepScheduled:
		if r.Job != job.ID || !r.Enabled {
			return nil
		}
		r.Job = ""
		if rec.Deleted == nil {
			val, err := s.rotatedValue(tx, v, rec)
			if err != nil {
				return err
			}
			if err := s.addVersion(tx, v, rec, ids.UUID(), val, []string{stagePending, stageCurrent}, now); err != nil {
				return err
			}
			r.Last = &now
		}
	default:
		return jobs.Permanent(errors.New("secretsmanager: unknown rotation step " + p.Step))
	}
	if err := s.scheduleRotation(tx, v, rec, now); err != nil {
		return err
	}
	return s.commit(tx, v, rec, now)
}
