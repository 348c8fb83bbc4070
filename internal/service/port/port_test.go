package port_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

func TestCannotProtectCarriesTheJobText(t *testing.T) {
	err := fmt.Errorf("copying: %w", port.CannotProtect("DB snapshot %s not found", "snap"))
	if !errors.Is(err, port.ErrCannotProtect) {
		t.Error("a CannotProtect failure is not ErrCannotProtect")
	}
	if text, ok := port.Failure(err); !ok || text != "DB snapshot snap not found" {
		t.Errorf("Failure = %q, %v", text, ok)
	}
	if _, ok := port.Failure(errors.New("disk on fire")); ok {
		t.Error("an internal failure has a job text")
	}
	busy := port.NotReady("DB instance %s is %s", "db", "modifying")
	if text, ok := port.Failure(busy); !errors.Is(busy, port.ErrNotReady) || errors.Is(busy, port.ErrCannotProtect) || !ok || text != "DB instance db is modifying" {
		t.Errorf("NotReady = %q, %v", text, ok)
	}
}

func TestKeyUnavailable(t *testing.T) {
	for _, err := range []error{port.ErrKeyNotFound, port.ErrKeyDisabled, port.ErrKeyPendingDeletion, fmt.Errorf("x: %w", port.ErrKeyInvalidState)} {
		if !port.KeyUnavailable(err) {
			t.Errorf("KeyUnavailable(%v) = false", err)
		}
	}
	for _, err := range []error{nil, port.ErrInvalidKeyUsage, port.ErrInvalidCiphertext, errors.New("other")} {
		if port.KeyUnavailable(err) {
			t.Errorf("KeyUnavailable(%v) = true", err)
		}
	}
}

type protector struct{ typ string }

func (p protector) ResourceType() string                                    { return p.typ }
func (protector) Resources(kit.Tx, string, string) ([]port.Resource, error) { return nil, nil }
func (protector) Backup(kit.Tx, port.BackupRequest) (port.Transfer, error) {
	return port.Transfer{}, nil
}
func (protector) Copy(kit.Tx, port.CopyRequest) (port.Transfer, error) {
	return port.Transfer{}, nil
}
func (protector) Delete(kit.Tx, string, string, string) error { return nil }
func (protector) Restore(kit.Tx, string, string, string, map[string]string) (string, error) {
	return "", nil
}

func TestProtectorOf(t *testing.T) {
	all := []port.Protected{protector{"RDS"}, protector{"EBS"}}
	if p, ok := port.ProtectorOf(all, "EBS"); !ok || p.ResourceType() != "EBS" {
		t.Errorf("ProtectorOf(EBS) = %v, %v", p, ok)
	}
	if _, ok := port.ProtectorOf(all, "EFS"); ok {
		t.Error("ProtectorOf(EFS) found a provider")
	}
}

func TestMissingCarriesTheID(t *testing.T) {
	err := fmt.Errorf("subnet group: %w", port.Missing(port.ErrSubnetNotFound, "subnet-1"))
	if !errors.Is(err, port.ErrSubnetNotFound) || errors.Is(err, port.ErrSecurityGroupNotFound) {
		t.Error("a Missing failure is not its kind")
	}
	if id, ok := port.MissingID(err); !ok || id != "subnet-1" {
		t.Errorf("MissingID = %q, %v", id, ok)
	}
	if _, ok := port.MissingID(port.ErrSubnetNotFound); ok {
		t.Error("a bare failure names an id")
	}
}

func TestResourceARNReadsTheIDOfAnOwnARN(t *testing.T) {
	volumes := port.ResourceARN{Service: "ec2", Prefix: "volume/", NotARN: "%s is not a volume", Elsewhere: "%s is not in %s %s"}
	id, err := volumes.ID("arn:aws:ec2:us-east-1:111122223333:volume/vol-1", "111122223333", "us-east-1")
	if err != nil || id != "vol-1" {
		t.Errorf("ID = %q, %v", id, err)
	}
	for arn, want := range map[string]string{
		"vol-1": "vol-1 is not a volume",
		"arn:aws:ec2:us-east-1:111122223333:snapshot/snap-1": "arn:aws:ec2:us-east-1:111122223333:snapshot/snap-1 is not a volume",
		"arn:aws:rds:us-east-1:111122223333:volume/vol-1":    "arn:aws:rds:us-east-1:111122223333:volume/vol-1 is not a volume",
		"arn:aws:ec2:eu-west-1:111122223333:volume/vol-1":    "arn:aws:ec2:eu-west-1:111122223333:volume/vol-1 is not in 111122223333 us-east-1",
		"arn:aws:ec2:us-east-1:444455556666:volume/vol-1":    "arn:aws:ec2:us-east-1:444455556666:volume/vol-1 is not in 111122223333 us-east-1",
	} {
		_, err := volumes.ID(arn, "111122223333", "us-east-1")
		if text, ok := port.Failure(err); !errors.Is(err, port.ErrCannotProtect) || !ok || text != want {
			t.Errorf("ID(%s) = %v, want the job text %q", arn, err, want)
		}
	}
}
