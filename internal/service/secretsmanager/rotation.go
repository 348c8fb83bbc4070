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
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
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
		return nil, invalidParam(msgBothSchedules)
	}
	if r.schedule != "" {
		sched, err := schedule.Parse(r.schedule)
		if err != nil {
			var pe *schedule.ParseError
			if errors.As(err, &pe) {
				return nil, invalidParam("Invalid ScheduleExpression %s: %s", r.schedule, pe.Msg) // (xregion)
			}
			return nil, invalidParam("Invalid ScheduleExpression %s.", r.schedule) // (xregion)
		}
		if sched.Kind() == schedule.Rate {
			if _, _, unit := sched.Rate(); strings.HasPrefix(unit, "minute") {
				return nil, invalidParam("Invalid ScheduleExpression %s: a rotation rate must be in hours or days.", r.schedule) // (xregion)
			}
		} else {
			f := sched.Fields()
			if f[0] != "0" {
				return nil, invalidParam("Invalid ScheduleExpression %s: the minutes field must be 0.", r.schedule) // (xregion)
			}
			if f[5] != "*" {
				return nil, invalidParam("Invalid ScheduleExpression %s: the year field must be *.", r.schedule) // (xregion)
			}
		}
		if iv := sched.MinInterval(); iv > 0 && iv < minRotationInterval {
			return nil, invalidParam("Invalid ScheduleExpression %s: a secret can be rotated at most every four hours.", r.schedule) // (xregion)
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
		return 0, invalidParam("Invalid Duration %s: the rotation window must be a whole number of hours from 1h to 24h.", d) // (xregion)
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
		return invalidParam("Invalid Duration %s: the rotation window can't extend into the next UTC day.", r.Duration) // (xregion)
	}
	return nil
}

func rulesOut(r *rotationState) *sm.RotationRulesType {
	if r.AfterDays == nil && r.Schedule == "" && r.Duration == "" {
		return nil
	}
	out := &sm.RotationRulesType{}
	if r.AfterDays != nil {
		n := *r.AfterDays
		out.AutomaticallyAfterDays = &n
	}
	if r.Schedule != "" {
		out.ScheduleExpression = str(r.Schedule)
		// AWS reports the interval of a schedule in days where it is one.
		if sched, err := schedule.Parse(r.Schedule); err == nil && sched.Kind() == schedule.Rate {
			if _, n, unit := sched.Rate(); strings.HasPrefix(unit, "day") {
				d := int64(n)
				out.AutomaticallyAfterDays = &d
			}
		}
	}
	if r.Duration != "" {
		out.Duration = str(r.Duration)
	}
	return out
}

// rotationPayload names the secret of a rotation job and what the job does: "scheduled"
// rotates at the start of a window; "finish" promotes the AWSPENDING version that
// RotateSecret wrote.
type rotationPayload struct {
	secretRef
	Step    string `json:"step"`
	Version string `json:"version,omitempty"`
}

func rotationKey(account, region, name string) string {
	return "smrot:" + account + ":" + region + ":" + name
}

func (s *Service) enqueueRotation(tx store.Tx, account, region string, rec *secretRecord, at time.Time, step, version string) (string, error) {
	return s.jobs.Enqueue(tx, jobs.Job{
		Kind: jobRotate, Key: rotationKey(account, region, rec.Name), Account: account, Region: region, RunAt: at,
		Payload: mustJSON(rotationPayload{secretRef: secretRef{Account: account, Region: region, Name: rec.Name, Suffix: rec.Suffix}, Step: step, Version: version}),
	})
}

// scheduleRotation computes NextRotationDate from base and arms the rotation at the start
// of the next window, replacing any rotation armed before.
func (s *Service) scheduleRotation(tx store.Tx, account, region string, rec *secretRecord, base time.Time) error {
	r := rec.Rotation
	if err := s.cancelJobs(tx, r.Job); err != nil {
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
	next := w.end.Add(-time.Second)
	r.Next = &next
	id, err := s.enqueueRotation(tx, account, region, rec, w.start, "scheduled", "")
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

func (s *Service) rotateSecret(ctx context.Context, in *sm.RotateSecretRequest) (*sm.RotateSecretResponse, error) {
	info := request.From(ctx)
	if in.ClientRequestToken == nil {
		return nil, invalidParam(msgNeedToken)
	}
	newRules, err := checkRules(in.RotationRules)
	if err != nil {
		return nil, err
	}
	token := *in.ClientRequestToken
	immediate := in.RotateImmediately == nil || *in.RotateImmediately
	var out *sm.RotateSecretResponse
	err = s.st.Update(func(tx store.Tx) error {
		rec, err := findPrimary(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		out = &sm.RotateSecretResponse{ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name)}
		r := &rotationState{}
		if rec.Rotation != nil {
			c := *rec.Rotation
			r = &c
		}
		if in.RotationLambdaARN != nil {
			r.LambdaARN = *in.RotationLambdaARN
		}
		if r.LambdaARN == "" && rec.OwningService == "" {
			return invalidRequest(msgNoLambda)
		}
		if p := rotationInProgress(rec); p != "" {
			if p == token {
				out.VersionId = str(token) // a retry of the call that started it
				return nil
			}
			return invalidRequest(msgRotationBusy)
		}
		if newRules != nil {
			r.AfterDays, r.Duration, r.Schedule = newRules.afterDays, newRules.duration, newRules.schedule
		}
		now := s.clock.Now()
		if err := r.checkWindow(now); err != nil {
			return err
		}
		r.Enabled = true
		rec.Rotation = r
		base := now
		if immediate {
			if v, err := getVersion(tx, scopeOf(info.Account, info.Region), rec.Name, token); err != nil {
				return err
			} else if v != nil {
				return sm.ErrResourceExists.New(msgVersionExists)
			}
			val, err := s.rotatedValue(tx, info.Account, info.Region, rec)
			if err != nil {
				return err
			}
			if err := s.addVersion(tx, info.Account, info.Region, rec, token, val, []string{stagePending}, now); err != nil {
				return err
			}
			if err := s.cancelJobs(tx, r.FinishJob); err != nil {
				return err
			}
			if r.FinishJob, err = s.enqueueRotation(tx, info.Account, info.Region, rec, s.jobs.After(), "finish", token); err != nil {
				return err
			}
			out.VersionId = str(token)
		} else if r.Last != nil {
			base = *r.Last
		}
		if err := s.scheduleRotation(tx, info.Account, info.Region, rec, base); err != nil {
			return err
		}
		return s.commit(tx, info.Account, info.Region, rec, now)
	})
	return out, err
}

func (s *Service) cancelRotateSecret(ctx context.Context, in *sm.CancelRotateSecretRequest) (*sm.CancelRotateSecretResponse, error) {
	info := request.From(ctx)
	var out *sm.CancelRotateSecretResponse
	err := s.st.Update(func(tx store.Tx) error {
		rec, err := findPrimary(tx, info, *in.SecretId)
		if err != nil {
			return err
		}
		r := rec.Rotation
		if r == nil || (r.LambdaARN == "" && rec.OwningService == "") {
			return invalidRequest(msgNoLambda)
		}
		if err := s.cancelJobs(tx, r.Job, r.FinishJob); err != nil {
			return err
		}
		r.Enabled, r.Next, r.Job, r.FinishJob = false, nil, "", ""
		out = &sm.CancelRotateSecretResponse{ARN: str(arnOf(info.Account, info.Region, rec.Name, rec.Suffix)), Name: str(rec.Name)}
		if p := rotationInProgress(rec); p != "" {
			out.VersionId = str(p)
		}
		return s.commit(tx, info.Account, info.Region, rec, s.clock.Now())
	})
	return out, err
}

// rotatedValue is the built-in rotator's new value: the AWSCURRENT value with a new
// password, the "password" field of a JSON object or else the whole value.
func (s *Service) rotatedValue(tx store.Tx, account, region string, rec *secretRecord) (secretValue, error) {
	pw, err := randomPassword(passwordSpec{length: defaultPasswordLength, exclude: rotationExclude, requireEach: true})
	if err != nil {
		return secretValue{}, err
	}
	id := rec.Stages[stageCurrent]
	if id == "" {
		return secretValue{String: &pw}, nil
	}
	ver, err := getVersion(tx, scopeOf(account, region), rec.Name, id)
	if err != nil || ver == nil {
		return secretValue{String: &pw}, err
	}
	cur, err := s.loadValue(tx, account, region, rec, ver)
	if err != nil {
		return secretValue{}, err
	}
	if cur.String == nil {
		return secretValue{Binary: []byte(pw)}, nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(*cur.String), &obj) == nil && obj != nil {
		obj["password"] = mustJSON(pw)
		b, err := json.Marshal(obj)
		if err != nil {
			return secretValue{}, err
		}
		v := string(b)
		return secretValue{String: &v}, nil
	}
	return secretValue{String: &pw}, nil
}

// runRotate finishes a rotation RotateSecret started, or carries out a scheduled one.
func (s *Service) runRotate(_ context.Context, tx store.Tx, job *jobs.Job) error {
	var p rotationPayload
	if err := job.DecodePayload(&p); err != nil {
		return err
	}
	sc := scopeOf(p.Account, p.Region)
	rec, err := getSecret(tx, sc, p.Name)
	if err != nil || rec == nil || rec.Suffix != p.Suffix || rec.isReplica() || rec.Rotation == nil {
		return err
	}
	r := rec.Rotation
	now := s.clock.Now()
	switch p.Step {
	case "finish":
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
	case "scheduled":
		if r.Job != job.ID || !r.Enabled {
			return nil
		}
		r.Job = ""
		if rec.Deleted == nil {
			val, err := s.rotatedValue(tx, p.Account, p.Region, rec)
			if err != nil {
				return err
			}
			if err := s.addVersion(tx, p.Account, p.Region, rec, ids.UUID(), val, []string{stagePending, stageCurrent}, now); err != nil {
				return err
			}
			r.Last = &now
		}
	default:
		return jobs.Permanent(errors.New("secretsmanager: unknown rotation step " + p.Step))
	}
	if err := s.scheduleRotation(tx, p.Account, p.Region, rec, now); err != nil {
		return err
	}
	return s.commit(tx, p.Account, p.Region, rec, now)
}
