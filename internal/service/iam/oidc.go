package iam

import (
	"context"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/arn"
	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/lazyregexp"
	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// OpenID Connect identity providers: what AssumeRoleWithWebIdentity checks a token's
// issuer and audience against. AWS also fetches the provider's signing keys from the
// issuer; xregion takes them from key files instead (auth.LoadWebIdentityKeys), and keeps
// the thumbprints it is given without using them. Without a ThumbprintList AWS fetches
// the issuer's certificate thumbprint; xregion cannot, and keeps the list empty.

const kindOIDC = "oidc-provider" // oidc-provider/<url without https://>

// OIDC provider quotas (AWS's defaults).
const (
	oidcProvidersPerAccount = 100
	clientIDsPerProvider    = 100
	thumbprintsPerProvider  = 5
)

// oidcRecord is a provider. URL is the provider's identity, as AWS returns it: the URL
// without "https://" (a trailing slash makes another provider).
type oidcRecord struct {
	URL         string
	ClientIDs   []string `json:",omitempty"`
	Thumbprints []string `json:",omitempty"`
	Created     time.Time
	Tags        []tag `json:",omitempty"`
}

func (p *oidcRecord) arn(c call) string {
	return arn.New(c.Partition, "iam", "", c.Account, kindOIDC+"/"+p.URL)
}

// OIDCProviderFor finds the provider of account (in partition) whose URL is a token's
// issuer, for AssumeRoleWithWebIdentity. Only an https issuer can have one.
func (s *Service) OIDCProviderFor(tx kit.Tx, account, partition, issuer string) (port.OIDCProvider, bool, error) {
	name, ok := strings.CutPrefix(issuer, "https://")
	if !ok || name == "" {
		return port.OIDCProvider{}, false, nil
	}
	c := accountCall(account, partition)
	p, err := providerTable.Get(c.in(s.Join(tx)), name)
	if err != nil || p == nil {
		return port.OIDCProvider{}, false, err
	}
	return port.OIDCProvider{ARN: p.arn(c), Name: p.URL, ClientIDs: slices.Clone(p.ClientIDs)}, true, nil
}

var hostPattern = lazyregexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

// providerURL checks a provider URL with the errors AWS gives (as recorded by the
// versitygw IAM tests) and returns it without its scheme.
func providerURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", msgOIDCURLInvalid.New()
	}
	if u.Scheme != "https" {
		return "", msgOIDCURLNotHTTPS.New()
	}
	host := u.Hostname()
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Port() != "" ||
		(net.ParseIP(host) == nil && !hostPattern.MatchString(host)) {
		return "", msgOIDCURLMalformed.New()
	}
	return strings.TrimPrefix(raw, "https://"), nil
}

func checkThumbprints(list []string) ([]string, error) {
	if len(list) > thumbprintsPerProvider {
		return nil, msgTooManyThumbprints.New(thumbprintsPerProvider)
	}
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = strings.ToLower(t) // AWS keeps thumbprints in lower case
	}
	return out, nil
}

// addClientIDs adds ids not yet in have, keeping the order they came in.
func addClientIDs(have []string, ids ...string) ([]string, error) {
	for _, id := range ids {
		if !slices.Contains(have, id) {
			have = append(have, id)
		}
	}
	if len(have) > clientIDsPerProvider {
		return nil, msgQuota.New(quotaClientIdsPerOpenIdConnectProvider, clientIDsPerProvider)
	}
	return have, nil
}

func (s *Service) CreateOpenIDConnectProvider(ctx context.Context, in *iamapi.CreateOpenIDConnectProviderRequest) (*iamapi.CreateOpenIDConnectProviderResponse, error) {
	c := s.newCall(ctx)
	name, err := providerURL(deref(in.Url))
	if err != nil {
		return nil, err
	}
	p := &oidcRecord{URL: name, Created: s.now()}
	if p.Thumbprints, err = checkThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	if p.ClientIDs, err = addClientIDs(nil, in.ClientIDList...); err != nil {
		return nil, err
	}
	if p.Tags, err = requestTags(in.Tags); err != nil { // the model holds the list to 50
		return nil, err
	}
	err = s.Update(func(tx kit.Tx) error {
		if providerTable.Has(c.in(tx), name) {
			return msgProviderExists.New(name)
		}
		if err := roomFor(providerTable, c.in(tx), oidcProvidersPerAccount, quotaOpenIdConnectProvidersPerAccount); err != nil {
			return err
		}
		return providerTable.Put(c.in(tx), p, name)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateOpenIDConnectProviderResponse{OpenIDConnectProviderArn: ptr(p.arn(c)), Tags: apiTags(p.Tags)}, nil
}

// providerName finds the record id of the provider an ARN names, in the caller's account.
func providerName(c call, providerARN string) (string, error) {
	return providerID(c, providerARN, kindOIDC, msgNoSuchProvider)
}

// providerID finds the record id of the identity provider of kind (OIDC or SAML) an ARN
// names, in the caller's account; notFound is the kind's NoSuchEntity answer.
func providerID(c call, providerARN, kind string, notFound awserr.Message) (string, error) {
	a, err := arn.Parse(providerARN)
	name, isProvider := strings.CutPrefix(a.Resource, kind+"/")
	if err != nil || a.Service != "iam" || a.Region != "" || !isProvider || name == "" {
		return "", msgInvalidARN.New(providerARN)
	}
	if a.Account != c.Account || a.Partition != c.Partition {
		return "", notFound.New(providerARN)
	}
	return name, nil
}

func noSuchProvider(providerARN string) error {
	return msgNoSuchProvider.New(providerARN)
}

// loadProvider reads the provider an ARN names, or answers NoSuchEntity.
func loadProvider(tx kit.Tx, c call, providerARN string) (string, *oidcRecord, error) {
	name, err := providerName(c, providerARN)
	if err != nil {
		return "", nil, err
	}
	p, err := providerTable.Get(c.in(tx), name)
	if err != nil {
		return "", nil, err
	}
	if p == nil {
		return "", nil, noSuchProvider(providerARN)
	}
	return name, p, nil
}

// updateProviderWith loads a provider, lets change alter it and saves it, in one write.
func (s *Service) updateProviderWith(ctx context.Context, providerARN string, change func(p *oidcRecord) error) error {
	c := s.newCall(ctx)
	return s.Update(func(tx kit.Tx) error {
		name, p, err := loadProvider(tx, c, providerARN)
		if err != nil {
			return err
		}
		if err := change(p); err != nil {
			return err
		}
		return providerTable.Put(c.in(tx), p, name)
	})
}

func (s *Service) GetOpenIDConnectProvider(ctx context.Context, in *iamapi.GetOpenIDConnectProviderRequest) (*iamapi.GetOpenIDConnectProviderResponse, error) {
	c := s.newCall(ctx)
	var out *iamapi.GetOpenIDConnectProviderResponse
	err := s.View(func(tx kit.Tx) error {
		_, p, err := loadProvider(tx, c, deref(in.OpenIDConnectProviderArn))
		if err != nil {
			return err
		}
		created := p.Created
		out = &iamapi.GetOpenIDConnectProviderResponse{
			Url: ptr(p.URL), ClientIDList: nonNil(p.ClientIDs), ThumbprintList: nonNil(p.Thumbprints),
			CreateDate: &created, Tags: apiTags(p.Tags),
		}
		return nil
	})
	return out, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Service) ListOpenIDConnectProviders(ctx context.Context, _ *iamapi.ListOpenIDConnectProvidersRequest) (*iamapi.ListOpenIDConnectProvidersResponse, error) {
	c := s.newCall(ctx)
	out := &iamapi.ListOpenIDConnectProvidersResponse{OpenIDConnectProviderList: []iamapi.OpenIDConnectProviderListEntry{}}
	err := s.View(func(tx kit.Tx) error {
		return providerTable.Scan(c.in(tx), func(p *oidcRecord) bool {
			out.OpenIDConnectProviderList = append(out.OpenIDConnectProviderList, iamapi.OpenIDConnectProviderListEntry{Arn: ptr(p.arn(c))})
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteOpenIDConnectProvider is idempotent, as AWS documents: deleting a provider that
// does not exist succeeds.
func (s *Service) DeleteOpenIDConnectProvider(ctx context.Context, in *iamapi.DeleteOpenIDConnectProviderRequest) (*awsmodel.Empty, error) {
	c := s.newCall(ctx)
	name, err := providerName(c, deref(in.OpenIDConnectProviderArn))
	if err != nil {
		if awserr.Is(err, iamapi.ErrNoSuchEntity.Code) {
			return nil, nil
		}
		return nil, err
	}
	return nil, s.Update(func(tx kit.Tx) error { return providerTable.Delete(c.in(tx), name) })
}

func (s *Service) UpdateOpenIDConnectProviderThumbprint(ctx context.Context, in *iamapi.UpdateOpenIDConnectProviderThumbprintRequest) (*awsmodel.Empty, error) {
	thumbprints, err := checkThumbprints(in.ThumbprintList)
	if err != nil {
		return nil, err
	}
	return nil, s.updateProviderWith(ctx, deref(in.OpenIDConnectProviderArn), func(p *oidcRecord) error {
		p.Thumbprints = thumbprints
		return nil
	})
}

// AddClientIDToOpenIDConnectProvider is idempotent: adding a client id the provider has
// changes nothing.
func (s *Service) AddClientIDToOpenIDConnectProvider(ctx context.Context, in *iamapi.AddClientIDToOpenIDConnectProviderRequest) (*awsmodel.Empty, error) {
	return nil, s.updateProviderWith(ctx, deref(in.OpenIDConnectProviderArn), func(p *oidcRecord) error {
		ids, err := addClientIDs(p.ClientIDs, deref(in.ClientID))
		p.ClientIDs = ids
		return err
	})
}

// RemoveClientIDFromOpenIDConnectProvider is idempotent: removing a client id the
// provider does not have changes nothing.
func (s *Service) RemoveClientIDFromOpenIDConnectProvider(ctx context.Context, in *iamapi.RemoveClientIDFromOpenIDConnectProviderRequest) (*awsmodel.Empty, error) {
	return nil, s.updateProviderWith(ctx, deref(in.OpenIDConnectProviderArn), func(p *oidcRecord) error {
		p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(id string) bool { return id == deref(in.ClientID) })
		return nil
	})
}

func (s *Service) TagOpenIDConnectProvider(ctx context.Context, in *iamapi.TagOpenIDConnectProviderRequest) (*awsmodel.Empty, error) {
	return nil, s.updateProviderWith(ctx, deref(in.OpenIDConnectProviderArn), func(p *oidcRecord) error {
		tags, err := mergeTags(p.Tags, in.Tags, "OpenIdConnectProvider")
		p.Tags = tags
		return err
	})
}

func (s *Service) UntagOpenIDConnectProvider(ctx context.Context, in *iamapi.UntagOpenIDConnectProviderRequest) (*awsmodel.Empty, error) {
	return nil, s.updateProviderWith(ctx, deref(in.OpenIDConnectProviderArn), func(p *oidcRecord) error {
		p.Tags = removeTags(p.Tags, in.TagKeys)
		return nil
	})
}

func (s *Service) ListOpenIDConnectProviderTags(ctx context.Context, in *iamapi.ListOpenIDConnectProviderTagsRequest) (*iamapi.ListOpenIDConnectProviderTagsResponse, error) {
	c := s.newCall(ctx)
	out := &iamapi.ListOpenIDConnectProviderTagsResponse{}
	err := s.View(func(tx kit.Tx) error {
		_, p, err := loadProvider(tx, c, deref(in.OpenIDConnectProviderArn))
		if err != nil {
			return err
		}
		out.Tags, out.IsTruncated, out.Marker, err = tagPage(c, p.Tags, in.Marker, in.MaxItems)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
