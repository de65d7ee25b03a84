package jobs

import (
	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// NormalizeArgs re-resolves one organization's software installations
// under its current title rules, recording progress on run RunID.
//
// Bursts of rule changes coalesce on the run, not on the job: a change
// finding its organization's run still QUEUED joins it (that run has not
// read the rules yet, so it will apply this change too) instead of queuing
// another. Once a run is RUNNING, the next change queues a new run. River's
// unique jobs cannot express this: they always count running jobs as
// duplicates, which would drop a change made while a run reads old rules.
type NormalizeArgs struct {
	OrgID uuid.UUID `json:"org_id"`
	RunID uuid.UUID `json:"run_id"`
}

// Kind is the stable job kind.
func (NormalizeArgs) Kind() string { return "software.normalize" }

// InsertOpts retries a failed run twice; the run's row says how it ended.
func (NormalizeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3}
}
