package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// ExchangeRateStore loads and saves the rates admins enter. Reports load
// them all: an organization keeps a few pairs with a rate per month or so,
// hundreds of rows, and conversion needs the one valid at each line's date.
type ExchangeRateStore struct{ db *DB }

// NewExchangeRateStore returns a store over db.
func NewExchangeRateStore(db *DB) *ExchangeRateStore { return &ExchangeRateStore{db: db} }

const allRatesSQL = `SELECT from_currency, to_currency, rate, valid_from FROM exchange_rates
	ORDER BY from_currency, to_currency, valid_from`

func scanRate(r pgx.CollectableRow) (costs.Rate, error) {
	var x costs.Rate
	err := r.Scan(&x.From, &x.To, &x.Rate, &x.ValidFrom)
	return x, err
}

// All returns every rate of the caller's organization, for conversion
// (costs.Rates.Convert). Money readers only.
func (s *ExchangeRateStore) All(ctx context.Context) (costs.Rates, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return s.all(ctx, p)
}

func (s *ExchangeRateStore) all(ctx context.Context, p itam.Principal) (costs.Rates, error) {
	return query(ctx, s.db, p.OrgID, allRatesSQL, nil, scanRate)
}
