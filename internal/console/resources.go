package console

import (
	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/gen/ec2api"
	"github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
)

// protectable is a resource AWS Backup can protect, as the forms offer it: the console's
// "Resource type" with its name and ARN.
type protectable struct {
	Type string // the AWS Backup console's resource type: RDS, Aurora, DynamoDB, EBS, EFS
	Name string
	ARN  string
}

// resourceTypes is the order the forms group resources in.
var resourceTypes = []string{"Aurora", "DynamoDB", "EBS", "EFS", "RDS"}

// resourceGroup is one <optgroup> of a form's Resource choice.
type resourceGroup struct {
	Type      string
	Resources []protectable
}

// protectables lists the Region's resources of every type AWS Backup protects that this
// server serves, grouped by type. A service the binary does not serve (or an operation it
// does not implement yet) contributes nothing rather than failing the page.
func (v *visit) protectables() ([]resourceGroup, error) {
	var all []protectable
	for _, list := range []func() ([]protectable, error){v.rdsResources, v.dynamodbResources, v.ebsResources, v.efsResources} {
		found, err := list()
		if err != nil {
			return nil, err
		}
		all = append(all, found...)
	}
	var groups []resourceGroup
	for _, typ := range resourceTypes {
		g := resourceGroup{Type: typ}
		for _, r := range all {
			if r.Type == typ {
				g.Resources = append(g.Resources, r)
			}
		}
		if len(g.Resources) > 0 {
			groups = append(groups, g)
		}
	}
	return groups, nil
}

// rdsResources are DB instances outside clusters (RDS) and DB clusters (Aurora): AWS
// Backup protects an Aurora cluster as a whole, never its members.
func (v *visit) rdsResources() ([]protectable, error) {
	instances, err := v.instances()
	if err != nil {
		return nil, err
	}
	var out []protectable
	for _, db := range instances {
		if db.DBClusterIdentifier == nil {
			out = append(out, protectable{Type: "RDS", Name: deref(db.DBInstanceIdentifier), ARN: deref(db.DBInstanceArn)})
		}
	}
	if !v.c.services.serves("rds", rdsapi.OpDescribeDBClusters.Name) {
		return out, nil
	}
	clusters, err := call(v.r.Context(), v.c.services, v.as(), "rds", rdsapi.OpDescribeDBClusters, &rdsapi.DescribeDBClustersMessage{})
	if err != nil {
		return nil, err
	}
	for _, c := range clusters.DBClusters {
		out = append(out, protectable{Type: "Aurora", Name: deref(c.DBClusterIdentifier), ARN: deref(c.DBClusterArn)})
	}
	return out, nil
}

func (v *visit) dynamodbResources() ([]protectable, error) {
	if !v.c.services.serves("dynamodb", dynamodbapi.OpListTables.Name) {
		return nil, nil
	}
	var out []protectable
	err := everyPage(func(start *string) (*string, error) {
		page, err := call(v.r.Context(), v.c.services, v.as(), "dynamodb", dynamodbapi.OpListTables, &dynamodbapi.ListTablesInput{ExclusiveStartTableName: start})
		if err != nil {
			return nil, err
		}
		for _, name := range page.TableNames {
			out = append(out, protectable{Type: "DynamoDB", Name: name, ARN: v.arn("dynamodb", "table/"+name)})
		}
		return page.LastEvaluatedTableName, nil
	})
	return out, err
}

func (v *visit) ebsResources() ([]protectable, error) {
	if !v.c.services.serves("ec2", ec2api.OpDescribeVolumes.Name) {
		return nil, nil
	}
	var out []protectable
	err := everyPage(func(token *string) (*string, error) {
		page, err := call(v.r.Context(), v.c.services, v.as(), "ec2", ec2api.OpDescribeVolumes, &ec2api.DescribeVolumesRequest{NextToken: token})
		if err != nil {
			return nil, err
		}
		for _, vol := range page.Volumes {
			out = append(out, protectable{Type: "EBS", Name: volumeName(vol), ARN: v.arn("ec2", "volume/"+deref(vol.VolumeId))})
		}
		return page.NextToken, nil
	})
	return out, err
}

// volumeName is a volume as the forms name it: its Name tag before its id.
func volumeName(vol ec2api.Volume) string {
	id := deref(vol.VolumeId)
	for _, t := range vol.Tags {
		if deref(t.Key) == "Name" && deref(t.Value) != "" {
			return deref(t.Value) + " (" + id + ")"
		}
	}
	return id
}

func (v *visit) efsResources() ([]protectable, error) {
	if !v.c.services.serves("elasticfilesystem", efsapi.OpDescribeFileSystems.Name) {
		return nil, nil
	}
	list, err := v.fileSystems()
	var out []protectable
	for _, fs := range list {
		name := deref(fs.FileSystemId)
		if n := deref(fs.Name); n != "" {
			name = n + " (" + name + ")"
		}
		out = append(out, protectable{Type: "EFS", Name: name, ARN: deref(fs.FileSystemArn)})
	}
	return out, err
}

// everyPage calls fetch with each page's token, the first time with none, until a page
// names no next one: the console shows whole lists.
func everyPage(fetch func(token *string) (next *string, err error)) error {
	var token *string
	for {
		next, err := fetch(token)
		if err != nil || deref(next) == "" {
			return err
		}
		token = next
	}
}

// arn is the ARN of a resource of service in the visit's account and Region.
func (v *visit) arn(service, resource string) string {
	partition, _ := regions.Partition(v.Region)
	return arn.New(partition, service, v.Region, v.as().Account, resource)
}
