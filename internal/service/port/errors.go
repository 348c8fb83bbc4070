package port

import "errors"

// Errors of the ports that have no provider-specific meaning.
var (
	// ErrNoTopic is a Notifier's answer for a topic that does not exist or refuses the
	// publisher.
	ErrNoTopic = errors.New("no such topic")
	// ErrPresignRefused is a PresignedURLs' answer for a URL that is not the call wanted.
	ErrPresignRefused = errors.New("presigned URL could not be authenticated")
)
