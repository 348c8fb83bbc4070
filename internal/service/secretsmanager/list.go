package secretsmanager

import (
	"context"
	"encoding/base64"
	"strings"

	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/request"
	"github.com/xregion/xregion/internal/store"
)

// listQuery is a ListSecrets-like walk over the secrets of a Region in creation order.
type listQuery struct {
	filters []filter
	planned bool // include secrets scheduled for deletion
	desc    bool
	limit   int
	token   *string
}

// listToken is the position after which the next page starts: the index key of the last
// secret returned, so secrets created or deleted meanwhile do not shift the pages.
func encodeToken(indexKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(indexKey))
}

// walk calls fn for every matching secret after the token, until fn has taken limit of
// them; it returns the token for the next page, or "" when there is none. fn runs after
// the scan, so it may write.
func (s *Service) walk(tx store.Tx, info *request.Info, q listQuery, fn func(rec *secretRecord) error) (string, error) {
	sc := scopeOf(info.Account, info.Region)
	prefix := sc.Prefix("bycreated")
	if q.desc {
		prefix = sc.Prefix("bycreatedrev")
	}
	start := ""
	if q.token != nil {
		b, err := base64.RawURLEncoding.DecodeString(*q.token)
		if err != nil || !strings.HasPrefix(string(b), prefix) {
			return "", sm.ErrInvalidNextToken.New(msgBadNextToken)
		}
		// The smallest key after the last one returned.
		start = string(b) + "\x00"
	}
	var page []*secretRecord
	var last, next string
	var getErr error
	err := tx.Scan(prefix, start, func(key string, _ []byte) bool {
		if len(page) == q.limit {
			next = last
			return false
		}
		rec, err := getSecret(tx, sc, key[strings.LastIndex(key, store.Sep)+1:])
		if err != nil {
			getErr = err
			return false
		}
		last = key
		if rec != nil && (rec.Deleted == nil || q.planned) && matchAll(rec, info.Region, q.filters) {
			page = append(page, rec)
		}
		return true
	})
	if err == nil {
		err = getErr
	}
	if err != nil {
		return "", err
	}
	for _, rec := range page {
		if err := fn(rec); err != nil {
			return "", err
		}
	}
	if next == "" {
		return "", nil
	}
	return encodeToken(next), nil
}

func (s *Service) listSecrets(ctx context.Context, in *sm.ListSecretsRequest) (*sm.ListSecretsResponse, error) {
	info := request.From(ctx)
	if err := s.access.flush(); err != nil { // LastAccessedDate must show every read so far
		return nil, err
	}
	q := listQuery{
		filters: parseFilters(in.Filters), planned: in.IncludePlannedDeletion != nil && *in.IncludePlannedDeletion,
		desc: deref(in.SortOrder) == sm.SortOrderTypeDesc, limit: 100, token: in.NextToken,
	}
	if in.MaxResults != nil {
		q.limit = int(*in.MaxResults)
	}
	out := &sm.ListSecretsResponse{SecretList: []sm.SecretListEntry{}}
	err := s.st.View(func(tx store.Tx) error {
		next, err := s.walk(tx, info, q, func(rec *secretRecord) error {
			out.SecretList = append(out.SecretList, entryOf(info.Account, info.Region, rec))
			return nil
		})
		if next != "" {
			out.NextToken = str(next)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) batchGetSecretValue(ctx context.Context, in *sm.BatchGetSecretValueRequest) (*sm.BatchGetSecretValueResponse, error) {
	info := request.From(ctx)
	if (in.SecretIdList != nil) == (in.Filters != nil) {
		return nil, invalidParam("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
	}
	if in.MaxResults != nil && in.Filters == nil {
		return nil, invalidParam("'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.")
	}
	out := &sm.BatchGetSecretValueResponse{SecretValues: []sm.SecretValueEntry{}, Errors: []sm.APIErrorType{}}
	add := func(v *sm.GetSecretValueResponse) {
		out.SecretValues = append(out.SecretValues, sm.SecretValueEntry{
			ARN: v.ARN, Name: v.Name, VersionId: v.VersionId, SecretBinary: v.SecretBinary, SecretString: v.SecretString,
			VersionStages: v.VersionStages, CreatedDate: v.CreatedDate,
		})
	}
	// One read-only transaction, like GetSecretValue's. Errors of one secret become an
	// Errors entry and do not stop the others.
	err := s.st.View(func(tx store.Tx) error {
		out.SecretValues, out.Errors = out.SecretValues[:0], out.Errors[:0]
		if in.SecretIdList != nil {
			for _, id := range in.SecretIdList {
				v, err := s.readValue(tx, info, id, "", "")
				if err != nil {
					e := asAWS(err)
					if e.Status >= 500 {
						return err
					}
					out.Errors = append(out.Errors, sm.APIErrorType{SecretId: str(id), ErrorCode: str(e.Code), Message: str(e.Message)})
					continue
				}
				add(v)
			}
			return nil
		}
		q := listQuery{filters: parseFilters(in.Filters), limit: 20, token: in.NextToken}
		if in.MaxResults != nil {
			q.limit = int(*in.MaxResults)
		}
		next, err := s.walk(tx, info, q, func(rec *secretRecord) error {
			arn := arnOf(info.Account, info.Region, rec.Name, rec.Suffix)
			v, err := s.readValue(tx, info, arn, "", "")
			if err != nil {
				e := asAWS(err)
				if e.Status >= 500 {
					return err
				}
				out.Errors = append(out.Errors, sm.APIErrorType{SecretId: str(arn), ErrorCode: str(e.Code), Message: str(e.Message)})
				return nil
			}
			add(v)
			return nil
		})
		out.NextToken = nil
		if next != "" {
			out.NextToken = str(next)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
