package jobs

import (
	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// QueueImports is the queue import runs plan and commit on, apart from
// quick jobs, so a 100,000-row file never delays notifications.
const QueueImports = "imports"

// ImportPlanArgs runs the dry run of one import: it reads the run's file
// and saves a plan for every row. Unique by run while active.
type ImportPlanArgs struct {
	OrgID uuid.UUID `json:"org_id"`
	RunID uuid.UUID `json:"run_id" river:"unique"`
}

// Kind is the stable job kind.
func (ImportPlanArgs) Kind() string { return "import.plan" }

// InsertOpts keeps one planning job per run.
func (ImportPlanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueImports, MaxAttempts: 5,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: activeStates}}
}

// ImportCommitArgs applies a READY run's plan (a commitImport call moved
// it to COMMITTING). A retried or resumed job continues from the run's
// commit cursor. Unique by run while active.
type ImportCommitArgs struct {
	OrgID uuid.UUID `json:"org_id"`
	RunID uuid.UUID `json:"run_id" river:"unique"`
}

// Kind is the stable job kind.
func (ImportCommitArgs) Kind() string { return "import.commit" }

// InsertOpts keeps one commit job per run.
func (ImportCommitArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueImports, MaxAttempts: 10,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: activeStates}}
}
