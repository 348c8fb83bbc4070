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

// InPartition returns s with its partition replaced, or s itself when it is not an ARN.
// A caller's identity is kept as an "aws" ARN; a request signed for a Region of another
// partition (cn-north-1, us-gov-west-1, ...) sees it in that Region's partition, as AWS
// shows every principal of an account in its own partition.
func InPartition(s, partition string) string {
	if rest, ok := strings.CutPrefix(s, "arn:"); ok && len(rest) > len(partition) &&
		rest[len(partition)] == ':' && strings.HasPrefix(rest, partition) {
		return s // already there: the gateway asks this of every request's caller
	}
	a, err := Parse(s)
	if err != nil || partition == "" || a.Partition == partition {
		return s
	}
	a.Partition = partition
	return a.String()
}
