package gateway

import "testing"

func TestDataEventsAreNotManagementEvents(t *testing.T) {
	for _, c := range []struct {
		service, op string
		data        bool
	}{
		{"dynamodb", "PutItem", true}, {"dynamodb", "Query", true}, {"dynamodb", "TransactWriteItems", true},
		{"dynamodb", "CreateTable", false}, {"dynamodb", "UpdateTable", false},
		{"secretsmanager", "GetSecretValue", false}, {"kms", "Decrypt", false},
		{"sns", "Publish", true}, {"sns", "PublishBatch", true}, {"sns", "CreateTopic", false},
	} {
		if got := dataEvent(c.service, c.op); got != c.data {
			t.Errorf("dataEvent(%s, %s) = %v, want %v", c.service, c.op, got, c.data)
		}
	}
}
