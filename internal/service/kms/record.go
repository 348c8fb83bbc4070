package kms

import (
	"fmt"
	"slices"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/store"
)

const serviceName = "kms"

// Kinds of records in a scope (account, Region, "kms").
const (
	kindKey      = "key"      // key/<id>: keyRecord JSON
	kindMaterial = "mat"      // mat/<id>/<version>: sealed key material
	kindAlias    = "alias"    // alias/<name>: aliasRecord JSON
	kindKeyAlias = "keyalias" // keyalias/<id>/<name>: index of a key's aliases
)

func scopeOf(account, region string) store.Scope {
	return store.Scope{Account: account, Region: region, Service: serviceName}
}

// keyRecord is a KMS key as stored. Multi-Region keys have one record per Region, each
// holding the shared configuration (primary and replica Regions) so that every copy
// describes the whole set, as AWS does.
type keyRecord struct {
	ID           string    `json:"id"`
	Account      string    `json:"account"`
	Region       string    `json:"region"`
	CreationDate time.Time `json:"creationDate"`
	Description  string    `json:"description"`
	Usage        string    `json:"usage"`
	Spec         string    `json:"spec"`
	Origin       string    `json:"origin"`
	Manager      string    `json:"manager"` // AWS or CUSTOMER
	State        string    `json:"state"`
	Policy       string    `json:"policy"`
	Tags         []tag     `json:"tags,omitempty"`

	// Deletion: DeletionDate is set in PendingDeletion; DeletionJob is the job that will
	// delete the key then. PendingWindowDays is kept for PendingReplicaDeletion, whose
	// waiting period starts only when the last replica is gone.
	DeletionDate      *time.Time `json:"deletionDate,omitempty"`
	PendingWindowDays int        `json:"pendingWindowDays,omitempty"`
	DeletionJob       string     `json:"deletionJob,omitempty"`

	// Key material: Versions lists every version in order; the last one encrypts.
	Versions []keyVersion `json:"versions"`

	// Automatic rotation (symmetric keys only; for multi-Region keys, on the primary).
	RotationEnabled  bool       `json:"rotationEnabled,omitempty"`
	RotationPeriod   int        `json:"rotationPeriod,omitempty"`
	NextRotation     *time.Time `json:"nextRotation,omitempty"`
	RotationJob      string     `json:"rotationJob,omitempty"`
	OnDemandStart    *time.Time `json:"onDemandStart,omitempty"`
	OnDemandRotation int        `json:"onDemandRotations,omitempty"`

	// Multi-Region keys.
	MultiRegion   bool     `json:"multiRegion,omitempty"`
	PrimaryRegion string   `json:"primaryRegion,omitempty"`
	Replicas      []string `json:"replicas,omitempty"` // replica Regions, in creation order
	// PriorState is the state to return to when a transition (Updating) ends.
	PriorState string `json:"priorState,omitempty"`
}

type keyVersion struct {
	N       int       `json:"n"`
	Created time.Time `json:"created"`
	// Rotation is "" for the first version, else AUTOMATIC or ON_DEMAND.
	Rotation string `json:"rotation,omitempty"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

type aliasRecord struct {
	Name        string    `json:"name"`
	TargetKeyID string    `json:"targetKeyId"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

func partitionOf(region string) string {
	p, ok := regions.Partition(region)
	if !ok {
		return "aws"
	}
	return p
}

func keyARN(account, region, id string) string {
	return arn.New(partitionOf(region), serviceName, region, account, "key/"+id)
}

func aliasARN(account, region, name string) string {
	return arn.New(partitionOf(region), serviceName, region, account, name)
}

func (k *keyRecord) ARN() string { return keyARN(k.Account, k.Region, k.ID) }

func (k *keyRecord) scope() store.Scope { return scopeOf(k.Account, k.Region) }

func (k *keyRecord) current() keyVersion { return k.Versions[len(k.Versions)-1] }

func (k *keyRecord) isPrimary() bool { return !k.MultiRegion || k.PrimaryRegion == k.Region }

func (k *keyRecord) awsManaged() bool { return k.Manager == managerAWS }

func (k *keyRecord) clone() *keyRecord {
	c := *k
	c.Tags = slices.Clone(k.Tags)
	c.Versions = slices.Clone(k.Versions)
	c.Replicas = slices.Clone(k.Replicas)
	return &c
}

// regionsOfSet lists the Regions of every copy of a multi-Region key, primary first.
func (k *keyRecord) regionsOfSet() []string {
	return append([]string{k.PrimaryRegion}, k.Replicas...)
}

const (
	managerAWS      = "AWS"
	managerCustomer = "CUSTOMER"
)

func keyRecordKey(s store.Scope, id string) string { return s.Key(kindKey, id) }

func materialKey(s store.Scope, id string, version int) string {
	return s.Key(kindMaterial, id, fmt.Sprintf("%08d", version))
}

func aliasKey(s store.Scope, name string) string { return s.Key(kindAlias, name) }

func keyAliasKey(s store.Scope, id, name string) string { return s.Key(kindKeyAlias, id, name) }

// loadKey reads a key record for change: the caller gets its own copy.
func loadKey(tx store.Tx, s store.Scope, id string) (*keyRecord, error) {
	var k keyRecord
	ok, err := store.GetJSON(tx, keyRecordKey(s, id), &k)
	if err != nil || !ok {
		return nil, err
	}
	return &k, nil
}

func putKey(tx store.Tx, k *keyRecord) error {
	return store.PutJSON(tx, keyRecordKey(k.scope(), k.ID), k)
}
