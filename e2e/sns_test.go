package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cryptographyCheck: the boto3 test verifies signatures with the Python cryptography
// package, independently of xregion's own Go code.
var cryptographyCheck = sync.OnceValue(func() bool {
	return boto3Check() && exec.Command("python3", "-c", "import cryptography.x509").Run() == nil
})

// snsEndpointPy is a Python HTTP endpoint on loopback that records every POST SNS makes
// to it and answers 500 to the next fail_next of them, and verify(), which checks a
// message's signature as AWS's "Verifying the signatures of Amazon SNS messages" says:
// the certificate from SigningCertURL, the canonical string of the message's type, RSA
// PKCS#1 v1.5 with SHA1 (SignatureVersion 1) or SHA256 (2).
const snsEndpointPy = `
import base64, http.server, json, os, queue, threading, urllib.request, urllib.error
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

posts = queue.Queue()
fail_next = [0]

class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = 200
        if fail_next[0] > 0:
            fail_next[0] -= 1
            status = 500
        posts.put((self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(body), status))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass

hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=hook.serve_forever, daemon=True).start()
hook_url = "http://127.0.0.1:%d/hook" % hook.server_port
endpoint = os.environ["AWS_ENDPOINT_URL"]

def next_post(kind):
    path, headers, doc, status = posts.get(timeout=30)
    assert headers["x-amz-sns-message-type"] == kind == doc["Type"], (kind, headers, doc)
    return headers, doc, status

def no_post():
    try:
        got = posts.get(timeout=1)
    except queue.Empty:
        return
    raise AssertionError("unexpected post %r" % (got,))

def canonical(doc):
    if doc["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(k + "\n" + doc[k] + "\n" for k in keys if k in doc).encode()

def verify(doc):
    url = doc["SigningCertURL"]
    assert url.startswith(endpoint + "/_aws/sns/") and url.endswith(".pem"), url
    cert = x509.load_pem_x509_certificate(urllib.request.urlopen(url).read())
    algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}[doc["SignatureVersion"]]
    cert.public_key().verify(base64.b64decode(doc["Signature"]), canonical(doc), padding.PKCS1v15(), algorithm)

def get(url):
    with urllib.request.urlopen(url) as r:
        return r.status, r.read().decode()

def advance(duration):
    req = urllib.request.Request(endpoint + "/_xregion/clock", data=json.dumps({"advance": duration}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(req).read()
`

// TestSNSWithBoto3: boto3 subscribes an HTTP endpoint on loopback, which confirms its
// subscription by a plain GET of the SubscribeURL; published messages arrive signed as
// SNS signs them (versions 1 and 2, verified with the certificate SigningCertURL serves),
// a failed delivery is retried on the server's clock, and the UnsubscribeURL ends the
// subscription.
func TestSNSWithBoto3(t *testing.T) {
	need(t, "python3 cryptography", cryptographyCheck())
	srv := startServer(t)
	out := srv.python(t, "eu-west-1", snsEndpointPy+`
import boto3
from botocore.exceptions import ClientError
sns = boto3.client("sns")
topic = sns.create_topic(Name="orders", Attributes={"DisplayName": "Orders"}, Tags=[{"Key": "team", "Value": "payments"}])["TopicArn"]
assert topic == "arn:aws:sns:eu-west-1:123456789012:orders", topic
assert sns.create_topic(Name="orders", Attributes={"DisplayName": "Orders"})["TopicArn"] == topic

# The handshake: a pending subscription, a signed SubscriptionConfirmation, a GET.
sub = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook_url, ReturnSubscriptionArn=True)["SubscriptionArn"]
assert sub.startswith(topic + ":"), sub
assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["PendingConfirmation"] == "true"
headers, doc, _ = next_post("SubscriptionConfirmation")
assert headers["x-amz-sns-topic-arn"] == topic and "x-amz-sns-subscription-arn" not in headers, headers
assert doc["TopicArn"] == topic and doc["SignatureVersion"] == "1" and doc["Token"], doc
assert doc["Message"].startswith("You have chosen to subscribe to the topic " + topic), doc["Message"]
verify(doc)
status, body = get(doc["SubscribeURL"])
assert status == 200 and "<SubscriptionArn>%s</SubscriptionArn>" % sub in body, body
attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
assert attrs["PendingConfirmation"] == "false" and attrs["ConfirmationWasAuthenticated"] == "false", attrs
assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "1"
listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
assert [(s["SubscriptionArn"], s["Protocol"], s["Endpoint"]) for s in listed] == [(sub, "http", hook_url)], listed

# A notification, signed with SHA1withRSA.
mid = sns.publish(TopicArn=topic, Message='{"order": 42}', Subject="New order",
                  MessageAttributes={"kind": {"DataType": "String", "StringValue": "created"}})["MessageId"]
headers, doc, _ = next_post("Notification")
assert headers["x-amz-sns-message-id"] == mid and headers["x-amz-sns-subscription-arn"] == sub, headers
assert (doc["MessageId"], doc["Message"], doc["Subject"], doc["TopicArn"]) == (mid, '{"order": 42}', "New order", topic), doc
assert doc["MessageAttributes"] == {"kind": {"Type": "String", "Value": "created"}}, doc
assert doc["UnsubscribeURL"] == endpoint + "/_aws/sns/eu-west-1/?Action=Unsubscribe&SubscriptionArn=" + sub, doc
verify(doc)
doc["Message"] = "tampered"
try:
    verify(doc)
    raise AssertionError("a tampered message verified")
except Exception as e:
    assert type(e).__name__ == "InvalidSignature", repr(e)

# SHA256withRSA once the topic asks for it; a 500 is retried 20 s later on the clock.
sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2")
fail_next[0] = 1
mid = sns.publish(TopicArn=topic, Message="second")["MessageId"]
_, doc, status = next_post("Notification")
assert status == 500 and doc["MessageId"] == mid and "Subject" not in doc, doc
no_post()
advance("20s")
_, doc, status = next_post("Notification")
assert status == 200 and doc["MessageId"] == mid and doc["SignatureVersion"] == "2", doc
verify(doc)

# AWS's errors.
def code(call, **kw):
    try:
        call(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    raise AssertionError("no error")
assert code(sns.publish, TopicArn=topic + "-missing", Message="m") == ("NotFound", "Topic does not exist")
assert code(sns.publish, TopicArn=topic, Message="x" * (256 * 1024 + 1))[0] == "InvalidParameter"
assert code(sns.subscribe, TopicArn=topic, Protocol="http", Endpoint="https://example.com")[0] == "InvalidParameter"
assert code(sns.create_topic, Name="orders", Attributes={"DisplayName": "Other"})[0] == "InvalidParameter"

# The UnsubscribeURL, a plain GET, ends the subscription and tells the endpoint.
status, body = get(doc["UnsubscribeURL"])
assert status == 200 and "<UnsubscribeResponse" in body, body
_, doc, _ = next_post("UnsubscribeConfirmation")
verify(doc)
assert code(sns.get_subscription_attributes, SubscriptionArn=sub)[0] == "NotFound"
sns.publish(TopicArn=topic, Message="after")
no_post()
print("ok")
`)
	if strings.TrimSpace(out) != "ok" {
		t.Errorf("script printed %q", out)
	}
}

// snsEndpoint is an HTTP endpoint on loopback that confirms every subscription offered
// to it by a plain GET of its SubscribeURL, as a user's webhook would, and hands every
// notification it receives to the test, answering 500 to the first failNext of them.
type snsEndpoint struct {
	URL           string
	notifications chan map[string]any
	failNext      atomic.Int32
}

func startSNSEndpoint(t *testing.T) *snsEndpoint {
	t.Helper()
	ep := &snsEndpoint{notifications: make(chan map[string]any, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var doc map[string]any
		if err := json.NewDecoder(r.Body).Decode(&doc); err != nil {
			t.Errorf("endpoint got a body that is not SNS's JSON: %v", err)
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		switch r.Header.Get("X-Amz-Sns-Message-Type") {
		case "SubscriptionConfirmation":
			ep.confirm(t, doc)
		case "Notification":
			ep.notifications <- doc
			if ep.failNext.Add(-1) >= 0 {
				http.Error(w, "try again", http.StatusInternalServerError)
			}
		}
	}))
	t.Cleanup(srv.Close)
	ep.URL = srv.URL + "/sns"
	return ep
}

func (ep *snsEndpoint) confirm(t *testing.T, doc map[string]any) {
	link, _ := doc["SubscribeURL"].(string)
	resp, err := http.Get(link)
	if err != nil {
		t.Errorf("GET SubscribeURL: %v", err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET SubscribeURL: %s", resp.Status)
	}
}

// next waits for the next notification.
func (ep *snsEndpoint) next(t *testing.T) map[string]any {
	t.Helper()
	select {
	case doc := <-ep.notifications:
		return doc
	case <-time.After(30 * time.Second):
		t.Fatal("the endpoint received no notification")
		return nil
	}
}

// TestSNSWithTerraform: aws_sns_topic, aws_sns_topic_policy letting AWS Backup publish,
// and an aws_sns_topic_subscription of an HTTP endpoint that confirms itself (the
// provider waits for the confirmation) are applied, read back without changes, deliver a
// message the CLI publishes, and are destroyed.
func TestSNSWithTerraform(t *testing.T) {
	srv := startServer(t)
	ep := startSNSEndpoint(t)
	hcl := srv.providers("us-east-1") + `
resource "aws_sns_topic" "alerts" {
  name         = "backup-alerts"
  display_name = "Backup alerts"
  delivery_policy = jsonencode({
    http = {
      defaultHealthyRetryPolicy = {
        minDelayTarget     = 5
        maxDelayTarget     = 30
        numRetries         = 5
        numMaxDelayRetries = 0
        numNoDelayRetries  = 0
        numMinDelayRetries = 0
        backoffFunction    = "exponential"
      }
      disableSubscriptionOverrides = false
    }
  })
  tags = { team = "dr" }
}

resource "aws_sns_topic_policy" "alerts" {
  arn = aws_sns_topic.alerts.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Id      = "backup-notifications"
    Statement = [{
      Sid       = "AllowBackup"
      Effect    = "Allow"
      Principal = { Service = "backup.amazonaws.com" }
      Action    = "SNS:Publish"
      Resource  = aws_sns_topic.alerts.arn
    }]
  })
}

resource "aws_sns_topic_subscription" "hook" {
  topic_arn              = aws_sns_topic.alerts.arn
  protocol               = "http"
  endpoint               = "` + ep.URL + `"
  endpoint_auto_confirms = true
  raw_message_delivery   = false
  filter_policy          = jsonencode({ severity = ["high"] })
}

output "topic" { value = aws_sns_topic.alerts.arn }
output "subscription" { value = aws_sns_topic_subscription.hook.arn }
`
	tf := newTerraform(t, srv, hcl)
	tf.apply()
	topic, sub := tf.output("topic"), tf.output("subscription")
	if topic != "arn:aws:sns:us-east-1:123456789012:backup-alerts" || !strings.HasPrefix(sub, topic+":") {
		t.Fatalf("topic %s, subscription %s", topic, sub)
	}
	tf.planNoChanges()

	var attrs struct{ Attributes map[string]string }
	srv.awsJSON(t, "us-east-1", &attrs, "sns", "get-subscription-attributes", "--subscription-arn", sub)
	if attrs.Attributes["PendingConfirmation"] != "false" || attrs.Attributes["Endpoint"] != ep.URL {
		t.Errorf("subscription attributes %v", attrs.Attributes)
	}
	// The filter policy lets through only what it names.
	srv.aws(t, "sns", "publish", "--topic-arn", topic, "--message", "low", "--message-attributes",
		`{"severity":{"DataType":"String","StringValue":"low"}}`)
	srv.aws(t, "sns", "publish", "--topic-arn", topic, "--message", "vault copy failed", "--subject", "Backup",
		"--message-attributes", `{"severity":{"DataType":"String","StringValue":"high"}}`)
	if doc := ep.next(t); doc["Message"] != "vault copy failed" || doc["Subject"] != "Backup" || doc["TopicArn"] != topic {
		t.Errorf("notification %v", doc)
	}

	tf.destroy()
	stderr := srv.awsFail(t, "us-east-1", "sns", "get-topic-attributes", "--topic-arn", topic)
	if !strings.Contains(stderr, "NotFound") {
		t.Errorf("get-topic-attributes after destroy: %s", stderr)
	}
	select {
	case doc := <-ep.notifications:
		t.Errorf("a notification arrived after the filtered one: %v", doc)
	default:
	}
}

// TestSNSDeliverySurvivesACrash: a delivery whose first attempt failed is retried after
// the server crashed and restarted, on the restored clock, signed with the same
// certificate (its key kept sealed); neither the message nor the key is in the data
// directory in plain text.
func TestSNSDeliverySurvivesACrash(t *testing.T) {
	dataDir := t.TempDir()
	srv := startDurableServer(t, dataDir)
	ep := startSNSEndpoint(t)
	var topic struct{ TopicArn string }
	srv.awsJSON(t, "us-east-1", &topic, "sns", "create-topic", "--name", "durable")
	var sub struct{ SubscriptionArn string }
	srv.awsJSON(t, "us-east-1", &sub, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "http",
		"--notification-endpoint", ep.URL, "--return-subscription-arn")
	waitConfirmed(t, srv, sub.SubscriptionArn)

	ep.failNext.Store(1)
	var pub struct{ MessageId string }
	srv.awsJSON(t, "us-east-1", &pub, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "survives a crash")
	first := ep.next(t)
	certBefore := fetch(t, first["SigningCertURL"].(string))
	srv.kill(t)
	for _, f := range dataFiles(t, dataDir) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("survives a crash")) || bytes.Contains(b, []byte("PRIVATE KEY")) || bytes.Contains(b, pkcs8RSAHeader) {
			t.Errorf("%s holds the message or a private key in plain text", f)
		}
	}

	srv.start(t)
	// The retry is due 20 s after the failure, or, had the crash come before its outcome
	// was recorded, once the lost attempt has timed out (15 s) and the delay has passed.
	srv.admin(t, "POST", "clock", `{"advance":"35s"}`, nil)
	retry := ep.next(t)
	if retry["MessageId"] != pub.MessageId || retry["Message"] != "survives a crash" || retry["Signature"] == "" {
		t.Errorf("retry %v", retry)
	}
	certURL := retry["SigningCertURL"].(string)
	if !strings.HasPrefix(certURL, srv.URL+"/_aws/sns/us-east-1/") {
		t.Errorf("SigningCertURL %s is not on the restarted server %s", certURL, srv.URL)
	}
	if !bytes.Equal(fetch(t, certURL), certBefore) {
		t.Error("the signing certificate changed across the restart")
	}
}

// pkcs8RSAHeader begins every PKCS #8 RSA private key after its outer length: version 0
// and the rsaEncryption algorithm, then the OCTET STRING of the key.
var pkcs8RSAHeader = []byte{0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x04}

// waitConfirmed polls until the endpoint has confirmed the subscription.
func waitConfirmed(t *testing.T, srv *server, subscriptionARN string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var attrs struct{ Attributes map[string]string }
		srv.awsJSON(t, "us-east-1", &attrs, "sns", "get-subscription-attributes", "--subscription-arn", subscriptionARN)
		if attrs.Attributes["PendingConfirmation"] == "false" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the subscription is still pending: %v", attrs.Attributes)
		}
		waitBriefly()
	}
}

// fetch GETs a URL that must answer 200.
func fetch(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}
