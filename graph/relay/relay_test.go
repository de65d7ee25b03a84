package relay

import (
	"encoding/base64"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestIDRoundTripsEveryType(t *testing.T) {
	id := uuid.New()
	seen := map[string]string{}
	for _, typ := range typeCodes {
		if typ == "" {
			continue
		}
		g := ID(typ, id)
		require.Len(t, g, 23, typ)
		require.NotContains(t, seen, g, "%s and %s share an id", typ, seen[g])
		seen[g] = typ
		gotType, gotID, ok := Parse(g)
		require.True(t, ok, typ)
		require.Equal(t, typ, gotType)
		require.Equal(t, id, gotID)
	}
	require.Len(t, seen, 12)
}

func TestParseAcceptsTheFirstFormAndRejectsGarbage(t *testing.T) {
	id := uuid.New()
	old := base64.RawURLEncoding.EncodeToString([]byte("Asset:" + id.String()))
	typ, got, ok := Parse(old)
	require.True(t, ok)
	require.Equal(t, TypeAsset, typ)
	require.Equal(t, id, got)

	unknownCode := base64.RawURLEncoding.EncodeToString(append([]byte{200}, id[:]...))
	for _, bad := range []string{"", "not base64!", unknownCode, base64.RawURLEncoding.EncodeToString([]byte("Asset:nope"))} {
		_, _, ok := Parse(bad)
		require.False(t, ok, bad)
	}
	_, err := DecodeAs("id", ID(TypePerson, id), TypeAsset)
	require.ErrorContains(t, err, "expected the id of a Asset, got a Person")
}
