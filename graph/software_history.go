package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// softwareHistory is the history connection of a publisher, product or
// title rule, batched over every parent of the request's page (their list
// recorded them as siblings) like License.history: one statement for the
// pages and one for the counts, whatever the page size.
func softwareHistory(ctx context.Context, parent uuid.UUID, p itam.PageArgs,
	fetch func(context.Context, []uuid.UUID, itam.PageArgs) (map[uuid.UUID]itam.Page[software.HistoryEntry], error),
	count func(context.Context, []uuid.UUID) (map[uuid.UUID]int, error),
) (*model.SoftwareHistoryConnection, error) {
	key, parentPath := nestedKey(ctx)
	page, err := loaders.Nested(ctx, key, parentPath, parent, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[software.HistoryEntry], error) {
		return fetch(ctx, parents, p)
	})
	if err != nil {
		return nil, err
	}
	return &model.SoftwareHistoryConnection{Page: page, Count: func(ctx context.Context) (int, error) {
		return loaders.Nested(ctx, key+"#count", parentPath, parent, count)
	}}, nil
}

func publisherID(x *software.Publisher) uuid.UUID { return x.ID }
func ruleID(x *software.Rule) uuid.UUID           { return x.ID }
