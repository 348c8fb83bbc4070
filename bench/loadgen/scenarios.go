package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/xtest"
)

// env is what a scenario runs against.
type env struct {
	target      *target
	mode        string // "raw" or "sdk"
	concurrency int
	duration    time.Duration
	maxRequests int
	secrets     int // for get: how many secrets to spread the reads over
	// extra counts requests made beside the measured loop (mixed's replica probes), so
	// that server CPU per request divides by every request the server answered.
	extra      atomic.Int64
	rssSecrets int // for rss: how many secrets to hold
	runID      string
}

func (e *env) config(region string) aws.Config {
	cfg := xtest.DefaultConfig(e.target.url, region)
	cfg.HTTPClient = newHTTPClient(e.concurrency)
	cfg.RetryMaxAttempts = 1
	return cfg
}

// result is one JSON line of the report.
type result struct {
	Scenario    string  `json:"scenario"`
	Target      string  `json:"target"`
	Mode        string  `json:"mode,omitempty"`
	Concurrency int     `json:"concurrency,omitempty"`
	Secrets     int     `json:"secrets,omitempty"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	RPS         float64 `json:"rps,omitempty"`
	P50Us       float64 `json:"p50Us,omitempty"`
	P99Us       float64 `json:"p99Us,omitempty"`
	CPUPerReqUs float64 `json:"serverCpuPerReqUs,omitempty"`
	RefRPS      float64 `json:"referenceRps,omitempty"`
	// RefCPUPerReqUs is the reference server's CPU per request: the floor that net/http
	// and the kernel's loopback cost on this machine.
	RefCPUPerReqUs float64 `json:"referenceCpuPerReqUs,omitempty"`
	RefRatio       float64 `json:"ratioToReference,omitempty"`
	InSyncP50Ms    float64 `json:"inSyncP50Ms,omitempty"`
	InSyncP99Ms    float64 `json:"inSyncP99Ms,omitempty"`
	LagP50Ms       float64 `json:"replicaLagP50Ms,omitempty"`
	LagP99Ms       float64 `json:"replicaLagP99Ms,omitempty"`
	LostWrites     *int    `json:"lostWrites,omitempty"`
	// LagFirstProbePct is the share of writes that the first probe, sent right after the
	// write was acknowledged, already found in every replica: for those the lag is at
	// most the probing read's own latency, which is what the lag percentiles then measure.
	LagFirstProbePct *float64 `json:"replicaLagFirstProbePct,omitempty"`
	IdleRSSMB        float64  `json:"idleRssMB,omitempty"`
	RSSMB            float64  `json:"rssMB,omitempty"`
	FirstError       string   `json:"firstError,omitempty"`
}

// measure runs a closed loop and fills the throughput, latency and server CPU fields.
func (e *env) measure(r *result, fn func(i int) error) error {
	cpu0, err := e.target.cpuTime()
	if err != nil {
		return err
	}
	lat, elapsed := closedLoop(e.concurrency, e.maxRequests, e.duration, fn)
	cpu1, err := e.target.cpuTime()
	if err != nil {
		return err
	}
	r.Target, r.Mode, r.Concurrency = e.target.name, e.mode, e.concurrency
	r.Requests, r.Errors, r.FirstError = lat.count(), lat.errors, lat.first
	r.RPS = float64(r.Requests) / elapsed.Seconds()
	r.P50Us, r.P99Us = lat.percentile(50), lat.percentile(99)
	if n := r.Requests + r.Errors + int(e.extra.Load()); n > 0 {
		r.CPUPerReqUs = float64((cpu1 - cpu0).Microseconds()) / float64(n)
	}
	return nil
}

func secretName(runID string, i int) string { return fmt.Sprintf("loadgen-%s-%d", runID, i) }

// createSecrets makes n secrets with a few workers, before any clock starts.
func (e *env) createSecrets(ctx context.Context, n int, region string) error {
	client := secretsmanager.NewFromConfig(e.config(region))
	lat, _ := closedLoop(8, n, time.Hour, func(i int) error {
		_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
			Name: aws.String(secretName(e.runID, i)), SecretString: aws.String(fmt.Sprintf("value-%016d", i)),
		})
		return err
	})
	if lat.errors > 0 {
		return fmt.Errorf("creating %d secrets: %d failed, first: %s", n, lat.errors, lat.first)
	}
	return nil
}

// scenarioGet is GetSecretValue over e.secrets secrets.
func scenarioGet(ctx context.Context, e *env) (result, error) {
	r := result{Scenario: "get", Secrets: e.secrets}
	if e.target.name != "reference" {
		if err := e.createSecrets(ctx, e.secrets, "us-east-1"); err != nil {
			return r, err
		}
	}
	if e.mode == "sdk" {
		client := secretsmanager.NewFromConfig(e.config("us-east-1"))
		return r, e.measure(&r, func(i int) error {
			_, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretName(e.runID, i%e.secrets))})
			return err
		})
	}
	reqs := make([]rawRequest, e.secrets)
	for i := range reqs {
		body, _ := json.Marshal(map[string]string{"SecretId": secretName(e.runID, i)})
		var err error
		if reqs[i], err = signedJSON(e.target.urlFor(i), "us-east-1", "secretsmanager", "secretsmanager.GetSecretValue", body); err != nil {
			return r, err
		}
	}
	client := newHTTPClient(e.concurrency)
	// Read every secret first, twice: the first read of a secret each day records its
	// LastAccessedDate (a write shortly after, which changes the record), and reads
	// decode records into the server's cache — costs a secret pays once a day, not on
	// every read. Measuring after them shows whether a read's cost grows with the number
	// of secrets.
	if e.target.name != "reference" {
		sm := secretsmanager.NewFromConfig(e.config("us-east-1"))
		for pass := 0; pass < 2; pass++ {
			warm, _ := closedLoop(e.concurrency, len(reqs), time.Hour, func(i int) error { return reqs[i].send(client) })
			if warm.errors > 0 {
				return r, fmt.Errorf("warming up: %d errors, first: %s", warm.errors, warm.first)
			}
			// ListSecrets shows LastAccessedDate, so the server writes the dates it noted
			// before answering: the second pass reads the records as they will stay.
			if _, err := sm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(1)}); err != nil {
				return r, err
			}
		}
	}
	return r, e.measure(&r, func(i int) error { return reqs[i%len(reqs)].send(client) })
}

// scenarioCreate is CreateSecret with unique names.
func scenarioCreate(ctx context.Context, e *env) (result, error) {
	r := result{Scenario: "create"}
	if e.mode == "sdk" {
		client := secretsmanager.NewFromConfig(e.config("us-east-1"))
		return r, e.measure(&r, func(i int) error {
			_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
				Name: aws.String("create-" + secretName(e.runID, i)), SecretString: aws.String("v"),
			})
			return err
		})
	}
	// Each request is signed before the clock starts; bound the pool so that setup stays
	// short, and stop the loop when it is used up.
	n := min(e.maxRequests, 50000)
	reqs := make([]rawRequest, n)
	for i := range reqs {
		// SDKs fill ClientRequestToken in; a raw request must carry its own.
		body, _ := json.Marshal(map[string]string{"Name": "create-" + secretName(e.runID, i), "SecretString": "v", "ClientRequestToken": ids.UUID()})
		var err error
		if reqs[i], err = signedJSON(e.target.urlFor(i), "us-east-1", "secretsmanager", "secretsmanager.CreateSecret", body); err != nil {
			return r, err
		}
	}
	client := newHTTPClient(e.concurrency)
	saved := e.maxRequests
	e.maxRequests = n
	defer func() { e.maxRequests = saved }()
	return r, e.measure(&r, func(i int) error { return reqs[i].send(client) })
}

// scenarioKMS alternates Encrypt and Decrypt under one key.
func scenarioKMS(ctx context.Context, e *env) (result, error) {
	r := result{Scenario: "kms"}
	client := kms.NewFromConfig(e.config("us-east-1"))
	key, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		return r, err
	}
	plaintext := []byte("a secret of a typical size, a few dozen bytes long")
	enc, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: plaintext})
	if err != nil {
		return r, err
	}
	if e.mode == "sdk" {
		return r, e.measure(&r, func(i int) error {
			if i%2 == 0 {
				_, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: plaintext})
				return err
			}
			_, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
			return err
		})
	}
	encBody, _ := json.Marshal(map[string]any{"KeyId": *key.KeyMetadata.KeyId, "Plaintext": plaintext})
	decBody, _ := json.Marshal(map[string]any{"CiphertextBlob": enc.CiphertextBlob})
	encReq, err := signedJSON(e.target.url, "us-east-1", "kms", "TrentService.Encrypt", encBody)
	if err != nil {
		return r, err
	}
	decReq, err := signedJSON(e.target.url, "us-east-1", "kms", "TrentService.Decrypt", decBody)
	if err != nil {
		return r, err
	}
	hc := newHTTPClient(e.concurrency)
	return r, e.measure(&r, func(i int) error {
		if i%2 == 0 {
			return encReq.send(hc)
		}
		return decReq.send(hc)
	})
}

var replicaRegions = []string{"eu-west-3", "us-west-2"}

// waitInSync polls until every replica of the secret is InSync and reads the expected
// value (and version, if given) in every replica Region.
func (e *env) waitInSync(ctx context.Context, clients map[string]*secretsmanager.Client, name, value, version string, deadline time.Time) error {
	for {
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not in sync after the deadline", name)
		}
		d, err := clients["us-east-1"].DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &name})
		if err != nil {
			return err
		}
		done := len(d.ReplicationStatus) == len(replicaRegions)
		for _, st := range d.ReplicationStatus {
			if st.Status == smtypes.StatusTypeFailed {
				return fmt.Errorf("replication of %s to %s failed: %s", name, *st.Region, aws.ToString(st.StatusMessage))
			}
			done = done && st.Status == smtypes.StatusTypeInSync
		}
		if done && e.readableEverywhere(ctx, clients, name, value, version) {
			return nil
		}
	}
}

// readableEverywhere reads the secret in every replica Region at once, so that the time
// it takes is one read's, not one per Region.
func (e *env) readableEverywhere(ctx context.Context, clients map[string]*secretsmanager.Client, name, value, version string) bool {
	var wg sync.WaitGroup
	var missing atomic.Int32
	for _, region := range replicaRegions {
		e.extra.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := &secretsmanager.GetSecretValueInput{SecretId: &name}
			if version != "" {
				in.VersionId = &version
			}
			v, err := clients[region].GetSecretValue(ctx, in)
			if err != nil || aws.ToString(v.SecretString) != value {
				missing.Add(1)
			}
		}()
	}
	wg.Wait()
	return missing.Load() == 0
}

func (e *env) regionClients() map[string]*secretsmanager.Client {
	clients := map[string]*secretsmanager.Client{}
	for _, region := range append([]string{"us-east-1"}, replicaRegions...) {
		clients[region] = secretsmanager.NewFromConfig(e.config(region))
	}
	return clients
}

// scenarioReplicateLatency times, one secret at a time, CreateSecret then
// ReplicateSecretToRegions to two Regions until every replica is InSync and readable.
func scenarioReplicateLatency(ctx context.Context, e *env) (result, error) {
	r := result{Scenario: "replicate-latency", Target: e.target.name, Mode: "sdk"}
	e.mode = "sdk"
	clients := e.regionClients()
	inSync := &latencies{}
	deadline := time.Now().Add(e.duration)
	for i := 0; i < e.maxRequests && time.Now().Before(deadline); i++ {
		name, value := "repl-"+secretName(e.runID, i), fmt.Sprintf("replicated-%d", i)
		if _, err := clients["us-east-1"].CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: &value}); err != nil {
			inSync.fail(err)
			continue
		}
		t0 := time.Now()
		var add []smtypes.ReplicaRegionType
		for _, region := range replicaRegions {
			add = append(add, smtypes.ReplicaRegionType{Region: aws.String(region)})
		}
		if _, err := clients["us-east-1"].ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: &name, AddReplicaRegions: add}); err != nil {
			inSync.fail(err)
			continue
		}
		if err := e.waitInSync(ctx, clients, name, value, "", time.Now().Add(30*time.Second)); err != nil {
			inSync.fail(err)
			continue
		}
		inSync.add(time.Since(t0))
	}
	r.Requests, r.Errors, r.FirstError = inSync.count(), inSync.errors, inSync.first
	r.InSyncP50Ms, r.InSyncP99Ms = inSync.percentile(50)/1000, inSync.percentile(99)/1000
	return r, nil
}

// scenarioMixed is 90% GetSecretValue and 10% PutSecretValue on replicated secrets. Every
// write is followed until its version is readable in every replica Region (the lag), and
// at the end every replica must hold its primary's current version (no lost writes).
func scenarioMixed(ctx context.Context, e *env) (result, error) {
	r := result{Scenario: "mixed"}
	e.mode = "sdk" // writes are followed with SDK reads; there is no raw form of this scenario
	// Secrets Manager keeps at most 100 versions of a secret and prunes unlabelled ones
	// only after 24 hours (AWS's quota): spread the writes over enough secrets, and stop
	// writing to one that is near the quota.
	const n, maxWrites = 200, 90
	var writes [n]int
	clients := e.regionClients()
	for i := 0; i < n; i++ {
		name, value := "mixed-"+secretName(e.runID, i), "initial"
		_, err := clients["us-east-1"].CreateSecret(ctx, &secretsmanager.CreateSecretInput{
			Name: &name, SecretString: &value,
			AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String(replicaRegions[0])}, {Region: aws.String(replicaRegions[1])}},
		})
		if err != nil {
			return r, err
		}
		if err := e.waitInSync(ctx, clients, name, value, "", time.Now().Add(30*time.Second)); err != nil {
			return r, err
		}
	}
	lag := &latencies{}
	var firstProbe atomic.Int64
	var probes sync.WaitGroup
	var locks [n]sync.Mutex
	var mu sync.Mutex
	written := map[string]string{} // secret -> last value written
	err := e.measure(&r, func(i int) error {
		k := rand.IntN(n)
		name := "mixed-" + secretName(e.runID, k)
		if i%10 != 9 {
			_, err := clients["us-east-1"].GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &name})
			return err
		}
		value := fmt.Sprintf("write-%d", i)
		// One writer per secret at a time keeps "the last value written" well defined.
		locks[k].Lock()
		defer locks[k].Unlock()
		if writes[k] == maxWrites {
			_, err := clients["us-east-1"].GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &name})
			return err
		}
		writes[k]++
		out, err := clients["us-east-1"].PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &name, SecretString: &value})
		if err != nil {
			return err
		}
		mu.Lock()
		written[name] = value
		mu.Unlock()
		t0 := time.Now()
		probes.Add(1)
		go func() {
			defer probes.Done()
			// Back off between probes so that probing does not become the load it measures.
			wait := 100 * time.Microsecond
			for attempt := 0; time.Since(t0) < 30*time.Second; attempt++ {
				if e.readableEverywhere(ctx, clients, name, value, *out.VersionId) {
					lag.add(time.Since(t0))
					if attempt == 0 {
						firstProbe.Add(1)
					}
					return
				}
				time.Sleep(wait)
				wait = min(2*wait, 5*time.Millisecond)
			}
			lag.fail(fmt.Errorf("version %s of %s never reached every replica", *out.VersionId, name))
		}()
		return nil
	})
	probes.Wait()
	if err != nil {
		return r, err
	}
	lost := 0
	for name, value := range written {
		if err := e.waitInSync(ctx, clients, name, value, "", time.Now().Add(30*time.Second)); err != nil {
			lost++
		}
	}
	r.LostWrites = &lost
	r.Errors += lag.errors
	if r.FirstError == "" {
		r.FirstError = lag.first
	}
	r.LagP50Ms, r.LagP99Ms = lag.percentile(50)/1000, lag.percentile(99)/1000
	if n := lag.count(); n > 0 {
		pct := 100 * float64(firstProbe.Load()) / float64(n)
		r.LagFirstProbePct = &pct
	}
	return r, nil
}

// scenarioRSS creates e.rssSecrets secrets and reports the server's resident memory
// before and after.
func scenarioRSS(ctx context.Context, e *env) (result, error) {
	r := result{Scenario: "rss", Target: e.target.name, Secrets: e.rssSecrets}
	var err error
	if r.IdleRSSMB, err = e.target.residentMB(); err != nil {
		return r, err
	}
	if err := e.createSecrets(ctx, e.rssSecrets, "us-east-1"); err != nil {
		return r, err
	}
	r.RSSMB, err = e.target.residentMB()
	r.Requests = e.rssSecrets
	return r, err
}
