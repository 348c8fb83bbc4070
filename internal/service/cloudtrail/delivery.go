package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"time"

	"github.com/xregion/xregion/internal/jobs"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// Delivery: an event that a logging trail covers waits in the trail's pending records
// from the moment it is written with the event history (in the same transaction, so no
// event is missed or delivered twice by a clock that jumps); every five minutes of the
// engine clock — CloudTrail delivers "about every 5 minutes" — a job writes what waits
// as one log file per Region and clears it.

// pending are the events waiting for a trail's next delivery, in the account's Global
// records: <home Region>/<trail>/<event Region>/<time>/<event id>.
var pending = kit.Table[pendingRecord]{Kind: "trail-pending"}

type pendingRecord struct {
	Region   string   `json:"region"`
	Document document `json:"document"` // the event in CloudTrail's record format
}

const deliveryInterval = 5 * time.Minute

// deliveryRef names a trail's delivery job, and the instant it was armed for: a job the
// trail no longer expects (logging stopped and started again) does nothing.
type deliveryRef struct {
	Account string    `json:"a"`
	Home    string    `json:"r"`
	Name    string    `json:"n"`
	At      time.Time `json:"at"`
}

func (d deliveryRef) Subject() (string, string, []string) { return d.Account, d.Home, []string{d.Name} }

var jobDeliver = kit.Kind[deliveryRef]{Name: "cloudtrail.deliver"}

func (s *Service) registerDelivery() {
	jobDeliver.Register(s.Kit, kit.Handler[deliveryRef]{
		Run: func(_ context.Context, tx kit.Tx, _ *jobs.Job, p deliveryRef) error { return s.runDelivery(tx, p) },
	})
}

// armDelivery arms the trail's next delivery, unless one is armed already.
func (s *Service) armDelivery(tx kit.Tx, account string, rec *trailRecord, now time.Time) error {
	if !rec.Armed.IsZero() {
		return nil
	}
	rec.Armed = now.Add(deliveryInterval)
	if err := trails.Put(tx.In(account, kit.Global), rec, rec.HomeRegion, rec.Name); err != nil {
		return err
	}
	_, err := jobDeliver.Enqueue(tx, rec.Armed, deliveryRef{Account: account, Home: rec.HomeRegion, Name: rec.Name, At: rec.Armed})
	return err
}

// hold files the events of a batch that logging trails cover as pending, in the
// transaction that writes them to the event history. docs are the events' documents.
func (s *Service) hold(tx kit.Tx, batch []port.TrailEvent, docs []document) error {
	logging := map[string][]*trailRecord{} // by account
	for i, ev := range batch {
		list, ok := logging[ev.Account]
		if !ok {
			var err error
			if list, err = loggingTrails(tx.In(ev.Account, kit.Global)); err != nil {
				return err
			}
			logging[ev.Account] = list
		}
		for _, t := range list {
			if !t.covers(ev.Region) || !t.GlobalEvents && ev.Source == "iam.amazonaws.com" {
				continue
			}
			rec := &pendingRecord{Region: ev.Region, Document: docs[i]}
			if err := pending.Put(tx.In(ev.Account, kit.Global), rec, t.HomeRegion, t.Name, ev.Region, kit.TimeKey(ev.Time), ev.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func loggingTrails(v kit.View) ([]*trailRecord, error) {
	var out []*trailRecord
	err := trails.Scan(v, func(rec *trailRecord) bool {
		if rec.Logging {
			out = append(out, rec)
		}
		return true
	})
	return out, err
}

// runDelivery delivers what waits for the trail and arms the next delivery while the
// trail logs (or while a failed delivery leaves events waiting).
func (s *Service) runDelivery(tx kit.Tx, p deliveryRef) error {
	v := tx.In(p.Account, kit.Global)
	rec, err := trails.Get(v, p.Home, p.Name)
	if err != nil || rec == nil || !rec.Armed.Equal(p.At) {
		return err
	}
	now := s.Clock.Now()
	rec.Attempted, rec.Armed = now, time.Time{}
	delivered, err := s.deliver(v, rec, now)
	switch {
	case err != nil:
		rec.DeliveryErr = err.Error()
	case delivered:
		rec.Delivered, rec.DeliveryErr = now, ""
	}
	if rec.Logging || err != nil {
		return s.armDelivery(tx, p.Account, rec, now)
	}
	return trails.Put(v, rec, rec.HomeRegion, rec.Name)
}

// deliver writes the trail's waiting events, one log file per Region, and clears them.
// It reports whether it wrote any.
func (s *Service) deliver(v kit.View, rec *trailRecord, now time.Time) (bool, error) {
	byRegion := map[string][]json.RawMessage{}
	var order []string
	err := pending.Scan(v, func(p *pendingRecord) bool {
		if _, ok := byRegion[p.Region]; !ok {
			order = append(order, p.Region)
		}
		byRegion[p.Region] = append(byRegion[p.Region], json.RawMessage(p.Document))
		return true
	}, rec.HomeRegion, rec.Name)
	if err != nil || len(order) == 0 {
		return false, err
	}
	if s.reports == nil {
		return false, fmt.Errorf("this server keeps no files: trail log files cannot be delivered")
	}
	for _, region := range order {
		key, body, err := logFile(v.Account(), rec, region, now, byRegion[region])
		if err != nil {
			return false, err
		}
		if err := s.reports.Put(v.Account(), rec.Bucket, key, body); err != nil {
			return false, err
		}
	}
	return true, pending.DeleteAll(v, rec.HomeRegion, rec.Name)
}

// logFile is one CloudTrail log file: its S3 key, in CloudTrail's layout and name, and
// its gzipped JSON. The name's unique part comes from the events it holds, so a delivery
// that runs again writes the same file rather than a second one.
func logFile(account string, rec *trailRecord, region string, now time.Time, records []json.RawMessage) (string, []byte, error) {
	doc, err := json.Marshal(struct {
		Records []json.RawMessage `json:"Records"`
	}{records})
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(doc); err != nil {
		return "", nil, err
	}
	if err := zw.Close(); err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(doc)
	now = now.UTC()
	name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", account, region, now.Format("20060102T1504Z"), hex.EncodeToString(sum[:8]))
	key := path.Join(rec.Prefix, "AWSLogs", account, "CloudTrail", region, now.Format("2006/01/02"), name)
	return key, buf.Bytes(), nil
}
