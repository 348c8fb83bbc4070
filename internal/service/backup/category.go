package backup

import (
	"regexp"
	"strings"
	"sync"

	"github.com/xregion/xregion/internal/gen/backupapi"
)

// A job's MessageCategory sorts why it ended as it did. AWS's API reference names its
// categories only by example ("AccessDenied, SUCCESS, AGGREGATE_ALL, and
// InvalidParameters"), and the model leaves the member a free string; the values here
// are those examples in the API's upper-case form, which its SUCCESS has:
//
//   - SUCCESS: completed;
//   - ACCESS_DENIED: the job's role cannot be assumed, or another account's vault or
//     organization refuses a copy;
//   - INVALID_PARAMETERS: everything else a user's input or resources caused (a vault,
//     key, recovery point or resource gone, locked, disabled or in a state that refuses
//     the job; a copy the Regions' rules refuse), and the failures providers report, which
//     port.CannotProtect makes "a failure a user caused";
//
// and three where AWS names none, chosen by xregion after the job's state, so that no
// ended job is without a category: EXPIRED (a job that did not start or finish in its
// window), ABORTED (stopped by its user) and SERVICE_UNAVAILABLE (a copy whose Region
// could not be reached). Restore jobs have no MessageCategory in the model.
const (
	categorySuccess     = "SUCCESS"
	categoryDenied      = "ACCESS_DENIED"
	categoryInvalid     = "INVALID_PARAMETERS"
	categoryExpired     = "EXPIRED"
	categoryAborted     = "ABORTED"
	categoryUnavailable = "SERVICE_UNAVAILABLE"
	// The filter values that take every category.
	categoryAny = "ANY"
	categoryAll = "AGGREGATE_ALL"
)

// deniedTexts are the status messages of jobs AWS Backup was not allowed to do; their
// verbs are fmt's, so that a message of a record written by an earlier release is
// categorised too.
var deniedTexts = []string{statusRoleUnusable, statusNotOrganization, statusCopyDenied}

// unavailableTexts are the status messages of jobs that found a Region down.
var unavailableTexts = []string{statusUnreachable, statusRegionDown}

// textPatterns turns status message formats into one pattern that matches any message
// they make. It is compiled on first use, not at start-up.
func textPatterns(formats []string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp {
		alts := make([]string, len(formats))
		for i, f := range formats {
			alts[i] = strings.NewReplacer(`%s`, `.*`, `%d`, `.*`, `%v`, `.*`).Replace(regexp.QuoteMeta(f))
		}
		return regexp.MustCompile(`^(?:` + strings.Join(alts, "|") + `)$`)
	})
}

var (
	deniedPattern      = textPatterns(deniedTexts)
	unavailablePattern = textPatterns(unavailableTexts)
)

// messageCategory is the MessageCategory of a backup or copy job in state with its
// status message, or nil while the job has not ended.
func messageCategory(state, message string) *string {
	switch state {
	case backupapi.BackupJobStateCompleted:
		return new(categorySuccess)
	case backupapi.BackupJobStateExpired:
		return new(categoryExpired)
	case backupapi.BackupJobStateAborted:
		return new(categoryAborted)
	case backupapi.BackupJobStateFailed:
	default:
		return nil
	}
	switch {
	case deniedPattern().MatchString(message):
		return new(categoryDenied)
	case unavailablePattern().MatchString(message):
		return new(categoryUnavailable)
	}
	return new(categoryInvalid)
}

// inCategory applies a ByMessageCategory filter: ANY and AGGREGATE_ALL take every job,
// as AWS's documentation says of them; another value takes the jobs of that category.
func inCategory(filter, category *string) bool {
	if filter == nil || *filter == categoryAny || *filter == categoryAll {
		return true
	}
	return category != nil && *category == *filter
}
