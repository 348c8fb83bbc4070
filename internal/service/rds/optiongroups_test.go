package rds_test

import (
	"testing"
	"time"

	"github.com/xregion/xregion/internal/gen/rdsapi"
	"github.com/xregion/xregion/internal/service/kit/kittest"
)

func modifyOptions(h *kittest.Harness, name string, include []rdsapi.OptionConfiguration, remove ...string) (*rdsapi.ModifyOptionGroupResult, error) {
	return kittest.Call(h, "us-east-1", rdsapi.OpModifyOptionGroup, &rdsapi.ModifyOptionGroupMessage{OptionGroupName: new(name), OptionsToInclude: include, OptionsToRemove: remove, ApplyImmediately: new(true)})
}

func setting(name, value string) rdsapi.OptionSetting {
	return rdsapi.OptionSetting{Name: new(name), Value: new(value)}
}

// TestOptionGroups: create for an engine version, add options with their settings and
// AWS's refusals, remove them (not a permanent one), copy, use from an instance of the
// same version only, and delete once unused.
func TestOptionGroups(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	_, err := kittest.Call(h, "us-east-1", rdsapi.OpCreateOptionGroup, &rdsapi.CreateOptionGroupMessage{OptionGroupName: new("audit"), EngineName: new("mysql"), MajorEngineVersion: new("9.9"), OptionGroupDescription: new("d")})
	wantFault(t, err, "InvalidParameterValue", "Invalid major engine version 9.9 for engine mysql.")
	created := kittest.Must[*rdsapi.CreateOptionGroupResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateOptionGroup, &rdsapi.CreateOptionGroupMessage{
		OptionGroupName: new("Audit"), EngineName: new("mysql"), MajorEngineVersion: new("8.0"), OptionGroupDescription: new("audit logs"),
	}))
	if *created.OptionGroup.OptionGroupName != "audit" || *created.OptionGroup.OptionGroupArn != "arn:aws:rds:us-east-1:"+kittest.Account+":og:audit" {
		t.Fatalf("created %+v", created.OptionGroup)
	}
	refusals := []struct {
		conf       rdsapi.OptionConfiguration
		code, text string
	}{
		{rdsapi.OptionConfiguration{OptionName: new("TIMEZONE")}, "InvalidParameterValue", "Option TIMEZONE is not available for engine mysql 8.0."},
		{rdsapi.OptionConfiguration{OptionName: new("MARIADB_AUDIT_PLUGIN"), OptionVersion: new("9")}, "InvalidParameterValue", "Invalid option version 9 for option MARIADB_AUDIT_PLUGIN."},
		{rdsapi.OptionConfiguration{OptionName: new("MARIADB_AUDIT_PLUGIN"), OptionSettings: []rdsapi.OptionSetting{setting("NOPE", "1")}}, "InvalidParameterValue", "Invalid option setting NOPE for option MARIADB_AUDIT_PLUGIN."},
		{rdsapi.OptionConfiguration{OptionName: new("MARIADB_AUDIT_PLUGIN"), OptionSettings: []rdsapi.OptionSetting{setting("SERVER_AUDIT_EVENTS", "CONNECT,EVERYTHING")}}, "InvalidParameterValue", "Invalid value CONNECT,EVERYTHING for option setting SERVER_AUDIT_EVENTS. Allowed values: CONNECT,QUERY,TABLE,QUERY_DDL,QUERY_DML,QUERY_DML_NO_SELECT,QUERY_DCL"},
		{rdsapi.OptionConfiguration{OptionName: new("MARIADB_AUDIT_PLUGIN"), OptionSettings: []rdsapi.OptionSetting{setting("SERVER_AUDIT_FILE_ROTATIONS", "101")}}, "InvalidParameterValue", ""},
	}
	for _, r := range refusals {
		_, err := modifyOptions(h, "audit", []rdsapi.OptionConfiguration{r.conf})
		wantFault(t, err, r.code, r.text)
	}
	out := kittest.Must[*rdsapi.ModifyOptionGroupResult](t)(modifyOptions(h, "audit", []rdsapi.OptionConfiguration{
		{OptionName: new("MARIADB_AUDIT_PLUGIN"), OptionSettings: []rdsapi.OptionSetting{setting("SERVER_AUDIT_EVENTS", "CONNECT,QUERY_DDL")}},
		{OptionName: new("MEMCACHED"), VpcSecurityGroupMemberships: []string{"sg-12345678"}},
	}))
	opts := out.OptionGroup.Options
	if len(opts) != 2 || *opts[0].OptionName != "MARIADB_AUDIT_PLUGIN" || *opts[0].OptionVersion != "1.1" || *opts[1].Port != 11211 {
		t.Fatalf("options = %+v", opts)
	}
	events := ""
	for _, s := range opts[0].OptionSettings {
		if *s.Name == "SERVER_AUDIT_EVENTS" {
			events = *s.Value
		}
	}
	if events != "CONNECT,QUERY_DDL" || len(opts[0].OptionSettings) != 6 {
		t.Errorf("audit plugin settings = %+v", opts[0].OptionSettings)
	}
	_, err = modifyOptions(h, "audit", nil, "TIMEZONE")
	wantFault(t, err, "InvalidParameterValue", "Option TIMEZONE is not in option group audit.")
	out = kittest.Must[*rdsapi.ModifyOptionGroupResult](t)(modifyOptions(h, "audit", nil, "MEMCACHED"))
	if len(out.OptionGroup.Options) != 1 {
		t.Errorf("after removing MEMCACHED: %+v", out.OptionGroup.Options)
	}
	_, err = modifyOptions(h, "default:mysql-8-0", nil, "MEMCACHED")
	wantFault(t, err, "InvalidParameterValue", "Default option group default:mysql-8-0 cannot be modified.")

	kittest.Must[*rdsapi.CopyOptionGroupResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCopyOptionGroup, &rdsapi.CopyOptionGroupMessage{
		SourceOptionGroupIdentifier: new("audit"), TargetOptionGroupIdentifier: new("audit-copy"), TargetOptionGroupDescription: new("copy"),
	}))
	list := kittest.Must[*rdsapi.OptionGroups](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeOptionGroups, &rdsapi.DescribeOptionGroupsMessage{EngineName: new("mysql"), MajorEngineVersion: new("8.0")}))
	if len(list.OptionGroupsList) != 3 || len(list.OptionGroupsList[1].Options) != 1 {
		t.Errorf("mysql 8.0 option groups = %+v", list.OptionGroupsList)
	}

	in := seedInstance("withog")
	in.OptionGroupName = new("audit")
	_, err = kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in)
	wantFault(t, err, "InvalidParameterCombination", "The option group audit can't be used for engine postgres 13.4.")
	in.Engine, in.EngineVersion, in.AllocatedStorage = new("mysql"), new("8.0.41"), new(int64(20))
	in.MasterUsername = new("admin1")
	kittest.Must[*rdsapi.CreateDBInstanceResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateDBInstance, in))
	h.Advance(time.Minute)
	if m := describeAlone(t, h, "withog").OptionGroupMemberships[0]; *m.OptionGroupName != "audit" || *m.Status != "in-sync" {
		t.Errorf("membership = %s %s", *m.OptionGroupName, *m.Status)
	}
	del := func(name string) error {
		_, err := kittest.Call(h, "us-east-1", rdsapi.OpDeleteOptionGroup, &rdsapi.DeleteOptionGroupMessage{OptionGroupName: new(name)})
		return err
	}
	wantFault(t, del("audit"), "InvalidOptionGroupStateFault", "The option group audit cannot be deleted because it is in use by a DB instance.")
	wantFault(t, del("default:mysql-8-0"), "InvalidOptionGroupStateFault", "Cannot delete default option group.")
	if err := del("audit-copy"); err != nil {
		t.Fatal(err)
	}
	wantFault(t, del("audit-copy"), "OptionGroupNotFoundFault", "Specified OptionGroupName: audit-copy not found.")
}

// TestOptionGroupOptionsAndPermanentOptions: DescribeOptionGroupOptions per engine and
// version, none for PostgreSQL; an Oracle TIMEZONE option needs its setting and, being
// permanent, stays.
func TestOptionGroupOptionsAndPermanentOptions(t *testing.T) {
	h := alone(t, kittest.NewKeyRing())
	opts := kittest.Must[*rdsapi.OptionGroupOptionsMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeOptionGroupOptions, &rdsapi.DescribeOptionGroupOptionsMessage{EngineName: new("oracle-ee"), MajorEngineVersion: new("19")}))
	names := []string{}
	for _, o := range opts.OptionGroupOptions {
		names = append(names, *o.Name)
	}
	if !containsAll(names, "TIMEZONE", "OEM", "S3_INTEGRATION") {
		t.Errorf("oracle-ee 19 options = %v", names)
	}
	pg := kittest.Must[*rdsapi.OptionGroupOptionsMessage](t)(kittest.Call(h, "us-east-1", rdsapi.OpDescribeOptionGroupOptions, &rdsapi.DescribeOptionGroupOptionsMessage{EngineName: new("postgres")}))
	if len(pg.OptionGroupOptions) != 0 {
		t.Errorf("postgres options = %+v", pg.OptionGroupOptions)
	}
	kittest.Must[*rdsapi.CreateOptionGroupResult](t)(kittest.Call(h, "us-east-1", rdsapi.OpCreateOptionGroup, &rdsapi.CreateOptionGroupMessage{
		OptionGroupName: new("ora"), EngineName: new("oracle-ee"), MajorEngineVersion: new("19"), OptionGroupDescription: new("d"),
	}))
	_, err := modifyOptions(h, "ora", []rdsapi.OptionConfiguration{{OptionName: new("TIMEZONE")}})
	wantFault(t, err, "InvalidParameterCombination", "Option TIMEZONE requires the option setting TIME_ZONE.")
	kittest.Must[*rdsapi.ModifyOptionGroupResult](t)(modifyOptions(h, "ora", []rdsapi.OptionConfiguration{{OptionName: new("TIMEZONE"), OptionSettings: []rdsapi.OptionSetting{setting("TIME_ZONE", "Europe/Paris")}}}))
	_, err = modifyOptions(h, "ora", nil, "TIMEZONE")
	wantFault(t, err, "InvalidParameterCombination", "Option TIMEZONE is permanent and cannot be removed from an option group.")
}
