package backupstore

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/xregion/xregion/internal/engines/sealstream"
)

// ObjectCopy is one object a copy wrote.
type ObjectCopy struct {
	Name  string // e.g. "wal/000000010000000000000007", "base/<id>/data"
	Bytes int64  // sealed bytes written to the destination
}

// CopyReport says what a copy moved. Copies are incremental by name (objects never
// change once written), so Copied is exactly what changed in the source since the
// previous copy, and BytesWritten the real size of that change.
type CopyReport struct {
	Copied       []ObjectCopy
	Skipped      int   // objects the destination already had
	BytesWritten int64 // the sum of Copied
}

func (r *CopyReport) add(name string, n int64) {
	r.Copied = append(r.Copied, ObjectCopy{Name: name, Bytes: n})
	r.BytesWritten += n
}

// Copy brings dst up to date with src — every base backup, every WAL file and the restore
// window — re-encrypting under dst's key: the continuous cross-Region replication of
// automated backups, and the snapshot of a stopped server. Objects dst already has are
// skipped, and so is what dst has pruned.
//
// Order matters because src may be written while it is copied, and because a copy may
// be cut short (xregion killed with -9) and then judged by what dst holds: the window is
// read first, base backups are listed before WAL, so everything the copied window and
// bases promise is in dst before they appear there; and the window is written before
// the bases, so a dst with a base backup has its window too: a copy that reached the
// bases restores to the window's end, as the finished copy does.
func Copy(ctx context.Context, src, dst *Store) (CopyReport, error) {
	var rep CopyReport
	srcWindow, err := src.readWindow()
	if err != nil {
		return rep, err
	}
	bases, err := src.Bases()
	if err != nil {
		return rep, err
	}
	files, err := src.WALFiles()
	if err != nil {
		return rep, err
	}
	horizon, err := dst.readWindow()
	if err != nil {
		return rep, err
	}
	for _, f := range files {
		if prunedFile(f, horizon) {
			continue
		}
		if err := copyObject(ctx, src, dst, walName(f), &rep); err != nil {
			return rep, err
		}
	}
	if err := copyWindow(ctx, srcWindow, dst, &rep); err != nil {
		return rep, err
	}
	for _, b := range bases {
		if b.Completed.Before(horizon.PrunedBefore) {
			continue
		}
		if err := copyBase(ctx, src, dst, b.ID, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// copyWindow moves dst's window to src's, once the WAL it promises is in dst.
func copyWindow(ctx context.Context, srcWindow windowRecord, dst *Store, rep *CopyReport) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if srcWindow.Latest.IsZero() {
		return nil
	}
	n, err := dst.markArchived(srcWindow.Mark)
	if err == nil && n > 0 {
		rep.add(windowName, n)
	}
	return err
}

// prunedFile reports whether WAL file f lies before dst's prune horizon. History files
// are never pruned.
func prunedFile(f string, horizon windowRecord) bool {
	return horizon.PrunedSegment != "" && !IsHistory(f) && !atOrAfter(f, horizon.PrunedSegment)
}

// CopyBackup copies base backup id and just the WAL it needs to be consistent into dst,
// re-encrypted under dst's key: a snapshot, restorable on its own (see
// postgres.RestoreSpec.Base), and its copies to other Regions.
func CopyBackup(ctx context.Context, src *Store, id string, dst *Store) (CopyReport, error) {
	var rep CopyReport
	b, err := src.Base(id)
	if err != nil {
		return rep, err
	}
	files, err := src.WALFiles()
	if err != nil {
		return rep, err
	}
	for _, f := range walOfBackup(files, b) {
		if err := copyObject(ctx, src, dst, walName(f), &rep); err != nil {
			return rep, err
		}
	}
	return rep, copyBase(ctx, src, dst, id, &rep)
}

// copyBase copies a base backup's data, then its info, which makes it visible.
func copyBase(ctx context.Context, src, dst *Store, id string, rep *CopyReport) error {
	if dst.exists(baseInfo(id)) {
		rep.Skipped++
		return nil
	}
	if err := os.MkdirAll(dst.path("base/"+id), 0o700); err != nil {
		return fmt.Errorf("backupstore: %w", err)
	}
	if err := copyObject(ctx, src, dst, baseData(id), rep); err != nil {
		return err
	}
	return copyObject(ctx, src, dst, baseInfo(id), rep)
}

// copyObject re-encrypts one object from src into dst unless dst has it.
func copyObject(ctx context.Context, src, dst *Store, name string, rep *CopyReport) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dst.exists(name) {
		rep.Skipped++
		return nil
	}
	in, err := os.Open(src.path(name))
	if err != nil {
		return fmt.Errorf("backupstore: %w", err)
	}
	defer in.Close()
	n, err := dst.createAtomic(name, func(f io.Writer) (int64, error) {
		return sealstream.Reseal(f, in, src.sealer, dst.sealer, name)
	})
	if err != nil {
		return err
	}
	rep.add(name, n)
	return nil
}
