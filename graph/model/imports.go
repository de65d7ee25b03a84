package model

import "github.com/itam-dev/itam/internal/imports"

type (
	ImportRunConnection = Connection[*imports.Run]
	ImportRunEdge       = Edge[*imports.Run]
	ImportRowConnection = Connection[*ImportRow]
	ImportRowEdge       = Edge[*ImportRow]
)
