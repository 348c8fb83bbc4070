package iam

import (
	"context"
	"sort"
	"strings"

	"github.com/xregion/xregion/internal/awsmodel"
	"github.com/xregion/xregion/internal/gen/iamapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// Instance profile quotas (AWS's defaults).
const (
	profilesPerAccount = 1000
	rolesPerProfile    = 1
)

func profileKey(p *profileRecord) string { return nameKey(p.Name) }

// apiProfile renders a profile with its role, which is read from the role's record so
// that it shows the role as it is now.
func apiProfile(tx kit.Tx, c call, p *profileRecord) (iamapi.InstanceProfile, error) {
	created := p.Created
	out := iamapi.InstanceProfile{
		Path: ptr(p.Path), InstanceProfileName: ptr(p.Name), InstanceProfileId: ptr(p.ID), Arn: ptr(p.arn(c)),
		CreateDate: &created, Roles: []iamapi.Role{}, Tags: apiTags(p.Tags),
	}
	for _, k := range p.Roles {
		r, ok, err := loadRole(c.in(tx), k)
		if err != nil {
			return iamapi.InstanceProfile{}, err
		}
		if ok {
			out.Roles = append(out.Roles, r.apiRole(c, false))
		}
	}
	return out, nil
}

func (s *Service) CreateInstanceProfile(ctx context.Context, in *iamapi.CreateInstanceProfileRequest) (*iamapi.CreateInstanceProfileResponse, error) {
	c := s.newCall(ctx)
	if err := checkPath(in.Path); err != nil {
		return nil, err
	}
	tags, err := requestTags(in.Tags)
	if err != nil {
		return nil, err
	}
	p := &profileRecord{Name: deref(in.InstanceProfileName), ID: "AIPA" + ids.Upper(17), Path: pathOr(in.Path), Created: s.now(), Tags: tags}
	var out iamapi.InstanceProfile
	err = s.Update(func(tx kit.Tx) error {
		if existing, ok, err := loadProfile(c.in(tx), p.Name); err != nil {
			return err
		} else if ok {
			return msgProfileExists.New(existing.Name)
		}
		if err := roomFor(profileTable, c.in(tx), profilesPerAccount, quotaInstanceProfilesPerAccount); err != nil {
			return err
		}
		if err := saveProfile(c.in(tx), p); err != nil {
			return err
		}
		out, err = apiProfile(tx, c, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateInstanceProfileResponse{InstanceProfile: &out}, nil
}

func (s *Service) GetInstanceProfile(ctx context.Context, in *iamapi.GetInstanceProfileRequest) (*iamapi.GetInstanceProfileResponse, error) {
	c := s.newCall(ctx)
	var out iamapi.InstanceProfile
	err := s.View(func(tx kit.Tx) error {
		p, err := mustProfile(c.in(tx), deref(in.InstanceProfileName))
		if err != nil {
			return err
		}
		out, err = apiProfile(tx, c, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetInstanceProfileResponse{InstanceProfile: &out}, nil
}

func (s *Service) DeleteInstanceProfile(ctx context.Context, in *iamapi.DeleteInstanceProfileRequest) (*awsmodel.Empty, error) {
	c := s.newCall(ctx)
	return nil, s.Update(func(tx kit.Tx) error {
		p, err := mustProfile(c.in(tx), deref(in.InstanceProfileName))
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return msgInProfile.New()
		}
		return profileTable.Delete(c.in(tx), nameKey(p.Name))
	})
}

func profilePage(tx kit.Tx, c call, profiles []*profileRecord, marker *string, maxItems *int64) ([]iamapi.InstanceProfile, *bool, *string, error) {
	p, err := paginate(c, profiles, profileKey, marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	out := []iamapi.InstanceProfile{}
	for _, prof := range p.items {
		ip, err := apiProfile(tx, c, prof)
		if err != nil {
			return nil, nil, nil, err
		}
		out = append(out, ip)
	}
	return out, ptr(p.truncated), p.marker, nil
}

func (s *Service) ListInstanceProfiles(ctx context.Context, in *iamapi.ListInstanceProfilesRequest) (*iamapi.ListInstanceProfilesResponse, error) {
	c := s.newCall(ctx)
	if err := checkPathPrefix(in.PathPrefix); err != nil {
		return nil, err
	}
	prefix := pathOr(in.PathPrefix)
	out := &iamapi.ListInstanceProfilesResponse{}
	err := s.View(func(tx kit.Tx) error {
		var profiles []*profileRecord
		err := profileTable.Scan(c.in(tx), func(p *profileRecord) bool {
			if strings.HasPrefix(p.Path, prefix) {
				profiles = append(profiles, p)
			}
			return true
		})
		if err != nil {
			return err
		}
		out.InstanceProfiles, out.IsTruncated, out.Marker, err = profilePage(tx, c, profiles, in.Marker, in.MaxItems)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) ListInstanceProfilesForRole(ctx context.Context, in *iamapi.ListInstanceProfilesForRoleRequest) (*iamapi.ListInstanceProfilesForRoleResponse, error) {
	c := s.newCall(ctx)
	out := &iamapi.ListInstanceProfilesForRoleResponse{}
	err := s.View(func(tx kit.Tx) error {
		r, err := mustRole(c.in(tx), deref(in.RoleName))
		if err != nil {
			return err
		}
		var profiles []*profileRecord
		for _, k := range r.Profiles {
			p, ok, err := loadProfile(c.in(tx), k)
			if err != nil {
				return err
			}
			if ok {
				profiles = append(profiles, p)
			}
		}
		out.InstanceProfiles, out.IsTruncated, out.Marker, err = profilePage(tx, c, profiles, in.Marker, in.MaxItems)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddRoleToInstanceProfile puts a role in a profile. The role and the profile each record
// the link, in one write, so that DeleteRole sees it.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, in *iamapi.AddRoleToInstanceProfileRequest) (*awsmodel.Empty, error) {
	c := s.newCall(ctx)
	return nil, s.Update(func(tx kit.Tx) error {
		p, err := mustProfile(c.in(tx), deref(in.InstanceProfileName))
		if err != nil {
			return err
		}
		r, err := mustRole(c.in(tx), deref(in.RoleName))
		if err != nil {
			return err
		}
		if len(p.Roles) >= rolesPerProfile {
			return msgQuota.New(quotaInstanceSessionsPerInstanceProfile, rolesPerProfile)
		}
		p.Roles = append(p.Roles, nameKey(r.Name))
		r.Profiles = append(r.Profiles, nameKey(p.Name))
		sort.Strings(r.Profiles)
		if err := saveProfile(c.in(tx), p); err != nil {
			return err
		}
		return saveRole(c.in(tx), r)
	})
}

func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, in *iamapi.RemoveRoleFromInstanceProfileRequest) (*awsmodel.Empty, error) {
	c := s.newCall(ctx)
	return nil, s.Update(func(tx kit.Tx) error {
		p, err := mustProfile(c.in(tx), deref(in.InstanceProfileName))
		if err != nil {
			return err
		}
		r, err := mustRole(c.in(tx), deref(in.RoleName))
		if err != nil {
			return err
		}
		roleKey, profKey := nameKey(r.Name), nameKey(p.Name)
		i := indexOf(p.Roles, roleKey)
		if i < 0 {
			return noSuchRole(deref(in.RoleName))
		}
		p.Roles = append(p.Roles[:i], p.Roles[i+1:]...)
		if j := indexOf(r.Profiles, profKey); j >= 0 {
			r.Profiles = append(r.Profiles[:j], r.Profiles[j+1:]...)
		}
		if err := saveProfile(c.in(tx), p); err != nil {
			return err
		}
		return saveRole(c.in(tx), r)
	})
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func (s *Service) updateProfileWith(ctx context.Context, name string, change func(p *profileRecord) error) error {
	c := s.newCall(ctx)
	return s.Update(func(tx kit.Tx) error {
		p, err := mustProfile(c.in(tx), name)
		if err != nil {
			return err
		}
		if err := change(p); err != nil {
			return err
		}
		return saveProfile(c.in(tx), p)
	})
}

func (s *Service) TagInstanceProfile(ctx context.Context, in *iamapi.TagInstanceProfileRequest) (*awsmodel.Empty, error) {
	return nil, s.updateProfileWith(ctx, deref(in.InstanceProfileName), func(p *profileRecord) error {
		tags, err := mergeTags(p.Tags, in.Tags, "InstanceProfile")
		if err != nil {
			return err
		}
		p.Tags = tags
		return nil
	})
}

func (s *Service) UntagInstanceProfile(ctx context.Context, in *iamapi.UntagInstanceProfileRequest) (*awsmodel.Empty, error) {
	return nil, s.updateProfileWith(ctx, deref(in.InstanceProfileName), func(p *profileRecord) error {
		p.Tags = removeTags(p.Tags, in.TagKeys)
		return nil
	})
}

func (s *Service) ListInstanceProfileTags(ctx context.Context, in *iamapi.ListInstanceProfileTagsRequest) (*iamapi.ListInstanceProfileTagsResponse, error) {
	c := s.newCall(ctx)
	out := &iamapi.ListInstanceProfileTagsResponse{}
	err := s.View(func(tx kit.Tx) error {
		p, err := mustProfile(c.in(tx), deref(in.InstanceProfileName))
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
