package dynamodb

import (
	ddb "github.com/xregion/xregion/internal/gen/dynamodbapi"
	"github.com/xregion/xregion/internal/service/dynamodb/attr"
)

// Capacity units as DynamoDB counts them: a write unit per KB written (of the larger of
// the item before and after), a read unit per 4 KB read strongly, half that for an
// eventually consistent read; at least one unit per item.

func writeUnits(old, new attr.Item) float64 {
	size := max(attr.ItemSize(old), attr.ItemSize(new))
	return float64(max(1, (size+1023)/1024))
}

func readUnits(size int, consistent *bool) float64 {
	units := float64(max(1, (size+4095)/4096))
	if consistent == nil || !*consistent {
		units /= 2
	}
	return units
}

// consumed is the ConsumedCapacity to answer for a request that asked (TOTAL or
// INDEXES); nil otherwise.
func consumed(mode *string, table string, read, write float64) *ddb.ConsumedCapacity {
	m := deref(mode)
	if m != ddb.ReturnConsumedCapacityTotal && m != ddb.ReturnConsumedCapacityIndexes {
		return nil
	}
	cc := &ddb.ConsumedCapacity{TableName: new(table), CapacityUnits: new(read + write)}
	if read > 0 {
		cc.ReadCapacityUnits = new(read)
	}
	if write > 0 {
		cc.WriteCapacityUnits = new(write)
	}
	if m == ddb.ReturnConsumedCapacityIndexes {
		cc.Table = &ddb.Capacity{CapacityUnits: new(read + write)}
	}
	return cc
}

func writeCapacity(mode *string, table string, old, new attr.Item) *ddb.ConsumedCapacity {
	return consumed(mode, table, 0, writeUnits(old, new))
}

func readCapacity(mode *string, table string, size int, consistent *bool) *ddb.ConsumedCapacity {
	return consumed(mode, table, readUnits(size, consistent), 0)
}

// collectionMetrics is the ItemCollectionMetrics of a write to a table with local
// secondary indexes, when asked (SIZE): the item collection's key and its size range.
func collectionMetrics(rec *tableRecord, mode *string, key attr.Item) *ddb.ItemCollectionMetrics {
	if deref(mode) != ddb.ReturnItemCollectionMetricsSize || len(rec.LSIs) == 0 {
		return nil
	}
	return &ddb.ItemCollectionMetrics{
		ItemCollectionKey:   attr.Item{rec.Hash.Name: key[rec.Hash.Name]},
		SizeEstimateRangeGB: []float64{0, 1},
	}
}
