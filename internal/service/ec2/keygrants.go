package ec2

import (
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// EBS holds a KMS grant on the key of each encrypted volume, as AWS's EBS does to
// decrypt the volume's data key: the grantee and retiring principal are
// ec2.REGION.amazonaws.com, the grant is named after the volume and constrained to its
// encryption context (aws:ebs:id), and it is retired when the volume is deleted.

// volumeGrantOperations are the operations EBS's grants allow.
var volumeGrantOperations = []string{"Decrypt", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
	"CreateGrant", "RetireGrant", "DescribeKey"}

// grantVolumeKey makes the grant of a new encrypted volume.
func (s *Service) grantVolumeKey(tx kit.Tx, v kit.View, vol *volumeRecord) error {
	if s.keyAccess == nil || !vol.Encrypted || vol.KeyARN == "" {
		return nil
	}
	_, err := s.keyAccess.CreateServiceGrant(tx, port.ServiceGrant{
		Account: v.Account(), Region: v.Region(), KeyID: vol.KeyARN, Service: serviceName, Name: vol.ID,
		Operations: volumeGrantOperations, Context: map[string]string{"aws:ebs:id": vol.ID},
	})
	return err
}

// dropVolumeAndGrant deletes a volume that has finished deleting, and retires its grant.
func (s *Service) dropVolumeAndGrant(tx kit.Tx, p volumeRef) error {
	v := tx.In(p.Account, p.Region)
	vol, err := volumes.Get(v, p.VolumeID)
	if err != nil {
		return err
	}
	if vol != nil && s.keyAccess != nil && vol.KeyARN != "" {
		if err := s.keyAccess.RetireServiceGrants(tx, v.Account(), v.Region(), vol.KeyARN, serviceName, vol.ID); err != nil {
			return err
		}
	}
	return dropVolume(v, p.VolumeID)
}
