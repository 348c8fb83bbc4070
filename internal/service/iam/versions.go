package iam

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// A customer managed policy keeps up to five versions, numbered v1, v2, ... and never
// renumbered; one of them is the default, the one in force.

func noSuchVersion(policyARN, version string) error {
	return msgNoSuchVersion.New(policyARN, version)
}

func findVersion(versions []policyVersion, id string) int {
	for i, v := range versions {
		if v.ID == id {
			return i
		}
	}
	return -1
}

func apiVersion(v policyVersion, defaultID string, withDocument bool) *iamapi.PolicyVersion {
	created := v.Created
	out := &iamapi.PolicyVersion{VersionId: ptr(v.ID), IsDefaultVersion: ptr(v.ID == defaultID), CreateDate: &created}
	if withDocument {
		out.Document = ptr(encodeDocument(v.Document))
	}
	return out
}

func (s *Service) CreatePolicyVersion(ctx context.Context, in *iamapi.CreatePolicyVersionRequest) (*iamapi.CreatePolicyVersionResponse, error) {
	var out *iamapi.PolicyVersion
	err := s.updatePolicyWith(ctx, deref(in.PolicyArn), "CreatePolicyVersion", func(_ call, p *policyRecord) error {
		doc := deref(in.PolicyDocument)
		if err := checkPolicyDocument(doc); err != nil {
			return err
		}
		if len(p.Versions) >= maxPolicyVersions {
			return msgTooManyVersions.New(maxPolicyVersions)
		}
		v := policyVersion{ID: "v" + strconv.Itoa(p.Next), Document: doc, Created: s.now()}
		p.Next++
		p.Versions = append(p.Versions, v)
		p.Updated = v.Created
		if deref(in.SetAsDefault) {
			p.Default = v.ID
		}
		out = apiVersion(v, p.Default, false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreatePolicyVersionResponse{PolicyVersion: out}, nil
}

func (s *Service) GetPolicyVersion(ctx context.Context, in *iamapi.GetPolicyVersionRequest) (*iamapi.GetPolicyVersionResponse, error) {
	c := s.newCall(ctx)
	var out *iamapi.PolicyVersion
	err := s.View(func(tx kit.Tx) error {
		m, err := mustPolicy(tx, c, deref(in.PolicyArn))
		if err != nil {
			return err
		}
		versions := m.versions()
		i := findVersion(versions, deref(in.VersionId))
		if i < 0 {
			return noSuchVersion(m.arn, deref(in.VersionId))
		}
		out = apiVersion(versions[i], m.defaultVersion(), true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetPolicyVersionResponse{PolicyVersion: out}, nil
}

// versionKey sorts versions newest first, the order in which IAM lists them.
func versionKey(v policyVersion) string {
	n, _ := strconv.Atoi(strings.TrimPrefix(v.ID, "v"))
	return fmt.Sprintf("%010d", 1<<30-n)
}

func (s *Service) ListPolicyVersions(ctx context.Context, in *iamapi.ListPolicyVersionsRequest) (*iamapi.ListPolicyVersionsResponse, error) {
	c := s.newCall(ctx)
	out := &iamapi.ListPolicyVersionsResponse{Versions: []iamapi.PolicyVersion{}}
	err := s.View(func(tx kit.Tx) error {
		m, err := mustPolicy(tx, c, deref(in.PolicyArn))
		if err != nil {
			return err
		}
		versions := append([]policyVersion(nil), m.versions()...)
		sort.Slice(versions, func(i, j int) bool { return versionKey(versions[i]) < versionKey(versions[j]) })
		p, err := paginate(c, versions, versionKey, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		for _, v := range p.items {
			out.Versions = append(out.Versions, *apiVersion(v, m.defaultVersion(), false))
		}
		out.IsTruncated, out.Marker = ptr(p.truncated), p.marker
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) DeletePolicyVersion(ctx context.Context, in *iamapi.DeletePolicyVersionRequest) (*awsmodel.Empty, error) {
	return nil, s.updatePolicyWith(ctx, deref(in.PolicyArn), "DeletePolicyVersion", func(c call, p *policyRecord) error {
		id := deref(in.VersionId)
		i := findVersion(p.Versions, id)
		if i < 0 {
			return noSuchVersion(p.arn(c), id)
		}
		if id == p.Default {
			return msgDeleteDefaultVersion.New()
		}
		p.Versions = append(p.Versions[:i], p.Versions[i+1:]...)
		return nil
	})
}

func (s *Service) SetDefaultPolicyVersion(ctx context.Context, in *iamapi.SetDefaultPolicyVersionRequest) (*awsmodel.Empty, error) {
	return nil, s.updatePolicyWith(ctx, deref(in.PolicyArn), "SetDefaultPolicyVersion", func(c call, p *policyRecord) error {
		id := deref(in.VersionId)
		if findVersion(p.Versions, id) < 0 {
			return noSuchVersion(p.arn(c), id)
		}
		p.Default = id
		return nil
	})
}
