package cloudtrail

// The texts of this package are data: errors.json, written as Go into errors_gen.go by
// errgen (go generate). Add or change a text there, not in Go.
//go:generate go run ../../../internal/gen/errgen
