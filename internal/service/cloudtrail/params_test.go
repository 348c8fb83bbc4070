package cloudtrail

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/service/port"
)

type sortOrder string // as the generated APIs' enums are

// appendParams writes what encoding/json writes for every kind of value the gateway's
// redaction builds (and, through encoding/json itself, for anything else).
func TestParamsAsEncodingJSON(t *testing.T) {
	cases := []map[string]any{
		nil,
		{},
		{"secretId": "db"},
		{"secretId": "db", "versionStage": "AWSCURRENT", "versionId": "v1", "a": "first"},
		{"quote": "a \"b\" \\ <&> \n\t\x01 é \u2028", "key\"<": true},
		{"n": int32(-7), "m": int64(1) << 40, "i": 3, "f": 1.5, "g": 1e-7, "big": 1e21, "no": false, "none": nil},
		{"order": sortOrder("asc"), "at": "2026-01-02T03:04:05Z"},
		{"list": []any{"a", true, int32(2), map[string]any{"z": "1", "y": []any{}}}, "empty": map[string]any{},
			"nilList": []any(nil), "nilMap": map[string]any(nil)},
		{"k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5, "k6": 6, "k7": 7, "k8": 8, "k9": 9, "k10": 10},
	}
	for _, m := range cases {
		got, err := appendParams(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(m)
		if htmlEscaped(got) != string(want) {
			t.Errorf("%v:\n got %s\nwant %s", m, got, want)
		}
	}
}

// A value encoding/json cannot write fails the event's encoding, as it did before.
func TestParamsRefuseWhatJSONCannotWrite(t *testing.T) {
	if _, err := appendParams(nil, map[string]any{"c": make(chan int)}); err == nil {
		t.Error("a channel was written")
	}
}

// BenchmarkRecordOf is the CloudTrail writer's encoding of one GetSecretValue call.
func BenchmarkRecordOf(b *testing.B) {
	ev := port.TrailEvent{ID: "0b4c2d1e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", Name: "GetSecretValue", Source: "secretsmanager.amazonaws.com",
		Time: time.Now(), Account: "000000000000", Region: "us-east-1", SourceIP: "127.0.0.1", EventType: "AwsApiCall",
		UserAgent: "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/secretsmanager#1.35.0",
		ReadOnly:  true, RequestID: "7e2a9c1b-3d4f-4a5b-9c6d-7e8f9a0b1c2d",
		Caller: port.TrailIdentity{ARN: "arn:aws:iam::000000000000:root", PrincipalID: "000000000000", Account: "000000000000",
			AccessKeyID: "AKIAIOSFODNN7EXAMPLE"},
		RequestParameters: map[string]any{"secretId": "bench-secret-0042"},
		Resources:         []port.TrailResource{{Type: "AWS::SecretsManager::Secret", Name: "bench-secret-0042"}},
	}
	b.ReportAllocs()
	for b.Loop() {
		rec, err := recordOf(ev)
		if err != nil {
			b.Fatal(err)
		}
		if len(rec.AppendRecord(nil)) == 0 {
			b.Fatal("empty record")
		}
	}
}
