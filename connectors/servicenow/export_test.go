package servicenow

import (
	"time"

	"github.com/itam-dev/itam/connectors"
)

// SetClock makes src judge token expiry on now (tests advance it by hand).
func SetClock(src connectors.Source, now func() time.Time) { src.(*source).now = now }
