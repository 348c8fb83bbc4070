// Package kms is xregion's AWS Key Management Service: customer managed and AWS managed
// keys in every account and Region, with real cryptography (AES-256-GCM for
// SYMMETRIC_DEFAULT, HMAC, RSA and elliptic-curve keys), aliases, tags, key policies,
// rotation, scheduled deletion on the job engine's clock, multi-Region keys, grants,
// imported key material and, in strict mode, key policies.
//
// # The key ring: how other services use KMS
//
// Secrets Manager, RDS and AWS Backup never touch key material. They need the
// port.KeyRing, which KMS provides (service.Need(d.Ports, &s.keys)), and call it inside
// their own store transaction, which KMS joins, so that what they write and the key state
// they relied on commit together:
//
//   - Resolve turns a key id, key ARN, alias name or alias ARN into a port.KeyInfo. It
//     only finds keys of the given account and Region: an ARN naming another Region or
//     account is ErrKeyNotFound, as it is for AWS services, which never use a key across
//     Regions. For the AWS managed aliases (alias/aws/secretsmanager, alias/aws/rds,
//     alias/aws/backup, alias/aws/ebs) Resolve creates the AWS managed key on first use, which needs a
//     writable transaction; in a read-only one a managed key that does not exist yet is
//     ErrKeyNotFound.
//   - Encrypt encrypts under a SYMMETRIC_DEFAULT key that is Enabled (or a multi-Region
//     key in the transient Updating state of UpdatePrimaryRegion, which AWS lets
//     cryptographic operations use), binding encCtx as additional authenticated data.
//     Unlike the Encrypt API it has no 4 KiB limit.
//   - Decrypt finds the key and key version from the ciphertext itself, checks that the
//     key is usable in the same way and opens the ciphertext with the same encryption
//     context. A ciphertext made in another Region does not decrypt (ErrKeyNotFound),
//     except under a multi-Region replica of the key that made it; one made before a
//     rotation still does.
//   - GenerateDataKey returns a fresh AES-256 data key in plain text and encrypted.
//
// Every method returns the KeyInfo of the key it used (zero on error), so a caller can
// record the key's ARN. Errors are the port's sentinels, possibly wrapped; test them with
// errors.Is and map them to the caller's own AWS errors:
//
//	ErrKeyNotFound         no such key (or alias) in the account and Region
//	ErrKeyDisabled         the key is Disabled
//	ErrKeyPendingDeletion  the key is PendingDeletion or PendingReplicaDeletion
//	ErrKeyInvalidState     the key is in another state that refuses the operation (Creating)
//	ErrInvalidKeyUsage     the key cannot do this (not a symmetric encryption key)
//	ErrInvalidCiphertext   the ciphertext is damaged, not from xregion, or the context differs
//	ErrIncorrectKey        reserved for callers that name the key a ciphertext must be under
//
// Any other error is an internal failure (a damaged store, say).
//
// The AWS managed keys follow AWS: KeyManager AWS, automatic yearly rotation, a policy that
// allows use only through the owning service, and they cannot be disabled, deleted, tagged
// or have their policy changed through the API (AccessDeniedException).
//
// # Grants, imported material and key policies
//
// Grants (grants.go) live beside their key and go with it; a grant token is the key and
// grant ids sealed with the root key, so GrantTokens xregion did not issue are refused.
// Keys with Origin EXTERNAL (imports.go) wait in PendingImport for material wrapped under
// a GetParametersForImport public key, whose private key stays sealed in the store for the
// 24 hours of its import token; material that expires leaves at ValidTo on the job clock.
// In strict mode (authz.go) every call is evaluated against the key policy, the caller's
// IAM policies (port.Permissions, which IAM provides) and the key's grants, and CreateKey
// and PutKeyPolicy run AWS's lockout safety check.
//
// # Storage
//
// Key metadata is JSON under the key's account and Region. Key material is a separate
// record per key version, sealed with the server's root key (package seal) and bound by
// associated data to the account, Region, key id and version, so it is never on disk in
// plain text and cannot be moved to another key. Unsealed material and decoded key records
// are cached in memory (bounded; dropped by Reset) so that the cryptographic path does no
// unsealing and no JSON decoding after the first use of a key.
//
// Pagination markers (NextMarker) are the position of the next page, sealed with the root
// key and bound to their list (operation, account, Region, key) by the kit's pager, so a
// marker xregion did not issue is InvalidMarkerException, as in AWS, while one it issued
// stays valid when the list changes between pages.
//
// Ciphertext blobs of symmetric keys carry a format byte, the key id and the key version
// in a header, then a 12-byte nonce and the AES-256-GCM ciphertext. The header and the
// encryption context are the additional authenticated data, so neither can be changed.
package kms
