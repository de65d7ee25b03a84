package postgres

import (
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// Bulk writers send their columns as arrays of pgx's own types. Given a
// []uuid.UUID, []*uuid.UUID or []*string, pgx finds each element's plan
// by reflection, tries and fails a few (building an error each time) and
// sends a uuid.UUID through its driver.Valuer, as text it then parses
// back: for the 100,000-row import about a sixth of the commit's own CPU,
// spent while PostgreSQL waits for the statement.

// pgUUID is id as a pgx uuid.
func pgUUID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: true} }

// pgUUIDs is ids as pgx's uuids.
func pgUUIDs(ids []uuid.UUID) []pgtype.UUID {
	out := make([]pgtype.UUID, len(ids))
	for i, id := range ids {
		out[i] = pgUUID(id)
	}
	return out
}

// pgUUIDOrNull is id as a pgx uuid, NULL for nil.
func pgUUIDOrNull(id *uuid.UUID) pgtype.UUID {
	if id == nil {
		return pgtype.UUID{}
	}
	return pgUUID(*id)
}

// pgTextOrNull is s as pgx text, NULL for nil.
func pgTextOrNull(s *string) pgtype.Text {
	if s == nil {
		return pgtype.Text{}
	}
	return pgtype.Text{String: *s, Valid: true}
}

// pgDateOrNull is t's date as a pgx date, NULL for nil.
func pgDateOrNull(t *time.Time) pgtype.Date {
	if t == nil {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: *t, Valid: true}
}

// pgTexts is ss as pgx texts, NULL for each nil.
func pgTexts(ss []*string) []pgtype.Text {
	out := make([]pgtype.Text, len(ss))
	for i, s := range ss {
		out[i] = pgTextOrNull(s)
	}
	return out
}
