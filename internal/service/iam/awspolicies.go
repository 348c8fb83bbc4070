package iam

import (
	"crypto/sha256"
	"encoding/base32"
	"time"

	"github.com/xregion/xregion/internal/arn"
)

// awsPolicy is a managed policy that AWS owns (arn:aws:iam::aws:policy/...): every account
// can read and attach it, none can change it. xregion knows the ones its services' users
// attach; the documents are abridged to the statements about the services xregion serves.
type awsPolicy struct {
	Name        string
	Path        string
	Description string
	Created     time.Time
	Document    string
}

func (p *awsPolicy) arn(c call) string {
	return arn.New(c.partition, "iam", "", "aws", "policy"+p.Path+p.Name)
}

// id is stable for a policy name, as the ids of AWS's own policies are in every account.
func (p *awsPolicy) id() string {
	sum := sha256.Sum256([]byte("aws-managed-policy:" + p.Name))
	return "ANPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// awsPolicyVersion is the only version xregion knows of each AWS managed policy.
const awsPolicyVersion = "v1"

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var awsPolicies = []awsPolicy{
	{
		Name: "AdministratorAccess", Path: "/", Created: date("2015-02-06T18:39:46Z"),
		Description: "Provides full access to AWS services and resources.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "PowerUserAccess", Path: "/", Created: date("2015-02-06T18:39:47Z"),
		Description: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "NotAction": [
                "iam:*",
                "organizations:*",
                "account:*"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeOrganization",
                "account:ListRegions",
                "account:GetAccountInformation"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "ReadOnlyAccess", Path: "/", Created: date("2015-02-06T18:39:48Z"),
		Description: "Provides read-only access to AWS services and resources.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadOnlyActions",
            "Effect": "Allow",
            "Action": [
                "backup:Describe*",
                "backup:Get*",
                "backup:List*",
                "iam:Get*",
                "iam:List*",
                "kms:Describe*",
                "kms:Get*",
                "kms:List*",
                "rds:Describe*",
                "rds:List*",
                "secretsmanager:Describe*",
                "secretsmanager:GetResourcePolicy",
                "secretsmanager:List*",
                "sts:GetCallerIdentity"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "IAMFullAccess", Path: "/", Created: date("2015-02-06T18:40:38Z"),
		Description: "Provides full access to IAM via the AWS Management Console.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:*",
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:DescribeOrganizationalUnit",
                "organizations:DescribePolicy",
                "organizations:ListChildren",
                "organizations:ListParents",
                "organizations:ListPoliciesForTarget",
                "organizations:ListRoots",
                "organizations:ListPolicies",
                "organizations:ListTargetsForPolicy"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "AWSBackupFullAccess", Path: "/", Created: date("2019-01-16T17:22:01Z"),
		Description: "This policy is for backup administrators, granting full access to AWS Backup operations.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "backup:*",
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "rds:DescribeDBSnapshots",
                "rds:ListTagsForResource",
                "rds:DescribeDBInstances",
                "rds:describeDBEngineVersions",
                "rds:describeOptionGroups",
                "rds:describeOrderableDBInstanceOptions",
                "rds:describeDBSubnetGroups",
                "kms:ListKeys",
                "kms:DescribeKey",
                "kms:GenerateDataKey",
                "kms:ListAliases",
                "tag:GetResources"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "kms:CreateGrant",
                "kms:GenerateDataKey",
                "kms:Decrypt",
                "kms:RetireGrant"
            ],
            "Resource": "*",
            "Condition": {
                "StringLike": {
                    "kms:ViaService": "backup.*.amazonaws.com"
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": [
                "iam:ListRoles",
                "iam:GetRole"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": [
                "arn:aws:iam::*:role/*AwsBackup*",
                "arn:aws:iam::*:role/*AWSBackup*"
            ],
            "Condition": {
                "StringEquals": {
                    "iam:PassedToService": "backup.amazonaws.com"
                }
            }
        }
    ]
}`,
	},
	{
		Name: "AWSBackupServiceRolePolicyForBackup", Path: "/service-role/", Created: date("2019-01-10T21:01:28Z"),
		Description: "Provides AWS Backup permission to create backups of supported resource types on your behalf.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RDSPermissions",
            "Effect": "Allow",
            "Action": [
                "rds:AddTagsToResource",
                "rds:ListTagsForResource",
                "rds:DescribeDBSnapshots",
                "rds:CreateDBSnapshot",
                "rds:CopyDBSnapshot",
                "rds:DescribeDBInstances",
                "rds:DescribeDBInstanceAutomatedBackups",
                "rds:DeleteDBSnapshot"
            ],
            "Resource": "*"
        },
        {
            "Sid": "KMSPermissions",
            "Effect": "Allow",
            "Action": "kms:DescribeKey",
            "Resource": "*"
        },
        {
            "Sid": "KMSCreateGrantPermissions",
            "Effect": "Allow",
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {
                "Bool": {
                    "kms:GrantIsForAWSResource": "true"
                }
            }
        },
        {
            "Sid": "BackupVaultPermissions",
            "Effect": "Allow",
            "Action": [
                "backup:DescribeBackupVault",
                "backup:CopyIntoBackupVault"
            ],
            "Resource": "arn:aws:backup:*:*:backup-vault:*"
        },
        {
            "Sid": "TagPermissions",
            "Effect": "Allow",
            "Action": "tag:GetResources",
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "AWSBackupServiceRolePolicyForRestores", Path: "/service-role/", Created: date("2019-01-12T00:23:54Z"),
		Description: "Provides AWS Backup permission to perform restores of supported resource types on your behalf.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RDSPermissions",
            "Effect": "Allow",
            "Action": [
                "rds:DescribeDBInstances",
                "rds:DescribeDBSnapshots",
                "rds:ListTagsForResource",
                "rds:RestoreDBInstanceFromDBSnapshot",
                "rds:DeleteDBInstance",
                "rds:AddTagsToResource"
            ],
            "Resource": "*"
        },
        {
            "Sid": "KMSPermissions",
            "Effect": "Allow",
            "Action": "kms:DescribeKey",
            "Resource": "*"
        },
        {
            "Sid": "KMSCreateGrantPermissions",
            "Effect": "Allow",
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {
                "Bool": {
                    "kms:GrantIsForAWSResource": "true"
                }
            }
        },
        {
            "Sid": "PassRolePermissions",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "AWSBackupServiceRolePolicyForS3Backup", Path: "/", Created: date("2022-02-18T20:38:46Z"),
		Description: "Policy containing permissions necessary for AWS Backup to backup data in any S3 bucket.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "S3BucketBackupPermissions",
            "Effect": "Allow",
            "Action": [
                "s3:GetInventoryConfiguration",
                "s3:PutInventoryConfiguration",
                "s3:ListBucketVersions",
                "s3:ListBucket",
                "s3:GetBucketVersioning",
                "s3:GetBucketNotification",
                "s3:PutBucketNotification",
                "s3:GetBucketLocation",
                "s3:GetBucketTagging"
            ],
            "Resource": "arn:aws:s3:::*"
        },
        {
            "Sid": "S3ObjectBackupPermissions",
            "Effect": "Allow",
            "Action": [
                "s3:GetObjectAcl",
                "s3:GetObject",
                "s3:GetObjectVersionTagging",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectTagging",
                "s3:GetObjectVersion"
            ],
            "Resource": "arn:aws:s3:::*/*"
        },
        {
            "Sid": "KMSBackupPermissions",
            "Effect": "Allow",
            "Action": [
                "kms:Decrypt",
                "kms:DescribeKey"
            ],
            "Resource": "*",
            "Condition": {
                "StringLike": {
                    "kms:ViaService": "s3.*.amazonaws.com"
                }
            }
        }
    ]
}`,
	},
	{
		Name: "AmazonRDSFullAccess", Path: "/", Created: date("2015-02-06T18:40:52Z"),
		Description: "Provides full access to Amazon RDS via the AWS Management Console.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RDSFullAccess",
            "Effect": "Allow",
            "Action": [
                "rds:*",
                "kms:ListKeys",
                "kms:ListAliases",
                "kms:DescribeKey",
                "secretsmanager:ListSecrets",
                "iam:ListRoles"
            ],
            "Resource": "*"
        },
        {
            "Sid": "CreateServiceLinkedRole",
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "*",
            "Condition": {
                "StringLike": {
                    "iam:AWSServiceName": [
                        "rds.amazonaws.com",
                        "rds.application-autoscaling.amazonaws.com"
                    ]
                }
            }
        }
    ]
}`,
	},
	{
		Name: "AmazonRDSReadOnlyAccess", Path: "/", Created: date("2015-02-06T18:40:53Z"),
		Description: "Provides read only access to Amazon RDS via the AWS Management Console.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "rds:Describe*",
                "rds:ListTagsForResource"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "SecretsManagerReadWrite", Path: "/", Created: date("2018-04-04T18:05:29Z"),
		Description: "Provides read/write access to AWS Secrets Manager via the AWS Management Console.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "BasePermissions",
            "Effect": "Allow",
            "Action": [
                "secretsmanager:*",
                "kms:DescribeKey",
                "kms:ListAliases",
                "kms:ListKeys",
                "rds:DescribeDBInstances",
                "rds:DescribeDBClusters",
                "tag:GetResources"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "AWSKeyManagementServicePowerUser", Path: "/", Created: date("2015-02-06T18:40:40Z"),
		Description: "Provides access to AWS Key Management Service (AWS KMS).",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "kms:CreateAlias",
                "kms:CreateKey",
                "kms:DeleteAlias",
                "kms:Describe*",
                "kms:GenerateRandom",
                "kms:Get*",
                "kms:List*",
                "kms:TagResource",
                "kms:UntagResource",
                "iam:ListGroups",
                "iam:ListRoles",
                "iam:ListUsers"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "AmazonS3FullAccess", Path: "/", Created: date("2015-02-06T18:40:58Z"),
		Description: "Provides full access to all buckets via the AWS Management Console.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:*",
                "s3-object-lambda:*"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "AmazonS3ReadOnlyAccess", Path: "/", Created: date("2015-02-06T18:40:59Z"),
		Description: "Provides read only access to all buckets via the AWS Management Console.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:Get*",
                "s3:List*",
                "s3:Describe*",
                "s3-object-lambda:Get*",
                "s3-object-lambda:List*"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "AWSLambdaBasicExecutionRole", Path: "/service-role/", Created: date("2015-04-09T15:03:43Z"),
		Description: "Provides write permissions to CloudWatch Logs.",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		Name: "AmazonRDSEnhancedMonitoringRole", Path: "/service-role/", Created: date("2015-11-11T19:58:29Z"),
		Description: "Provides access to Cloudwatch for RDS Enhanced Monitoring",
		Document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "EnableCreationAndManagementOfRDSCloudwatchLogGroups",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:PutRetentionPolicy"
            ],
            "Resource": [
                "arn:aws:logs:*:*:log-group:RDS*"
            ]
        },
        {
            "Sid": "EnableCreationAndManagementOfRDSCloudwatchLogStreams",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
                "logs:GetLogEvents"
            ],
            "Resource": [
                "arn:aws:logs:*:*:log-group:RDS*:log-stream:*"
            ]
        }
    ]
}`,
	},
}

// awsPolicyByPathName finds an AWS managed policy by the path and name of its ARN.
var awsPolicyByPathName = func() map[string]*awsPolicy {
	m := map[string]*awsPolicy{}
	for i := range awsPolicies {
		p := &awsPolicies[i]
		m[p.Path+p.Name] = p
	}
	return m
}()
