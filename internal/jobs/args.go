// Package jobs holds the River jobs: their arguments, workers, periodic
// schedules and the client that runs them. Job args are plain structs with a
// stable dotted Kind, so queued jobs survive deploys.
package jobs

import (
	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// QueueSync is the queue connector syncs run on, apart from quick jobs, so a
// long sync never delays scheduling.
const QueueSync = "sync"

// activeStates are the states in which a second sync of the same connector
// must not be inserted. River's default also includes completed, which
// would block the next scheduled sync until the job cleaner ran.
var activeStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

// SyncArgs runs one sync of one connector. Unique by connector while queued
// or running: a connector never syncs twice at once.
type SyncArgs struct {
	OrgID       uuid.UUID `json:"org_id"`
	ConnectorID uuid.UUID `json:"connector_id" river:"unique"`
	RunID       uuid.UUID `json:"run_id"`
}

// Kind is the stable job kind.
func (SyncArgs) Kind() string { return "connector.sync" }

// InsertOpts makes syncs unique per connector while active.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueSync,
		MaxAttempts: 8,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: activeStates},
	}
}

// ScheduleArgs enqueues the syncs whose schedule is due. It runs
// periodically on the elected leader only.
type ScheduleArgs struct{}

// Kind is the stable job kind.
func (ScheduleArgs) Kind() string { return "connector.schedule" }

// InsertOpts keeps one scheduler pass at a time.
func (ScheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: activeStates}}
}

// StaleArgs flags devices their source stopped reporting (nightly).
type StaleArgs struct{}

// Kind is the stable job kind.
func (StaleArgs) Kind() string { return "connector.stale" }

// InsertOpts keeps one pass at a time.
func (StaleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: activeStates}}
}

// EndOrphanedRunsArgs ends the sync runs whose job ended without ending
// them (cancelled while queued, discarded by River's rescuer after its
// workers died, deleted). It runs periodically on the elected leader only,
// as a safety net: workers end their runs themselves whenever they can.
type EndOrphanedRunsArgs struct{}

// Kind is the stable job kind.
func (EndOrphanedRunsArgs) Kind() string { return "connector.end_orphaned_runs" }

// InsertOpts keeps one pass at a time.
func (EndOrphanedRunsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: activeStates}}
}
