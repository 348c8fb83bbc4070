package postgres

// The statements below name the index's expressions exactly as migrations/0001_kv.sql
// does, so that the planner serves them from the index: head(k) for order and ranges,
// sha256(k) with it for single keys. Parameters are bytea ($1::bytea), never text, so
// that NUL and bytes above 0x7f in keys arrive intact.
const (
	head = "substring(k FROM 1 FOR 2048)"

	isKeySQL = head + ` = substring($1::bytea FROM 1 FOR 2048) AND sha256(k) = sha256($1::bytea)`
	getSQL   = `SELECT v FROM xregion_kv WHERE ` + isKeySQL

	// Keys from $1 (inclusive) to $2 (exclusive). The conditions on head(k) are implied
	// by those on k and are there to bound the index scan.
	fromSQL  = head + ` >= substring($1::bytea FROM 1 FOR 2048) AND k >= $1::bytea`
	belowSQL = head + ` <= substring($2::bytea FROM 1 FOR 2048) AND k < $2::bytea`

	scanToSQL   = `SELECT k, v FROM xregion_kv WHERE ` + fromSQL + ` AND ` + belowSQL + ` ORDER BY ` + head + `, k LIMIT $3`
	scanFromSQL = `SELECT k, v FROM xregion_kv WHERE ` + fromSQL + ` ORDER BY ` + head + `, k LIMIT $2`

	deleteToSQL   = `DELETE FROM xregion_kv WHERE ` + fromSQL + ` AND ` + belowSQL
	deleteFromSQL = `DELETE FROM xregion_kv WHERE ` + fromSQL
	deleteAllSQL  = `DELETE FROM xregion_kv`

	// One statement each for all of a transaction's puts and all of its deletes. A
	// transaction's pending writes hold each key once, so no row is touched twice.
	upsertSQL = `INSERT INTO xregion_kv (k, v) SELECT * FROM unnest($1::bytea[], $2::bytea[])
		ON CONFLICT ((` + head + `), (sha256(k))) DO UPDATE SET v = excluded.v`
	deleteKeysSQL = `DELETE FROM xregion_kv WHERE (` + head + `, sha256(k)) IN
		(SELECT substring(d FROM 1 FOR 2048), sha256(d) FROM unnest($1::bytea[]) AS u(d))`

	statsSQL = `SELECT count(*), pg_total_relation_size('xregion_kv'::regclass) FROM xregion_kv`
)

// keyRange is the keys a Scan or DeletePrefix covers: from lo (inclusive) up to hi
// (exclusive), or to the end when unbounded.
type keyRange struct {
	lo, hi    string
	unbounded bool
}

// prefixRange covers the keys that start with prefix and are >= start.
func prefixRange(prefix, start string) keyRange {
	hi, ok := prefixEnd(prefix)
	return keyRange{lo: max(prefix, start), hi: hi, unbounded: !ok}
}

// prefixEnd is the least key greater than every key that starts with prefix: the prefix
// with trailing 0xff bytes dropped and its last byte incremented. A prefix of only 0xff
// bytes (or "") has no such key: its range runs to the end.
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// after is the least key greater than k, where the next page of a Scan begins.
func after(k string) string { return k + "\x00" }
