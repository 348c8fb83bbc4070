// Package backup is xregion's AWS Backup for RDS DB instances: backup vaults (each
// encrypted with a KMS key of its Region), backup plans with their rules, copy actions
// and versions, backup selections and tags; on-demand backup, copy and restore jobs;
// recovery points with their lifecycles; and the scheduler that runs plans.
//
// # Jobs
//
// Every job moves on the job engine: a backup job CREATED → RUNNING → COMPLETED, when
// RDS takes an "awsbackup:job-…" snapshot that becomes the recovery point (encrypted
// with the instance's key, as AWS Backup's RDS backups are); a copy job CREATED →
// RUNNING → COMPLETED, when RDS copies that snapshot into the destination Region,
// re-encrypted with the destination vault's key, and the copy becomes a recovery point
// there that keeps its source's creation date. A copy waits while either Region is
// unreachable (faults) and fails after two hours. A restore job PENDING → RUNNING →
// COMPLETED creates the DB instance its metadata names. A rule's copy actions start
// when its backup completes. Each step waits the transition delay.
//
// # Lifecycle
//
// A recovery point expires DeleteAfterDays after its creation, on a job due at that
// instant. RDS snapshots have no cold storage: AWS Backup ignores
// MoveToColdStorageAfterDays for them, so they stay WARM.
//
// # State
//
// Records live in the kit's views of (account, Region), declared in records.go: vaults by
// name, plans by id (with every version of a plan under its id and version id),
// selections under their plan's id, recovery points under their vault, jobs by id, and
// indexes from each CreatorRequestId and IdempotencyToken to what it created, so that a
// retried request returns the first answer instead of creating a second resource.
//
// # Choices where AWS's documentation is silent
//
//   - Plan names are unique in an account and Region among plans not deleted: a second
//     CreateBackupPlan with the same name is AlreadyExistsException.
//   - A rule's TargetBackupVaultName and a copy action's DestinationBackupVaultArn are
//     checked for form, not existence: the vault may be created after the plan, as
//     Terraform may order it, and a job whose vault is missing fails when it runs.
//   - Rules given without windows get the console's defaults: start within 8 hours,
//     complete within 7 days, in the Etc/UTC time zone.
//   - No job is a parent: AWS's documentation makes composite (parent and child) backup,
//     copy and restore jobs only of composite resources, CloudFormation stacks and EKS
//     clusters, which xregion does not serve. A plan whose selection picks several
//     resources starts one job per resource, as AWS's does; ByParentJobId lists none.
//
// # List order
//
// AWS documents no order for its lists; what it answers shows one. Jobs (backup, copy,
// restore and report jobs) and recovery points list newest first: the AWS CLI's own
// example of list-backup-jobs answers a job created at 1600721892.929 before one created
// at 1600721724.77, and a wire trace of ListRecoveryPointsByResource (boto/boto3#2260)
// answers its recovery points by CreationDate descending. Vaults and plans, for which no
// answer of AWS's was found, list oldest first, as a user reads an inventory (and as
// moto keeps them); a plan's versions and selections in the order they were saved.
// Ties of creation time are broken by id (a vault's name). A NextToken is a position in
// that order, so that what is created between two pages neither repeats nor shifts the
// pages after it.
package backup
