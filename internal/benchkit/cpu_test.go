package benchkit

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The CPU readings: this process's grows while it computes; a process that
// does not exist, and no postmaster, read 0.
func TestCPUReadings(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	before := SelfCPU()
	deadline := time.Now().Add(30 * time.Millisecond)
	for n := 0; time.Now().Before(deadline) || SelfCPU() == before; n++ {
		_ = n * n
	}
	require.Greater(t, SelfCPU(), before)
	require.Equal(t, SelfCPU() > 0, ProcCPU(os.Getpid()) > 0)
	require.Zero(t, ProcCPU(1<<30))
	require.Zero(t, TreeCPU(0))
	require.Zero(t, TreeCPU(1<<30))
}
