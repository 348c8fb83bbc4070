package kms

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/regions"
	"github.com/xregion/xregion/internal/service/kit"
)

const serviceName = "kms"

// The records of a Region (see the package documentation).
var (
	keys       = kit.Table[keyRecord]{Kind: "key"}     // key/<id>
	materials  = kit.Blobs{Kind: "mat"}                // mat/<id>/<version>: sealed key material
	aliases    = kit.Table[aliasRecord]{Kind: "alias"} // alias/<name>
	keyAliases = kit.Index{Kind: "keyalias"}           // keyalias/<id>/<name>: a key's aliases
	grants     = kit.Table[grantRecord]{Kind: "grant"} // grant/<id>/<grant id>
	// wrap/<id>/<params>: the sealed private wrapping key of a GetParametersForImport
	wrappingKeys = kit.Blobs{Kind: "wrap"}
)

// grantRecord is a grant on a key (see grants.go).
type grantRecord struct {
	ID             string            `json:"id"`
	KeyID          string            `json:"keyId"`
	Name           string            `json:"name,omitempty"`
	Created        time.Time         `json:"created"`
	Grantee        string            `json:"grantee"`
	Retiring       string            `json:"retiring,omitempty"`
	IssuingAccount string            `json:"issuingAccount"`
	Operations     []string          `json:"operations"`
	ContextEquals  map[string]string `json:"contextEquals,omitempty"`
	ContextSubset  map[string]string `json:"contextSubset,omitempty"`
}

// sameTerms reports whether two grants of one key have the same name and ask for the
// same: a retried CreateGrant.
func (g *grantRecord) sameTerms(o *grantRecord) bool {
	return g.Name == o.Name && g.Grantee == o.Grantee && g.Retiring == o.Retiring &&
		slices.Equal(sorted(g.Operations), sorted(o.Operations)) &&
		maps.Equal(g.ContextEquals, o.ContextEquals) && maps.Equal(g.ContextSubset, o.ContextSubset)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
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

	// Imported material (Origin EXTERNAL): MaterialID names the material once imported
	// and stays when it is deleted, so that only the same material comes back.
	MaterialID      string     `json:"materialId,omitempty"`
	ExpirationModel string     `json:"expirationModel,omitempty"`
	ValidTo         *time.Time `json:"validTo,omitempty"`
	ExpiryJob       string     `json:"expiryJob,omitempty"`

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

const (
	managerAWS      = "AWS"
	managerCustomer = "CUSTOMER"
)

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

// hasMaterial reports whether the key has material now: a key with imported material
// has none before the import and after the material is deleted or expires.
func (k *keyRecord) hasMaterial() bool {
	return k.Origin != kmsapi.OriginTypeExternal || k.ExpirationModel != ""
}

func (k *keyRecord) partition() string { return partitionOf(k.Region) }

// in returns the records of the key's account and Region.
func (k *keyRecord) in(tx kit.Tx) kit.View { return tx.In(k.Account, k.Region) }

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

func putKey(tx kit.Tx, k *keyRecord) error { return keys.Put(k.in(tx), k, k.ID) }

// versionPos spells a version number so that versions sort as strings as they do as
// numbers: in material keys and in markers.
func versionPos(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 8 {
		s = "0" + s
	}
	return s
}

func putAlias(v kit.View, a *aliasRecord) error {
	if err := aliases.Put(v, a, a.Name); err != nil {
		return err
	}
	return keyAliases.Add(v, a.TargetKeyID, a.Name)
}

func deleteAlias(v kit.View, name, keyID string) error {
	if err := aliases.Delete(v, name); err != nil {
		return err
	}
	return keyAliases.Remove(v, keyID, name)
}

// aliasesOf lists the names of a key's aliases.
func aliasesOf(v kit.View, keyID string) ([]string, error) {
	var names []string
	err := keyAliases.Keys(v, "", func(e kit.Entry) bool {
		names = append(names, e.Last())
		return true
	}, keyID)
	return names, err
}
