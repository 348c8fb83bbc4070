package dynamodb

import (
	"context"
	"sort"
	"strings"

	"github.com/xregion/xregion/internal/arn"
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/ids"
	"github.com/xregion/xregion/internal/service/kit"
)

// tableName returns the table a TableName parameter names: a name, or the ARN of a table
// of the caller's account and Region (DynamoDB accepts both).
func tableName(c kit.Call, nameOrARN string) (string, bool) {
	if !arn.IsARN(nameOrARN) {
		return nameOrARN, true
	}
	a, err := arn.Parse(nameOrARN)
	name, ok := strings.CutPrefix(a.Resource, "table/")
	if err != nil || !ok || a.Service != serviceName || a.Account != c.Account || a.Region != c.Region || strings.Contains(name, "/") {
		return "", false
	}
	return name, true
}

// findTable returns the table a TableName names, or ResourceNotFoundException.
func findTable(c kit.Call, v kit.View, nameOrARN string) (*tableRecord, error) {
	name, ok := tableName(c, nameOrARN)
	if !ok {
		return nil, msgTableNotFound.New(nameOrARN)
	}
	rec, err := tables.Get(v, name)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, msgTableNotFound.New(name)
	}
	return rec, nil
}

// checkNewTableName checks the name of a table to be made. The model lets TableName be
// an ARN (1 to 1024 characters) everywhere, but a new table's name is still 3 to 255
// characters of [a-zA-Z0-9_.-], as DynamoDB checks.
func checkNewTableName(name string) error {
	switch {
	case len(name) < 3:
		return msgShortTableName.New(name)
	case len(name) > 255:
		return msgLongTableName.New(name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return msgBadTableName.New(name)
		}
	}
	return nil
}

func (s *Service) CreateTable(ctx context.Context, in *ddb.CreateTableInput) (*ddb.CreateTableOutput, error) {
	c := s.Call(ctx)
	if err := checkNewTableName(*in.TableName); err != nil {
		return nil, err
	}
	rec, err := tableDefinition(in)
	if err != nil {
		return nil, err
	}
	if err := applyCreateOptions(rec, in); err != nil {
		return nil, err
	}
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.CreateTableOutput, error) {
		v := c.In(tx)
		if tables.Has(v, rec.Name) {
			return nil, msgTableExists.New(rec.Name)
		}
		now := c.Now()
		rec.ID, rec.Created, rec.Status = ids.UUID(), now, ddb.TableStatusCreating
		if rec.Stream != nil && rec.Stream.Enabled {
			rec.Stream.Label = now.UTC().Format(textStreamLabelFormat)
		}
		if err := s.encryptTable(tx, v, rec, in.SSESpecification); err != nil {
			return nil, err
		}
		if err := s.settleLater(tx, v, rec); err != nil {
			return nil, err
		}
		if err := tables.Put(v, rec, rec.Name); err != nil {
			return nil, err
		}
		return &ddb.CreateTableOutput{TableDescription: describe(v, rec)}, nil
	})
}

// applyCreateOptions takes CreateTable's streams, tags, table class and deletion
// protection.
func applyCreateOptions(rec *tableRecord, in *ddb.CreateTableInput) error {
	if in.StreamSpecification != nil {
		st, err := streamOf(in.StreamSpecification)
		if err != nil {
			return err
		}
		rec.Stream = st
	}
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return err
	}
	rec.Tags = tags
	if in.TableClass != nil {
		rec.TableClass = *in.TableClass
	}
	rec.DeletionProtection = in.DeletionProtectionEnabled != nil && *in.DeletionProtectionEnabled
	return nil
}

// streamOf checks a StreamSpecification: a view type is needed to enable a stream and
// refused to disable one.
func streamOf(spec *ddb.StreamSpecification) (*streamRecord, error) {
	enabled := spec.StreamEnabled != nil && *spec.StreamEnabled
	switch {
	case enabled && spec.StreamViewType == nil:
		return nil, msgStreamViewType.New()
	case !enabled && spec.StreamViewType != nil:
		return nil, msgStreamNoViewType.New()
	case !enabled:
		return nil, nil
	}
	return &streamRecord{Enabled: true, ViewType: *spec.StreamViewType}, nil
}

// settleLater arms the job that ends the table's transition (CREATING or UPDATING to
// ACTIVE, the end of DELETING) after the engine's transition delay.
func (s *Service) settleLater(tx kit.Tx, v kit.View, rec *tableRecord) error {
	if err := tx.CancelJobs(rec.Job); err != nil {
		return err
	}
	id, err := jobSettle.Enqueue(tx, s.After(), tableRef{Account: v.Account(), Region: v.Region(), Table: rec.Name, ID: rec.ID})
	rec.Job = id
	return err
}

func (s *Service) DescribeTable(ctx context.Context, in *ddb.DescribeTableInput) (*ddb.DescribeTableOutput, error) {
	c := s.Call(ctx)
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.DescribeTableOutput, error) {
		v := c.In(tx)
		rec, err := findTable(c, v, *in.TableName)
		if err != nil {
			return nil, err
		}
		return &ddb.DescribeTableOutput{Table: describe(v, rec)}, nil
	})
}

func (s *Service) DeleteTable(ctx context.Context, in *ddb.DeleteTableInput) (*ddb.DeleteTableOutput, error) {
	c := s.Call(ctx)
	return kit.Write(s.Kit, func(tx kit.Tx) (*ddb.DeleteTableOutput, error) {
		v := c.In(tx)
		rec, err := findTable(c, v, *in.TableName)
		if err != nil {
			return nil, err
		}
		switch {
		case rec.DeletionProtection:
			return nil, msgDeleteProtected.New()
		case rec.Status == ddb.TableStatusCreating:
			return nil, msgTableBusy.New(busyWord(rec.Status), rec.Name)
		case rec.Status == ddb.TableStatusDeleting:
			return nil, msgTableBusy.New(busyWord(rec.Status), rec.Name)
		}
		if err := s.leaveGroup(tx, v, rec); err != nil {
			return nil, err
		}
		rec.Status = ddb.TableStatusDeleting
		if err := s.settleLater(tx, v, rec); err != nil {
			return nil, err
		}
		if err := tables.Put(v, rec, rec.Name); err != nil {
			return nil, err
		}
		return &ddb.DeleteTableOutput{TableDescription: describe(v, rec)}, nil
	})
}

// defaultListLimit is ListTables' page size when the request sets none.
const defaultListLimit = 100

func (s *Service) ListTables(ctx context.Context, in *ddb.ListTablesInput) (*ddb.ListTablesOutput, error) {
	c := s.Call(ctx)
	limit := defaultListLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	return kit.Read(s.Kit, func(tx kit.Tx) (*ddb.ListTablesOutput, error) {
		var names []string
		err := tables.Keys(c.In(tx), "", func(e kit.Entry) bool {
			names = append(names, e.Pos)
			return true
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		if in.ExclusiveStartTableName != nil {
			start := sort.SearchStrings(names, *in.ExclusiveStartTableName)
			if start < len(names) && names[start] == *in.ExclusiveStartTableName {
				start++
			}
			names = names[start:]
		}
		out := &ddb.ListTablesOutput{TableNames: names}
		if len(names) > limit {
			out.TableNames = names[:limit]
			out.LastEvaluatedTableName = new(names[limit-1])
		}
		if out.TableNames == nil {
			out.TableNames = []string{}
		}
		return out, nil
	})
}
