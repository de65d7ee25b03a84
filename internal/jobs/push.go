package jobs

import (
	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// QueuePush is the queue write-backs to ITSM connectors run on, apart from
// syncs, so a long pull never delays a push (nor the reverse).
const QueuePush = "push"

// pendingStates are the states in which a push of the same record is
// already coming: a second change folds into it, since the job reads the
// asset's values when it runs. River requires running among them, so a
// change that lands while its push runs is folded too: the worker, having
// pushed, compares the asset's version with the one it read and runs
// again (snooze 0) when it moved.
var pendingStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

// PushArgs writes one asset's opted-in fields back to its record at one
// ITSM connector. It is inserted in the transaction that changed the asset
// and is unique per (connector, asset) while pending: changes coalesce per
// record.
type PushArgs struct {
	OrgID       uuid.UUID `json:"org_id"`
	ConnectorID uuid.UUID `json:"connector_id" river:"unique"`
	AssetID     uuid.UUID `json:"asset_id" river:"unique"`
}

// Kind is the stable job kind.
func (PushArgs) Kind() string { return "connector.push" }

// InsertOpts coalesces pushes per record and retries with River's
// exponential backoff.
func (PushArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueuePush,
		MaxAttempts: 12,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: pendingStates},
	}
}
