// Package relay encodes global object ids: the type name and the row id,
// base64url-encoded, so clients treat them as opaque and node(id:) knows which
// table to read.
package relay

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Type names used in global ids; they match the GraphQL type names.
const (
	TypeAsset        = "Asset"
	TypePerson       = "Person"
	TypeTeam         = "Team"
	TypeLocation     = "Location"
	TypeManufacturer = "Manufacturer"
	TypeCategory     = "Category"
	TypeModel        = "Model"
	TypeSupplier     = "Supplier"
	TypeOrganization = "Organization"
	TypeSyncConflict = "SyncConflict"
	TypeConnector    = "Connector"
	TypeSyncRun      = "SyncRun"
)

// ID returns the global id of the object typ/id.
func ID(typ string, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + id.String()))
}

// Parse splits a global id into its type and row id.
func Parse(global string) (string, uuid.UUID, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(global))
	if err != nil {
		return "", uuid.Nil, false
	}
	typ, raw, ok := strings.Cut(string(b), ":")
	if !ok {
		return "", uuid.Nil, false
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return "", uuid.Nil, false
	}
	return typ, id, true
}

// Decode returns the row id of a global id that must be of one of types,
// or a BAD_USER_INPUT error naming field.
func Decode(field, global string, types ...string) (string, uuid.UUID, error) {
	typ, id, ok := Parse(global)
	if !ok {
		return "", uuid.Nil, itam.Invalid(field, "%q is not a valid id", global)
	}
	if !slices.Contains(types, typ) {
		return "", uuid.Nil, itam.Invalid(field, "expected the id of a %s, got a %s", strings.Join(types, " or "), typ)
	}
	return typ, id, nil
}

// DecodeAs is Decode for a single expected type.
func DecodeAs(field, global, typ string) (uuid.UUID, error) {
	_, id, err := Decode(field, global, typ)
	return id, err
}

// DecodeOptional decodes a nullable id argument.
func DecodeOptional(field string, global *string, typ string) (*uuid.UUID, error) {
	if global == nil {
		return nil, nil
	}
	id, err := DecodeAs(field, *global, typ)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// DecodeList decodes a list of ids of one type; nil stays nil (no filter).
func DecodeList(field string, globals []string, typ string) ([]uuid.UUID, error) {
	if globals == nil {
		return nil, nil
	}
	out := make([]uuid.UUID, len(globals))
	for i, g := range globals {
		id, err := DecodeAs(field, g, typ)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}
