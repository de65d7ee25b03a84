package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStatementTimeouts(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, 5*time.Second, c.StatementTimeout)
	require.Equal(t, 5*time.Minute, c.JobStatementTimeout)

	c, err = Load(env(map[string]string{"ITAM_STATEMENT_TIMEOUT": "1500ms", "ITAM_JOB_STATEMENT_TIMEOUT": "0"}))
	require.NoError(t, err)
	require.Equal(t, 1500*time.Millisecond, c.StatementTimeout)
	require.Zero(t, c.JobStatementTimeout, "0 disables")

	for _, bad := range []string{"5", "soon", "-1s"} {
		_, err := Load(env(map[string]string{"ITAM_STATEMENT_TIMEOUT": bad}))
		require.ErrorContains(t, err, "ITAM_STATEMENT_TIMEOUT", bad)
	}
}
