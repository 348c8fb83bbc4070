package rds

import (
	"encoding/json"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// ManageMasterUserPassword: RDS keeps the master password in a Secrets Manager secret
// it owns (port.ManagedSecrets), named rds!db-<uuid>, encrypted under
// MasterUserSecretKmsKeyId (aws/secretsmanager by default) and rotated every seven days
// (RDS User Guide, "Password management with Amazon RDS and AWS Secrets Manager").
// Turning it off deletes the secret, turning it on again makes a new one, and deleting
// the instance deletes it. The password itself is never stored by RDS.

const (
	secretKeyDefault    = "alias/aws/secretsmanager"
	secretRotationDays  = 7
	secretStatusActive  = "active"
	secretStatusCreate  = "creating"
	secretPasswordChars = 32
	secretInstanceTag   = "aws:rds:primaryDBInstanceArn"
)

// checkManagedCreate checks the managed password settings of a create.
func checkManagedCreate(in *rdsapi.CreateDBInstanceMessage) error {
	managed := deref(in.ManageMasterUserPassword)
	switch {
	case managed && in.MasterUserPassword != nil:
		return msgManagedAndPassword.New()
	case !managed && in.MasterUserSecretKmsKeyId != nil:
		return msgSecretKeyNeedsManaged.New()
	}
	return nil
}

// checkManagedModify checks the managed password settings of a ModifyDBInstance against
// the instance.
func checkManagedModify(inst *instanceRec, in *rdsapi.ModifyDBInstanceMessage) error {
	return checkManagedChange(inst.MasterSecretARN != "", managedChange{
		manage: in.ManageMasterUserPassword, password: in.MasterUserPassword, rotate: deref(in.RotateMasterUserPassword),
		immediately: deref(in.ApplyImmediately), keyID: in.MasterUserSecretKmsKeyId,
	})
}

// managedChange is what a modification (of an instance or a cluster) asks of its managed
// master password.
type managedChange struct {
	manage      *bool
	password    *string
	rotate      bool
	immediately bool
	keyID       *string
}

// checkManagedChange checks a change of the managed password settings of an instance or
// cluster whose password is managed or not.
func checkManagedChange(managed bool, ch managedChange) error {
	manage, hasPassword := ch.manage, ch.password != nil
	turnOn, turnOff := manage != nil && *manage, manage != nil && !*manage
	switch {
	case turnOn && hasPassword:
		return msgManagedAndPassword.New()
	case turnOff && managed && !hasPassword:
		return msgUnmanageNeedsPassword.New()
	case hasPassword && managed && !turnOff:
		return msgPasswordWhileManaged.New()
	case ch.rotate && !(managed && !turnOff):
		return msgRotateNeedsManaged.New()
	case ch.rotate && !ch.immediately:
		return msgRotateNeedsImmediate.New()
	case ch.keyID != nil && !(turnOn || managed) || ch.keyID != nil && turnOff:
		return msgSecretKeyNeedsManaged.New()
	}
	return nil
}

// createMasterSecret makes the secret of an instance's master password.
func (s *Service) createMasterSecret(tx kit.Tx, v kit.View, inst *instanceRec, keyID string) error {
	instARN := instanceARN(partitionOf(v.Region()), v.Region(), v.Account(), inst.ID)
	secret, err := s.newManagedSecret(tx, v, managedOwner{
		user: inst.MasterUsername, prefix: "rds!db-", description: textSecretDescription.with(instARN),
		tag: secretInstanceTag, arn: instARN,
	}, keyID)
	if err != nil {
		return err
	}
	if err := s.enginePassword(v, inst, secret.password); err != nil {
		return err
	}
	inst.MasterSecretARN, inst.MasterSecretKey = secret.arn, secret.key
	return nil
}

// managedOwner is what a managed master password's secret says of its owner, a DB
// instance or a DB cluster.
type managedOwner struct {
	user, prefix, description, tag, arn string
}

// managedSecret is a secret RDS made: its ARN, its key's ARN and the password it holds,
// which the caller hands to a real server if there is one and otherwise forgets.
type managedSecret struct{ arn, key, password string }

// newManagedSecret makes the secret of a master password, encrypted under keyID or
// aws/secretsmanager.
func (s *Service) newManagedSecret(tx kit.Tx, v kit.View, owner managedOwner, keyID string) (managedSecret, error) {
	if keyID == "" {
		keyID = secretKeyDefault
	}
	key, err := s.resolveKey(tx, v.Account(), v.Region(), keyID)
	if err != nil {
		return managedSecret{}, err
	}
	password := ids.Alnum(secretPasswordChars)
	value, err := json.Marshal(map[string]string{"username": owner.user, "password": password})
	if err != nil {
		return managedSecret{}, err
	}
	secretARN, err := s.secrets.CreateManaged(tx, v.Account(), v.Region(), port.ManagedSecret{
		Owner: serviceName, Name: owner.prefix + ids.UUID(), Description: owner.description,
		KmsKeyID: key, Value: string(value), RotationDays: secretRotationDays,
		Tags: map[string]string{owner.tag: owner.arn},
	})
	if err != nil {
		return managedSecret{}, err
	}
	return managedSecret{arn: secretARN, key: key, password: password}, nil
}

// modifyMasterSecret carries out the managed password changes of a ModifyDBInstance,
// checked by checkManagedModify. Secrets Manager applies them at once, whatever
// ApplyImmediately says.
func (s *Service) modifyMasterSecret(tx kit.Tx, v kit.View, inst *instanceRec, in *rdsapi.ModifyDBInstanceMessage) error {
	managed := inst.MasterSecretARN != ""
	switch {
	case in.ManageMasterUserPassword != nil && *in.ManageMasterUserPassword && !managed:
		return s.createMasterSecret(tx, v, inst, deref(in.MasterUserSecretKmsKeyId))
	case in.ManageMasterUserPassword != nil && !*in.ManageMasterUserPassword && managed:
		return s.deleteMasterSecret(tx, v, inst)
	}
	if in.MasterUserSecretKmsKeyId != nil && managed {
		key, err := s.resolveKey(tx, v.Account(), v.Region(), *in.MasterUserSecretKmsKeyId)
		if err != nil {
			return err
		}
		if err := s.secrets.SetManagedKey(tx, v.Account(), v.Region(), inst.MasterSecretARN, key); err != nil {
			return err
		}
		inst.MasterSecretKey = key
	}
	if deref(in.RotateMasterUserPassword) {
		return s.secrets.RotateManaged(tx, v.Account(), v.Region(), inst.MasterSecretARN)
	}
	return nil
}

// deleteMasterSecret deletes an instance's secret, if it has one.
func (s *Service) deleteMasterSecret(tx kit.Tx, v kit.View, inst *instanceRec) error {
	if inst.MasterSecretARN == "" {
		return nil
	}
	if err := s.secrets.DeleteManaged(tx, v.Account(), v.Region(), inst.MasterSecretARN); err != nil {
		return err
	}
	inst.MasterSecretARN, inst.MasterSecretKey = "", ""
	return nil
}

// masterSecretOut is the instance's MasterUserSecret: creating while the instance is.
func masterSecretOut(inst *instanceRec) *rdsapi.MasterUserSecret {
	return secretOut(inst.MasterSecretARN, inst.MasterSecretKey, inst.Status == statusCreating)
}

// secretOut is the MasterUserSecret of a secret and its key, if there is one.
func secretOut(secretARN, key string, creating bool) *rdsapi.MasterUserSecret {
	if secretARN == "" {
		return nil
	}
	status := secretStatusActive
	if creating {
		status = secretStatusCreate
	}
	return &rdsapi.MasterUserSecret{SecretArn: new(secretARN), SecretStatus: new(status), KmsKeyId: new(key)}
}
