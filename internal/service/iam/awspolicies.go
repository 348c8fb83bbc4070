package iam

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
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
	return arn.New(c.Partition, "iam", "", "aws", "policy"+p.Path+p.Name)
}

// id is stable for a policy name, as the ids of AWS's own policies are in every account.
func (p *awsPolicy) id() string {
	sum := sha256.Sum256([]byte("aws-managed-policy:" + p.Name))
	return "ANPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// awsPolicyVersion is the only version xregion knows of each AWS managed policy.
const awsPolicyVersion = "v1"

// The documents live in awspolicies/<name>.json, one file per policy as AWS publishes
// it (path, description, creation date, document), so that adding a policy is adding a
// file and its text is diffable against AWS's.
//
//go:embed awspolicies/*.json
var awsPolicyFiles embed.FS

// awsPolicyCatalogue is the AWS managed policies xregion knows, loaded on first use
// rather than at package initialisation, so that start-up does not pay for documents only
// IAM requests read (bench/README.md, issue 20). A file that does not parse is a defect
// of the build, so it panics (a test loads them all).
var awsPolicyCatalogue = sync.OnceValue(func() *awsPolicySet {
	entries, err := fs.Glob(awsPolicyFiles, "awspolicies/*.json")
	if err != nil {
		panic(err)
	}
	set := &awsPolicySet{list: make([]awsPolicy, 0, len(entries)), byPathName: map[string]*awsPolicy{}}
	for _, name := range entries {
		p, err := loadAWSPolicy(name)
		if err != nil {
			panic(fmt.Sprintf("iam: %s: %v", name, err))
		}
		set.list = append(set.list, p)
	}
	for i := range set.list {
		p := &set.list[i]
		set.byPathName[p.Path+p.Name] = p
	}
	return set
})

type awsPolicySet struct {
	list       []awsPolicy
	byPathName map[string]*awsPolicy // by the path and name of the policy's ARN
}

// awsPolicies are the AWS managed policies xregion knows, in file name order.
func awsPolicies() []awsPolicy { return awsPolicyCatalogue().list }

// awsPolicyByPathName finds an AWS managed policy by the path and name of its ARN.
func awsPolicyByPathName(pathName string) (*awsPolicy, bool) {
	p, ok := awsPolicyCatalogue().byPathName[pathName]
	return p, ok
}

func loadAWSPolicy(file string) (awsPolicy, error) {
	b, err := awsPolicyFiles.ReadFile(file)
	if err != nil {
		return awsPolicy{}, err
	}
	var f struct {
		Path           string
		Description    string
		CreateDate     time.Time
		PolicyDocument json.RawMessage
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return awsPolicy{}, err
	}
	// The document is served as text: indented as AWS shows it in its policy reference.
	var doc bytes.Buffer
	if err := json.Indent(&doc, f.PolicyDocument, "", "    "); err != nil {
		return awsPolicy{}, err
	}
	return awsPolicy{
		Name: strings.TrimSuffix(path.Base(file), ".json"), Path: f.Path, Description: f.Description,
		Created: f.CreateDate, Document: doc.String(),
	}, nil
}
