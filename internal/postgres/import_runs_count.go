package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// CountRuns counts the organization's import runs: importRuns.totalCount is
// every run, not the page's.
func (s *ImportStore) CountRuns(ctx context.Context) (int, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.db, p.OrgID, "import_runs r", nil, &sqlArgs{})
}

// CountRows counts a run's saved rows matching f: while the dry run goes
// on (or when it failed partway) the totals are not written yet.
func (s *ImportStore) CountRows(ctx context.Context, id uuid.UUID, f imports.RowFilter) (int, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return 0, err
	}
	args := &sqlArgs{}
	where := []string{"x.run_id = " + args.add(id)}
	if f.Actions != nil {
		acts := make([]string, len(f.Actions))
		for i, a := range f.Actions {
			acts[i] = string(a)
		}
		where = append(where, "x.action = ANY("+args.add(acts)+"::text[])")
	}
	return count(ctx, s.db, p.OrgID, "import_rows x", where, args)
}
