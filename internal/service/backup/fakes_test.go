package backup_test

import (
	"strconv"
	"strings"
	"sync"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// protector is a fake port.Protected of one resource type (RDS, or EFS for cold storage),
// for testing AWS Backup without its services: resources are declared by the test,
// images are held in memory.
type protector struct {
	mu        sync.Mutex
	typ       string
	resources map[string][]port.Resource // by account/region
	images    map[string]port.Image      // by ARN
	// copiedWith records the key each copy was encrypted with, by the copy's ARN.
	copiedWith map[string]string
	restored   []string
	cleaned    []string               // restored resources deleted
	content    map[string]port.Blocks // by resource ARN
	busy       map[string]string      // by resource ARN: why a backup is not ready
}

var _ port.Protected = (*protector)(nil)

func newProtector() *protector { return newProtectorOf("RDS") }

func newProtectorOf(typ string) *protector {
	return &protector{
		typ: typ, resources: map[string][]port.Resource{}, images: map[string]port.Image{}, copiedWith: map[string]string{},
		content: map[string]port.Blocks{}, busy: map[string]string{},
	}
}

// add declares a resource (a DB instance, a file system, a volume) and returns its ARN.
func (p *protector) add(account, region, id string, tags map[string]string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := arn.New("aws", "rds", region, account, "db:"+id)
	switch p.typ {
	case "EFS":
		a = arn.New("aws", "elasticfilesystem", region, account, "file-system/"+id)
	case "DynamoDB":
		a = arn.New("aws", "dynamodb", region, account, "table/"+id)
	case "EBS":
		a = arn.New("aws", "ec2", region, account, "volume/"+id)
	}
	p.resources[account+"/"+region] = append(p.resources[account+"/"+region], port.Resource{ARN: a, Tags: tags})
	p.content[a] = port.NewBlocks(20<<30, 1<<30, func(i int) uint64 { return port.DigestOf(a, strconv.Itoa(i)) })
	return a
}

func (p *protector) ResourceType() string { return p.typ }

// imageARN names an image: an RDS snapshot, a DynamoDB backup, or AWS Backup's own
// recovery point for EFS.
func (p *protector) imageARN(account, region, id string) string {
	switch p.typ {
	case "EFS":
		return arn.New("aws", "backup", region, account, "recovery-point:"+id)
	case "DynamoDB":
		return arn.New("aws", "dynamodb", region, account, "table/t/backup/"+strings.ReplaceAll(id, ":", "-"))
	case "EBS":
		return arn.New("aws", "ec2", region, "", "snapshot/snap-"+strings.ReplaceAll(id, ":", "-"))
	}
	return arn.New("aws", "rds", region, account, "snapshot:"+id)
}

// resize gives a resource size bytes of data, in blocks of 1 GiB, all written at the
// version given.
func (p *protector) resize(resourceARN string, size int64, version string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.content[resourceARN] = port.NewBlocks(size, 1<<30, func(i int) uint64 { return port.DigestOf(resourceARN, version, strconv.Itoa(i)) })
}

func (p *protector) Resources(_ kit.Tx, account, region string) ([]port.Resource, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]port.Resource(nil), p.resources[account+"/"+region]...), nil
}

func (p *protector) Backup(_ kit.Tx, req port.BackupRequest) (port.Transfer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.busy[req.ResourceARN] != "" {
		return port.Transfer{}, port.NotReady("DB instance is %s", p.busy[req.ResourceARN])
	}
	for _, r := range p.resources[req.Account+"/"+req.Region] {
		if r.ARN == req.ResourceARN {
			content := p.content[req.ResourceARN]
			img := port.Image{
				ARN: p.imageARN(req.Account, req.Region, req.BackupID), ResourceARN: req.ResourceARN,
				ResourceID: req.ResourceARN[strings.LastIndex(req.ResourceARN, ":")+1:], SizeBytes: content.Size, Engine: "postgres",
				Content: content,
			}
			p.images[img.ARN] = img
			return port.Transfer{Image: img, Bytes: content.Missing(req.Base)}, nil
		}
	}
	return port.Transfer{}, port.CannotProtect("DB instance %s not found", req.ResourceARN)
}

func (p *protector) Copy(_ kit.Tx, req port.CopyRequest) (port.Transfer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	src, ok := p.images[req.ImageARN]
	if !ok {
		return port.Transfer{}, port.CannotProtect("DB snapshot %s not found", req.ImageARN)
	}
	img := src
	img.ARN, img.Encrypted, img.KmsKeyARN = p.imageARN(req.Account, req.Region, req.CopyID), true, req.KeyARN
	p.images[img.ARN] = img
	p.copiedWith[img.ARN] = req.KeyARN
	return port.Transfer{Image: img, Bytes: img.Content.Missing(req.Base)}, nil
}

// write gives a resource new content: blocks of 1 MiB whose versions are given.
func (p *protector) write(resourceARN string, versions ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.content[resourceARN] = port.NewBlocks(int64(len(versions))<<20, 1<<20, func(i int) uint64 {
		return port.DigestOf(resourceARN, strconv.Itoa(i), versions[i])
	})
}

// setBusy makes backups of a resource not ready (a status other than "") or ready.
func (p *protector) setBusy(resourceARN, status string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.busy[resourceARN] = status
}

func (p *protector) Delete(_ kit.Tx, _, _, imageARN string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.images, imageARN)
	return nil
}

func (p *protector) Restore(_ kit.Tx, account, region, imageARN string, metadata map[string]string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.images[imageARN]; !ok {
		return "", port.CannotProtect("DB snapshot %s not found", imageARN)
	}
	p.restored = append(p.restored, metadata["DBInstanceIdentifier"])
	return arn.New("aws", "rds", region, account, "db:"+metadata["DBInstanceIdentifier"]), nil
}

// roles is a fake IAM for AWS Backup: the roles of the test, each trusting AWS Backup or
// not; the default role is created on request, trusting it.
type roles struct {
	mu     sync.Mutex
	trusts map[string]bool // by role ARN
}

var (
	_ port.Roles        = (*roles)(nil)
	_ port.ServiceRoles = (*roles)(nil)
)

func newRoles() *roles { return &roles{trusts: map[string]bool{}} }

// put declares a role, trusting AWS Backup or not.
func (r *roles) put(roleARN string, trustsBackup bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.trusts[roleARN] = trustsBackup
}

func (r *roles) remove(roleARN string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.trusts, roleARN)
}

func (r *roles) RoleByARN(_ kit.Tx, roleARN string) (port.RoleInfo, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.trusts[roleARN]
	return port.RoleInfo{ARN: roleARN}, ok, nil
}

func (r *roles) AuthorizeAssumeRole(kit.Tx, string, ...port.TrustRequest) (port.RoleInfo, error) {
	return port.RoleInfo{}, &port.NotTrustedError{Action: "sts:AssumeRole", Reason: "the fake trusts AWS Backup only"}
}

func (r *roles) TrustsService(_ kit.Tx, roleARN, principal string, _ port.ConditionKeys) (port.RoleInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	trusts, ok := r.trusts[roleARN]
	switch {
	case !ok:
		return port.RoleInfo{}, port.ErrNoSuchRole
	case !trusts || principal != "backup.amazonaws.com":
		return port.RoleInfo{}, &port.NotTrustedError{Action: "sts:AssumeRole", Reason: "no statement allows it"}
	}
	return port.RoleInfo{ARN: roleARN}, nil
}

func (r *roles) OIDCProviderFor(kit.Tx, string, string, string) (port.OIDCProvider, bool, error) {
	return port.OIDCProvider{}, false, nil
}

func (r *roles) SAMLProviderByARN(kit.Tx, string) (port.SAMLProvider, bool, error) {
	return port.SAMLProvider{}, false, nil
}

func (r *roles) EnsureServiceRole(_ kit.Tx, want port.ServiceRole) (port.RoleInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	roleARN := "arn:" + want.Partition + ":iam::" + want.Account + ":role" + want.Path + want.Name
	if _, ok := r.trusts[roleARN]; !ok {
		r.trusts[roleARN] = strings.Contains(want.TrustPolicy, "backup.amazonaws.com") && len(want.ManagedPolicyARNs) == 2
	}
	return port.RoleInfo{ARN: roleARN}, nil
}

// notifier is a fake SNS: it records what is published to the topics it knows.
type notifier struct {
	mu        sync.Mutex
	topics    map[string]bool
	published []port.Notification
}

var _ port.Notifier = (*notifier)(nil)

func (n *notifier) Publish(_ kit.Tx, topicARN string, m port.Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.topics[topicARN] {
		return port.ErrNoTopic
	}
	n.published = append(n.published, m)
	return nil
}

// events are the EventType attributes published so far.
func (n *notifier) events() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, m := range n.published {
		out = append(out, m.Attributes["EventType"])
	}
	return out
}

var _ port.RestoreCleaner = (*protector)(nil)

// DeleteRestored forgets a restored resource.
func (p *protector) DeleteRestored(_ kit.Tx, _, _, resourceARN string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cleaned = append(p.cleaned, resourceARN)
	return nil
}
