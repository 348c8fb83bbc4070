package rds_test

import (
	"errors"
	"testing"
	"time"

	"github.com/xregion/xregion/internal/awserr"
	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

func param(name, value, method string) rdsapi.Parameter {
	return rdsapi.Parameter{ParameterName: new(name), ParameterValue: new(value), ApplyMethod: new(method)}
}

func createParamGroup(t *testing.T, h *kittest.Harness, name, family string) {
	t.Helper()
	kittest.Must[*rdsapi.CreateDBParameterGroupResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBParameterGroup, &rdsapi.CreateDBParameterGroupMessage{
		DBParameterGroupName: new(name), DBParameterGroupFamily: new(family), Description: new("custom"),
	}))
}

func modifyParams(h *kittest.Harness, name string, params ...rdsapi.Parameter) error {
	_, err := kittest.Call(h, "us-east-1", rdsapi.OpModifyDBParameterGroup, &rdsapi.ModifyDBParameterGroupMessage{DBParameterGroupName: new(name), Parameters: params})
	return err
}

// userParams returns the values a user set in a group, by name.
func userParams(t *testing.T, h *kittest.Harness, name string) map[string]string {
	t.Helper()
	out := kittest.Must[*rdsapi.DBParameterGroupDetails](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBParameters, &rdsapi.DescribeDBParametersMessage{DBParameterGroupName: new(name), Source: new("user")}))
	got := map[string]string{}
	for _, p := range out.Parameters {
		got[*p.ParameterName] = *p.ParameterValue + "/" + *p.ApplyMethod
	}
	return got
}

// TestParameterGroupModifyChecksEveryParameter: each of AWS's refusals, in its order,
// and a refused request changes nothing, not even the parameters before the refused one.
func TestParameterGroupModifyChecksEveryParameter(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	createParamGroup(t, h, "Custom-PG", "postgres16")
	if err := modifyParams(h, "custom-pg", param("work_mem", "8192", "immediate"), param("shared_buffers", "{DBInstanceClassMemory/16384}", "pending-reboot")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		p          rdsapi.Parameter
		code, text string
	}{
		{param("character_set_server", "utf8", "immediate"), "InvalidParameterValue", "Could not find parameter with name: character_set_server"},
		{param("port", "5433", "pending-reboot"), "InvalidParameterValue", "The parameter port cannot be modified."},
		{param("max_connections", "100", "immediate"), "InvalidParameterCombination", "cannot use immediate apply method for static parameter"},
		{param("work_mem", "10", "immediate"), "InvalidParameterValue", "Value: 10 is outside of range: 64-2147483647 for parameter: work_mem"},
		{param("work_mem", "1.5", "immediate"), "InvalidParameterValue", "Value: 1.5 is outside of range: 64-2147483647 for parameter: work_mem"},
		{param("log_statement", "verbose", "immediate"), "InvalidParameterValue", "Invalid parameter value: verbose for: log_statement allowed values are: none,ddl,mod,all"},
		{param("shared_preload_libraries", "pg_stat_statements,nope", "pending-reboot"), "InvalidParameterValue", "Invalid parameter value: pg_stat_statements,nope for: shared_preload_libraries allowed values are: auto_explain,orafce,pg_cron,pg_hint_plan,pg_prewarm,pg_similarity,pg_stat_statements,pg_tle,pg_transport,pgaudit,pglogical,plprofiler"},
	}
	for _, c := range cases {
		err := modifyParams(h, "custom-pg", param("log_connections", "1", "immediate"), c.p)
		wantFault(t, err, c.code, c.text)
	}
	want := map[string]string{"work_mem": "8192/immediate", "shared_buffers": "{DBInstanceClassMemory/16384}/pending-reboot"}
	if got := userParams(t, h, "custom-pg"); len(got) != 2 || got["work_mem"] != want["work_mem"] || got["shared_buffers"] != want["shared_buffers"] {
		t.Errorf("user parameters after refusals = %v, want %v", got, want)
	}
	wantFault(t, modifyParams(h, "default.postgres16", param("work_mem", "8192", "immediate")), "InvalidParameterValue", "Cannot modify a default parameter group.")
	wantFault(t, modifyParams(h, "missing", param("work_mem", "8192", "immediate")), "DBParameterGroupNotFound", "DBParameterGroup not found: missing")
}

// TestParameterGroupCreateCopyResetDelete covers the group's life: create (its refusals),
// copy with the values, reset of one parameter and of all, delete.
func TestParameterGroupCreateCopyResetDelete(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	createParamGroup(t, h, "base", "mysql8.0")
	_, err := kittest.Call(h, "us-east-1", rdsapi.OpCreateDBParameterGroup, &rdsapi.CreateDBParameterGroupMessage{DBParameterGroupName: new("BASE"), DBParameterGroupFamily: new("mysql8.0"), Description: new("d")})
	wantFault(t, err, "DBParameterGroupAlreadyExists", "Parameter group base already exists")
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpCreateDBParameterGroup, &rdsapi.CreateDBParameterGroupMessage{DBParameterGroupName: new("other"), DBParameterGroupFamily: new("mysql9.9"), Description: new("d")})
	wantFault(t, err, "InvalidParameterValue", "ParameterGroupFamily mysql9.9 is not a valid parameter group family")
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpCreateDBParameterGroup, &rdsapi.CreateDBParameterGroupMessage{DBParameterGroupName: new("bad--name"), DBParameterGroupFamily: new("mysql8.0"), Description: new("d")})
	wantFault(t, err, "InvalidParameterValue", "")

	if err := modifyParams(h, "base", param("character_set_server", "utf8mb4", "immediate"), param("performance_schema", "1", "pending-reboot"), param("long_query_time", "2.5", "immediate")); err != nil {
		t.Fatal(err)
	}
	cp := kittest.Must[*rdsapi.CopyDBParameterGroupResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCopyDBParameterGroup, &rdsapi.CopyDBParameterGroupMessage{
		SourceDBParameterGroupIdentifier: new("arn:aws:rds:us-east-1:" + kittest.Account + ":pg:base"), TargetDBParameterGroupIdentifier: new("copy"),
		TargetDBParameterGroupDescription: new("a copy"),
	}))
	if *cp.DBParameterGroup.DBParameterGroupFamily != "mysql8.0" || *cp.DBParameterGroup.DBParameterGroupArn != "arn:aws:rds:us-east-1:"+kittest.Account+":pg:copy" {
		t.Errorf("copy = %+v", cp.DBParameterGroup)
	}
	if got := userParams(t, h, "copy"); len(got) != 3 || got["long_query_time"] != "2.5/immediate" {
		t.Errorf("copied parameters = %v", got)
	}

	reset := func(name string, all bool, params ...rdsapi.Parameter) error {
		_, err := kittest.Call(h, "us-east-1", rdsapi.OpResetDBParameterGroup, &rdsapi.ResetDBParameterGroupMessage{DBParameterGroupName: new(name), ResetAllParameters: new(all), Parameters: params})
		return err
	}
	wantFault(t, reset("copy", true, param("long_query_time", "", "immediate")), "InvalidParameterCombination", "")
	wantFault(t, reset("copy", false, param("nonsense", "", "immediate")), "InvalidParameterValue", "Could not find parameter with name: nonsense")
	if err := reset("copy", false, param("long_query_time", "", "immediate")); err != nil {
		t.Fatal(err)
	}
	if got := userParams(t, h, "copy"); len(got) != 2 {
		t.Errorf("after resetting one: %v", got)
	}
	if err := reset("copy", true); err != nil {
		t.Fatal(err)
	}
	if got := userParams(t, h, "copy"); len(got) != 0 {
		t.Errorf("after resetting all: %v", got)
	}
	if got := userParams(t, h, "base"); len(got) != 3 {
		t.Errorf("resetting the copy changed the source: %v", got)
	}

	del := func(name string) error {
		_, err := kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBParameterGroup, &rdsapi.DeleteDBParameterGroupMessage{DBParameterGroupName: new(name)})
		return err
	}
	wantFault(t, del("default.mysql8.0"), "InvalidDBParameterGroupState", "")
	if err := del("copy"); err != nil {
		t.Fatal(err)
	}
	wantFault(t, del("copy"), "DBParameterGroupNotFound", "")
}

// TestParameterApplyStatus: an instance on a custom group shows in-sync; an immediate
// change is applying until the job applies it; a change that waits for a reboot leaves
// the instance pending-reboot, through later immediate changes, until RebootDBInstance.
// The group cannot be deleted while the instance uses it, and a group of another family
// cannot be used.
func TestParameterApplyStatus(t *testing.T) {
	h := alone(t, kittest.NewKeyRing(), kittest.WithTransitionDelay(time.Minute))
	createParamGroup(t, h, "pg13", "postgres13")
	createParamGroup(t, h, "pg16", "postgres16")
	in := seedInstance("db1")
	in.DBParameterGroupName = new("pg16")
	_, err := kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in)
	wantFault(t, err, "InvalidParameterCombination", "The parameter group pg16 with DBParameterGroupFamily postgres16 can't be used for this instance. Use a parameter group with DBParameterGroupFamily postgres13.")
	in.DBParameterGroupName = new("PG13")
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in))
	h.Advance(10 * time.Minute)
	status := func() string {
		g := describeAlone(t, h, "db1").DBParameterGroups[0]
		return *g.DBParameterGroupName + ":" + *g.ParameterApplyStatus
	}
	if got := status(); got != "pg13:in-sync" {
		t.Fatalf("after create: %s", got)
	}
	if err := modifyParams(h, "pg13", param("work_mem", "4096", "immediate")); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != "pg13:applying" {
		t.Errorf("after an immediate change: %s", got)
	}
	h.Advance(time.Minute)
	if got := status(); got != "pg13:in-sync" {
		t.Errorf("once applied: %s", got)
	}
	if err := modifyParams(h, "pg13", param("rds.logical_replication", "1", "pending-reboot")); err != nil {
		t.Fatal(err)
	}
	if err := modifyParams(h, "pg13", param("log_statement", "ddl", "immediate")); err != nil {
		t.Fatal(err)
	}
	h.Advance(time.Minute)
	if got := status(); got != "pg13:pending-reboot" {
		t.Errorf("with a static change waiting: %s", got)
	}
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBParameterGroup, &rdsapi.DeleteDBParameterGroupMessage{DBParameterGroupName: new("pg13")})
	wantFault(t, err, "InvalidDBParameterGroupState", "One or more database instances are still members of this parameter group pg13, so the group cannot be deleted")
	kittest.Must[*rdsapi.RebootDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpRebootDBInstance, &rdsapi.RebootDBInstanceMessage{DBInstanceIdentifier: new("db1")}))
	h.Advance(10 * time.Minute)
	if got := status(); got != "pg13:in-sync" {
		t.Errorf("after the reboot: %s", got)
	}
}

// TestEngineDefaultsAndDefaultGroups: the catalogue's families, their defaults by
// version, the cluster families, and the default groups of both kinds, paged.
func TestEngineDefaultsAndDefaultGroups(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	value := func(family, name string) string {
		out := kittest.Must[*rdsapi.DescribeEngineDefaultParametersResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeEngineDefaultParameters, &rdsapi.DescribeEngineDefaultParametersMessage{DBParameterGroupFamily: new(family)}))
		for _, p := range out.EngineDefaults.Parameters {
			if *p.ParameterName == name {
				return *p.ParameterValue + "/" + *p.ApplyType + "/" + *p.DataType
			}
		}
		return ""
	}
	if got := value("postgres13", "rds.force_ssl"); got != "0/dynamic/boolean" {
		t.Errorf("postgres13 rds.force_ssl = %s", got)
	}
	if got := value("postgres16", "rds.force_ssl"); got != "1/dynamic/boolean" {
		t.Errorf("postgres16 rds.force_ssl = %s", got)
	}
	if got := value("mysql8.4", "require_secure_transport"); got != "1/dynamic/boolean" {
		t.Errorf("mysql8.4 require_secure_transport = %s", got)
	}
	cluster := kittest.Must[*rdsapi.DescribeEngineDefaultClusterParametersResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeEngineDefaultClusterParameters, &rdsapi.DescribeEngineDefaultClusterParametersMessage{DBParameterGroupFamily: new("aurora-mysql8.0")}))
	if len(cluster.EngineDefaults.Parameters) == 0 || *cluster.EngineDefaults.DBParameterGroupFamily != "aurora-mysql8.0" {
		t.Errorf("aurora-mysql8.0 cluster defaults = %+v", cluster.EngineDefaults)
	}
	_, err := kittest.Call(h, "us-east-1", rdsapi.OpDescribeEngineDefaultClusterParameters, &rdsapi.DescribeEngineDefaultClusterParametersMessage{DBParameterGroupFamily: new("postgres16")})
	wantFault(t, err, "InvalidParameterValue", "")

	var names []string
	var marker *string
	for {
		out := kittest.Must[*rdsapi.DBParameterGroupsMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBParameterGroups, &rdsapi.DescribeDBParameterGroupsMessage{MaxRecords: new(int64(20)), Marker: marker}))
		for _, g := range out.DBParameterGroups {
			names = append(names, *g.DBParameterGroupName)
		}
		if marker = out.Marker; marker == nil {
			break
		}
	}
	if len(names) < 30 || !containsAll(names, "default.postgres17", "default.aurora-postgresql16", "default.mariadb11.4") {
		t.Errorf("default DB parameter groups = %v", names)
	}
	cgs := kittest.Must[*rdsapi.DBClusterParameterGroupsMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBClusterParameterGroups, &rdsapi.DescribeDBClusterParameterGroupsMessage{}))
	if len(cgs.DBClusterParameterGroups) != 5 || *cgs.DBClusterParameterGroups[0].Description != "Default cluster parameter group for aurora-mysql8.0" {
		t.Errorf("default cluster parameter groups = %+v", cgs.DBClusterParameterGroups)
	}
}

// TestClusterParameterGroups: the same rules for DB cluster parameter groups, with their
// own fault, ARN and families.
func TestClusterParameterGroups(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	_, err := kittest.Call(h, "us-east-1", rdsapi.OpCreateDBClusterParameterGroup, &rdsapi.CreateDBClusterParameterGroupMessage{DBClusterParameterGroupName: new("c"), DBParameterGroupFamily: new("postgres16"), Description: new("d")})
	wantFault(t, err, "InvalidParameterValue", "ParameterGroupFamily postgres16 is not a valid parameter group family")
	out := kittest.Must[*rdsapi.CreateDBClusterParameterGroupResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBClusterParameterGroup, &rdsapi.CreateDBClusterParameterGroupMessage{
		DBClusterParameterGroupName: new("c"), DBParameterGroupFamily: new("aurora-postgresql15"), Description: new("d"), Tags: []rdsapi.Tag{{Key: new("team"), Value: new("dr")}},
	}))
	if *out.DBClusterParameterGroup.DBClusterParameterGroupArn != "arn:aws:rds:us-east-1:"+kittest.Account+":cluster-pg:c" {
		t.Errorf("arn = %s", *out.DBClusterParameterGroup.DBClusterParameterGroupArn)
	}
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpModifyDBClusterParameterGroup, &rdsapi.ModifyDBClusterParameterGroupMessage{DBClusterParameterGroupName: new("c"), Parameters: []rdsapi.Parameter{param("rds.force_ssl", "1", "immediate")}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpModifyDBClusterParameterGroup, &rdsapi.ModifyDBClusterParameterGroupMessage{DBClusterParameterGroupName: new("c"), Parameters: []rdsapi.Parameter{param("work_mem", "1024", "immediate")}})
	wantFault(t, err, "InvalidParameterValue", "Could not find parameter with name: work_mem")
	params := kittest.Must[*rdsapi.DBClusterParameterGroupDetails](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBClusterParameters, &rdsapi.DescribeDBClusterParametersMessage{DBClusterParameterGroupName: new("c"), Source: new("user")}))
	if len(params.Parameters) != 1 || *params.Parameters[0].ParameterValue != "1" {
		t.Errorf("user cluster parameters = %+v", params.Parameters)
	}
	tags := kittest.Must[*rdsapi.TagListMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpListTagsForResource, &rdsapi.ListTagsForResourceMessage{ResourceName: out.DBClusterParameterGroup.DBClusterParameterGroupArn}))
	if len(tags.TagList) != 1 {
		t.Errorf("tags = %+v", tags.TagList)
	}
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpDeleteDBClusterParameterGroup, &rdsapi.DeleteDBClusterParameterGroupMessage{DBClusterParameterGroupName: new("c")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpDescribeDBClusterParameterGroups, &rdsapi.DescribeDBClusterParameterGroupsMessage{DBClusterParameterGroupName: new("c")})
	wantFault(t, err, "DBClusterParameterGroupNotFound", "DBClusterParameterGroup not found: c")
}

func containsAll(have []string, want ...string) bool {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

// wantFault fails the test unless err is the RDS error code with, when text is not empty,
// exactly that message.
func wantFault(t *testing.T, err error, code, text string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) || e.Code != code || (text != "" && e.Message != text) {
		t.Errorf("want %s %q, got %v", code, text, err)
	}
}
