package kms

import (
	"context"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/kmsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// checkAliasName applies AWS's rules for the alias names that customers manage.
func checkAliasName(name string) error {
	if !strings.HasPrefix(name, "alias/") {
		return msgAliasPrefix.New()
	}
	if strings.HasPrefix(name, "alias/aws/") {
		return msgAliasReserved.New()
	}
	if name == "alias/" {
		return msgAliasEmpty.New(name)
	}
	if strings.Contains(name, ":") {
		return msgAliasChars.New(name)
	}
	return nil
}

// isAliasIdent reports whether a key identifier is an alias name or alias ARN.
func isAliasIdent(ident string) bool {
	return strings.HasPrefix(ident, "alias/") || (arn.IsARN(ident) && strings.Contains(ident, ":alias/"))
}

// aliasTargetKey resolves the key an alias is to point at, which must be a key, not
// another alias.
func (s *Service) aliasTargetKey(c kit.Call, tx kit.Tx, ident, action string) (*keyRecord, error) {
	if isAliasIdent(ident) {
		return nil, msgAliasOfAlias.New()
	}
	k, err := s.resolveKey(tx, c.Account, c.Region, ident)
	if err != nil {
		return nil, err
	}
	if err := s.allow(tx, c, k, action, nil); err != nil {
		return nil, err
	}
	if err := requireLive(k); err != nil {
		return nil, err
	}
	return k, nil
}

func (s *Service) CreateAlias(ctx context.Context, in *kmsapi.CreateAliasRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	name := *in.AliasName
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	err := s.Update(func(tx kit.Tx) error {
		v := c.In(tx)
		if aliases.Has(v, name) {
			return msgAliasExists.New(aliasARN(c.Account, c.Region, name))
		}
		k, err := s.aliasTargetKey(c, tx, *in.TargetKeyId, "CreateAlias")
		if err != nil {
			return err
		}
		now := c.Now()
		return putAlias(v, &aliasRecord{Name: name, TargetKeyID: k.ID, Created: now, Updated: now})
	})
	return nil, err
}

func (s *Service) UpdateAlias(ctx context.Context, in *kmsapi.UpdateAliasRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	name := *in.AliasName
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	err := s.Update(func(tx kit.Tx) error {
		v := c.In(tx)
		a, err := getAlias(v, name)
		if err != nil {
			return err
		}
		k, err := s.aliasTargetKey(c, tx, *in.TargetKeyId, "UpdateAlias")
		if err != nil {
			return err
		}
		if old, err := s.cache.Get(v, a.TargetKeyID); err != nil {
			return err
		} else if old != nil && (old.Usage != k.Usage || keyFamily(old.Spec) != keyFamily(k.Spec)) {
			return msgAliasRetarget.New(name, keyFamily(old.Spec), old.Usage, keyFamily(k.Spec), k.Usage)
		}
		if err := deleteAlias(v, a.Name, a.TargetKeyID); err != nil {
			return err
		}
		a.TargetKeyID, a.Updated = k.ID, c.Now()
		return putAlias(v, a)
	})
	return nil, err
}

// getAlias reads an alias; one that does not exist is NotFoundException.
func getAlias(v kit.View, name string) (*aliasRecord, error) {
	a, err := aliases.Get(v, name)
	if err == nil && a == nil {
		err = notFound(msgAliasNotFound, aliasARN(v.Account(), v.Region(), name))
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

func (s *Service) DeleteAlias(ctx context.Context, in *kmsapi.DeleteAliasRequest) (*awsmodel.Empty, error) {
	c := s.Call(ctx)
	name := *in.AliasName
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	err := s.Update(func(tx kit.Tx) error {
		v := c.In(tx)
		a, err := getAlias(v, name)
		if err != nil {
			return err
		}
		k, err := keys.Get(v, a.TargetKeyID)
		if err != nil {
			return err
		}
		if k != nil && s.strict() {
			if err := s.allow(tx, c, k, "DeleteAlias", nil); err != nil {
				return err
			}
		}
		return deleteAlias(v, a.Name, a.TargetKeyID)
	})
	return nil, err
}

func (s *Service) ListAliases(ctx context.Context, in *kmsapi.ListAliasesRequest) (*kmsapi.ListAliasesResponse, error) {
	c := s.Call(ctx)
	limit := min(limitOf(in.Limit, 50), 100)
	l := kit.List{Op: "ListAliases", Account: c.Account, Region: c.Region}
	all, err := kit.Read(s.Kit, func(tx kit.Tx) ([]kmsapi.AliasListEntry, error) {
		if err := s.allowAccount(tx, c, "ListAliases"); err != nil {
			return nil, err
		}
		if in.KeyId == nil {
			return accountAliases(c.In(tx))
		}
		// AWS takes only a key id or key ARN here and refuses aliases, as it does in the
		// other operations that do not resolve them.
		if isAliasIdent(*in.KeyId) {
			return nil, msgAliasNotHere.New()
		}
		k, err := s.resolveKey(tx, c.Account, c.Region, *in.KeyId)
		if err != nil {
			return nil, err
		}
		l.Within = k.ID
		return keyAliasEntries(c.In(tx), k.ID)
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b kmsapi.AliasListEntry) int { return strings.Compare(*a.AliasName, *b.AliasName) })
	page, next, err := kit.Page(s.pages, l, all, in.Marker, limit, func(e kmsapi.AliasListEntry) string { return *e.AliasName })
	if err != nil {
		return nil, err
	}
	return &kmsapi.ListAliasesResponse{Aliases: append([]kmsapi.AliasListEntry{}, page...), NextMarker: next, Truncated: new(next != nil)}, nil
}

func aliasEntry(v kit.View, a *aliasRecord) kmsapi.AliasListEntry {
	return kmsapi.AliasListEntry{
		AliasName: new(a.Name), AliasArn: new(aliasARN(v.Account(), v.Region(), a.Name)),
		TargetKeyId: new(a.TargetKeyID), CreationDate: new(a.Created), LastUpdatedDate: new(a.Updated),
	}
}

// accountAliases lists the aliases of an account and Region, and, as AWS does, the
// predefined aliases of AWS managed keys that do not exist yet, without a TargetKeyId.
func accountAliases(v kit.View) ([]kmsapi.AliasListEntry, error) {
	var out []kmsapi.AliasListEntry
	seen := map[string]bool{}
	err := aliases.Scan(v, func(a *aliasRecord) bool {
		out = append(out, aliasEntry(v, a))
		seen[a.Name] = true
		return true
	})
	for name := range managedKeys {
		if !seen[name] {
			out = append(out, kmsapi.AliasListEntry{AliasName: new(name), AliasArn: new(aliasARN(v.Account(), v.Region(), name))})
		}
	}
	return out, err
}

// keyAliasEntries lists the aliases of one key.
func keyAliasEntries(v kit.View, keyID string) ([]kmsapi.AliasListEntry, error) {
	names, err := aliasesOf(v, keyID)
	if err != nil {
		return nil, err
	}
	var out []kmsapi.AliasListEntry
	for _, n := range names {
		a, err := aliases.Get(v, n)
		if err != nil {
			return nil, err
		}
		if a != nil {
			out = append(out, aliasEntry(v, a))
		}
	}
	return out, nil
}
