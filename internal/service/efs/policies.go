package efs

import (
	"context"
	"encoding/json"
	"github.com/xregion/xregion/internal/awsmodel"

	efsapi "github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/service/kit"
)

// changeFileSystem runs change on an available file system of the caller's and stores
// it, answering what answer makes of it.
func changeFileSystem[O any](s *Service, ctx context.Context, id string, change func(fs *fileSystemRecord) error, answer func(fs *fileSystemRecord) *O) (*O, error) {
	return changeFileSystemIn(s, ctx, id, func(_ kit.Tx, _ kit.View, fs *fileSystemRecord) error { return change(fs) }, answer)
}

// changeFileSystemIn is changeFileSystem for a change that writes more than the file
// system, in the same transaction.
func changeFileSystemIn[O any](s *Service, ctx context.Context, id string, change func(tx kit.Tx, v kit.View, fs *fileSystemRecord) error, answer func(fs *fileSystemRecord) *O) (*O, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*O, error) {
		v := c.In(tx)
		fs, err := availableFileSystem(v, id)
		if err != nil {
			return nil, err
		}
		if err := change(tx, v, fs); err != nil {
			return nil, err
		}
		if err := fileSystems.Put(v, fs, fs.ID); err != nil {
			return nil, err
		}
		return answer(fs), nil
	})
}

// readFileSystem answers what answer makes of a file system of the caller's, in any
// state.
func readFileSystem[O any](s *Service, ctx context.Context, id string, answer func(fs *fileSystemRecord) (*O, error)) (*O, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*O, error) {
		fs, err := fileSystemOf(c.In(tx), id)
		if err != nil {
			return nil, err
		}
		return answer(fs)
	})
}

func (s *Service) PutLifecycleConfiguration(ctx context.Context, in *efsapi.PutLifecycleConfigurationRequest) (*efsapi.LifecycleConfigurationDescription, error) {
	return changeFileSystem(s, ctx, *in.FileSystemId, func(fs *fileSystemRecord) error {
		rules, err := checkLifecycle(fs, in.LifecyclePolicies)
		if err != nil {
			return err
		}
		fs.Lifecycle = rules
		return nil
	}, lifecycleOut)
}

// checkLifecycle checks lifecycle policies: each sets one transition, each transition
// at most once, Archive only where EFS offers it and not before IA.
func checkLifecycle(fs *fileSystemRecord, in []efsapi.LifecyclePolicy) ([]lifecycleRule, error) {
	var rules []lifecycleRule
	seen := map[string]bool{}
	var toIA, toArchive string
	for _, p := range in {
		set := map[string]string{"TransitionToIA": deref(p.TransitionToIA), "TransitionToPrimaryStorageClass": deref(p.TransitionToPrimaryStorageClass), "TransitionToArchive": deref(p.TransitionToArchive)}
		n := 0
		for name, value := range set {
			if value == "" {
				continue
			}
			n++
			if seen[name] {
				return nil, msgLifecycleTwice.New(name)
			}
			seen[name] = true
		}
		if n != 1 {
			return nil, msgLifecycleOne.New()
		}
		if set["TransitionToIA"] != "" {
			toIA = set["TransitionToIA"]
		}
		if set["TransitionToArchive"] != "" {
			toArchive = set["TransitionToArchive"]
		}
		rules = append(rules, lifecycleRule{ToIA: set["TransitionToIA"], ToPrimary: set["TransitionToPrimaryStorageClass"], ToArchive: set["TransitionToArchive"]})
	}
	if toArchive != "" && (fs.ThroughputMode != efsapi.ThroughputModeElastic || fs.PerformanceMode != efsapi.PerformanceModeGeneralPurpose) {
		return nil, msgArchiveThrough.New()
	}
	ia, okIA := ruleDays(toIA)
	archive, okArchive := ruleDays(toArchive)
	if okIA && okArchive && archive < ia {
		return nil, msgArchiveBeforeIA.New()
	}
	return rules, nil
}

func lifecycleOut(fs *fileSystemRecord) *efsapi.LifecycleConfigurationDescription {
	out := &efsapi.LifecycleConfigurationDescription{LifecyclePolicies: []efsapi.LifecyclePolicy{}}
	for _, r := range fs.Lifecycle {
		p := efsapi.LifecyclePolicy{}
		switch {
		case r.ToIA != "":
			p.TransitionToIA = new(r.ToIA)
		case r.ToPrimary != "":
			p.TransitionToPrimaryStorageClass = new(r.ToPrimary)
		default:
			p.TransitionToArchive = new(r.ToArchive)
		}
		out.LifecyclePolicies = append(out.LifecyclePolicies, p)
	}
	return out
}

func (s *Service) DescribeLifecycleConfiguration(ctx context.Context, in *efsapi.DescribeLifecycleConfigurationRequest) (*efsapi.LifecycleConfigurationDescription, error) {
	return readFileSystem(s, ctx, *in.FileSystemId, func(fs *fileSystemRecord) (*efsapi.LifecycleConfigurationDescription, error) {
		return lifecycleOut(fs), nil
	})
}

// PutBackupPolicy turns automatic backups on or off. ENABLING and DISABLING are states
// EFS shows, never asks for.
func (s *Service) PutBackupPolicy(ctx context.Context, in *efsapi.PutBackupPolicyRequest) (*efsapi.BackupPolicyDescription, error) {
	status := deref(in.BackupPolicy.Status)
	if status != efsapi.StatusEnabled && status != efsapi.StatusDisabled {
		return nil, msgBackupStatus.New()
	}
	return changeFileSystemIn(s, ctx, *in.FileSystemId, func(tx kit.Tx, v kit.View, fs *fileSystemRecord) error {
		fs.Backup = status
		if status == efsapi.StatusEnabled {
			return s.ensureAutomaticPlan(tx, v)
		}
		return nil
	}, backupOut)
}

func backupOut(fs *fileSystemRecord) *efsapi.BackupPolicyDescription {
	return &efsapi.BackupPolicyDescription{BackupPolicy: &efsapi.BackupPolicy{Status: new(fs.Backup)}}
}

// DescribeBackupPolicy answers the file system's policy; one that was never set is
// DISABLED, as AWS shows a file system created without automatic backups.
func (s *Service) DescribeBackupPolicy(ctx context.Context, in *efsapi.DescribeBackupPolicyRequest) (*efsapi.BackupPolicyDescription, error) {
	return readFileSystem(s, ctx, *in.FileSystemId, func(fs *fileSystemRecord) (*efsapi.BackupPolicyDescription, error) {
		return backupOut(fs), nil
	})
}

func (s *Service) PutFileSystemPolicy(ctx context.Context, in *efsapi.PutFileSystemPolicyRequest) (*efsapi.FileSystemPolicyDescription, error) {
	if err := checkPolicy(*in.Policy); err != nil {
		return nil, err
	}
	return changeFileSystem(s, ctx, *in.FileSystemId, func(fs *fileSystemRecord) error {
		fs.Policy = *in.Policy
		return nil
	}, func(fs *fileSystemRecord) *efsapi.FileSystemPolicyDescription {
		return &efsapi.FileSystemPolicyDescription{FileSystemId: new(fs.ID), Policy: new(fs.Policy)}
	})
}

// checkPolicy checks a resource policy's grammar: a JSON object whose statements each
// have an Effect of Allow or Deny, a Principal and an Action.
func checkPolicy(text string) error {
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return msgPolicyNotJSON.New()
	}
	var statements []map[string]json.RawMessage
	if err := json.Unmarshal(doc.Statement, &statements); err != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(doc.Statement, &one) != nil || one == nil {
			return msgPolicyStatement.New()
		}
		statements = append(statements, one)
	}
	if len(statements) == 0 {
		return msgPolicyNoStatement.New()
	}
	for _, st := range statements {
		var effect string
		_ = json.Unmarshal(st["Effect"], &effect)
		if effect != "Allow" && effect != "Deny" {
			return msgPolicyEffect.New()
		}
		if st["Principal"] == nil || st["Action"] == nil {
			return msgPolicyParts.New()
		}
	}
	return nil
}

func (s *Service) DescribeFileSystemPolicy(ctx context.Context, in *efsapi.DescribeFileSystemPolicyRequest) (*efsapi.FileSystemPolicyDescription, error) {
	return readFileSystem(s, ctx, *in.FileSystemId, func(fs *fileSystemRecord) (*efsapi.FileSystemPolicyDescription, error) {
		if fs.Policy == "" {
			return nil, msgPolicyNotFound.New(fs.ID)
		}
		return &efsapi.FileSystemPolicyDescription{FileSystemId: new(fs.ID), Policy: new(fs.Policy)}, nil
	})
}

// DeleteFileSystemPolicy removes the policy; a file system without one is not an error.
func (s *Service) DeleteFileSystemPolicy(ctx context.Context, in *efsapi.DeleteFileSystemPolicyRequest) (*awsmodel.Empty, error) {
	return changeFileSystem(s, ctx, *in.FileSystemId, func(fs *fileSystemRecord) error {
		fs.Policy = ""
		return nil
	}, func(*fileSystemRecord) *awsmodel.Empty { return &awsmodel.Empty{} })
}
