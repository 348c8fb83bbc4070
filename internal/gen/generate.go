// Package gen holds the code generated from the official AWS API models, one package per
// service (<service>api). Regenerate with `go generate ./internal/gen`; the models come from
// the pinned version of github.com/aws/aws-sdk-go below.
package gen

//go:generate go run ../awsmodel/awsgen -version v1.55.8 -out . secretsmanager kms rds sts iam backup
