package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
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

const allRatesSQL = `SELECT ` + rateColumns + ` FROM exchange_rates x ORDER BY x.from_currency, x.to_currency, x.valid_from`

// rateColumns are a rate's, its row id first (its history's entity id).
const rateColumns = `x.id, x.from_currency, x.to_currency, x.rate, x.valid_from`

func scanRate(r pgx.CollectableRow) (costs.Rate, error) {
	var x costs.Rate
	err := r.Scan(&x.ID, &x.From, &x.To, &x.Rate, &x.ValidFrom)
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

// SetRate stores (or replaces) the rate of a pair from a day on: ADMIN
// only. Its history (entity ExchangeRate, the row's id) records the rate
// it replaced; setting the same rate again records nothing.
func (s *ExchangeRateStore) SetRate(ctx context.Context, in costs.Rate) (costs.Rate, error) {
	p, err := costs.RequireAdmin(ctx)
	if err != nil {
		return costs.Rate{}, err
	}
	r, err := in.Normalize()
	if err != nil {
		return costs.Rate{}, err
	}
	var out costs.Rate
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+rateColumns+` FROM exchange_rates x
			WHERE x.from_currency = $1 AND x.to_currency = $2 AND x.valid_from = $3 FOR UPDATE`, r.From, r.To, r.ValidFrom)
		before, err := pgx.CollectRows(rows, scanRate)
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `INSERT INTO exchange_rates AS x (org_id, from_currency, to_currency, valid_from, rate)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (org_id, from_currency, to_currency, valid_from) DO UPDATE SET rate = EXCLUDED.rate, updated_at = now()
			RETURNING `+rateColumns, p.OrgID, r.From, r.To, r.ValidFrom, r.Rate)
		after, err := pgx.CollectExactlyOneRow(rows, scanRate)
		if err != nil {
			return err
		}
		out = after
		if len(before) == 0 {
			return insertCostHistory(ctx, tx, p, costs.HistoryExchangeRate, after.ID, costs.HistoryCreate, costs.Diff(nil, &after, costs.RateFields))
		}
		return insertCostHistory(ctx, tx, p, costs.HistoryExchangeRate, after.ID, costs.HistoryUpdate, costs.Diff(&before[0], &after, costs.RateFields))
	})
	if err != nil {
		return costs.Rate{}, err
	}
	return out, nil
}

// DeleteRate removes the rate of a pair from a day on: ADMIN only;
// NOT_FOUND when there is none. It returns the deleted row's id.
func (s *ExchangeRateStore) DeleteRate(ctx context.Context, from, to string, validFrom time.Time) (uuid.UUID, error) {
	p, err := costs.RequireAdmin(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	key, err := costs.RateKey(from, to, validFrom)
	if err != nil {
		return uuid.Nil, err
	}
	var id uuid.UUID
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `DELETE FROM exchange_rates x WHERE x.from_currency = $1 AND x.to_currency = $2 AND x.valid_from = $3
			RETURNING `+rateColumns, key.From, key.To, key.ValidFrom)
		gone, err := pgx.CollectExactlyOneRow(rows, scanRate)
		if errors.Is(err, pgx.ErrNoRows) {
			return itam.NotFound("exchange rate")
		}
		if err != nil {
			return err
		}
		id = gone.ID
		return insertCostHistory(ctx, tx, p, costs.HistoryExchangeRate, gone.ID, costs.HistoryDelete, costs.Diff(&gone, nil, costs.RateFields))
	})
	return id, err
}

// rateOrder sorts rates by pair, then newest validFrom first, as one text
// key: the pair, then the days from validFrom to 9999-12-31 zero-padded
// (descending dates ascend). The key is unique per organization (the
// table's unique constraint), so it is its own tie-breaker.
const rateOrder = `(x.from_currency || x.to_currency || lpad((DATE '9999-12-31' - x.valid_from)::text, 7, '0'))`

var rateKeyEnd = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

func rateSortKey(r costs.Rate) string {
	// Whole days by Unix day number: a time.Duration cannot span the
	// ~8,000 years to rateKeyEnd.
	days := (rateKeyEnd.Unix() - itam.CalendarDay(r.ValidFrom).Unix()) / 86400
	return fmt.Sprintf("%s%s%07d", r.From, r.To, days)
}

func rateWhere(f costs.RateFilter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	var where []string
	if f.From != nil {
		where = append(where, "x.from_currency = "+args.add(*f.From))
	}
	if f.To != nil {
		where = append(where, "x.to_currency = "+args.add(*f.To))
	}
	return where, args
}

// ListRates returns one page of rates by pair, then newest validFrom first.
// Money readers (ADMIN, MANAGER, AUDITOR).
func (s *ExchangeRateStore) ListRates(ctx context.Context, f costs.RateFilter, page itam.PageArgs) (itam.Page[costs.Rate], error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return itam.Page[costs.Rate]{}, err
	}
	if f, err = f.Normalize(); err != nil {
		return itam.Page[costs.Rate]{}, err
	}
	where, args := rateWhere(f)
	return list(ctx, s.db, p.OrgID, listSpec[costs.Rate]{
		columns: rateColumns, from: "exchange_rates x", idExpr: rateOrder, idType: "text",
		where: where, args: args, sort: sortKey[costs.Rate]{rateOrder, "text", rateSortKey}, dir: itam.Asc, id: rateSortKey, scan: scanRate,
	}, page)
}

// CountRates returns how many rates match f.
func (s *ExchangeRateStore) CountRates(ctx context.Context, f costs.RateFilter) (int, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return 0, err
	}
	if f, err = f.Normalize(); err != nil {
		return 0, err
	}
	where, args := rateWhere(f)
	return count(ctx, s.db, p.OrgID, "exchange_rates x", where, args)
}
