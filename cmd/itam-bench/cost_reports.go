package main

// The cost report workloads (issue 10): costRollup by category over the
// last year and spendByPeriod by month over the last five years, each
// against the floor of the same CostReportStore call made in-process (plus
// the categories' names the server loads for the roll-up's groups).

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

const costRollupDoc = `query CostRollupByCategory($from: Date!, $to: Date!) {
  costRollup(groupBy: [CATEGORY], from: $from, to: $to) {
    groups { category { name } byKind { kind total { amount currency } } total { amount currency } }
    total { amount currency }
  }
}`

const spendByPeriodDoc = `query SpendByMonth($from: Date!, $to: Date!) {
  spendByPeriod(period: MONTH, from: $from, to: $to) {
    buckets { start end byKind { kind total { amount currency } } total { amount currency } }
  }
}`

// reportPeriod is a workload's period: the last years years up to today
// (UTC), fixed when the bench starts so both sides read the same data.
func reportPeriod(years int) (from, to time.Time) {
	to = itam.CalendarDay(time.Now().UTC())
	return to.AddDate(-years, 0, 1), to
}

// costReportWorkloads are the cost report workloads.
func costReportWorkloads() []workload {
	yearFrom, yearTo := reportPeriod(1)
	fiveFrom, fiveTo := reportPeriod(5)
	vars := func(from, to time.Time) func(params) map[string]any {
		return func(params) map[string]any {
			return map[string]any{"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly)}
		}
	}
	return []workload{
		{
			key: "cost-rollup", title: "costRollup by category, 1 year", op: "CostRollupByCategory", doc: costRollupDoc,
			gen:  func(*rand.Rand, *samples) params { return params{} },
			vars: vars(yearFrom, yearTo),
			floor: func(ctx context.Context, st stores, _ params, fp *[]string) error {
				return floorCostRollup(ctx, st, yearFrom, yearTo, fp)
			},
			serverFP: serverCostRollupFP,
		},
		{
			key: "spend-by-period", title: "spendByPeriod by month, 5 years", op: "SpendByMonth", doc: spendByPeriodDoc,
			gen:  func(*rand.Rand, *samples) params { return params{} },
			vars: vars(fiveFrom, fiveTo),
			floor: func(ctx context.Context, st stores, _ params, fp *[]string) error {
				return floorSpendByPeriod(ctx, st, fiveFrom, fiveTo, fp)
			},
			serverFP: serverSpendFP,
		},
	}
}

// floorCostRollup is the server's two round trips through the stores: the
// report, then its categories' names.
func floorCostRollup(ctx context.Context, st stores, from, to time.Time, fp *[]string) error {
	r, err := st.costReports.CostRollup(ctx, costs.ReportSpec{GroupBy: []costs.GroupBy{costs.GroupCategory}, From: from, To: to}, nil)
	if err != nil {
		return err
	}
	var cats []uuid.UUID
	for _, g := range r.Groups {
		if g.Key.Category != uuid.Nil {
			cats = append(cats, g.Key.Category)
		}
	}
	var cm map[uuid.UUID]*itam.Category
	if len(cats) > 0 {
		if cm, err = st.models.CategoriesByIDs(ctx, cats); err != nil {
			return err
		}
	}
	if fp != nil {
		for _, g := range r.Groups {
			name := "-"
			if c := cm[g.Key.Category]; c != nil {
				name = c.Name
			}
			*fp = append(*fp, name+"|"+kindsFP(g.ByKind)+"|"+moneyFP(g.Total))
		}
		*fp = append(*fp, "total|"+moneyFP(r.Total))
	}
	return nil
}

// floorSpendByPeriod is the server's one round trip through the store.
func floorSpendByPeriod(ctx context.Context, st stores, from, to time.Time, fp *[]string) error {
	r, err := st.costReports.SpendByPeriod(ctx, costs.ReportSpec{Every: costs.EveryMonth, From: from, To: to}, nil)
	if err != nil {
		return err
	}
	if fp != nil {
		for _, g := range r.Groups {
			*fp = append(*fp, g.Start.Format(time.DateOnly)+"|"+g.End.Format(time.DateOnly)+"|"+kindsFP(g.ByKind)+"|"+moneyFP(g.Total))
		}
	}
	return nil
}

func moneyFP(ms []itam.Money) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = normAmount(m.Amount.String()) + " " + m.Currency
	}
	return strings.Join(out, ",")
}

func kindsFP(ks []costs.KindTotal) string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k.Kind) + "=" + moneyFP(k.Total)
	}
	return strings.Join(out, ";")
}

type jsonMoney struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type jsonKind struct {
	Kind  string      `json:"kind"`
	Total []jsonMoney `json:"total"`
}

func jsonMoneyFP(ms []jsonMoney) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = normAmount(m.Amount) + " " + m.Currency
	}
	return strings.Join(out, ",")
}

func jsonKindsFP(ks []jsonKind) string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.Kind + "=" + jsonMoneyFP(k.Total)
	}
	return strings.Join(out, ";")
}

func serverCostRollupFP(data json.RawMessage) ([]string, error) {
	var d struct {
		CostRollup struct {
			Groups []struct {
				Category *struct{ Name string } `json:"category"`
				ByKind   []jsonKind             `json:"byKind"`
				Total    []jsonMoney            `json:"total"`
			} `json:"groups"`
			Total []jsonMoney `json:"total"`
		} `json:"costRollup"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	var out []string
	for _, g := range d.CostRollup.Groups {
		name := "-"
		if g.Category != nil {
			name = g.Category.Name
		}
		out = append(out, name+"|"+jsonKindsFP(g.ByKind)+"|"+jsonMoneyFP(g.Total))
	}
	return append(out, "total|"+jsonMoneyFP(d.CostRollup.Total)), nil
}

func serverSpendFP(data json.RawMessage) ([]string, error) {
	var d struct {
		SpendByPeriod struct {
			Buckets []struct {
				Start  string      `json:"start"`
				End    string      `json:"end"`
				ByKind []jsonKind  `json:"byKind"`
				Total  []jsonMoney `json:"total"`
			} `json:"buckets"`
		} `json:"spendByPeriod"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	var out []string
	for _, b := range d.SpendByPeriod.Buckets {
		out = append(out, fmt.Sprintf("%s|%s|%s|%s", b.Start, b.End, jsonKindsFP(b.ByKind), jsonMoneyFP(b.Total)))
	}
	return out, nil
}
