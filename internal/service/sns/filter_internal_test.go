package sns

import "testing"

func TestFilterPolicyMatching(t *testing.T) {
	attrs := map[string]messageAttribute{
		"event":   {Type: "String", Value: "COPY_JOB_COMPLETED"},
		"size":    {Type: "Number", Value: "150"},
		"regions": {Type: "String.Array", Value: `["us-east-1","eu-west-1"]`},
		"ip":      {Type: "String", Value: "10.0.3.7"},
		"raw":     {Type: "Binary", Value: "AQID"},
	}
	for _, tc := range []struct {
		policy string
		want   bool
	}{
		{`{"event":["COPY_JOB_COMPLETED"]}`, true},
		{`{"event":["COPY_JOB_FAILED"]}`, false},
		{`{"event":[{"prefix":"COPY_"}]}`, true},
		{`{"event":[{"suffix":"_FAILED"}]}`, false},
		{`{"event":[{"equals-ignore-case":"copy_job_completed"}]}`, true},
		{`{"event":[{"anything-but":["BACKUP_JOB_COMPLETED"]}]}`, true},
		{`{"event":[{"anything-but":"COPY_JOB_COMPLETED"}]}`, false},
		{`{"event":[{"anything-but":{"prefix":"COPY"}}]}`, false},
		{`{"size":[{"numeric":[">",100,"<=",150]}]}`, true},
		{`{"size":[{"numeric":["<",100]}]}`, false},
		{`{"size":[150]}`, true},
		{`{"size":["150"]}`, false},
		{`{"regions":["eu-west-1"]}`, true},
		{`{"regions":["ap-south-1"]}`, false},
		{`{"ip":[{"cidr":"10.0.0.0/16"}]}`, true},
		{`{"ip":[{"cidr":"192.168.0.0/16"}]}`, false},
		{`{"missing":[{"exists":false}]}`, true},
		{`{"missing":[{"exists":true}]}`, false},
		{`{"event":[{"exists":true}],"size":[{"numeric":[">=",150]}]}`, true},
		{`{"event":["COPY_JOB_COMPLETED"],"size":[{"numeric":[">",1000]}]}`, false},
		{`{"missing":["x"]}`, false},
		{`{"missing":[{"anything-but":"x"}]}`, false},
		{`{"raw":["AQID"]}`, false},
	} {
		p, err := parseFilterPolicy(tc.policy, scopeAttributes)
		if err != nil {
			t.Errorf("%s: %v", tc.policy, err)
			continue
		}
		if got := p.matches(attributeValues(attrs)); got != tc.want {
			t.Errorf("%s matches = %v, want %v", tc.policy, got, tc.want)
		}
	}
}

func TestFilterPolicyOnTheBody(t *testing.T) {
	body := bodyValues(`{"job":{"state":"FAILED","bytes":42,"tags":["a","b"]},"final":true,"note":null}`)
	for _, tc := range []struct {
		policy string
		want   bool
	}{
		{`{"job":{"state":["FAILED"]}}`, true},
		{`{"job":{"state":["COMPLETED"]}}`, false},
		{`{"job":{"bytes":[{"numeric":["=",42]}],"tags":["b"]}}`, true},
		{`{"final":[true]}`, true},
		{`{"note":[null]}`, true},
		{`{"job":{"missing":[{"exists":false}]}}`, true},
	} {
		p, err := parseFilterPolicy(tc.policy, scopeBody)
		if err != nil {
			t.Errorf("%s: %v", tc.policy, err)
			continue
		}
		if got := p.matches(body); got != tc.want {
			t.Errorf("%s matches = %v, want %v", tc.policy, got, tc.want)
		}
	}
	p, _ := parseFilterPolicy(`{"a":[{"exists":false}]}`, scopeBody)
	if !p.matches(bodyValues("not json")) {
		t.Error("exists:false does not match a body that is not JSON")
	}
}

func TestFilterPolicyRefusals(t *testing.T) {
	for _, tc := range []struct{ policy, scope string }{
		{`{nope`, scopeAttributes},
		{`["a"]`, scopeAttributes},
		{`{"a":"b"}`, scopeAttributes},
		{`{"a":[]}`, scopeAttributes},
		{`{"a":{"b":["c"]}}`, scopeAttributes},
		{`{"a":[{"wildcard":"x*"}]}`, scopeAttributes},
		{`{"a":[{"numeric":[">"]}]}`, scopeAttributes},
		{`{"a":[{"numeric":["~",1]}]}`, scopeAttributes},
		{`{"a":[{"cidr":"not a network"}]}`, scopeAttributes},
		{`{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}`, scopeAttributes},
	} {
		if _, err := parseFilterPolicy(tc.policy, tc.scope); err == nil {
			t.Errorf("%s accepted", tc.policy)
		}
	}
}
