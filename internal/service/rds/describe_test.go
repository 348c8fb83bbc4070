package rds_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/xregion/xregion/internal/xtest"
)

func TestDescribeDBInstancesPaginationAndFilters(t *testing.T) {
	e := start(t)
	var want []string
	for i := 0; i < 25; i++ {
		id := fmt.Sprintf("db%02d", i)
		want = append(want, id)
		in := postgres(id)
		if i%5 == 0 {
			in.Engine, in.EngineVersion, in.DBName = aws.String("mysql"), nil, nil
			in.AllocatedStorage = aws.Int32(20)
		}
		xtest.Must[*rds.CreateDBInstanceOutput](t)(e.East.CreateDBInstance(ctx, in))
	}
	e.WaitIdle()

	var got []string
	var marker *string
	pages := 0
	for {
		out := xtest.Must[*rds.DescribeDBInstancesOutput](t)(e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(20), Marker: marker}))
		pages++
		for _, db := range out.DBInstances {
			got = append(got, aws.ToString(db.DBInstanceIdentifier))
		}
		if out.Marker == nil {
			break
		}
		marker = out.Marker
	}
	if pages != 2 || !slices.Equal(got, want) {
		t.Fatalf("%d pages: %v", pages, got)
	}
	// The SDK's paginator walks the same pages.
	p := rds.NewDescribeDBInstancesPaginator(e.East, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(20)})
	n := 0
	for p.HasMorePages() {
		n += len(xtest.Must[*rds.DescribeDBInstancesOutput](t)(p.NextPage(ctx)).DBInstances)
	}
	if n != 25 {
		t.Fatalf("paginator saw %d instances", n)
	}

	byEngine := xtest.Must[*rds.DescribeDBInstancesOutput](t)(e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{
		Filters: []types.Filter{{Name: aws.String("engine"), Values: []string{"mysql"}}},
	}))
	if len(byEngine.DBInstances) != 5 {
		t.Errorf("engine filter: %d instances", len(byEngine.DBInstances))
	}
	byID := xtest.Must[*rds.DescribeDBInstancesOutput](t)(e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{
		Filters: []types.Filter{
			{Name: aws.String("db-instance-id"), Values: []string{"db03", "arn:aws:rds:us-east-1:" + account + ":db:db07", "nope"}},
			{Name: aws.String("engine"), Values: []string{"postgres"}},
		},
	}))
	if len(byID.DBInstances) != 2 || aws.ToString(byID.DBInstances[1].DBInstanceIdentifier) != "db07" {
		t.Errorf("db-instance-id filter: %+v", byID.DBInstances)
	}
	byCluster := xtest.Must[*rds.DescribeDBInstancesOutput](t)(e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{
		Filters: []types.Filter{{Name: aws.String("db-cluster-id"), Values: []string{"any"}}},
	}))
	if len(byCluster.DBInstances) != 0 {
		t.Errorf("db-cluster-id filter found %d instances", len(byCluster.DBInstances))
	}

	_, err := e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(5)})
	wantErr(t, err, "InvalidParameterValue", 400, "Invalid value 5 for MaxRecords. Must be between 20 and 100")
	_, err = e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []types.Filter{{Name: aws.String("color"), Values: []string{"blue"}}}})
	wantErr(t, err, "InvalidParameterValue", 400, "Unrecognized filter name: color")
	_, err = e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Marker: aws.String("!!!")})
	wantErr(t, err, "InvalidParameterValue", 400, "Marker")
	_, err = e.East.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("missing")})
	wantErr(t, err, "DBInstanceNotFound", 404, "DBInstance missing not found.")
}

func TestDescribeCatalog(t *testing.T) {
	e := start(t)
	versions := xtest.Must[*rds.DescribeDBEngineVersionsOutput](t)(e.East.DescribeDBEngineVersions(ctx, &rds.DescribeDBEngineVersionsInput{
		Engine: aws.String("postgres"), EngineVersion: aws.String("13"),
	}))
	var vs []string
	for _, v := range versions.DBEngineVersions {
		vs = append(vs, aws.ToString(v.EngineVersion))
		if aws.ToString(v.DBParameterGroupFamily) != "postgres13" || aws.ToString(v.MajorEngineVersion) != "13" {
			t.Errorf("version %+v", v)
		}
	}
	if !slices.Contains(vs, "13.4") {
		t.Errorf("postgres 13 versions %v", vs)
	}
	def := xtest.Must[*rds.DescribeDBEngineVersionsOutput](t)(e.East.DescribeDBEngineVersions(ctx, &rds.DescribeDBEngineVersionsInput{
		Engine: aws.String("postgres"), DefaultOnly: aws.Bool(true),
	}))
	if len(def.DBEngineVersions) != 1 || aws.ToString(def.DBEngineVersions[0].EngineVersion) != "17.4" {
		t.Errorf("default postgres version %+v", def.DBEngineVersions)
	}
	if n := len(def.DBEngineVersions[0].ValidUpgradeTarget); n != 0 {
		t.Errorf("the newest version has %d upgrade targets", n)
	}
	all := xtest.Must[*rds.DescribeDBEngineVersionsOutput](t)(e.East.DescribeDBEngineVersions(ctx, &rds.DescribeDBEngineVersionsInput{}))
	engines := map[string]bool{}
	for _, v := range all.DBEngineVersions {
		engines[aws.ToString(v.Engine)] = true
	}
	for _, name := range []string{"postgres", "mysql"} {
		if !engines[name] {
			t.Errorf("first page lacks %s: %v", name, engines)
		}
	}

	orderable := xtest.Must[*rds.DescribeOrderableDBInstanceOptionsOutput](t)(e.East.DescribeOrderableDBInstanceOptions(ctx, &rds.DescribeOrderableDBInstanceOptionsInput{
		Engine: aws.String("postgres"), EngineVersion: aws.String("13.4"), DBInstanceClass: aws.String("db.t3.micro"),
	}))
	storage := map[string][2]int32{}
	for _, o := range orderable.OrderableDBInstanceOptions {
		storage[aws.ToString(o.StorageType)] = [2]int32{aws.ToInt32(o.MinStorageSize), aws.ToInt32(o.MaxStorageSize)}
	}
	if storage["gp2"] != [2]int32{20, 65536} || storage["standard"] != [2]int32{5, 3072} {
		t.Errorf("orderable storage %v", storage)
	}
	p := rds.NewDescribeOrderableDBInstanceOptionsPaginator(e.East, &rds.DescribeOrderableDBInstanceOptionsInput{Engine: aws.String("mysql"), MaxRecords: aws.Int32(1000)})
	n := 0
	for p.HasMorePages() {
		n += len(xtest.Must[*rds.DescribeOrderableDBInstanceOptionsOutput](t)(p.NextPage(ctx)).OrderableDBInstanceOptions)
	}
	// 25 current classes and 8 of the previous generation; the previous generation up to
	// 8.0 (four versions), Graviton3 from 8.0.32 (all but 5.7.44); five storage types.
	if want := (6*25 + 4*8 - 2) * 5; n != want {
		t.Errorf("mysql has %d orderable options, want %d", n, want)
	}

	pgs := xtest.Must[*rds.DescribeDBParameterGroupsOutput](t)(e.East.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{DBParameterGroupName: aws.String("default.postgres13")}))
	if len(pgs.DBParameterGroups) != 1 || aws.ToString(pgs.DBParameterGroups[0].DBParameterGroupFamily) != "postgres13" ||
		aws.ToString(pgs.DBParameterGroups[0].DBParameterGroupArn) != "arn:aws:rds:us-east-1:"+account+":pg:default.postgres13" {
		t.Errorf("parameter group %+v", pgs.DBParameterGroups)
	}
	_, err := e.East.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{DBParameterGroupName: aws.String("mine")})
	wantErr(t, err, "DBParameterGroupNotFound", 404, "DBParameterGroup not found: mine")
	ogs := xtest.Must[*rds.DescribeOptionGroupsOutput](t)(e.East.DescribeOptionGroups(ctx, &rds.DescribeOptionGroupsInput{EngineName: aws.String("postgres"), MajorEngineVersion: aws.String("13")}))
	if len(ogs.OptionGroupsList) != 1 || aws.ToString(ogs.OptionGroupsList[0].OptionGroupName) != "default:postgres-13" {
		t.Errorf("option groups %+v", ogs.OptionGroupsList)
	}
	_, err = e.East.DescribeOptionGroups(ctx, &rds.DescribeOptionGroupsInput{OptionGroupName: aws.String("mine")})
	wantErr(t, err, "OptionGroupNotFoundFault", 404, "Specified OptionGroupName: mine not found.")
	sgs := xtest.Must[*rds.DescribeDBSubnetGroupsOutput](t)(e.East.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{}))
	// The default group is the default VPC's subnets, one per Availability Zone of EC2's.
	if len(sgs.DBSubnetGroups) != 1 || len(sgs.DBSubnetGroups[0].Subnets) < 2 || aws.ToString(sgs.DBSubnetGroups[0].SubnetGroupStatus) != "Complete" {
		t.Errorf("subnet groups %+v", sgs.DBSubnetGroups)
	}
	_, err = e.East.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String("private")})
	wantErr(t, err, "DBSubnetGroupNotFoundFault", 404, "DBSubnetGroup 'private' not found.")

	regions := xtest.Must[*rds.DescribeSourceRegionsOutput](t)(e.West.DescribeSourceRegions(ctx, &rds.DescribeSourceRegionsInput{RegionName: aws.String("us-east-1")}))
	if len(regions.SourceRegions) != 1 || !aws.ToBool(regions.SourceRegions[0].SupportsDBInstanceAutomatedBackupsReplication) {
		t.Errorf("source regions %+v", regions.SourceRegions)
	}
}

// TestOrderableCatalogue: the classes an engine version comes with, from the catalogue —
// today's plain choice and the seed's both create, the previous generation only with the
// versions RDS still offers it for (create, modify and DescribeOrderableDBInstanceOptions
// agree), Graviton3 only from its first versions.
func TestOrderableCatalogue(t *testing.T) {
	e := start(t)
	plain := postgres("plain")
	plain.EngineVersion, plain.AllocatedStorage, plain.StorageType = aws.String("16.8"), aws.Int32(20), aws.String("gp3")
	if got := e.create(t, e.East, plain); aws.ToString(got.DBInstanceClass) != "db.t3.micro" || aws.ToString(got.StorageType) != "gp3" {
		t.Errorf("postgres 16.8 on db.t3.micro with gp3: %s %s", aws.ToString(got.DBInstanceClass), aws.ToString(got.StorageType))
	}
	e.create(t, e.East, postgres("seed"))
	old := postgres("old")
	old.EngineVersion, old.DBInstanceClass = aws.String("12.22"), aws.String("db.t2.micro")
	e.create(t, e.East, old)

	_, err := e.East.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("plain"), DBInstanceClass: aws.String("db.t2.micro"), ApplyImmediately: aws.Bool(true)})
	wantErr(t, err, "InvalidParameterCombination", 400, "DBInstanceClass=db.t2.micro, Engine=postgres, EngineVersion=16.8")
	if c := aws.ToString(e.describe(t, e.East, "plain").DBInstanceClass); c != "db.t3.micro" {
		t.Errorf("a refused modify changed the class to %s", c)
	}

	classes := func(version string) []string {
		var out []string
		p := rds.NewDescribeOrderableDBInstanceOptionsPaginator(e.East, &rds.DescribeOrderableDBInstanceOptionsInput{
			Engine: aws.String("postgres"), EngineVersion: aws.String(version), MaxRecords: aws.Int32(1000)})
		for p.HasMorePages() {
			for _, o := range xtest.Must[*rds.DescribeOrderableDBInstanceOptionsOutput](t)(p.NextPage(ctx)).OrderableDBInstanceOptions {
				if !slices.Contains(out, aws.ToString(o.DBInstanceClass)) {
					out = append(out, aws.ToString(o.DBInstanceClass))
				}
			}
		}
		return out
	}
	for version, want := range map[string]map[string]bool{
		"16.8":  {"db.t3.micro": true, "db.t2.micro": false, "db.m7g.large": true},
		"13.4":  {"db.t3.micro": true, "db.t2.micro": false, "db.m7g.large": true},
		"12.22": {"db.t3.micro": true, "db.t2.micro": true, "db.m7g.large": false},
	} {
		got := classes(version)
		for class, listed := range want {
			if slices.Contains(got, class) != listed {
				t.Errorf("postgres %s lists %s: %v, want %v", version, class, !listed, listed)
			}
		}
	}
}
