// Package gen holds the code generated from the AWS API models, one package per service
// (<service>api). Regenerate with `go generate ./internal/gen`; the models come from the
// botocore release pinned below (pip botocore, data/<service>/<version>/service-2.json.gz),
// found through $XREGION_BOTOCORE_DIR or the python3 on PATH. TestGeneratedCodeIsCurrent
// regenerates into a temporary directory and fails when the committed code differs.
package gen

//go:generate go run ../awsmodel/awsgen -botocore-version 1.43.11 -out . secretsmanager kms rds sts iam backup
