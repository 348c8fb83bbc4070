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
	if n != 6*25*5 {
		t.Errorf("mysql has %d orderable options, want %d", n, 6*25*5)
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
