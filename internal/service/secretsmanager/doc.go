// Package secretsmanager is xregion's AWS Secrets Manager: secrets with versions and staging
// labels, deletion windows, resource policies, rotation, and multi-Region secrets whose
// replicas really exist in the other Regions.
//
// # Storage
//
// Each secret is a JSON record of the secrets table in its account's and Region's view
// (records.go), keyed by name, so a lookup by name, by full ARN (name plus the
// six-character suffix, checked against the record) or by partial ARN (the name without
// the suffix) is a single Get. The record holds the metadata and the staging labels
// (label → version id). Each version has a small metadata record (versions, keyed by name
// and id) and its value (values): the ciphertext that KMS made under the secret's key,
// with the encryption context AWS uses ({"SecretARN": arn, "SecretVersionId": id}).
// Values are never stored in plain text; only KMS, through the port.KeyRing, sees them
// unencrypted. Two indexes per secret (byCreated, byCreatedRev) order secrets by creation
// date for ListSecrets in either direction; a NextToken is the sealed position of the
// next secret, so pages stay correct while secrets are created and deleted.
//
// Secrets Manager keeps at most maxVersions (100) versions of a secret, the number AWS
// documents: it removes the oldest versions without staging labels when there are more,
// but never one created in the last 24 hours. A write that would exceed the quota with
// nothing removable fails with LimitExceededException.
//
// # Multi-Region secrets
//
// Replication is a durable, idempotent sync. Every change to a primary enqueues, in the
// same transaction, one "secretsmanager.sync" job per replica Region, keyed by account,
// replica Region, primary Region and name, so that the jobs of one replica run in order. A
// job reads the primary's current state and makes the replica match it exactly: the same
// ARN but for the Region, the same versions, version ids, creation dates and staging
// labels, each value decrypted in the primary's Region and encrypted again under the
// replica Region's key, and the same description, tags, resource policy and rotation
// configuration. It then marks the Region InSync in the primary's ReplicationStatus.
// Because every job copies the whole state, a later change re-syncs everything and no
// write is lost. Jobs run after the configured transition delay, so InProgress shows
// first; a delay of zero means "at once", and the sync then also runs inside the call that
// changed the primary, so a client that reads the replica right after the call
// (Terraform's data sources do) finds it in line. The job still runs and finds its work
// done. The same job removes a replica whose Region left the list
// (RemoveRegionsFromReplication) and detaches a replica that was promoted
// (StopReplicationToReplica); the promoted secret is then the Region's own, so replicating
// the primary there again fails on its name unless ForceOverwriteReplicaSecret is set.
//
// Permanent failures (a secret of the same name in the Region without
// ForceOverwriteReplicaSecret, a replica KMS key that does not exist, is disabled or is in
// another Region) turn the Region Failed with a StatusMessage. A Region made unreachable
// through the admin API (faults.Registry) makes the job fail, so the engine retries it with
// backoff while the status stays InProgress; when the engine gives up, the Region turns
// Failed. ReplicateSecretToRegions retries a Failed Region.
//
// # Rotation: xregion's stand-in for the rotation Lambda
//
// xregion runs no Lambda functions. RotateSecret records the configuration as AWS does
// (RotationLambdaARN, RotationRules with AutomaticallyAfterDays, Duration and
// ScheduleExpression; the Lambda ARN is stored and shown but never invoked) and computes
// NextRotationDate. Rotations are carried out by a built-in rotator on the job engine's
// clock, in place of the function's createSecret and finishSecret steps: it writes a new
// version labelled AWSPENDING whose value is the current value with a new random password
// (the "password" field of a JSON object, or the whole string; made as GetRandomPassword
// makes it, without the characters / @ " ' \ that AWS's rotation templates exclude), then
// moves AWSCURRENT to it, AWSPREVIOUS to the version it left, and leaves AWSPENDING on the
// new current version as the AWS templates do. RotateSecret with RotateImmediately (the
// default) writes the AWSPENDING version at once and promotes it after the transition
// delay; scheduled rotations run at the start of each rotation window.
package secretsmanager
