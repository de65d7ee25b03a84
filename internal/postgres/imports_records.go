package postgres

import (
	"context"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// applyRecords writes a chunk of a people, locations or models import.
func (c *importCommit) applyRecords(ctx context.Context, kind imports.Kind, rows []imports.RowPlan) error {
	return itam.Invalid("kind", "committing a %s import is not supported yet", kind)
}
