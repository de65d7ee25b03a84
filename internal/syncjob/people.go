package syncjob

import (
	"context"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/postgres"
)

// A run of a source with a directory (connectors.PeopleSource) has two
// phases, people then devices, and its stored cursor says which:
// "people:<vendor cursor>" or "devices:<vendor cursor>". A source without
// a directory stores the vendor's cursor bare, as it always has.
const (
	peoplePrefix  = "people:"
	devicesPrefix = "devices:"
)

// runCursor is where a run resumes: the phase and the vendor's cursor.
type runCursor struct {
	people bool
	cursor string
}

// parseCursor reads a stored cursor. For a source with a directory, an
// empty cursor starts with people, and a bare one (stored before the
// source had a directory) is a devices cursor.
func parseCursor(stored string, hasPeople bool) runCursor {
	if !hasPeople {
		return runCursor{cursor: stored}
	}
	switch {
	case stored == "":
		return runCursor{people: true}
	case strings.HasPrefix(stored, peoplePrefix):
		return runCursor{people: true, cursor: strings.TrimPrefix(stored, peoplePrefix)}
	case strings.HasPrefix(stored, devicesPrefix):
		return runCursor{cursor: strings.TrimPrefix(stored, devicesPrefix)}
	}
	return runCursor{cursor: stored}
}

// deviceCursor is what a devices page stores as its cursor.
func deviceCursor(next string, hasPeople bool) string {
	if hasPeople {
		return devicesPrefix + next
	}
	return next
}

// syncPeople applies the directory's pages from cursor, each in its own
// transaction with its cursor; done is false when the attempt's time slice
// ended (the job was snoozed to resume) or the run ended. After the last
// page the stored cursor moves to the start of the devices.
func (w *SyncWorker) syncPeople(ctx context.Context, job *river.Job[jobs.SyncArgs], src connectors.PeopleSource, target postgres.SyncTarget,
	req connectors.PageRequest, cursor string, started time.Time) (done bool, err error) {
	req.Cursor = cursor
	for {
		page, err := src.FetchPeoplePage(ctx, req)
		if err != nil {
			return false, w.vendorError(ctx, job, err)
		}
		next := peoplePrefix + page.NextCursor
		if page.Done {
			next = devicesPrefix
		}
		if _, err := w.d.Sync.ApplyPeoplePage(ctx, target, page.People, next); err != nil {
			return false, w.pageError(ctx, job.Args.RunID, err)
		}
		if page.Done {
			return true, nil
		}
		req.Cursor = page.NextCursor
		if time.Since(started) >= w.slice {
			return false, river.JobSnooze(0)
		}
	}
}
