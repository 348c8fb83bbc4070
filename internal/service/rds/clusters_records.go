package rds

import (
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// Statuses of DB clusters that instances do not have.
const (
	statusFailingOver = "failing-over"
	storageAurora     = "aurora"
)

// clusterRec is an Aurora DB cluster. Its members are the DB instances whose Cluster names
// it; Writer is the one that takes writes (none in a secondary cluster of a global
// database). Its data is metadata unless RealData: an aurora-postgresql cluster under
// --real-engines is a real server (realdata_clusters.go).
type clusterRec struct {
	ID                 string    `json:"id"`
	ResourceID         string    `json:"resourceId"` // DbClusterResourceId: cluster-…
	Status             string    `json:"status"`
	Seq                int64     `json:"seq"`
	Engine             string    `json:"engine"`
	EngineVersion      string    `json:"engineVersion"`
	Port               int64     `json:"port"`
	MasterUsername     string    `json:"masterUsername"`
	MasterSecretARN    string    `json:"masterSecretArn,omitempty"`
	MasterSecretKey    string    `json:"masterSecretKey,omitempty"`
	DatabaseName       string    `json:"databaseName,omitempty"`
	ParamGroup         string    `json:"paramGroup"`
	SubnetGroup        string    `json:"subnetGroup"`
	VpcSGs             []string  `json:"vpcSgs,omitempty"`
	AZs                []string  `json:"azs"`
	Retention          int64     `json:"retention"`
	BackupWindow       string    `json:"backupWindow"`
	MaintWindow        string    `json:"maintWindow"`
	Encrypted          bool      `json:"encrypted,omitempty"`
	KmsKey             string    `json:"kmsKey,omitempty"`
	IAMAuth            bool      `json:"iamAuth,omitempty"`
	DeletionProtection bool      `json:"deletionProtection,omitempty"`
	CopyTags           bool      `json:"copyTags,omitempty"`
	LogExports         []string  `json:"logExports,omitempty"`
	NetworkType        string    `json:"networkType"`
	Writer             string    `json:"writer,omitempty"` // the writer instance's identifier
	Created            time.Time `json:"created,omitzero"`
	BackupStart        time.Time `json:"backupStart,omitzero"`    // the earliest restorable instant ever
	LogGaps            []logGap  `json:"logGaps,omitempty"`       // the times it was stopped
	Global             string    `json:"global,omitempty"`        // the global cluster it belongs to
	Secondary          bool      `json:"secondary,omitempty"`     // a read-only member of its global cluster
	PrimaryRegion      string    `json:"primaryRegion,omitempty"` // a secondary's primary's Region
	Tags               []tagRec  `json:"tags,omitempty"`
	DeleteBackups      bool      `json:"deleteBackups,omitempty"` // set while deleting
	AutoStart          time.Time `json:"autoStart,omitzero"`
	RestoredFrom       string    `json:"restoredFrom,omitempty"`
	RealData           bool      `json:"realData,omitempty"` // a real server holds its data
}

var (
	clusters     = kit.Table[clusterRec]{Kind: "cluster"} // cluster/<identifier>
	clusterIDs   = kit.Blobs{Kind: "clusterid"}           // clusterid/<DbClusterResourceId>: the identifier
	maxClusterID = 63
)

func newClusterResourceID() string { return "cluster-" + ids.Upper(26) }

func clusterARN(partition, region, account, id string) string {
	return arn.New(partition, serviceName, region, account, "cluster:"+id)
}

func (c *clusterRec) arnIn(v kit.View) string {
	return clusterARN(partitionOf(v.Region()), v.Region(), v.Account(), c.ID)
}

// clusterEndpoints are the cluster (writer) and reader endpoints: the account's endpoint
// suffix of the Region, as instances have, behind "cluster-" and "cluster-ro-".
func clusterEndpoints(account, region, id string) (writer, reader string) {
	suffix := stableChars(account, region, "endpoint", "abcdefghijklmnopqrstuvwxyz0123456789", 12)
	return id + ".cluster-" + suffix + "." + region + ".rds.amazonaws.com",
		id + ".cluster-ro-" + suffix + "." + region + ".rds.amazonaws.com"
}

// hostedZone is the Route 53 hosted zone of RDS endpoints in a Region, stable per Region as
// AWS's are.
func hostedZone(region string) string {
	return "Z" + stableChars("", region, "hosted-zone", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 13)
}

func putCluster(v kit.View, c *clusterRec) error { return indexedClusters.put(v, c) }

func deleteCluster(v kit.View, c *clusterRec) error { return indexedClusters.delete(v, c) }

func clusterByResourceID(v kit.View, id string) (*clusterRec, error) {
	return indexedClusters.byResourceID(v, id)
}

// findCluster finds a cluster by identifier or ARN of the view's account and Region;
// anything else is nil.
func findCluster(v kit.View, ident string) (*clusterRec, error) {
	if arn.IsARN(ident) {
		a, err := arn.Parse(ident)
		if err != nil || a.Service != serviceName || a.Region != v.Region() || a.Account != v.Account() || !strings.HasPrefix(a.Resource, "cluster:") {
			return nil, nil
		}
		ident = strings.TrimPrefix(a.Resource, "cluster:")
	}
	return clusters.Get(v, strings.ToLower(ident))
}

// members lists the cluster's DB instances, in identifier order.
func members(v kit.View, clusterID string) ([]*instanceRec, error) {
	var out []*instanceRec
	err := instances.Scan(v, func(inst *instanceRec) bool {
		if inst.Cluster == clusterID {
			out = append(out, inst)
		}
		return true
	})
	return out, err
}
