package secretsmanager

import (
	"context"

	"github.com/xregion/xregion/internal/awserr"
	sm "github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// listQuery is a ListSecrets-like walk over the secrets of a Region in creation order.
type listQuery struct {
	op      string // the operation whose markers these are
	filters []filter
	planned bool // include secrets scheduled for deletion
	desc    bool
	limit   int
	token   *string
}

// walk returns the page of matching secrets that starts at the token, and the token of
// the next page (nil when there is none). A token is the position of the next secret in
// the creation-order index, so secrets created or deleted meanwhile do not shift the
// pages.
func (s *Service) walk(v kit.View, q listQuery) ([]*secretRecord, *string, error) {
	index := byCreated
	if q.desc {
		index = byCreatedRev
	}
	l := kit.List{Op: q.op, Account: v.Account(), Region: v.Region(), Within: index.Kind}
	var page []*secretRecord
	next, err := s.pages.Scan(v, l, index, q.token, q.limit, func(e kit.Entry) (bool, error) {
		rec, err := secrets.Get(v, e.Last())
		if err != nil || rec == nil || (rec.Deleted != nil && !q.planned) || !matchAll(rec, v.Region(), q.filters) {
			return false, err
		}
		page = append(page, rec)
		return true, nil
	})
	return page, next, err
}

func (s *Service) ListSecrets(ctx context.Context, in *sm.ListSecretsRequest) (*sm.ListSecretsResponse, error) {
	c := s.Call(ctx)
	if err := checkFilters(in.Filters); err != nil {
		return nil, err
	}
	if err := s.access.flush(); err != nil { // LastAccessedDate must show every read so far
		return nil, err
	}
	q := listQuery{
		op: "ListSecrets", filters: parseFilters(in.Filters), planned: in.IncludePlannedDeletion != nil && *in.IncludePlannedDeletion,
		desc: deref(in.SortOrder) == sm.SortOrderTypeDesc, limit: 100, token: in.NextToken,
	}
	if in.MaxResults != nil {
		q.limit = int(*in.MaxResults)
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*sm.ListSecretsResponse, error) {
		v := c.In(tx)
		page, next, err := s.walk(v, q)
		if err != nil {
			return nil, err
		}
		out := &sm.ListSecretsResponse{SecretList: []sm.SecretListEntry{}, NextToken: next}
		for _, rec := range page {
			out.SecretList = append(out.SecretList, entryOf(v, rec))
		}
		return out, nil
	})
}

func (s *Service) BatchGetSecretValue(ctx context.Context, in *sm.BatchGetSecretValueRequest) (*sm.BatchGetSecretValueResponse, error) {
	c := s.Call(ctx)
	if (in.SecretIdList != nil) == (in.Filters != nil) {
		return nil, msgIdsOrFilters.New()
	}
	if in.MaxResults != nil && in.Filters == nil {
		return nil, msgMaxNeedsFilters.New()
	}
	if err := checkFilters(in.Filters); err != nil {
		return nil, err
	}
	// One read-only transaction, like GetSecretValue's. Errors of one secret become an
	// Errors entry and do not stop the others.
	return kit.Read(s.Kit, func(tx kit.Tx) (*sm.BatchGetSecretValueResponse, error) {
		v := c.In(tx)
		out := &sm.BatchGetSecretValueResponse{SecretValues: []sm.SecretValueEntry{}, Errors: []sm.APIErrorType{}}
		ids := in.SecretIdList
		if in.SecretIdList == nil {
			q := listQuery{op: "BatchGetSecretValue", filters: parseFilters(in.Filters), limit: 20, token: in.NextToken}
			if in.MaxResults != nil {
				q.limit = int(*in.MaxResults)
			}
			page, next, err := s.walk(v, q)
			if err != nil {
				return nil, err
			}
			out.NextToken = next
			for _, rec := range page {
				ids = append(ids, rec.arn(v))
			}
		}
		for _, id := range ids {
			if err := s.batchValue(tx, v, c.Caller, id, out); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

// batchValue adds the current value of the secret id to a BatchGetSecretValue answer, or
// the client error reading it gives to its Errors.
func (s *Service) batchValue(tx kit.Tx, v kit.View, caller kit.Caller, id string, out *sm.BatchGetSecretValueResponse) error {
	val, err := s.readValue(tx, v, caller, id, "", "")
	if err != nil {
		e := awserr.As(err)
		if e.Status >= awserr.StatusInternalServerError {
			return err
		}
		out.Errors = append(out.Errors, sm.APIErrorType{SecretId: new(id), ErrorCode: new(e.Code), Message: new(e.Message)})
		return nil
	}
	out.SecretValues = append(out.SecretValues, sm.SecretValueEntry{
		ARN: val.ARN, Name: val.Name, VersionId: val.VersionId, SecretBinary: val.SecretBinary, SecretString: val.SecretString,
		VersionStages: val.VersionStages, CreatedDate: val.CreatedDate,
	})
	return nil
}
