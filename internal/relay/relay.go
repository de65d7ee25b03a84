// Package relay encodes global object ids: the object's type and row id,
// base64url-encoded, so clients treat them as opaque and node(id:) knows which
// table to read.
//
// An id is one type code byte and the 16 bytes of the row's UUID: 23
// characters. Ids are most of the bytes of a listing (a page of 100 assets
// with their relations carries 900 of them), so their length is the
// response's size and a good part of the cost of writing and reading it.
// Ids in the first, longer form ("Type:uuid", base64url) are still accepted.
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

	TypeSoftwarePublisher        = "SoftwarePublisher"
	TypeSoftwareProduct          = "SoftwareProduct"
	TypeSoftwareTitleRule        = "SoftwareTitleRule"
	TypeSoftwareNormalizationRun = "SoftwareNormalizationRun"
	TypeLicense                  = "License"
	TypeLicenseSeat              = "LicenseSeat"

	TypeCostEntry           = "CostEntry"
	TypeContract            = "Contract"
	TypeDepreciationProfile = "DepreciationProfile"

	TypePurchaseOrder        = "PurchaseOrder"
	TypePurchaseOrderLine    = "PurchaseOrderLine"
	TypeOffboardingChecklist = "OffboardingChecklist"
	TypeAuditCampaign        = "AuditCampaign"
	TypeWebhookSubscription  = "WebhookSubscription"
	TypeWebhookDelivery      = "WebhookDelivery"
	TypeNotification         = "Notification"
	TypeSanitizationRecord   = "SanitizationRecord"
	TypeAssetCheckout        = "AssetCheckout"
	TypeImportRun            = "ImportRun"
	TypeImportMapping        = "ImportMapping"
)

// typeCodes are the type bytes of global ids. Clients keep ids, so a code,
// once given out, never changes meaning: add new types at the end.
var typeCodes = []string{
	1:  TypeAsset,
	2:  TypePerson,
	3:  TypeTeam,
	4:  TypeLocation,
	5:  TypeManufacturer,
	6:  TypeCategory,
	7:  TypeModel,
	8:  TypeSupplier,
	9:  TypeOrganization,
	10: TypeSyncConflict,
	11: TypeConnector,
	12: TypeSyncRun,
	13: TypeSoftwarePublisher,
	14: TypeSoftwareProduct,
	15: TypeSoftwareTitleRule,
	16: TypeSoftwareNormalizationRun,
	17: TypeLicense,
	18: TypeLicenseSeat,
	19: TypeCostEntry,
	20: TypeContract,
	21: TypeDepreciationProfile,
	22: TypePurchaseOrder,
	23: TypePurchaseOrderLine,
	24: TypeOffboardingChecklist,
	25: TypeAuditCampaign,
	26: TypeWebhookSubscription,
	27: TypeWebhookDelivery,
	28: TypeNotification,
	29: TypeSanitizationRecord,
	30: TypeAssetCheckout,
	31: TypeImportRun,
	32: TypeImportMapping,
}

var codeOf = func() map[string]byte {
	m := make(map[string]byte, len(typeCodes))
	for c, t := range typeCodes {
		if t != "" {
			m[t] = byte(c)
		}
	}
	return m
}()

// encodedLen is the length of an id: base64url (unpadded) of 17 bytes.
var encodedLen = base64.RawURLEncoding.EncodedLen(17)

// ID returns the global id of the object typ/id. typ is one of the Type
// constants; anything else is a programming error.
func ID(typ string, id uuid.UUID) string {
	var out [32]byte
	return string(AppendID(out[:0], typ, id))
}

// AppendID appends ID(typ, id) to dst: the same bytes without a string,
// for writers that put ids straight into a response (graph/compiled).
func AppendID(dst []byte, typ string, id uuid.UUID) []byte {
	code, ok := codeOf[typ]
	if !ok {
		panic("relay: no type code for " + typ)
	}
	var raw [17]byte
	raw[0] = code
	copy(raw[1:], id[:])
	return base64.RawURLEncoding.AppendEncode(dst, raw[:])
}

// Parse splits a global id into its type and row id.
func Parse(global string) (string, uuid.UUID, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(global))
	if err != nil {
		return "", uuid.Nil, false
	}
	if len(b) == 17 {
		if int(b[0]) >= len(typeCodes) || typeCodes[b[0]] == "" {
			return "", uuid.Nil, false
		}
		id, err := uuid.FromBytes(b[1:])
		return typeCodes[b[0]], id, err == nil
	}
	// The first form: "Type:uuid".
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
