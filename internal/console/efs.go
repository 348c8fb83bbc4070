package console

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/gen/efsapi"
)

// The EFS page is a read-only view of the Amazon EFS console's "File systems" for a
// Region — each file system's state, size, encryption, replication and automatic backups —
// with the recovery points AWS Backup holds of it in every Region of the partition, where
// its cross-Region copies are.

// fileSystem is one file system as the page shows it.
type fileSystem struct {
	efsapi.FileSystemDescription
	Size string
	// Replication is the file system's replication configuration: as its source, or as
	// the destination of another file system's.
	Replication *efsapi.ReplicationConfigurationDescription
	IsReplica   bool   // the file system is the replication's destination
	Backups     string // automatic backups: "Enabled", "Disabled", or the policy's transitional status
	Points      []efsPoint
}

// efsPoint is a recovery point of a file system, in the Region of its vault.
type efsPoint struct {
	backupapi.RecoveryPointByResource
	Region string
}

type efsData struct {
	FileSystems []fileSystem
	Unheard     []string // Regions that are down: their vaults cannot be read
}

// efsPage is "File systems".
func (c *Console) efsPage(w http.ResponseWriter, r *http.Request, v *visit) {
	data, err := c.loadFileSystems(r, v)
	v.render(w, http.StatusOK, "efs", "File systems", "efs", data, err)
}

func (c *Console) loadFileSystems(r *http.Request, v *visit) (efsData, error) {
	var data efsData
	list, err := v.fileSystems()
	if err != nil {
		return data, err
	}
	replications, err := v.replications(v.Region)
	if err != nil {
		return data, err
	}
	down, err := c.downNow(r)
	if err != nil {
		return data, err
	}
	for _, region := range partitionRegions(v.Region) {
		if down[region] {
			data.Unheard = append(data.Unheard, region)
		}
	}
	for _, desc := range list {
		fs := fileSystem{FileSystemDescription: desc, Size: bytesIn(desc.SizeInBytes)}
		fs.Replication, fs.IsReplica = efsReplicationOf(replications, deref(desc.FileSystemId))
		if fs.Backups, err = v.automaticBackups(deref(desc.FileSystemId)); err != nil {
			return data, err
		}
		if fs.Points, err = v.pointsOf(deref(desc.FileSystemArn), down); err != nil {
			return data, err
		}
		data.FileSystems = append(data.FileSystems, fs)
	}
	return data, nil
}

// fileSystems are the Region's file systems, every page of them.
func (v *visit) fileSystems() ([]efsapi.FileSystemDescription, error) {
	var out []efsapi.FileSystemDescription
	err := everyPage(func(marker *string) (*string, error) {
		page, err := call(v.r.Context(), v.c.services, v.as(), "elasticfilesystem", efsapi.OpDescribeFileSystems, &efsapi.DescribeFileSystemsRequest{Marker: marker})
		if err != nil {
			return nil, err
		}
		out = append(out, page.FileSystems...)
		return page.NextMarker, nil
	})
	return out, err
}

// replications are the replication configurations region knows: those of its source
// file systems and those whose destination it holds.
func (v *visit) replications(region string) ([]efsapi.ReplicationConfigurationDescription, error) {
	var out []efsapi.ReplicationConfigurationDescription
	err := everyPage(func(token *string) (*string, error) {
		page, err := call(v.r.Context(), v.c.services, v.in(region), "elasticfilesystem", efsapi.OpDescribeReplicationConfigurations,
			&efsapi.DescribeReplicationConfigurationsRequest{NextToken: token})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Replications...)
		return page.NextToken, nil
	})
	return out, err
}

// efsReplicationOf finds the replication a file system takes part in, and whether it is the
// destination.
func efsReplicationOf(list []efsapi.ReplicationConfigurationDescription, id string) (*efsapi.ReplicationConfigurationDescription, bool) {
	for i := range list {
		if deref(list[i].SourceFileSystemId) == id {
			return &list[i], false
		}
		for _, d := range list[i].Destinations {
			if deref(d.FileSystemId) == id {
				return &list[i], true
			}
		}
	}
	return nil, false
}

// automaticBackups is the file system's "Automatic backups" as the EFS console shows it.
// A file system that never had a backup policy has none (EFS answers PolicyNotFound):
// its automatic backups are off.
func (v *visit) automaticBackups(id string) (string, error) {
	out, err := call(v.r.Context(), v.c.services, v.as(), "elasticfilesystem", efsapi.OpDescribeBackupPolicy,
		&efsapi.DescribeBackupPolicyRequest{FileSystemId: &id})
	var aerr *awserr.Error
	if errors.As(err, &aerr) && aerr.Code == efsapi.ErrPolicyNotFound.Code {
		return "Disabled", nil
	}
	if err != nil {
		return "", err
	}
	if out.BackupPolicy == nil {
		return "Disabled", nil
	}
	switch status := deref(out.BackupPolicy.Status); status {
	case "ENABLED":
		return "Enabled", nil
	case "DISABLED":
		return "Disabled", nil
	default:
		return status, nil
	}
}

// pointsOf are the recovery points of a resource in every Region of the partition that is
// up: AWS Backup lists a copy under the ARN of the resource it was made from, in the
// copy's own Region.
func (v *visit) pointsOf(resource string, down map[string]bool) ([]efsPoint, error) {
	var out []efsPoint
	for _, region := range partitionRegions(v.Region) {
		if down[region] {
			continue
		}
		err := everyPage(func(token *string) (*string, error) {
			page, err := call(v.r.Context(), v.c.services, v.in(region), "backup", backupapi.OpListRecoveryPointsByResource,
				&backupapi.ListRecoveryPointsByResourceInput{ResourceArn: &resource, NextToken: token})
			if err != nil {
				return nil, err
			}
			for _, p := range page.RecoveryPoints {
				out = append(out, efsPoint{RecoveryPointByResource: p, Region: region})
			}
			return page.NextToken, nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bytesIn is a metered size as the EFS console shows it.
func bytesIn(size *efsapi.FileSystemSize) string {
	if size == nil {
		return "-"
	}
	return humanBytes(derefInt(size.Value))
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.2f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
