package imports

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var ie *itam.Error
	require.True(t, errors.As(err, &ie), "want *itam.Error, got %v", err)
	require.Equal(t, itam.CodeInvalid, ie.Code)
	require.Equal(t, field, ie.Field)
}

func TestOpenRefusesWhatIsNotASheet(t *testing.T) {
	t.Parallel()
	junk := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(rng.UintN(256))
	}
	tests := []struct {
		name, file string
		data       []byte
	}{
		{"empty file", "a.csv", nil},
		{"only a BOM", "a.csv", []byte("\xEF\xBB\xBF")},
		{"only blank lines", "a.csv", []byte("\n\r\n,,\n")},
		{"binary junk", "a.csv", junk},
		{"control characters", "a.txt", bytes.Repeat([]byte("a\x01\x02\x03,"), 100)},
		{"legacy xls", "a.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, junk...)},
		{"zip that is no workbook", "a.zip", append([]byte("PK\x03\x04"), junk...)},
		{"named xlsx but text", "a.xlsx", []byte("tag,model\nA1,X\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Open(bytes.NewReader(tc.data), tc.file, ReadOptions{})
			require.Nil(t, r)
			requireInvalid(t, err, "file")
		})
	}
}

// A 50 MB CSV streams through with a small, flat heap: the reader never holds
// the file. HeapInuse is sampled while reading; holding the rows would put it
// far above the bound.
func TestCSVLargeFileBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 50 MB file")
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	_, err = w.WriteString("Asset Tag,Serial No.,Model,Location,Assigned To,Purchase Cost,Notes\n")
	require.NoError(t, err)
	const target = 50 << 20
	written, n := 0, 0
	for written < target {
		n++
		k, err := fmt.Fprintf(w, "T-%07d,SN%010d,Latitude 7440,\"Berlin, HQ\",user%d@example.com,\"1,299.00\",row %d of a long file\n", n, n*7, n%500, n)
		require.NoError(t, err)
		written += k
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())

	in, err := os.Open(path)
	require.NoError(t, err)
	defer in.Close()
	runtime.GC()
	r, err := Open(in, "big.csv", ReadOptions{})
	require.NoError(t, err)
	var ms runtime.MemStats
	var peak uint64
	rows := 0
	for r.Next() {
		rows++
		if rows%20000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	require.NoError(t, r.Err())
	require.Equal(t, n, rows)
	require.Equal(t, n+1, r.Row().Line)
	require.Less(t, peak, uint64(64<<20), "heap in use while reading a 50 MB file")
	t.Logf("%d rows, %d MB file, peak HeapInuse %d MB", rows, written>>20, peak>>20)
}
