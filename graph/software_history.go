package graph

import (
	"context"

	"github.com/google/uuid"

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
	return nestedConnection(ctx, parent, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[software.HistoryEntry], error) {
		return fetch(ctx, parents, p)
	}, count)
}

func publisherID(x *software.Publisher) uuid.UUID { return x.ID }
func ruleID(x *software.Rule) uuid.UUID           { return x.ID }
