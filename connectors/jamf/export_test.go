package jamf

import (
	"time"

	"github.com/itam-dev/itam/connectors"
)

// NewWithClock is New with the clock token lifetimes are measured on, so a
// test can age tokens without waiting for them to age.
func NewWithClock(cfg connectors.Config, now func() time.Time) (connectors.Source, error) {
	s, err := newSource(cfg, now)
	if err != nil {
		return nil, err
	}
	return s, nil
}
