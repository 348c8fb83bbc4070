package sns_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/xregion/xregion/internal/gen/snsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

func TestCreateTopicIsIdempotent(t *testing.T) {
	e := start(t)
	arn := e.createTopic("alerts", map[string]string{"DisplayName": "Alerts"})
	if arn != "arn:aws:sns:us-east-1:123456789012:alerts" {
		t.Fatalf("TopicArn = %s", arn)
	}
	if again := e.createTopic("alerts", map[string]string{"DisplayName": "Alerts"}); again != arn {
		t.Fatalf("second CreateTopic = %s", again)
	}
	if again := e.createTopic("alerts", nil); again != arn {
		t.Fatalf("CreateTopic without attributes = %s", again)
	}
	_, err := kittest.Call(e.Harness, region, snsapi.OpCreateTopic, &snsapi.CreateTopicInput{Name: new("alerts"), Attributes: map[string]string{"DisplayName": "Other"}})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
	_, err = kittest.Call(e.Harness, region, snsapi.OpCreateTopic, &snsapi.CreateTopicInput{Name: new("alerts"), Tags: []snsapi.Tag{{Key: new("team"), Value: new("x")}}})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Tags Reason: Topic already exists with different tags")
}

func TestTopicNames(t *testing.T) {
	e := start(t)
	for _, tc := range []struct {
		name string
		fifo bool
		want string
	}{
		{"ok_name-1", false, ""},
		{strings.Repeat("a", 256), false, ""},
		{strings.Repeat("a", 257), false, "Invalid parameter: Topic Name"},
		{"with.dot", false, "Invalid parameter: Topic Name"},
		{"orders.fifo", false, "Invalid parameter: Topic Name"},
		{"orders.fifo", true, ""},
		{strings.Repeat("b", 251) + ".fifo", true, ""},
		{strings.Repeat("b", 252) + ".fifo", true, "Fifo Topic names must end"},
		{"orders", true, "Fifo Topic names must end"},
	} {
		attrs := map[string]string{}
		if tc.fifo {
			attrs["FifoTopic"] = "true"
		}
		_, err := kittest.Call(e.Harness, region, snsapi.OpCreateTopic, &snsapi.CreateTopicInput{Name: new(tc.name), Attributes: attrs})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%.20s (fifo %v): %v", tc.name, tc.fifo, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%.20s (fifo %v): error %v, want %q", tc.name, tc.fifo, err, tc.want)
		}
	}
}

func TestTopicAttributesAsAWSComputesThem(t *testing.T) {
	e := start(t)
	arn := e.createTopic("alerts", nil)
	attrs := e.topicAttributes(arn)
	for k, want := range map[string]string{
		"TopicArn": arn, "Owner": "123456789012", "DisplayName": "", "SubscriptionsConfirmed": "0",
		"SubscriptionsPending": "0", "SubscriptionsDeleted": "0",
		"EffectiveDeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`,
	} {
		if attrs[k] != want {
			t.Errorf("%s = %q, want %q", k, attrs[k], want)
		}
	}
	for _, absent := range []string{"DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion", "FifoTopic"} {
		if v, ok := attrs[absent]; ok {
			t.Errorf("%s = %q on a new topic", absent, v)
		}
	}
	var policy struct {
		ID        string `json:"Id"`
		Statement []struct {
			Principal map[string]string
			Action    []string
			Resource  string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(attrs["Policy"]), &policy); err != nil {
		t.Fatal(err)
	}
	st := policy.Statement[0]
	if policy.ID != "__default_policy_ID" || st.Principal["AWS"] != "*" || st.Resource != arn || len(st.Action) != 8 ||
		st.Condition["StringEquals"]["AWS:SourceOwner"] != "123456789012" {
		t.Errorf("default policy = %s", attrs["Policy"])
	}
}

func TestSetTopicAttributes(t *testing.T) {
	e := start(t)
	arn := e.createTopic("alerts", nil)
	for name, value := range map[string]string{
		"DisplayName": "My alerts", "SignatureVersion": "2", "KmsMasterKeyId": "alias/aws/sns", "TracingConfig": "Active",
		"DeliveryPolicy":             `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":60,"numRetries":5,"backoffFunction":"exponential"},"disableSubscriptionOverrides":true}}`,
		"HTTPSuccessFeedbackRoleArn": "arn:aws:iam::123456789012:role/sns-logs", "HTTPSuccessFeedbackSampleRate": "50",
	} {
		if err := e.setTopicAttribute(arn, name, value); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := e.topicAttributes(arn)[name]; got != value {
			t.Errorf("%s = %q, want %q", name, got, value)
		}
	}
	eff := e.topicAttributes(arn)["EffectiveDeliveryPolicy"]
	if !strings.Contains(eff, `"minDelayTarget":5,"maxDelayTarget":60,"numRetries":5,"numMaxDelayRetries":0`) || !strings.Contains(eff, `"disableSubscriptionOverrides":true`) {
		t.Errorf("EffectiveDeliveryPolicy = %s", eff)
	}
	for _, tc := range []struct{ name, value, code, text string }{
		{"FifoTopic", "true", "InvalidParameter", "Invalid parameter: AttributeName"},
		{"NoSuchAttribute", "x", "InvalidParameter", "Invalid parameter: AttributeName"},
		{"SignatureVersion", "3", "InvalidParameter", ""},
		{"Policy", "{not json", "InvalidParameter", "Invalid parameter: Policy Error: null"},
		{"Policy", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, "InvalidParameter", "Invalid parameter: Policy statement action out of service scope!"},
		{"DeliveryPolicy", `{"http":{"defaultHealthyRetryPolicy":{"numRetries":101}}}`, "InvalidParameter", ""},
		{"DeliveryPolicy", `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":3000,"maxDelayTarget":3600,"numRetries":3}}}`, "InvalidParameter", ""},
		{"ContentBasedDeduplication", "true", "InvalidParameter", ""},
		{"HTTPSuccessFeedbackSampleRate", "101", "InvalidParameter", ""},
	} {
		err := e.setTopicAttribute(arn, tc.name, tc.value)
		if err == nil {
			t.Errorf("%s=%s accepted", tc.name, tc.value)
			continue
		}
		wantError(t, err, tc.code, tc.text)
	}
	if got := e.topicAttributes(arn)["SignatureVersion"]; got != "2" {
		t.Errorf("a refused value changed SignatureVersion to %q", got)
	}
}

func TestFifoTopicAttributes(t *testing.T) {
	e := start(t)
	arn := e.createTopic("orders.fifo", map[string]string{"FifoTopic": "true"})
	attrs := e.topicAttributes(arn)
	if attrs["FifoTopic"] != "true" || attrs["ContentBasedDeduplication"] != "false" || attrs["FifoThroughputScope"] != "Topic" {
		t.Errorf("FIFO attributes = %v", attrs)
	}
	if err := e.setTopicAttribute(arn, "ContentBasedDeduplication", "true"); err != nil {
		t.Fatal(err)
	}
	if e.topicAttributes(arn)["ContentBasedDeduplication"] != "true" {
		t.Error("ContentBasedDeduplication not set")
	}
	wantError(t, e.setTopicAttribute(arn, "TracingConfig", "Active"), "InvalidParameter", "")
}

func TestGetTopicAttributesErrors(t *testing.T) {
	e := start(t)
	for arn, want := range map[string]string{
		"arn:aws:sns:us-east-1:123456789012:missing": "NotFound",
		"arn:aws:sns:us-west-2:123456789012:missing": "InvalidParameter",
		"not-an-arn": "InvalidParameter",
	} {
		_, err := kittest.Call(e.Harness, region, snsapi.OpGetTopicAttributes, &snsapi.GetTopicAttributesInput{TopicArn: new(arn)})
		wantError(t, err, want, "")
	}
}

func TestListTopicsPages(t *testing.T) {
	e := start(t)
	var want []string
	for i := range 205 {
		want = append(want, e.createTopic(fmt.Sprintf("t%03d", i), nil))
	}
	var got []string
	var token *string
	pages := 0
	for {
		out := kittest.Must[*snsapi.ListTopicsResponse](t)(kittest.Call(e.Harness, region, snsapi.OpListTopics, &snsapi.ListTopicsInput{NextToken: token}))
		pages++
		for _, tp := range out.Topics {
			got = append(got, *tp.TopicArn)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages, %d topics", pages, len(got))
	}
	_, err := kittest.Call(e.Harness, region, snsapi.OpListTopics, &snsapi.ListTopicsInput{NextToken: new("forged")})
	wantError(t, err, "InvalidParameter", "Invalid parameter: NextToken")
	west := kittest.Must[*snsapi.ListTopicsResponse](t)(kittest.Call(e.Harness, "us-west-2", snsapi.OpListTopics, &snsapi.ListTopicsInput{}))
	if len(west.Topics) != 0 {
		t.Errorf("us-west-2 lists %d topics of us-east-1", len(west.Topics))
	}
}

func TestDeleteTopicRemovesItsSubscriptions(t *testing.T) {
	e := start(t)
	arn := e.createTopic("alerts", nil)
	sub := e.confirmed(arn, nil)
	if _, err := kittest.Call(e.Harness, region, snsapi.OpDeleteTopic, &snsapi.DeleteTopicInput{TopicArn: &arn}); err != nil {
		t.Fatal(err)
	}
	_, err := kittest.Call(e.Harness, region, snsapi.OpGetSubscriptionAttributes, &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
	wantError(t, err, "NotFound", "Subscription does not exist")
	list := kittest.Must[*snsapi.ListSubscriptionsResponse](t)(kittest.Call(e.Harness, region, snsapi.OpListSubscriptions, &snsapi.ListSubscriptionsInput{}))
	if len(list.Subscriptions) != 0 {
		t.Errorf("subscriptions left: %v", list.Subscriptions)
	}
	// DeleteTopic is idempotent.
	if _, err := kittest.Call(e.Harness, region, snsapi.OpDeleteTopic, &snsapi.DeleteTopicInput{TopicArn: &arn}); err != nil {
		t.Fatal(err)
	}
}

func TestTags(t *testing.T) {
	e := start(t)
	arn := e.createTopic("alerts", nil)
	tag := func(k, v string) snsapi.Tag { return snsapi.Tag{Key: new(k), Value: new(v)} }
	if _, err := kittest.Call(e.Harness, region, snsapi.OpTagResource, &snsapi.TagResourceRequest{ResourceArn: &arn, Tags: []snsapi.Tag{tag("team", "dr"), tag("env", "prod")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := kittest.Call(e.Harness, region, snsapi.OpUntagResource, &snsapi.UntagResourceRequest{ResourceArn: &arn, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	out := kittest.Must[*snsapi.ListTagsForResourceResponse](t)(kittest.Call(e.Harness, region, snsapi.OpListTagsForResource, &snsapi.ListTagsForResourceRequest{ResourceArn: &arn}))
	if len(out.Tags) != 1 || *out.Tags[0].Key != "team" || *out.Tags[0].Value != "dr" {
		t.Errorf("tags = %+v", out.Tags)
	}
	_, err := kittest.Call(e.Harness, region, snsapi.OpTagResource, &snsapi.TagResourceRequest{ResourceArn: new(arn + "x"), Tags: []snsapi.Tag{tag("a", "b")}})
	wantError(t, err, "ResourceNotFound", "")
	_, err = kittest.Call(e.Harness, region, snsapi.OpTagResource, &snsapi.TagResourceRequest{ResourceArn: &arn, Tags: []snsapi.Tag{tag("aws:x", "b")}})
	wantError(t, err, "InvalidParameter", "")
	var many []snsapi.Tag
	for i := range 50 {
		many = append(many, tag(fmt.Sprint("k", i), "v"))
	}
	_, err = kittest.Call(e.Harness, region, snsapi.OpTagResource, &snsapi.TagResourceRequest{ResourceArn: &arn, Tags: many})
	wantError(t, err, "TagLimitExceeded", "")
}
