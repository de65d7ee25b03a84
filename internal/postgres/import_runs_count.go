package postgres

import (
	"context"

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
