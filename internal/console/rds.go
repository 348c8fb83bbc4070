package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/regions"
)

// The RDS pages follow the RDS console's three lists: "Databases" (with "Restore to point
// in time"), "Automated backups" (the Region's own and the "Replicated" ones, with "Manage
// cross-Region replication") and "Snapshots" (with "Take snapshot" and "Copy snapshot").

type rdsData struct {
	Tab        string // "databases", "backups" or "snapshots"
	Instances  []rdsapi.DBInstance
	Own        []rdsapi.DBInstanceAutomatedBackup // automated backups of this Region's instances
	Replicated []rdsapi.DBInstanceAutomatedBackup // replicated here from another Region
	Snapshots  []rdsapi.DBSnapshot
	Regions    []string
	Form       map[string]string
}

func (c *Console) rdsPage(w http.ResponseWriter, r *http.Request, v *visit) {
	c.showRDS(w, v, http.StatusOK, nil, nil)
}

func (c *Console) showRDS(w http.ResponseWriter, v *visit, status int, form map[string]string, failed error) {
	data := rdsData{Tab: v.r.FormValue("tab"), Regions: partitionRegions(v.Region), Form: form}
	err := data.load(v)
	if failed == nil {
		failed = err
	}
	v.render(w, status, "rds", "RDS", "rds", data, failed)
}

func (d *rdsData) load(v *visit) error {
	var err error
	if d.Instances, err = v.instances(); err != nil {
		return err
	}
	if d.Own, d.Replicated, err = v.automatedBackups(v.Region); err != nil {
		return err
	}
	if d.Tab == "snapshots" {
		out, err := call(v.r.Context(), v.c.services, v.as(), "rds", rdsapi.OpDescribeDBSnapshots, &rdsapi.DescribeDBSnapshotsMessage{})
		if err != nil {
			return err
		}
		d.Snapshots = out.DBSnapshots
	} else if d.Tab != "backups" {
		d.Tab = "databases"
	}
	return nil
}

// automatedBackups are a Region's automated backups: its own instances', and those
// replicated into it from another Region (their instance ARN names the other Region).
func (v *visit) automatedBackups(region string) (own, replicated []rdsapi.DBInstanceAutomatedBackup, err error) {
	out, err := call(v.r.Context(), v.c.services, v.in(region), "rds", rdsapi.OpDescribeDBInstanceAutomatedBackups,
		&rdsapi.DescribeDBInstanceAutomatedBackupsMessage{})
	if err != nil {
		return nil, nil, err
	}
	for _, b := range out.DBInstanceAutomatedBackups {
		if regionOfARN(deref(b.DBInstanceArn)) == region {
			own = append(own, b)
		} else {
			replicated = append(replicated, b)
		}
	}
	return own, replicated, nil
}

func regionOfARN(arn string) string {
	if parts := strings.SplitN(arn, ":", 5); len(parts) == 5 {
		return parts[3]
	}
	return ""
}

func (c *Console) rdsFailed(w http.ResponseWriter, v *visit, tab string, form map[string]string, err error) {
	v.r.Form.Set("tab", tab)
	c.showRDS(w, v, http.StatusBadRequest, form, err)
}

func optional(s string) *string {
	if s = strings.TrimSpace(s); s == "" {
		return nil
	}
	return &s
}

// startReplication is "Enable replication": RDS is asked in the destination Region, as
// AWS's API wants.
func (c *Console) startReplication(w http.ResponseWriter, r *http.Request, v *visit) {
	form := map[string]string{"instance": r.PostFormValue("instance"), "dest": r.PostFormValue("dest"),
		"retention": r.PostFormValue("retention"), "kms": r.PostFormValue("kms")}
	in := &rdsapi.StartDBInstanceAutomatedBackupsReplicationMessage{SourceDBInstanceArn: new(form["instance"]), KmsKeyId: optional(form["kms"])}
	if days, err := strconv.ParseInt(strings.TrimSpace(form["retention"]), 10, 64); err == nil {
		in.BackupRetentionPeriod = &days
	}
	dest := form["dest"]
	if !regions.Valid(dest) {
		dest = v.Region // RDS answers a replication into the source's own Region
	}
	if _, err := call(r.Context(), c.services, v.in(dest), "rds", rdsapi.OpStartDBInstanceAutomatedBackupsReplication, in); err != nil {
		c.rdsFailed(w, v, "backups", form, err)
		return
	}
	v.redirect(w, "rds?tab=backups", v.Region, "Replication to "+dest+" started.")
}

// stopReplication is a replicated backup's "Stop replication", asked in its Region.
func (c *Console) stopReplication(w http.ResponseWriter, r *http.Request, v *visit) {
	source := r.PostFormValue("source")
	if _, err := call(r.Context(), c.services, v.as(), "rds", rdsapi.OpStopDBInstanceAutomatedBackupsReplication,
		&rdsapi.StopDBInstanceAutomatedBackupsReplicationMessage{SourceDBInstanceArn: &source}); err != nil {
		c.rdsFailed(w, v, "backups", nil, err)
		return
	}
	v.redirect(w, "rds?tab=backups", v.Region, "Replication stopped.")
}

// restoreToPointInTime is "Restore to point in time", from an instance of the Region or
// from a backup replicated into it ("backup:" before the automated backups' ARN).
func (c *Console) restoreToPointInTime(w http.ResponseWriter, r *http.Request, v *visit) {
	form := map[string]string{"source": r.PostFormValue("source"), "target": r.PostFormValue("target"),
		"when": r.PostFormValue("when"), "time": r.PostFormValue("time")}
	in := &rdsapi.RestoreDBInstanceToPointInTimeMessage{TargetDBInstanceIdentifier: new(strings.TrimSpace(form["target"]))}
	if arn, ok := strings.CutPrefix(form["source"], "backup:"); ok {
		in.SourceDBInstanceAutomatedBackupsArn = &arn
	} else {
		in.SourceDBInstanceIdentifier = new(form["source"])
	}
	if form["when"] == "custom" {
		at, err := time.Parse("2006-01-02T15:04", form["time"])
		if err != nil {
			at, err = time.Parse("2006-01-02T15:04:05", form["time"])
		}
		if err != nil {
			c.rdsFailed(w, v, "databases", form, awserr.InvalidParameterValue.New("Date and time must be given as YYYY-MM-DDTHH:MM (UTC), not %q", form["time"]))
			return
		}
		in.RestoreTime = &at
	} else {
		in.UseLatestRestorableTime = new(true)
	}
	if _, err := call(r.Context(), c.services, v.as(), "rds", rdsapi.OpRestoreDBInstanceToPointInTime, in); err != nil {
		c.rdsFailed(w, v, "databases", form, err)
		return
	}
	v.redirect(w, "rds?tab=databases", v.Region, "DB instance "+form["target"]+" is being restored.")
}

// takeSnapshot is "Take snapshot".
func (c *Console) takeSnapshot(w http.ResponseWriter, r *http.Request, v *visit) {
	form := map[string]string{"instance": r.PostFormValue("instance"), "snapshot": strings.TrimSpace(r.PostFormValue("snapshot"))}
	if _, err := call(r.Context(), c.services, v.as(), "rds", rdsapi.OpCreateDBSnapshot, &rdsapi.CreateDBSnapshotMessage{
		DBInstanceIdentifier: new(form["instance"]), DBSnapshotIdentifier: new(form["snapshot"]),
	}); err != nil {
		c.rdsFailed(w, v, "snapshots", form, err)
		return
	}
	v.redirect(w, "rds?tab=snapshots", v.Region, "Snapshot "+form["snapshot"]+" is being taken.")
}

// copySnapshot is "Copy snapshot", asked in the destination Region with the source's ARN.
func (c *Console) copySnapshot(w http.ResponseWriter, r *http.Request, v *visit) {
	form := map[string]string{"source": r.PostFormValue("source"), "dest": r.PostFormValue("dest"),
		"target": strings.TrimSpace(r.PostFormValue("target")), "kms": r.PostFormValue("kms")}
	dest := form["dest"]
	if !regions.Valid(dest) {
		dest = v.Region
	}
	if _, err := call(r.Context(), c.services, v.in(dest), "rds", rdsapi.OpCopyDBSnapshot, &rdsapi.CopyDBSnapshotMessage{
		SourceDBSnapshotIdentifier: new(form["source"]), TargetDBSnapshotIdentifier: new(form["target"]), KmsKeyId: optional(form["kms"]),
	}); err != nil {
		c.rdsFailed(w, v, "snapshots", form, err)
		return
	}
	v.redirect(w, "rds?tab=snapshots", dest, "Snapshot "+form["target"]+" is being copied to "+dest+".")
}
