// Package arn parses and builds Amazon Resource Names.
package arn

import (
	"errors"
	"strings"
)

// ARN is arn:partition:service:region:account:resource.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// ErrMalformed is returned for strings that are not ARNs.
var ErrMalformed = errors.New("malformed ARN")

// Parse splits an ARN into its parts.
func Parse(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, ErrMalformed
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

// IsARN reports whether s looks like an ARN.
func IsARN(s string) bool { return strings.HasPrefix(s, "arn:") }

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// New builds an ARN string.
func New(partition, service, region, account, resource string) string {
	return ARN{partition, service, region, account, resource}.String()
}
