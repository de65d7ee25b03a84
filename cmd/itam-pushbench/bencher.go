package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/postgres"
)

type bencher struct {
	o         options
	owner     *pgxpool.Pool
	idb       *postgres.DB
	conns     *postgres.ConnectorStore
	admin     context.Context
	connector uuid.UUID
	fake      *servicenowtest.Server
	proxy     *proxy
	progress  func(string, ...any)
}

// change is one planned assignee change: the asset, its CI, the person it
// goes to and that person's sys_user record.
type change struct {
	asset   uuid.UUID
	sysID   string
	person  uuid.UUID
	userSys string
}

// sync runs the setup FULL sync: CIs linked to assets, people created from
// sys_user (the connector is authoritative for people).
func (b *bencher) sync(ctx context.Context) error {
	t0 := time.Now()
	run, err := b.conns.SyncConnector(b.admin, b.connector, itam.SyncFull, "pushbench", nil)
	if err != nil {
		return err
	}
	for run.FinishedAt == nil {
		if time.Since(t0) > b.o.timeout {
			return fmt.Errorf("the setup sync did not finish in %s", b.o.timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if run, err = b.conns.SyncRun(b.admin, run.ID); err != nil {
			return err
		}
	}
	if run.Status != itam.SyncSucceeded {
		return fmt.Errorf("the setup sync ended %s: %s", run.Status, deref(run.Message))
	}
	b.progress("setup sync: %d records, %d created in %s", run.RecordsSeen, run.Created, time.Since(t0).Round(time.Millisecond))
	return nil
}

// plan picks -changes linked assets that can be assigned (lifecycle's
// rule: not retired or disposed) and a person for each other than its
// current holder, spreading the people so the lookups are a handful each.
func (b *bencher) plan(ctx context.Context) ([]change, error) {
	type person struct {
		id      uuid.UUID
		userSys string
	}
	rows, err := b.owner.Query(ctx, `SELECT id, email FROM people ORDER BY email`)
	if err != nil {
		return nil, err
	}
	var people []person
	var id uuid.UUID
	var email string
	if _, err := pgx.ForEachRow(rows, []any{&id, &email}, func() error {
		var i int
		if _, err := fmt.Sscanf(email, "user%05d@example.com", &i); err != nil {
			return fmt.Errorf("person %s: not one of the fake's users: %w", email, err)
		}
		people = append(people, person{id: id, userSys: servicenowtest.UserID(i)})
		return nil
	}); err != nil {
		return nil, err
	}
	if len(people) < 2 {
		return nil, fmt.Errorf("the setup sync made %d people from sys_user; need at least 2", len(people))
	}
	rows, err = b.owner.Query(ctx, `SELECT x.external_id, a.id, a.status::text, a.assigned_person_id
		FROM asset_external_ids x JOIN assets a ON a.org_id = x.org_id AND a.id = x.asset_id
		WHERE x.connector_id = $1 ORDER BY a.asset_tag`, b.connector)
	if err != nil {
		return nil, err
	}
	var plan []change
	var sysID, status string
	var holder *uuid.UUID
	if _, err := pgx.ForEachRow(rows, []any{&sysID, &id, &status, &holder}, func() error {
		if len(plan) == b.o.changes {
			return nil
		}
		if _, err := lifecycle.AfterAssign(itam.AssetStatus(status)); err != nil {
			return nil
		}
		p := people[(len(plan)*7+1)%len(people)]
		if holder != nil && *holder == p.id {
			p = people[(len(plan)*7+2)%len(people)]
		}
		plan = append(plan, change{asset: id, sysID: sysID, person: p.id, userSys: p.userSys})
		return nil
	}); err != nil {
		return nil, err
	}
	if len(plan) < b.o.changes {
		return nil, fmt.Errorf("only %d linked assets can be assigned; raise -cis", len(plan))
	}
	b.progress("planned %d assignee changes over %d people", len(plan), len(people))
	return plan, nil
}

// measure applies the changes, one transaction each as the API's
// assignAsset does, and waits until the fake holds every new assignee and
// no push job is left.
func (b *bencher) measure(ctx context.Context, plan []change, res *Results) error {
	b.progress("applying %d assignee changes", len(plan))
	t0 := time.Now()
	assets := postgres.NewAssetStore(b.idb)
	for _, c := range plan {
		pid := c.person
		if _, err := assets.CheckOutAsset(b.admin, c.asset, lifecycle.AssignRequest{To: itam.Assignee{PersonID: &pid}, Reassign: true}, nil); err != nil {
			return fmt.Errorf("assigning asset %s: %w", c.asset, err)
		}
	}
	res.Apply = time.Since(t0)
	b.progress("applied in %s; waiting for the pushes", res.Apply.Round(time.Millisecond))
	lastReport := time.Now()
	for {
		held := 0
		for _, c := range plan {
			if b.fake.Get(servicenowtest.DefaultTable, c.sysID)["assigned_to"] == c.userSys {
				held++
			}
		}
		var pending int
		if err := b.owner.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'connector.push'
			AND state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&pending); err != nil {
			return err
		}
		res.Held = held
		if held == len(plan) && res.AllHeld == 0 {
			res.AllHeld = time.Since(t0)
		}
		if held == len(plan) && pending == 0 {
			res.Wall = time.Since(t0)
			b.progress("all %d pushes held by the fake after %s", held, res.Wall.Round(time.Millisecond))
			return nil
		}
		if time.Since(t0) > b.o.timeout {
			res.Wall = time.Since(t0)
			return fmt.Errorf("after %s the fake holds %d of %d new assignees, %d push jobs pending", b.o.timeout, held, len(plan), pending)
		}
		if time.Since(lastReport) >= 5*time.Second {
			lastReport = time.Now()
			b.progress("  … %d of %d held, %d jobs pending after %s", held, len(plan), pending, time.Since(t0).Round(100*time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// jobStats reads what River did with the push jobs and what the store
// recorded as refused.
func (b *bencher) jobStats(ctx context.Context, res *Results) error {
	err := b.owner.QueryRow(ctx, `SELECT count(*),
		count(*) FILTER (WHERE state = 'completed'),
		count(*) FILTER (WHERE state IN ('cancelled', 'discarded')),
		count(*) FILTER (WHERE coalesce(cardinality(errors), 0) > 0),
		coalesce(sum(coalesce(cardinality(errors), 0)), 0),
		count(*) FILTER (WHERE metadata ? 'snoozes'),
		coalesce(sum((metadata->>'snoozes')::int), 0)
		FROM river_job WHERE kind = 'connector.push'`).Scan(&res.Jobs.Total, &res.Jobs.Completed, &res.Jobs.Ended,
		&res.Jobs.Retried, &res.Jobs.Errors, &res.Jobs.Snoozed, &res.Jobs.Snoozes)
	if err != nil {
		return err
	}
	return b.owner.QueryRow(ctx, `SELECT count(*) FROM connector_push_state WHERE error_at IS NOT NULL`).Scan(&res.PushErrors)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
