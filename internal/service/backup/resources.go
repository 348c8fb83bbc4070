package backup

import (
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// arnTypes says which resources AWS Backup's types are, by their ARNs' service and the
// start of their resource part: the name follows that start.
var arnTypes = []struct{ service, prefix, resourceType string }{
	{"rds", "db:", typeRDS},
	{"rds", "cluster:", typeAurora},
	{"ec2", "volume/", typeEBS},
	{"elasticfilesystem", "file-system/", typeEFS},
	{"dynamodb", "table/", typeDynamoDB},
}

// typeOfARN is the resource type and name of the resource an ARN names, if AWS Backup
// knows its type.
func typeOfARN(a arn.ARN) (resourceType, name string, ok bool) {
	for _, t := range arnTypes {
		if rest, found := strings.CutPrefix(a.Resource, t.prefix); found && a.Service == t.service {
			return t.resourceType, rest, true
		}
	}
	return "", "", false
}

// protector is the provider of a resource type, if one was wired.
func (s *Service) protector(resourceType string) (port.Protected, bool) {
	return port.ProtectorOf(s.protectors, resourceType)
}

// supportedTypes are the resource types AWS Backup can back up here: those with a
// provider.
func (s *Service) supportedTypes() []string {
	var out []string
	for _, p := range s.protectors {
		out = append(out, p.ResourceType())
	}
	slices.Sort(out)
	return out
}

// resourceOf checks that an ARN names a resource AWS Backup can back up here: of a type
// a provider protects, in the caller's account and Region. It returns the type and the
// resource's name.
func (s *Service) resourceOf(c kit.Call, resourceARN string) (resourceType, name string, err error) {
	a, err := arn.Parse(resourceARN)
	if err != nil {
		return "", "", msgBadARN.New(resourceARN)
	}
	resourceType, name, known := typeOfARN(a)
	if _, served := s.protector(resourceType); !known || !served {
		return "", "", msgUnsupportedType.New(resourceARN, strings.Join(s.supportedTypes(), ", "))
	}
	if a.Account != c.Account || a.Region != c.Region {
		return "", "", msgElsewhere.New(resourceARN, c.Account, c.Region)
	}
	return resourceType, name, nil
}

// recoveryPointARN is the ARN of the recovery point a backup job makes, as far as it is
// known when the job is created. A backup of an RDS instance is an RDS snapshot named
// after the job, as AWS Backup names it; AWS Backup's own recovery points (EFS, advanced
// DynamoDB: typeRule.OwnARN) are of the backup service. Other providers name their image
// when the job starts (an EBS snapshot id, a DynamoDB backup): until then the job has no
// recovery point ARN, and StartBackupJob answers none, as AWS answers it only for EFS and
// advanced DynamoDB.
func recoveryPointARN(v kit.View, resourceType, jobID string) (string, error) {
	if resourceType == typeRDS {
		return arn.New(partitionOf(v.Region()), "rds", v.Region(), v.Account(), "snapshot:"+backupImageID(jobID)), nil
	}
	set, err := settingsIn(v)
	if err != nil || !ownsARN(resourceType, set) {
		return "", err
	}
	return ownRecoveryPointARN(v.Account(), v.Region(), jobID), nil
}

// ownRecoveryPointARN is the ARN of a recovery point AWS Backup names itself (see
// typeRule.OwnARN), after the backup or copy job that makes it.
func ownRecoveryPointARN(account, region, jobID string) string {
	return arn.New(partitionOf(region), serviceName, region, account, "recovery-point:"+strings.ToLower(jobID))
}

// backupImageID and copyImageID name the images of a backup and a copy job, as AWS
// Backup names its RDS snapshots.
func backupImageID(jobID string) string { return "awsbackup:job-" + strings.ToLower(jobID) }

func copyImageID(jobID string) string { return "awsbackup:copyjob-" + strings.ToLower(jobID) }
