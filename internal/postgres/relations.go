package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// RelationStore loads what a page of assets refers to (models,
// manufacturers, categories, people, teams, locations) in one round trip,
// across the tables the other stores own.
type RelationStore struct{ db *DB }

// NewRelationStore returns a RelationStore over db.
func NewRelationStore(db *DB) *RelationStore { return &RelationStore{db: db} }

// queueCategoriesByModel adds the statement that reads each model's
// category, keyed by model id, so a page of assets needs its categories
// without waiting for its models first.
func queueCategoriesByModel(b *pgx.Batch, modelIDs []uuid.UUID, out map[uuid.UUID]*itam.Category) {
	type row struct {
		model uuid.UUID
		cat   *itam.Category
	}
	queueRows(b, "SELECT m.id, "+categoryColumns+" FROM models m JOIN categories x ON x.id = m.category_id WHERE m.id = ANY($1::uuid[])",
		[]any{modelIDs}, func(r pgx.CollectableRow) (row, error) {
			var x row
			var err error
			x.cat, err = scanCategory(prefixRow{r, []any{&x.model}})
			return x, err
		}, func(r row) { out[r.model] = r.cat })
}

// AssetRelations are the records AssetRelations found, keyed by id
// (CategoryByModel by model id). Records the caller cannot see are absent.
type AssetRelations struct {
	Models          map[uuid.UUID]*itam.Model
	Manufacturers   map[uuid.UUID]*itam.Manufacturer
	CategoryByModel map[uuid.UUID]*itam.Category
	People          map[uuid.UUID]*itam.Person
	Teams           map[uuid.UUID]*itam.Team
	Locations       map[uuid.UUID]*itam.Location
}

// AssetRelations loads everything a page of assets refers to in a single
// round trip, all the statements in one pipeline on one connection. Run in
// parallel instead, a page took a connection per relation kind, and under
// load the requests queued for connections and woke PostgreSQL six times
// for what one pipeline does.
func (s *RelationStore) AssetRelations(ctx context.Context, ids itam.AssetRelationIDs) (AssetRelations, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return AssetRelations{}, err
	}
	out := AssetRelations{
		Models:          make(map[uuid.UUID]*itam.Model, len(ids.Models)),
		Manufacturers:   make(map[uuid.UUID]*itam.Manufacturer, len(ids.Manufacturers)),
		CategoryByModel: make(map[uuid.UUID]*itam.Category, len(ids.CategoriesOfModels)),
		People:          make(map[uuid.UUID]*itam.Person, len(ids.People)),
		Teams:           make(map[uuid.UUID]*itam.Team, len(ids.Teams)),
		Locations:       make(map[uuid.UUID]*itam.Location, len(ids.Locations)),
	}
	if len(ids.Models)+len(ids.Manufacturers)+len(ids.CategoriesOfModels)+len(ids.People)+len(ids.Teams)+len(ids.Locations) == 0 {
		return out, nil
	}
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		if len(ids.Models) > 0 {
			modelsTable.queue(b, ids.Models, out.Models)
		}
		if len(ids.Manufacturers) > 0 {
			manufacturersTable.queue(b, ids.Manufacturers, out.Manufacturers)
		}
		if len(ids.CategoriesOfModels) > 0 {
			queueCategoriesByModel(b, ids.CategoriesOfModels, out.CategoryByModel)
		}
		if len(ids.People) > 0 {
			queuePeople(b, p, ids.People, out.People)
		}
		if len(ids.Teams) > 0 {
			teamsTable.queue(b, ids.Teams, out.Teams)
		}
		if len(ids.Locations) > 0 {
			locationsTable.queue(b, ids.Locations, out.Locations)
		}
	})
	return out, err
}
