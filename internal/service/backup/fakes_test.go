package backup_test

import (
	"strings"
	"sync"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// protector is a fake port.Protected of the resource type RDS, for testing AWS Backup
// without RDS: resources are declared by the test, images are held in memory.
type protector struct {
	mu        sync.Mutex
	resources map[string][]port.Resource // by account/region
	images    map[string]port.Image      // by ARN
	// copiedWith records the key each copy was encrypted with, by the copy's ARN.
	copiedWith map[string]string
	restored   []string
}

var _ port.Protected = (*protector)(nil)

func newProtector() *protector {
	return &protector{resources: map[string][]port.Resource{}, images: map[string]port.Image{}, copiedWith: map[string]string{}}
}

// add declares a DB instance and returns its ARN.
func (p *protector) add(account, region, id string, tags map[string]string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := arn.New("aws", "rds", region, account, "db:"+id)
	p.resources[account+"/"+region] = append(p.resources[account+"/"+region], port.Resource{ARN: a, Tags: tags})
	return a
}

func (*protector) ResourceType() string { return "RDS" }

func (p *protector) Resources(_ kit.Tx, account, region string) ([]port.Resource, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]port.Resource(nil), p.resources[account+"/"+region]...), nil
}

func (p *protector) Backup(_ kit.Tx, account, region, resourceARN, backupID string) (port.Image, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range p.resources[account+"/"+region] {
		if r.ARN == resourceARN {
			img := port.Image{
				ARN: arn.New("aws", "rds", region, account, "snapshot:"+backupID), ResourceARN: resourceARN,
				ResourceID: resourceARN[strings.LastIndex(resourceARN, ":")+1:], SizeBytes: 20 << 30, Engine: "postgres",
			}
			p.images[img.ARN] = img
			return img, nil
		}
	}
	return port.Image{}, port.CannotProtect("DB instance %s not found", resourceARN)
}

func (p *protector) Copy(_ kit.Tx, account, region, imageARN, copyID, keyARN string) (port.Image, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	src, ok := p.images[imageARN]
	if !ok {
		return port.Image{}, port.CannotProtect("DB snapshot %s not found", imageARN)
	}
	img := src
	img.ARN, img.Encrypted, img.KmsKeyARN = arn.New("aws", "rds", region, account, "snapshot:"+copyID), true, keyARN
	p.images[img.ARN] = img
	p.copiedWith[img.ARN] = keyARN
	return img, nil
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
