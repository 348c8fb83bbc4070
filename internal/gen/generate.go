// Package gen holds the code generated from the AWS API models, one package per service
// (<service>api). Regenerate with `go generate ./internal/gen`; the models come from the
// botocore release pinned below (pip botocore, data/<service>/<version>/service-2.json.gz),
// found through $XREGION_BOTOCORE_DIR or the python3 on PATH. TestGeneratedCodeIsCurrent
// regenerates into a temporary directory and fails when the committed code differs.
//
// ec2api holds the operations listed in ec2.operations, not all of EC2: see that file.
package gen

//go:generate go run ../awsmodel/awsgen -botocore-version 1.43.11 -out . -subset ec2=ec2.operations secretsmanager kms rds sts iam backup ec2 efs dynamodb sns cloudtrail
