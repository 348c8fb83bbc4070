package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/xregion/xregion/internal/gen/rdsapi"
)

// The Aurora pages are read-only views of the RDS console's "DB clusters" (a Region's
// clusters with their writer and readers, endpoints and backups) and "Global databases"
// (every global database of the account with its primary and secondary Regions and the
// failovers and switchovers it went through). They sit beside the RDS tabs: the RDS
// console lists Aurora and RDS together.

// auroraCluster is one DB cluster as the page shows it: the cluster, the role it plays in
// a global database, and its members split into the writer and the readers.
type auroraCluster struct {
	rdsapi.DBCluster
	Role    string // "Primary cluster", "Secondary cluster" or "Regional cluster", as the RDS console says
	Sync    string // a secondary's SynchronizationStatus
	Writer  string
	Readers []string
}

type clustersData struct {
	Clusters  []auroraCluster
	Backups   []rdsapi.DBClusterAutomatedBackup
	Snapshots []rdsapi.DBClusterSnapshot
}

// clustersPage is "DB clusters" of the visit's Region.
func (c *Console) clustersPage(w http.ResponseWriter, r *http.Request, v *visit) {
	var data clustersData
	err := data.load(v)
	v.render(w, http.StatusOK, "aurora", "DB clusters", "rds-clusters", data, err)
}

func (d *clustersData) load(v *visit) error {
	ctx, as, s := v.r.Context(), v.as(), v.c.services
	var clusters []rdsapi.DBCluster
	err := everyPage(func(marker *string) (*string, error) {
		page, err := call(ctx, s, as, "rds", rdsapi.OpDescribeDBClusters, &rdsapi.DescribeDBClustersMessage{Marker: marker})
		if err != nil {
			return nil, err
		}
		clusters = append(clusters, page.DBClusters...)
		return page.Marker, nil
	})
	if err != nil {
		return err
	}
	globals, err := v.globalDatabases()
	if err != nil {
		return err
	}
	for _, cl := range clusters {
		d.Clusters = append(d.Clusters, describeCluster(cl, globals))
	}
	err = everyPage(func(marker *string) (*string, error) {
		page, err := call(ctx, s, as, "rds", rdsapi.OpDescribeDBClusterAutomatedBackups, &rdsapi.DescribeDBClusterAutomatedBackupsMessage{Marker: marker})
		if err != nil {
			return nil, err
		}
		d.Backups = append(d.Backups, page.DBClusterAutomatedBackups...)
		return page.Marker, nil
	})
	if err != nil {
		return err
	}
	return everyPage(func(marker *string) (*string, error) {
		page, err := call(ctx, s, as, "rds", rdsapi.OpDescribeDBClusterSnapshots, &rdsapi.DescribeDBClusterSnapshotsMessage{Marker: marker})
		if err != nil {
			return nil, err
		}
		d.Snapshots = append(d.Snapshots, page.DBClusterSnapshots...)
		return page.Marker, nil
	})
}

// describeCluster names a cluster's role from the global database that lists it: the
// cluster's own description says which global database it belongs to, not whether it
// writes for it.
func describeCluster(cl rdsapi.DBCluster, globals []rdsapi.GlobalCluster) auroraCluster {
	out := auroraCluster{DBCluster: cl, Role: "Regional cluster"}
	for _, m := range cl.DBClusterMembers {
		if derefBool(m.IsClusterWriter) {
			out.Writer = deref(m.DBInstanceIdentifier)
		} else {
			out.Readers = append(out.Readers, deref(m.DBInstanceIdentifier))
		}
	}
	for _, g := range globals {
		for _, m := range g.GlobalClusterMembers {
			if deref(m.DBClusterArn) != deref(cl.DBClusterArn) {
				continue
			}
			out.Role = "Secondary cluster"
			if derefBool(m.IsWriter) {
				out.Role = "Primary cluster"
			}
			out.Sync = deref(m.SynchronizationStatus)
		}
	}
	return out
}

// globalDatabases are the account's global databases. They are global: any Region
// describes them all, so the visit's Region asks.
func (v *visit) globalDatabases() ([]rdsapi.GlobalCluster, error) {
	var out []rdsapi.GlobalCluster
	err := everyPage(func(marker *string) (*string, error) {
		page, err := call(v.r.Context(), v.c.services, v.as(), "rds", rdsapi.OpDescribeGlobalClusters, &rdsapi.DescribeGlobalClustersMessage{Marker: marker})
		if err != nil {
			return nil, err
		}
		out = append(out, page.GlobalClusters...)
		return page.Marker, nil
	})
	return out, err
}

// globalDatabase is one global database as the page shows it.
type globalDatabase struct {
	rdsapi.GlobalCluster
	Primary     globalMember
	Secondaries []globalMember
	Events      []globalEvent // its failovers, switchovers and members joining, newest first
	Unheard     []string      // member Regions that are down: their events cannot be read
}

// globalEvent is an RDS event of a member cluster, with the Region that recorded it.
type globalEvent struct {
	rdsapi.Event
	Region string
}

type globalMember struct {
	Region  string
	Cluster string
	Sync    string
}

type globalData struct {
	Globals []globalDatabase
}

// globalDatabasesPage is "Global databases".
func (c *Console) globalDatabasesPage(w http.ResponseWriter, r *http.Request, v *visit) {
	data, err := c.loadGlobals(r, v)
	v.render(w, http.StatusOK, "aurora", "Global databases", "rds-global", data, err)
}

func (c *Console) loadGlobals(r *http.Request, v *visit) (globalData, error) {
	var data globalData
	globals, err := v.globalDatabases()
	if err != nil {
		return data, err
	}
	down, err := c.downNow(r)
	if err != nil {
		return data, err
	}
	for _, g := range globals {
		gd := globalDatabase{GlobalCluster: g}
		for _, m := range g.GlobalClusterMembers {
			member := globalMember{Region: regionOfARN(deref(m.DBClusterArn)), Cluster: resourceOfARN(deref(m.DBClusterArn)),
				Sync: deref(m.SynchronizationStatus)}
			if derefBool(m.IsWriter) {
				gd.Primary = member
			} else {
				gd.Secondaries = append(gd.Secondaries, member)
			}
			if down[member.Region] {
				gd.Unheard = append(gd.Unheard, member.Region)
				continue
			}
			events, err := v.failoverEvents(member.Region, member.Cluster, deref(g.GlobalClusterIdentifier))
			if err != nil {
				return data, err
			}
			gd.Events = append(gd.Events, events...)
		}
		slices.SortStableFunc(gd.Events, func(a, b globalEvent) int { return b.Date.Compare(*a.Date) })
		data.Globals = append(data.Globals, gd)
	}
	return data, nil
}

// eventHistory is how far back the page reads events: RDS keeps them 14 days.
const eventHistory = 14 * 24 * 60

// failoverEvents are a member cluster's events of the "global-failover" category about
// global database global (a cluster may have belonged to another before), which RDS
// records in the cluster's own Region.
func (v *visit) failoverEvents(region, cluster, global string) ([]globalEvent, error) {
	out, err := call(v.r.Context(), v.c.services, v.in(region), "rds", rdsapi.OpDescribeEvents, &rdsapi.DescribeEventsMessage{
		SourceType: new("db-cluster"), SourceIdentifier: &cluster, EventCategories: []string{"global-failover"},
		Duration: new(int64(eventHistory)),
	})
	if err != nil {
		return nil, err
	}
	var events []globalEvent
	for _, e := range out.Events {
		if namesGlobal(deref(e.Message), global) {
			events = append(events, globalEvent{Event: e, Region: region})
		}
	}
	return events, nil
}

// namesGlobal reports whether an RDS event's message is about global database id: its
// messages say "global cluster <id>" followed by a space, a colon or nothing.
func namesGlobal(message, id string) bool {
	rest, found := message, false
	for {
		var after string
		if _, after, found = strings.Cut(rest, "global cluster "+id); !found {
			return false
		}
		if after == "" || after[0] == ' ' || after[0] == ':' {
			return true
		}
		rest = after
	}
}

func resourceOfARN(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == ':' || arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

func derefBool(b *bool) bool { return b != nil && *b }
