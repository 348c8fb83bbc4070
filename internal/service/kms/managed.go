package kms

import (
	"fmt"
	"strings"

	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// managedKey describes an AWS managed key: the service it belongs to and its description
// and key policy, as AWS creates them.
type managedKey struct {
	service     string // the service's endpoint prefix, for kms:ViaService
	description string
	policy      func(partition, account, region string) string
}

// managedKeys are the predefined aliases of the AWS managed keys that xregion's services
// use. Each account and Region gets its key on first use.
var managedKeys = map[string]managedKey{
	"alias/aws/secretsmanager": {
		service:     "secretsmanager",
		description: "Default key that protects my Secrets Manager data when no other key is defined",
		policy:      secretsManagerPolicy,
	},
	"alias/aws/ebs": {
		service:     "ec2",
		description: "Default key that protects my EBS volumes when no other key is defined",
		policy:      ebsPolicy,
	},
	"alias/aws/rds": {
		service:     "rds",
		description: "Default key that protects my RDS database volumes when no other key is defined",
		policy:      rdsPolicy,
	},
	"alias/aws/backup": {
		service:     "backup",
		description: "Default key that protects my Backup data when no other key is defined",
		policy:      backupPolicy,
	},
	"alias/aws/elasticfilesystem": {
		service:     "elasticfilesystem",
		description: "Default key that protects my EFS filesystems when no other key is defined",
		policy:      efsPolicy,
	},
	"alias/aws/dynamodb": {
		service:     "dynamodb",
		description: "Default key that protects my DynamoDB data when no other key is defined",
		policy:      dynamodbPolicy,
	},
}

// createManagedKey makes the AWS managed key behind a predefined alias. AWS managed keys
// rotate every year, and nobody can turn that off.
func (s *Service) createManagedKey(tx kit.Tx, account, region, alias string, m managedKey) (*keyRecord, error) {
	now := s.Clock.Now()
	k := &keyRecord{
		ID: newKeyID(false), Account: account, Region: region, CreationDate: now,
		Description: m.description, Usage: kmsapi.KeyUsageTypeEncryptDecrypt, Spec: kmsapi.KeySpecSymmetricDefault,
		Origin: kmsapi.OriginTypeAwsKms, Manager: managerAWS, State: kmsapi.KeyStateEnabled,
		Policy: m.policy(partitionOf(region), account, region),
	}
	if err := s.addFirstVersion(tx, k); err != nil {
		return nil, err
	}
	if err := s.armRotation(tx, k, defaultRotationDays, now); err != nil {
		return nil, err
	}
	if err := putKey(tx, k); err != nil {
		return nil, err
	}
	if err := putAlias(k.in(tx), &aliasRecord{Name: alias, TargetKeyID: k.ID, Created: now, Updated: now}); err != nil {
		return nil, err
	}
	return k, nil
}

// managedAllows lists what an AWS managed key's policy lets the account do directly: its
// statement "Allow direct access to key metadata to the account" grants kms:Describe*,
// kms:Get*, kms:List* and kms:RevokeGrant. Everything else only the owning service may do.
func managedAllows(action string) bool {
	return strings.HasPrefix(action, "Describe") || strings.HasPrefix(action, "Get") ||
		strings.HasPrefix(action, "List") || action == "RevokeGrant"
}

// checkManaged refuses an API action on an AWS managed key that its key policy does not
// allow, with the AccessDeniedException AWS gives.
func checkManaged(c kit.Call, k *keyRecord, action string) error {
	if !k.awsManaged() || managedAllows(action) {
		return nil
	}
	return msgAccessDenied.New(c.Caller.ARN, action, k.ARN(), action)
}

// defaultPolicy is the key policy AWS gives a key created without one: the account's root
// may do everything, which delegates access control to IAM.
func defaultPolicy(partition, account string) string {
	return fmt.Sprintf(`{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:%s:iam::%s:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`, partition, account)
}

const metadataStatement = `{
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:%[1]s:iam::%[2]s:root"
    },
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant" ],
    "Resource" : "*"
  }`

func secretsManagerPolicy(partition, account, region string) string {
	sid := "Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager"
	return fmt.Sprintf(`{
  "Version" : "2012-10-17",
  "Id" : "auto-secretsmanager-2",
  "Statement" : [ {
    "Sid" : "%[4]s",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant", "kms:DescribeKey" ],
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:CallerAccount" : "%[2]s",
        "kms:ViaService" : "secretsmanager.%[3]s.amazonaws.com"
      }
    }
  }, {
    "Sid" : "%[4]s",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : "kms:GenerateDataKey*",
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:CallerAccount" : "%[2]s"
      },
      "StringLike" : {
        "kms:ViaService" : "secretsmanager.%[3]s.amazonaws.com"
      }
    }
  }, `+metadataStatement+` ]
}`, partition, account, region, sid)
}

// viaServicePolicy is the key policy AWS gives the managed key of a service that uses it
// on the account's behalf: one statement allowing actions to every principal of the
// account through the service, and the metadata statement. The Id, Sid and actions are
// each service's own, as AWS writes them.
func viaServicePolicy(id, sid, service string, actions ...string) func(partition, account, region string) string {
	return func(partition, account, region string) string {
		return fmt.Sprintf(`{
  "Version" : "2012-10-17",
  "Id" : "%[4]s",
  "Statement" : [ {
    "Sid" : "%[5]s",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : [ %[6]s ],
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:CallerAccount" : "%[2]s",
        "kms:ViaService" : "%[7]s.%[3]s.amazonaws.com"
      }
    }
  }, `+metadataStatement+` ]
}`, partition, account, region, id, sid, `"`+strings.Join(actions, `", "`)+`"`, service)
	}
}

var (
	rdsPolicy = viaServicePolicy("auto-rds-2",
		"Allow access through RDS for all principals in the account that are authorized to use RDS", "rds",
		"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:ListGrants", "kms:DescribeKey")
	ebsPolicy = viaServicePolicy("auto-ebs-2",
		"Allow access through EBS for all principals in the account that are authorized to use EBS", "ec2",
		"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey")
	backupPolicy = viaServicePolicy("auto-backup-1",
		"Allow access through Backup for all principals in the account that are authorized to use Backup Storage", "backup",
		"kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey*")
	efsPolicy = viaServicePolicy("auto-elasticfilesystem-1",
		"Allow access through EFS for all principals in the account that are authorized to use EFS", "elasticfilesystem",
		"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey")
	dynamodbPolicy = viaServicePolicy("auto-dynamodb-1",
		"Allow access through Amazon DynamoDB for all principals in the account that are authorized to use Amazon DynamoDB", "dynamodb",
		"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey")
)
