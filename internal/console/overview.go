package console

import (
	"net/http"
	"slices"
	"time"

	"github.com/xregion/xregion/internal/gen/backupapi"
	"github.com/xregion/xregion/internal/gen/efsapi"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/gen/secretsmanagerapi"
	"github.com/xregion/xregion/internal/regions"
)

// regionSummary is one Region's row of the cross-Region overview.
type regionSummary struct {
	Region   string
	Down     bool
	Vaults   []backupapi.BackupVaultListMember
	InFlight []backupapi.CopyJob // copies leaving this Region, not finished
	Copied   []backupapi.CopyJob // copies leaving this Region, finished
	Secrets  []*secretsmanagerapi.DescribeSecretResponse
	// Replicated are RDS automated backups replicated into this Region, each with how far
	// its latest restorable time trails the clock.
	Replicated []replicatedBackup
	// Globals are the global databases whose primary cluster is in this Region.
	Globals []rdsapi.GlobalCluster
	// FileSystems are the EFS replications out of this Region.
	FileSystems []efsapi.ReplicationConfigurationDescription
}

type replicatedBackup struct {
	rdsapi.DBInstanceAutomatedBackup
	Lag    string
	behind time.Duration
	known  bool // the backup has a restore window to measure from
}

func (s regionSummary) empty() bool {
	return !s.Down && len(s.Vaults) == 0 && len(s.InFlight) == 0 && len(s.Copied) == 0 && len(s.Secrets) == 0 &&
		len(s.Replicated) == 0 && len(s.Globals) == 0 && len(s.FileSystems) == 0
}

type overviewData struct {
	Clock   clockState
	Faults  []faultState
	Regions []regionSummary
	All     []string
	Plot    plot // copy durations
	Lag     plot // replication lag of automated backups, as the overview saw it
}

// overviewPage is the cross-Region overview: for the account, every Region where
// something is protected or something is wrong, with the copies of each resource, a plot
// of copy durations, and xregion's own controls (clock, faults).
func (c *Console) overviewPage(w http.ResponseWriter, r *http.Request, v *visit) {
	data := overviewData{All: regions.All()}
	var firstErr error
	keep := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	var err error
	data.Clock, err = c.clock(r)
	keep(err)
	data.Faults, err = c.faults(r)
	keep(err)
	down := downRegions(data.Faults)
	globals, err := v.globalDatabases()
	keep(err)
	var copies []backupapi.CopyJob
	for _, region := range data.All {
		s, err := v.summary(region, down[region], data.Clock.Now)
		keep(err)
		s.Globals = primaryIn(globals, region)
		copies = append(copies, s.Copied...)
		for _, b := range s.Replicated {
			if b.known {
				c.lags.record(deref(b.DBInstanceIdentifier)+" → "+region, data.Clock.Now, b.behind)
			}
		}
		if !s.empty() {
			data.Regions = append(data.Regions, s)
		}
	}
	data.Plot, data.Lag = copyDurations(copies), c.lags.plot()
	if r.Header.Get("HX-Request") == "true" && r.FormValue("part") == "regions" {
		c.write(w, http.StatusOK, "overview", "regions", view{Region: v.Region, Data: data})
		return
	}
	v.render(w, http.StatusOK, "overview", "Cross-Region overview", "overview", data, firstErr)
}

// summary gathers one Region's protection. A Region that is down answers nothing; the
// overview says so instead of failing.
func (v *visit) summary(region string, down bool, clockNow time.Time) (regionSummary, error) {
	s := regionSummary{Region: region, Down: down}
	if down {
		return s, nil
	}
	ctx, as := v.r.Context(), v.in(region)
	var err error
	if s.Vaults, err = v.vaults(region); err != nil {
		return s, err
	}
	jobs, err := call(ctx, v.c.services, as, "backup", backupapi.OpListCopyJobs, &backupapi.ListCopyJobsInput{MaxResults: new(listLimit)})
	if err != nil {
		return s, err
	}
	for _, j := range jobs.CopyJobs {
		if slices.Contains([]string{"CREATED", "RUNNING"}, deref(j.State)) {
			s.InFlight = append(s.InFlight, j)
		} else {
			s.Copied = append(s.Copied, j)
		}
	}
	if s.Secrets, err = v.replicatedSecrets(region); err != nil {
		return s, err
	}
	if s.Replicated, err = v.replicatedBackups(region, clockNow); err != nil {
		return s, err
	}
	s.FileSystems, err = v.replicationsOut(region)
	return s, err
}

// primaryIn are the global databases whose writer is in region. A global database is
// shown under its primary's Region even when that Region is down: that is when a person
// looks for it.
func primaryIn(globals []rdsapi.GlobalCluster, region string) []rdsapi.GlobalCluster {
	var out []rdsapi.GlobalCluster
	for _, g := range globals {
		for _, m := range g.GlobalClusterMembers {
			if derefBool(m.IsWriter) && regionOfARN(deref(m.DBClusterArn)) == region {
				out = append(out, g)
			}
		}
	}
	return out
}

// replicationsOut are the EFS replications whose source file system is in region. A
// binary that does not serve EFS has none.
func (v *visit) replicationsOut(region string) ([]efsapi.ReplicationConfigurationDescription, error) {
	if !v.c.services.serves("elasticfilesystem", efsapi.OpDescribeReplicationConfigurations.Name) {
		return nil, nil
	}
	all, err := v.replications(region)
	var out []efsapi.ReplicationConfigurationDescription
	for _, r := range all {
		if deref(r.SourceFileSystemRegion) == region {
			out = append(out, r)
		}
	}
	return out, err
}

// replicatedBackups are the RDS automated backups replicated into region.
func (v *visit) replicatedBackups(region string, now time.Time) ([]replicatedBackup, error) {
	_, replicated, err := v.automatedBackups(region)
	var out []replicatedBackup
	for _, b := range replicated {
		rb := replicatedBackup{DBInstanceAutomatedBackup: b, Lag: "-"}
		if b.RestoreWindow != nil && b.RestoreWindow.LatestTime != nil {
			rb.behind, rb.known = now.Sub(*b.RestoreWindow.LatestTime), true
			rb.Lag = rb.behind.Round(time.Second).String()
		}
		out = append(out, rb)
	}
	return out, err
}

// replicatedSecrets are the Region's primary secrets that have replicas, with each
// replica's status.
func (v *visit) replicatedSecrets(region string) ([]*secretsmanagerapi.DescribeSecretResponse, error) {
	secrets, err := v.secrets(region)
	if err != nil {
		return nil, err
	}
	var out []*secretsmanagerapi.DescribeSecretResponse
	for _, s := range secrets {
		primary := deref(s.PrimaryRegion)
		if len(s.ReplicationStatus) > 0 && (primary == "" || primary == region) {
			out = append(out, s)
		}
	}
	return out, nil
}
