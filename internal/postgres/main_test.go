package postgres

import (
	"testing"

	"github.com/itam-dev/itam/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
