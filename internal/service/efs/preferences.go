package efs

import (
	"context"

	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// Account preferences choose the length of new file system and mount target ids: long
// (17 hex digits, the default in every Region since 2021) or short (8), which an account
// may still ask for. Access point ids are always long.

// preferredType is the account's resource id type in the view's Region.
func preferredType(v kit.View) (string, error) {
	p, err := preferences.Get(v)
	if err != nil || p == nil {
		return efsapi.ResourceIdTypeLongId, err
	}
	return p.ResourceIDType, nil
}

// newResourceID makes the id of a new file system or mount target, as the account
// prefers.
func newResourceID(v kit.View, prefix string) (string, error) {
	kind, err := preferredType(v)
	if err != nil {
		return "", err
	}
	if kind == efsapi.ResourceIdTypeShortId {
		return prefix + "-" + ids.Hex(4)[:8], nil
	}
	return newID(prefix), nil
}

func preferenceOut(kind string) *efsapi.ResourceIdPreference {
	return &efsapi.ResourceIdPreference{ResourceIdType: new(kind), Resources: []string{efsapi.ResourceFileSystem, efsapi.ResourceMountTarget}}
}

func (s *Service) DescribeAccountPreferences(ctx context.Context, _ *efsapi.DescribeAccountPreferencesRequest) (*efsapi.DescribeAccountPreferencesResponse, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*efsapi.DescribeAccountPreferencesResponse, error) {
		kind, err := preferredType(c.In(tx))
		if err != nil {
			return nil, err
		}
		return &efsapi.DescribeAccountPreferencesResponse{ResourceIdPreference: preferenceOut(kind)}, nil
	})
}

func (s *Service) PutAccountPreferences(ctx context.Context, in *efsapi.PutAccountPreferencesRequest) (*efsapi.PutAccountPreferencesResponse, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*efsapi.PutAccountPreferencesResponse, error) {
		if err := preferences.Put(c.In(tx), &preferenceRecord{ResourceIDType: *in.ResourceIdType}); err != nil {
			return nil, err
		}
		return &efsapi.PutAccountPreferencesResponse{ResourceIdPreference: preferenceOut(*in.ResourceIdType)}, nil
	})
}
