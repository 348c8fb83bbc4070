package backup

import (
	"context"
	"time"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// protectedRec records, per resource ARN, the last backup AWS Backup completed of it:
// ListProtectedResources lists the resources backed up at least once.
type protectedRec struct {
	ARN             string    `json:"arn"`
	Name            string    `json:"name"`
	LastBackup      time.Time `json:"lastBackup"`
	LastVaultARN    string    `json:"lastVaultArn"`
	LastRecoveryARN string    `json:"lastRecoveryArn"`
	ResourceType    string    `json:"resourceType,omitempty"` // "" in records of the first release: RDS
}

// noteProtected records a completed backup of a resource.
func noteProtected(v kit.View, j *backupJobRec, at time.Time) error {
	p := &protectedRec{
		ARN: j.ResourceARN, Name: j.ResourceName, LastBackup: at, LastVaultARN: j.VaultARN, LastRecoveryARN: j.RecoveryPointARN,
		ResourceType: j.resourceType(),
	}
	return protections.Put(v, p, j.ResourceARN)
}

func (p *protectedRec) resourceType() string {
	if p.ResourceType == "" {
		return typeRDS
	}
	return p.ResourceType
}

func protectedOut(p *protectedRec) backupapi.ProtectedResource {
	return backupapi.ProtectedResource{
		ResourceArn: new(p.ARN), ResourceType: new(p.resourceType()), LastBackupTime: new(p.LastBackup),
		ResourceName: new(p.Name), LastBackupVaultArn: new(p.LastVaultARN), LastRecoveryPointArn: new(p.LastRecoveryARN),
	}
}

func (s *Service) ListProtectedResources(ctx context.Context, in *backupapi.ListProtectedResourcesInput) (*backupapi.ListProtectedResourcesOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*backupapi.ListProtectedResourcesOutput, error) {
		out := &backupapi.ListProtectedResourcesOutput{Results: []backupapi.ProtectedResource{}}
		next, err := scanPage(s, c.In(tx), listOf(c, "ListProtectedResources", ""), protections, in.NextToken, in.MaxResults, func(p *protectedRec) bool {
			out.Results = append(out.Results, protectedOut(p))
			return true
		})
		out.NextToken = next
		return out, err
	})
}

func (s *Service) DescribeProtectedResource(ctx context.Context, in *backupapi.DescribeProtectedResourceInput) (*backupapi.DescribeProtectedResourceOutput, error) {
	c := s.Call(ctx)
	p, err := kit.Read(s.Kit, func(tx kit.Tx) (*protectedRec, error) {
		p, err := protections.Get(c.In(tx), *in.ResourceArn)
		if err == nil && p == nil {
			err = msgNotProtected.New(*in.ResourceArn)
		}
		return p, err
	})
	if err != nil {
		return nil, err
	}
	o := protectedOut(p)
	return &backupapi.DescribeProtectedResourceOutput{
		ResourceArn: o.ResourceArn, ResourceType: o.ResourceType, LastBackupTime: o.LastBackupTime, ResourceName: o.ResourceName,
		LastBackupVaultArn: o.LastBackupVaultArn, LastRecoveryPointArn: o.LastRecoveryPointArn,
	}, nil
}

// GetSupportedResourceTypes answers the resource types xregion's AWS Backup can back up,
// which are fewer than AWS's: those whose service provides their backups.
func (s *Service) GetSupportedResourceTypes(context.Context, *awsmodel.Empty) (*backupapi.GetSupportedResourceTypesOutput, error) {
	return &backupapi.GetSupportedResourceTypesOutput{ResourceTypes: s.supportedTypes()}, nil
}
