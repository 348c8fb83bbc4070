package rds

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// Aurora DB clusters: a cluster holds the storage, the credentials, the backups and the
// endpoints; its DB instances (clusters_members.go) are a writer and readers. Statuses move
// on the job engine's clock (clusters_jobs.go). Under --real-engines an aurora-postgresql
// cluster is a real PostgreSQL server (realdata_clusters.go); other clusters are metadata.

const (
	secretClusterTag       = "aws:rds:primaryDBClusterArn"
	textClusterSecret text = "Secret associated with primary RDS DB cluster: %s"
)

func (s *Service) CreateDBCluster(ctx context.Context, in *rdsapi.CreateDBClusterMessage) (*rdsapi.CreateDBClusterResult, error) {
	c := s.Call(ctx)
	cl, err := s.checkCreateCluster(c, in)
	if err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*rdsapi.CreateDBClusterResult, error) {
		v := c.In(tx)
		if err := s.placeCluster(tx, v, cl, in); err != nil {
			return nil, err
		}
		if err := s.clusterEngineCreate(v, cl, deref(in.MasterUserPassword)); err != nil {
			return nil, err
		}
		if deref(in.ManageMasterUserPassword) {
			if err := s.createClusterSecret(tx, v, cl, deref(in.MasterUserSecretKmsKeyId)); err != nil {
				return nil, err
			}
		}
		if err := s.insertCluster(tx, v, cl); err != nil {
			return nil, err
		}
		return &rdsapi.CreateDBClusterResult{DBCluster: new(s.clusterOut(tx, v, cl, c.Now()))}, nil
	})
}

// checkCreateCluster checks what a CreateDBCluster asks for without the store, and
// returns the cluster it asks for.
func (s *Service) checkCreateCluster(c kit.Call, in *rdsapi.CreateDBClusterMessage) (*clusterRec, error) {
	id := deref(in.DBClusterIdentifier)
	if !validIdentifier(id, maxClusterID) {
		return nil, msgInvalidIdentifier.New(paramClusterID)
	}
	e, err := lookupAurora(deref(in.Engine))
	if err != nil {
		return nil, err
	}
	ver, ok := e.resolveVersion(deref(in.EngineVersion))
	if !ok {
		return nil, msgNoVersion.New(deref(in.EngineVersion), e.Name)
	}
	if m := deref(in.EngineMode); m != "" && m != "provisioned" {
		return nil, msgClusterEngineMode.New(m)
	}
	if err := checkClusterOptions(e, in); err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	cl := newCluster(c, strings.ToLower(id), e, ver, in)
	cl.Tags = tags
	windows := &instanceRec{} // checkBackupWindows sets an instance's windows; a cluster has the same
	if err := s.checkBackupWindows(c.Region, windows, in.PreferredBackupWindow, in.PreferredMaintenanceWindow); err != nil {
		return nil, err
	}
	cl.BackupWindow, cl.MaintWindow = windows.BackupWindow, windows.MaintWindow
	return cl, nil
}

// checkClusterOptions checks the forms of a create's options. Credentials are checked
// later, once the store says whether the cluster joins a global database as a secondary.
func checkClusterOptions(e *engine, in *rdsapi.CreateDBClusterMessage) error {
	if err := checkDBName(e, in.DatabaseName); err != nil {
		return err
	}
	if r := in.BackupRetentionPeriod; r != nil && (*r < 1 || *r > maxClusterRetention) {
		return msgClusterRetention.New(*r, maxClusterRetention)
	}
	if p := in.Port; p != nil && (*p < 1150 || *p > 65535) {
		return msgClusterPort.New(*p)
	}
	if in.KmsKeyId != nil && !deref(in.StorageEncrypted) && in.GlobalClusterIdentifier == nil && in.ReplicationSourceIdentifier == nil {
		return msgClusterKeyNeedsCrypt.New()
	}
	if deref(in.ManageMasterUserPassword) && in.MasterUserPassword != nil {
		return msgManagedAndPassword.New()
	}
	if !deref(in.ManageMasterUserPassword) && in.MasterUserSecretKmsKeyId != nil {
		return msgSecretKeyNeedsManaged.New()
	}
	if in.NetworkType != nil && *in.NetworkType != "IPV4" {
		return msgNetworkType.New(*in.NetworkType)
	}
	for _, l := range in.EnableCloudwatchLogsExports {
		if !slices.Contains(e.LogTypes, l) {
			return msgLogType.New(l, e.Name, "")
		}
	}
	return checkSecurityGroups(in.VpcSecurityGroupIds)
}

// checkClusterCredentials checks the master user of a primary or standalone cluster.
func checkClusterCredentials(e *engine, in *rdsapi.CreateDBClusterMessage) error {
	if err := checkMasterUsername(e, deref(in.MasterUsername)); err != nil {
		return err
	}
	if in.MasterUserPassword == nil && !deref(in.ManageMasterUserPassword) {
		return msgBlank.New(paramPassword)
	}
	if in.MasterUserPassword != nil {
		return checkPassword(e, *in.MasterUserPassword)
	}
	return nil
}

// newCluster is the cluster a create asks for, with Aurora's defaults: one day of
// backups, storage in three Availability Zones, the default groups.
func newCluster(c kit.Call, id string, e *engine, ver engineVersion, in *rdsapi.CreateDBClusterMessage) *clusterRec {
	cl := &clusterRec{
		ID: id, ResourceID: newClusterResourceID(), Status: statusCreating,
		Engine: e.Name, EngineVersion: ver.Version, Port: e.Port,
		MasterUsername: deref(in.MasterUsername), DatabaseName: deref(in.DatabaseName),
		ParamGroup: defaultParameterGroup(ver.Family), SubnetGroup: "default",
		VpcSGs: in.VpcSecurityGroupIds, AZs: zones(c.Region), Retention: 1,
		Encrypted: deref(in.StorageEncrypted), IAMAuth: deref(in.EnableIAMDatabaseAuthentication),
		DeletionProtection: deref(in.DeletionProtection), CopyTags: deref(in.CopyTagsToSnapshot),
		LogExports: in.EnableCloudwatchLogsExports, NetworkType: "IPV4",
	}
	if len(cl.VpcSGs) == 0 {
		cl.VpcSGs = []string{defaultSecurityGroup(c.Account, c.Region)}
	}
	if in.Port != nil {
		cl.Port = *in.Port
	}
	if in.BackupRetentionPeriod != nil {
		cl.Retention = *in.BackupRetentionPeriod
	}
	if in.DBClusterParameterGroupName != nil {
		cl.ParamGroup = *in.DBClusterParameterGroupName
	}
	if in.DBSubnetGroupName != nil {
		cl.SubnetGroup = *in.DBSubnetGroupName
	}
	return cl
}

// placeCluster checks a new cluster against the store: its groups, its key, and the
// global database it joins, which decides the credentials it must (or must not) have.
func (s *Service) placeCluster(tx kit.Tx, v kit.View, cl *clusterRec, in *rdsapi.CreateDBClusterMessage) error {
	e := auroraEngines()[cl.Engine]
	secondary := false
	if in.GlobalClusterIdentifier != nil {
		g, err := s.joinableGlobal(tx, v, cl, *in.GlobalClusterIdentifier)
		if err != nil {
			return err
		}
		secondary = g.Primary != nil
		cl.Global, cl.Secondary = g.ID, secondary
		if secondary {
			cl.Encrypted = cl.Encrypted || g.Encrypted
			cl.MasterUsername, cl.DatabaseName = g.primaryUser, g.DatabaseName
		}
	}
	if secondary && (in.MasterUsername != nil || in.MasterUserPassword != nil || deref(in.ManageMasterUserPassword)) {
		return msgSecondaryCredentials.New()
	}
	if !secondary {
		if err := checkClusterCredentials(e, in); err != nil {
			return err
		}
	}
	// Stage 4 of validate.go: the identifier, the parameter group, the subnet group with
	// its security groups, the key.
	if clusters.Has(v, cl.ID) {
		return msgClusterExists.New()
	}
	if err := checkClusterParamGroup(v, cl); err != nil {
		return err
	}
	if err := s.placeClusterNetwork(tx, v, cl); err != nil {
		return err
	}
	if cl.Encrypted {
		key, err := s.resolveKey(tx, v.Account(), v.Region(), deref(in.KmsKeyId))
		if err != nil {
			return err
		}
		cl.KmsKey = key
	}
	return nil
}

// checkClusterParamGroup checks the cluster's DB cluster parameter group and keeps its
// name as RDS does.
func checkClusterParamGroup(v kit.View, cl *clusterRec) error {
	g, err := clusterParams.find(v, cl.ParamGroup)
	if err != nil {
		return err
	}
	ver, _ := auroraEngines()[cl.Engine].version(cl.EngineVersion)
	if g.Family != ver.Family {
		return msgClusterParamFamily.New(g.Name, g.Family, ver.Family)
	}
	cl.ParamGroup = g.Name
	return nil
}

// insertCluster stores a new cluster after the checks that need the store, joins it to its
// global cluster, and starts its life cycle.
func (s *Service) insertCluster(tx kit.Tx, v kit.View, cl *clusterRec) error {
	if clusters.Has(v, cl.ID) {
		return msgClusterExists.New()
	}
	n, err := getCount(v, countClusters)
	if err != nil {
		return err
	}
	if n >= quotaClusters {
		return msgClusterQuota.New(quotaClusters, v.Region())
	}
	if err := addCount(v, countClusters, 1); err != nil {
		return err
	}
	if cl.Global != "" {
		if err := s.addGlobalMember(tx, v, cl); err != nil {
			return err
		}
	}
	return s.clusterStep(tx, v, cl)
}

const countClusters = "clusters"

// createClusterSecret makes the secret of a cluster's managed master password, named
// rds!cluster-<uuid>.
func (s *Service) createClusterSecret(tx kit.Tx, v kit.View, cl *clusterRec, keyID string) error {
	clARN := cl.arnIn(v)
	secret, err := s.newManagedSecret(tx, v, managedOwner{
		user: cl.MasterUsername, prefix: "rds!cluster-", description: textClusterSecret.with(clARN),
		tag: secretClusterTag, arn: clARN,
	}, keyID)
	if err != nil {
		return err
	}
	cl.MasterSecretARN, cl.MasterSecretKey = secret.arn, secret.key
	return s.clusterEnginePassword(v, cl, secret.password)
}

func (s *Service) DescribeDBClusters(ctx context.Context, in *rdsapi.DescribeDBClustersMessage) (*rdsapi.DBClusterMessage, error) {
	c := s.Call(ctx)
	f, err := parseFilters(in.Filters, "db-cluster-id", "db-cluster-resource-id", "engine", "domain", "clone-group-id", "db-cluster-status")
	if err != nil {
		return nil, err
	}
	pg, err := s.describePage(c, c.Operation, in.MaxRecords, in.Marker)
	if err != nil {
		return nil, err
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*rdsapi.DBClusterMessage, error) {
		v := c.In(tx)
		out := &rdsapi.DBClusterMessage{DBClusters: []rdsapi.DBCluster{}}
		if in.DBClusterIdentifier != nil {
			cl, err := findCluster(v, *in.DBClusterIdentifier)
			if err != nil {
				return nil, err
			}
			if cl == nil {
				return nil, msgClusterNotFound.New(*in.DBClusterIdentifier)
			}
			if clusterMatches(f, v, cl) {
				out.DBClusters = append(out.DBClusters, s.clusterOut(tx, v, cl, c.Now()))
			}
			return out, nil
		}
		list, next, err := scan(pg, v, clusters, entryOf(v, clusters), func(cl *clusterRec) bool { return clusterMatches(f, v, cl) })
		if err != nil {
			return nil, err
		}
		for _, cl := range list {
			out.DBClusters = append(out.DBClusters, s.clusterOut(tx, v, cl, c.Now()))
		}
		out.Marker = next
		return out, nil
	})
}

func clusterMatches(f filters, v kit.View, cl *clusterRec) bool {
	if _, ok := f["domain"]; ok {
		return false // no cluster here joins a directory domain
	}
	if _, ok := f["clone-group-id"]; ok {
		return false // nor has clones
	}
	return f.match("db-cluster-id", cl.ID, cl.arnIn(v)) && f.match("db-cluster-resource-id", cl.ResourceID) &&
		f.match("engine", cl.Engine) && f.match("db-cluster-status", cl.Status)
}

func (s *Service) clusterOut(tx kit.Tx, v kit.View, cl *clusterRec, now time.Time) rdsapi.DBCluster {
	// RDS assigns a cluster's endpoints at CreateDBCluster: a creating cluster answers them
	// at once (Terraform's aws_rds_cluster reads them from the create's answer).
	writer, reader := clusterEndpoints(v.Account(), v.Region(), cl.ID)
	out := rdsapi.DBCluster{
		AllocatedStorage: new(int64(1)), AvailabilityZones: cl.AZs, BackupRetentionPeriod: new(cl.Retention),
		DatabaseName: optStr(cl.DatabaseName), DBClusterIdentifier: new(cl.ID), DBClusterParameterGroup: new(cl.ParamGroup),
		DBSubnetGroup: new(cl.SubnetGroup), Status: new(cl.Status), Endpoint: new(writer), ReaderEndpoint: new(reader),
		CustomEndpoints: []string{}, MultiAZ: new(false), Engine: new(cl.Engine), EngineVersion: new(cl.EngineVersion),
		Port: new(cl.Port), MasterUsername: new(cl.MasterUsername), DBClusterOptionGroupMemberships: []rdsapi.DBClusterOptionGroupStatus{},
		PreferredBackupWindow: new(cl.BackupWindow), PreferredMaintenanceWindow: new(cl.MaintWindow),
		ReadReplicaIdentifiers: []string{}, DBClusterMembers: []rdsapi.DBClusterMember{}, HostedZoneId: new(hostedZone(v.Region())),
		StorageEncrypted: new(cl.Encrypted), KmsKeyId: optStr(cl.KmsKey), DbClusterResourceId: new(cl.ResourceID),
		DBClusterArn: new(cl.arnIn(v)), AssociatedRoles: []rdsapi.DBClusterRole{}, IAMDatabaseAuthenticationEnabled: new(cl.IAMAuth),
		ClusterCreateTime: optTime(cl.Created), EnabledCloudwatchLogsExports: cl.LogExports, EngineMode: new("provisioned"),
		DeletionProtection: new(cl.DeletionProtection), HttpEndpointEnabled: new(false), CopyTagsToSnapshot: new(cl.CopyTags),
		CrossAccountClone: new(false), DomainMemberships: []rdsapi.DomainMembership{}, TagList: tagsOut(cl.Tags),
		NetworkType: new(cl.NetworkType), MasterUserSecret: secretOut(cl.MasterSecretARN, cl.MasterSecretKey, cl.Status == statusCreating), StorageType: new(storageAurora),
		AutoMinorVersionUpgrade: new(true), AutomaticRestartTime: optTime(cl.AutoStart),
		EngineLifecycleSupport: new("open-source-rds-extended-support"), PubliclyAccessible: new(false),
	}
	for _, sg := range cl.VpcSGs {
		out.VpcSecurityGroups = append(out.VpcSecurityGroups, rdsapi.VpcSecurityGroupMembership{VpcSecurityGroupId: new(sg), Status: new("active")})
	}
	if e, l, ok := s.clusterWindow(cl, v, now); ok {
		out.EarliestRestorableTime, out.LatestRestorableTime = &e, &l
	}
	s.clusterEngineOut(cl, &out)
	if cl.Global != "" {
		out.GlobalClusterIdentifier = new(cl.Global)
		out.GlobalWriteForwardingStatus = new("disabled")
		out.GlobalWriteForwardingRequested = new(false)
	}
	if ms, err := members(v, cl.ID); err == nil {
		for _, m := range ms {
			out.DBClusterMembers = append(out.DBClusterMembers, rdsapi.DBClusterMember{
				DBInstanceIdentifier: new(m.ID), IsClusterWriter: new(m.ID == cl.Writer),
				DBClusterParameterGroupStatus: new(parameterGroupSync), PromotionTier: new(m.PromotionTier),
			})
		}
	}
	return out
}

// clusterParamGroupInUse reports whether a cluster of the Region uses a DB cluster
// parameter group, which then cannot be deleted.
func clusterParamGroupInUse(v kit.View, name string) (bool, error) {
	used := false
	err := clusters.Scan(v, func(cl *clusterRec) bool {
		used = cl.ParamGroup == name
		return !used
	})
	return used, err
}
