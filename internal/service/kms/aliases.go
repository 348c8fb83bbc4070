package kms

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

func putAlias(tx store.Tx, s store.Scope, a aliasRecord) error {
	if err := store.PutJSON(tx, aliasKey(s, a.Name), a); err != nil {
		return err
	}
	return tx.Put(keyAliasKey(s, a.TargetKeyID, a.Name), []byte{'1'})
}

func deleteAlias(tx store.Tx, s store.Scope, a aliasRecord) error {
	if err := tx.Delete(aliasKey(s, a.Name)); err != nil {
		return err
	}
	return tx.Delete(keyAliasKey(s, a.TargetKeyID, a.Name))
}

// checkAliasName applies AWS's rules for the alias names that customers manage.
func checkAliasName(name string) error {
	if !strings.HasPrefix(name, "alias/") {
		return validation(`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	}
	if strings.HasPrefix(name, "alias/aws/") {
		return errNotAuthorized.New("")
	}
	if name == "alias/" {
		return kmsapi.ErrInvalidAliasName.New("Alias name %s is not valid: it has no name after the alias/ prefix.", name)
	}
	if strings.Contains(name, ":") {
		return validation("%s contains invalid characters for an alias", name)
	}
	return nil
}

// isAliasIdent reports whether a key identifier is an alias name or alias ARN.
func isAliasIdent(ident string) bool {
	return strings.HasPrefix(ident, "alias/") || (arn.IsARN(ident) && strings.Contains(ident, ":alias/"))
}

// aliasTargetKey resolves the key an alias is to point at, which must be a key, not
// another alias.
func (s *Service) aliasTargetKey(ctx context.Context, tx store.Tx, ident, action string) (*keyRecord, error) {
	info := request.From(ctx)
	if isAliasIdent(ident) {
		return nil, validation("Aliases must refer to keys. Not aliases")
	}
	k, err := s.resolveKey(tx, info.Account, info.Region, ident)
	if err != nil {
		return nil, err
	}
	if err := checkManaged(ctx, k, action); err != nil {
		return nil, err
	}
	if err := requireLive(k); err != nil {
		return nil, err
	}
	return k, nil
}

func (s *Service) createAlias(ctx context.Context, in *kmsapi.CreateAliasRequest) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	name := *in.AliasName
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	scope := scopeOf(info.Account, info.Region)
	err := s.st.Update(func(tx store.Tx) error {
		if tx.Get(aliasKey(scope, name)) != nil {
			return kmsapi.ErrAlreadyExists.New("An alias with the name %s already exists", aliasARN(info.Account, info.Region, name))
		}
		k, err := s.aliasTargetKey(ctx, tx, *in.TargetKeyId, "CreateAlias")
		if err != nil {
			return err
		}
		now := s.clock.Now()
		return putAlias(tx, scope, aliasRecord{Name: name, TargetKeyID: k.ID, Created: now, Updated: now})
	})
	return nil, err
}

func (s *Service) updateAlias(ctx context.Context, in *kmsapi.UpdateAliasRequest) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	name := *in.AliasName
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	scope := scopeOf(info.Account, info.Region)
	err := s.st.Update(func(tx store.Tx) error {
		a, err := getAlias(tx, scope, name)
		if err != nil {
			return err
		}
		k, err := s.aliasTargetKey(ctx, tx, *in.TargetKeyId, "UpdateAlias")
		if err != nil {
			return err
		}
		if old, err := s.recs.get(tx, keyRecordKey(scope, a.TargetKeyID)); err != nil {
			return err
		} else if old != nil && (old.Usage != k.Usage || keyFamily(old.Spec) != keyFamily(k.Spec)) {
			return validation("Alias %s cannot be changed from a %s key with key usage %s to a %s key with key usage %s. The new target key must be the same type and have the same key usage as the current target key.",
				name, keyFamily(old.Spec), old.Usage, keyFamily(k.Spec), k.Usage)
		}
		if err := deleteAlias(tx, scope, a); err != nil {
			return err
		}
		a.TargetKeyID, a.Updated = k.ID, s.clock.Now()
		return putAlias(tx, scope, a)
	})
	return nil, err
}

// getAlias reads an alias of the scope; one that does not exist is NotFoundException.
func getAlias(tx store.Tx, scope store.Scope, name string) (aliasRecord, error) {
	var a aliasRecord
	ok, err := store.GetJSON(tx, aliasKey(scope, name), &a)
	if err == nil && !ok {
		err = notFound("Alias %s is not found.", aliasARN(scope.Account, scope.Region, name))
	}
	return a, err
}

// keyFamily is the type of a key for UpdateAlias: symmetric, asymmetric or HMAC.
func keyFamily(spec string) string {
	switch {
	case spec == kmsapi.KeySpecSymmetricDefault:
		return "symmetric"
	case hmacKeyBytes(spec) > 0:
		return "HMAC"
	}
	return "asymmetric"
}

func (s *Service) deleteAlias(ctx context.Context, in *kmsapi.DeleteAliasRequest) (*awsmodel.Empty, error) {
	info := request.From(ctx)
	name := *in.AliasName
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	scope := scopeOf(info.Account, info.Region)
	err := s.st.Update(func(tx store.Tx) error {
		a, err := getAlias(tx, scope, name)
		if err != nil {
			return err
		}
		return deleteAlias(tx, scope, a)
	})
	return nil, err
}

func (s *Service) listAliases(ctx context.Context, in *kmsapi.ListAliasesRequest) (*kmsapi.ListAliasesResponse, error) {
	info := request.From(ctx)
	scope := scopeOf(info.Account, info.Region)
	limit := min(limitOf(in.Limit, 50), 100)
	l := listOf{op: "ListAliases", account: info.Account, region: info.Region}
	var all []kmsapi.AliasListEntry
	err := s.st.View(func(tx store.Tx) error {
		entry := func(a aliasRecord) kmsapi.AliasListEntry {
			return kmsapi.AliasListEntry{
				AliasName: str(a.Name), AliasArn: str(aliasARN(info.Account, info.Region, a.Name)),
				TargetKeyId: str(a.TargetKeyID), CreationDate: timep(a.Created), LastUpdatedDate: timep(a.Updated),
			}
		}
		if in.KeyId != nil {
			// AWS takes only a key id or key ARN here and refuses aliases, as it does in
			// the other operations that do not resolve them.
			if isAliasIdent(*in.KeyId) {
				return kmsapi.ErrInvalidArn.New("Key Aliases are not supported for this operation.")
			}
			k, err := s.resolveKey(tx, info.Account, info.Region, *in.KeyId)
			if err != nil {
				return err
			}
			l.within = k.ID
			prefix := scope.Prefix(kindKeyAlias, k.ID)
			var names []string
			if err := tx.Scan(prefix, "", func(key string, _ []byte) bool {
				names = append(names, strings.TrimPrefix(key, prefix))
				return true
			}); err != nil {
				return err
			}
			for _, n := range names {
				var a aliasRecord
				if ok, err := store.GetJSON(tx, aliasKey(scope, n), &a); err != nil {
					return err
				} else if ok {
					all = append(all, entry(a))
				}
			}
			return nil
		}
		seen := map[string]bool{}
		if err := store.ScanJSON(tx, scope.Prefix(kindAlias), func(_ string, a *aliasRecord) bool {
			all = append(all, entry(*a))
			seen[a.Name] = true
			return true
		}); err != nil {
			return err
		}
		// AWS lists the predefined aliases of AWS managed keys that do not exist yet,
		// without a TargetKeyId.
		for name := range managedKeys {
			if !seen[name] {
				all = append(all, kmsapi.AliasListEntry{AliasName: str(name), AliasArn: str(aliasARN(info.Account, info.Region, name))})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b kmsapi.AliasListEntry) int { return strings.Compare(*a.AliasName, *b.AliasName) })
	aliases, next, err := page(s, l, all, in.Marker, limit, func(e kmsapi.AliasListEntry) string { return *e.AliasName })
	if err != nil {
		return nil, err
	}
	return &kmsapi.ListAliasesResponse{Aliases: append([]kmsapi.AliasListEntry{}, aliases...), NextMarker: next, Truncated: boolp(next != nil)}, nil
}
