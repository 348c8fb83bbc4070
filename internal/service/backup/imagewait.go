package backup

import (
	"errors"
	"time"

	"github.com/xregion/xregion/internal/service/kit"
	"github.com/xregion/xregion/internal/service/port"
)

// imagePoll is how soon a running job whose image is still being taken by its provider
// (port.ImageProgress) looks again, on the engine's clock.
const imagePoll = time.Second

// imageState says whether the image of a running job holds its data: done, still being
// taken (pending), or never (failed, with the provider's reason).
func (s *Service) imageState(tx kit.Tx, v kit.View, resourceType string, img *port.Image) (pending bool, failed string, err error) {
	p, ok := s.protector(resourceType)
	progress, tracks := p.(port.ImageProgress)
	if !ok || !tracks || img == nil {
		return false, "", nil
	}
	err = progress.ImageDone(tx, v.Account(), v.Region(), img.ARN)
	switch {
	case err == nil:
		return false, "", nil
	case errors.Is(err, port.ErrNotReady):
		return true, "", nil
	case errors.Is(err, port.ErrCannotProtect):
		return false, failureText(err), nil
	}
	return false, "", err
}

// waitForImage arms kind's step of a running job again, imagePoll from now or when the
// job must be complete by, whichever is first. The step's bytes were counted when it
// first ran: the reference no longer carries them as a transfer.
func (s *Service) waitForImage(tx kit.Tx, kind kit.Kind[jobRef], ref jobRef, completeBy *time.Time) error {
	at := s.Clock.Now().Add(imagePoll)
	if completeBy != nil {
		at = minTime(at, *completeBy)
	}
	if ref.Bytes != nil {
		ref = ref.moving(*ref.Bytes, nil)
	}
	_, err := kind.Enqueue(tx, at, ref)
	return err
}
