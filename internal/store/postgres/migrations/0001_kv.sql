-- Every record of xregion's store, as bytes: keys are compared bytewise (bytea compares
-- like Go strings), values are opaque.
CREATE TABLE xregion_kv (
	k bytea NOT NULL,
	v bytea NOT NULL
);

-- Keys may run to store.MaxKeySize (32 KiB), far beyond the ~2.7 KB a B-tree entry holds,
-- so the index holds the first 2048 bytes of each key, which orders and bounds ranges,
-- and the SHA-256 of the whole key, which makes it unique. Ordering by (head, k) is
-- ordering by k: two keys whose heads differ compare as their heads do, and keys with
-- equal heads (rare: only keys longer than 2048 bytes) are then sorted on k. The queries
-- in keys.go spell these expressions exactly as here, or the planner would not use it.
CREATE UNIQUE INDEX xregion_kv_key ON xregion_kv (substring(k FROM 1 FOR 2048), sha256(k));
