package gateway

import (
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/port"
)

// The audit trail: every call the gateway hands a service (and every call it refuses
// for bad input) is recorded as a CloudTrail management event, through port.Trail.
// Calls an outage drill refused never reached the service, and are not recorded, as a
// Region that is down records nothing.

// hiddenValue is what CloudTrail writes in place of a sensitive parameter.
const hiddenValue = "HIDDEN_DUE_TO_SECURITY_REASONS"

// secretNames are member names hidden whatever the model says: a careful belt to the
// model's braces (its "sensitive" trait), for the values a trail must never hold.
var secretNames = []string{"Password", "SecretString", "SecretBinary", "Plaintext", "PrivateKey", "SecretAccessKey", "SessionToken"}

// audit records one call, answered with out or with the error e.
func (g *Gateway) audit(r *http.Request, c *call, in, out any, e *awserr.Error) {
	if g.cfg.Trail == nil || c.op == nil || dataEvent(c.info.Service, c.op.Name) {
		return
	}
	ev := port.TrailEvent{
		ID: ids.UUID(), Time: g.cfg.Now(), Account: c.info.Account, Region: c.info.Region,
		Source: c.info.Service + ".amazonaws.com", Name: c.op.Name, EventType: "AwsApiCall",
		ReadOnly: readOnly(c.op.Name), RequestID: c.info.ID, SourceIP: sourceIP(r), UserAgent: r.UserAgent(),
		Caller: port.TrailIdentity{ARN: c.info.Caller.ARN, PrincipalID: c.info.Caller.UserID, Account: c.info.Account,
			AccessKeyID: c.info.AccessKey},
	}
	params, _ := redact(c.op.Input, reflect.ValueOf(in)).(map[string]any)
	ev.RequestParameters = params
	// Read-only calls have no responseElements in CloudTrail: what they read (a secret's
	// value, a key's plaintext) is exactly what a trail must not copy.
	if !ev.ReadOnly && out != nil {
		ev.ResponseElements, _ = redact(c.op.Output, reflect.ValueOf(out)).(map[string]any)
	}
	if e != nil {
		ev.ErrorCode, ev.ErrorMessage = e.Code, e.Message
	}
	ev.Resources = resourcesOf(c.info.Service, params)
	g.cfg.Trail.Record(ev)
}

// dataEvents are the operations CloudTrail records as data events, which its event
// history (LookupEvents) never holds: the item-level calls of DynamoDB and SNS's
// publishing. They are not recorded at all, so an item's contents and a message, which
// DynamoDB and SNS keep sealed, never reach the trail in plain text.
var dataEvents = map[string][]string{
	"sns": {"Publish", "PublishBatch"},
	"dynamodb": {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
		"TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"},
}

func dataEvent(service, op string) bool { return slices.Contains(dataEvents[service], op) }

// readOnly says whether an operation only reads, by the verbs AWS's read-only APIs
// start with; KMS's cryptographic operations, which change nothing, count as read-only
// too, as CloudTrail records them.
func readOnly(op string) bool {
	for _, verb := range []string{"Describe", "Get", "List", "Lookup", "Search", "BatchGet", "Validate"} {
		if strings.HasPrefix(op, verb) {
			return true
		}
	}
	switch op {
	case "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateRandom",
		"Sign", "Verify", "GenerateMac", "VerifyMac", "DeriveSharedSecret":
		return true
	}
	return false
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// redact turns v, bound to shape s, into the JSON-ready value CloudTrail records:
// members by their lower-camel names, sensitive members hidden, blobs left out.
func redact(s *awsmodel.Shape, v reflect.Value) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if s == nil || !v.IsValid() {
		return nil
	}
	switch s.Type {
	case awsmodel.TypeStructure:
		return redactStruct(s, v)
	case awsmodel.TypeList:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = redactMember(s.Member, v.Index(i))
		}
		return out
	case awsmodel.TypeMap:
		out := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			out[iter.Key().String()] = redactMember(s.Value, iter.Value())
		}
		return out
	case awsmodel.TypeTimestamp:
		if t, ok := v.Interface().(time.Time); ok {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return v.Interface()
}

func redactStruct(s *awsmodel.Shape, v reflect.Value) map[string]any {
	if v.Kind() != reflect.Struct {
		return nil // an empty input (awsmodel.Empty) has no members
	}
	out := map[string]any{}
	for _, m := range s.Members {
		f := m.FieldOf(v)
		if absent(f) || m.Shape.Type == awsmodel.TypeBlob {
			continue
		}
		name := m.PathName
		if name == "" {
			name = m.Name
		}
		out[name] = redactMember(m, f)
	}
	return out
}

func redactMember(m *awsmodel.Member, v reflect.Value) any {
	if m.Shape.Sensitive || hiddenByName(m.Name) {
		return hiddenValue
	}
	return redact(m.Shape, v)
}

func hiddenByName(name string) bool {
	for _, s := range secretNames {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

func absent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// resourceMembers name, per service, the request parameters that name a resource, and
// its CloudTrail resource type: what LookupEvents' ResourceName and ResourceType find.
var resourceMembers = map[string]map[string]string{
	"secretsmanager": {"secretId": "AWS::SecretsManager::Secret", "name": "AWS::SecretsManager::Secret"},
	"kms":            {"keyId": "AWS::KMS::Key", "aliasName": "AWS::KMS::Alias"},
	"rds": {"dBInstanceIdentifier": "AWS::RDS::DBInstance", "dBSnapshotIdentifier": "AWS::RDS::DBSnapshot",
		"sourceDBInstanceArn": "AWS::RDS::DBInstance", "dBInstanceAutomatedBackupsArn": "AWS::RDS::DBInstanceAutomatedBackup"},
	"backup": {"backupVaultName": "AWS::Backup::BackupVault", "backupPlanId": "AWS::Backup::BackupPlan",
		"recoveryPointArn": "AWS::Backup::RecoveryPoint", "resourceArn": "AWS::Backup::ProtectedResource"},
	"iam": {"roleName": "AWS::IAM::Role", "userName": "AWS::IAM::User", "policyArn": "AWS::IAM::Policy"},
	"sts": {"roleArn": "AWS::IAM::Role"},
}

func resourcesOf(service string, params map[string]any) []port.TrailResource {
	var out []port.TrailResource
	for member, typ := range resourceMembers[service] {
		if name, ok := params[member].(string); ok && name != "" && name != hiddenValue {
			out = append(out, port.TrailResource{Type: typ, Name: name})
		}
	}
	slices.SortFunc(out, func(a, b port.TrailResource) int { return strings.Compare(a.Type+a.Name, b.Type+b.Name) })
	return out
}
