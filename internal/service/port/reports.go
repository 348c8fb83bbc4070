package port

// Reports keeps the reports AWS Backup Audit Manager delivers to an S3 bucket. xregion
// has no S3: the server keeps them as files under its data directory
// (reports/<account>/<bucket>/<key>), or in memory when it has none. Services cannot
// touch files; this port is how they write one.
type Reports interface {
	// Put stores a report, replacing one of the same key: a job step that runs again
	// writes the same report again.
	Put(account, bucket, key string, body []byte) error
}
