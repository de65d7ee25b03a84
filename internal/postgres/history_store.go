package postgres

// HistoryStore reads the organization-wide audit feed over every history
// table (audit_events.go).
type HistoryStore struct{ db *DB }

// NewHistoryStore returns a HistoryStore over db.
func NewHistoryStore(db *DB) *HistoryStore { return &HistoryStore{db: db} }
