// Package freshservice is the connector for Freshservice, speaking its
// documented REST API v2 (https://api.freshservice.com/v2/):
//
//   - Base URL: the account's own https://<domain>.freshservice.com (the API
//     works only on Freshservice domains, not custom CNAMEs), so
//     Config.BaseURL is required; a pasted URL ending in /api/v2 is accepted.
//   - Auth: HTTP basic with the API key as the user name and any password
//     ("X" by convention; credential "apiKey"). A refused key answers 401
//     {"code":"invalid_credentials","message":"You have to be logged in to
//     perform this action."}.
//   - Lists page by page number: page (1-based) and per_page (at most 100).
//     The Link header carries rel="next" while there are more pages and is
//     absent on the last one. Page-number paging only: the Source implements
//     connectors.OffsetPaging, so a device is marked missing only after two
//     consecutive full syncs missed it.
//   - GET /api/v2/assets?include=type_fields lists assets; type-specific
//     fields carry the id of the asset type that defines them as a suffix
//     (serial_number_21000056898): a laptop's serial is named after the
//     Hardware type it inherits the field from. Records are addressed by
//     display_id in every documented operation, so display_id is the
//     external id. Incremental syncs use the documented filter
//     filter="updated_at:>'YYYY-MM-DD'" (day granularity; 30 records a
//     page, no per_page), starting the day before Since.
//   - GET /api/v2/requesters and /api/v2/agents are the people (requesters
//     exclude agents); departments, locations, products and asset types are
//     read once per Source and cached.
//   - Push: PUT /api/v2/assets/{display_id}; create: POST /api/v2/assets;
//     tickets: GET /api/v2/assets/{display_id}/requests and POST
//     /api/v2/tickets with "assets": [{"display_id": …}].
//   - Rate limits are per plan and per minute; a 429 carries Retry-After
//     (and X-RateLimit-Total/-Remaining/-Used-CurrentRequest).
//
// Options (Config.Options): pageSize, statusMap, defaultAssetTypeId,
// currency, assetTypes.
package freshservice

import (
	"log/slog"
	"sync"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
	"github.com/itam-dev/itam/internal/itam"
)

// CredAPIKey names the API key in connectors.Config.Credentials.
const CredAPIKey = "apiKey"

// Option names in connectors.Config.Options.
const (
	// OptPageSize is the records asked per list request, 1..MaxPageSize
	// (default MaxPageSize; larger values are clamped).
	OptPageSize = connectors.OptPageSize
	// OptStatusMap maps Freshservice asset states (the asset_state type
	// field, e.g. "In Use") to itam statuses; it replaces DefaultStatusMap.
	OptStatusMap = "statusMap"
	// OptDefaultAssetTypeID is the asset type of records itam creates
	// (opt-in creation); creation is refused without it.
	OptDefaultAssetTypeID = "defaultAssetTypeId"
	// OptCurrency is the ISO 4217 currency of the account's costs
	// (Freshservice stores a bare number); default: the organization's.
	OptCurrency = "currency"
	// OptAssetTypes names the asset types to sync (a record syncs when its
	// type or an ancestor has one of these names, case-insensitively), so
	// services, software and consumables need not become assets. Default:
	// every record.
	OptAssetTypes = "assetTypes"
)

const (
	// MaxPageSize is Freshservice's upper limit on per_page.
	MaxPageSize = 100
	// DefaultMaxConcurrency bounds requests in flight when the config does not.
	DefaultMaxConcurrency = 2

	apiPrefix = "/api/v2"
)

// DefaultStatusMap maps the asset states Freshservice ships with to itam
// statuses. Keys are matched case-insensitively.
var DefaultStatusMap = map[string]string{
	"In Use":    string(itam.StatusDeployed),
	"In Stock":  string(itam.StatusInStock),
	"Missing":   string(itam.StatusLost),
	"Retired":   string(itam.StatusRetired),
	"Disposed":  string(itam.StatusDisposed),
	"In Repair": string(itam.StatusInRepair),
}

// defaultPushStates is the state a push writes for each itam status when
// the default map is in use (the map is many-to-one in general).
var defaultPushStates = map[string]string{
	string(itam.StatusDeployed): "In Use", string(itam.StatusInStock): "In Stock",
	string(itam.StatusLost): "Missing", string(itam.StatusRetired): "Retired",
	string(itam.StatusDisposed): "Disposed", string(itam.StatusInRepair): "In Repair",
}

func init() { connectors.Register(connectors.Freshservice, New) }

// Source is a configured Freshservice account.
type Source struct {
	base     string
	client   *vendorhttp.Client
	log      *slog.Logger
	pageSize int
	// status maps lower-cased vendor states to itam statuses; pushState
	// maps itam statuses back to the vendor's spelling.
	status        map[string]string
	pushState     map[string]string
	defaultTypeID int64
	currency      string
	// assetTypes are the lower-cased type names to sync; nil syncs all.
	assetTypes []string

	mu      sync.Mutex
	lookups lookups
}

var (
	_ connectors.Source       = (*Source)(nil)
	_ connectors.PeopleSource = (*Source)(nil)
	_ connectors.Pusher       = (*Source)(nil)
	_ connectors.Ticketer     = (*Source)(nil)
	_ connectors.OffsetPaging = (*Source)(nil)
)

// New builds a Freshservice Source. It needs Config.BaseURL (the account
// URL) and the CredAPIKey credential.
func New(cfg connectors.Config) (connectors.Source, error) {
	base, err := connectors.BaseURL(cfg.BaseURL, "the Freshservice account URL", "https://<domain>.freshservice.com", "/api/v2", "/api")
	if err != nil {
		return nil, err
	}
	key, err := cfg.Credential(CredAPIKey)
	if err != nil {
		return nil, err
	}
	opt, err := cfg.CommonOptions(connectors.PageSize{Default: MaxPageSize, Max: MaxPageSize, Clamp: true}, DefaultMaxConcurrency)
	if err != nil {
		return nil, err
	}
	s := &Source{base: base, log: opt.Logger, pageSize: opt.PageSize}
	if s.status, s.pushState, err = statusOptions(cfg); err != nil {
		return nil, err
	}
	if s.defaultTypeID, err = int64Option(cfg, OptDefaultAssetTypeID); err != nil {
		return nil, err
	}
	if s.currency, err = currencyOption(cfg); err != nil {
		return nil, err
	}
	if s.assetTypes, err = assetTypesOption(cfg); err != nil {
		return nil, err
	}

	s.client = vendorhttp.New(vendorhttp.Options{
		BaseURL:        base,
		Transport:      vendorhttp.NewTransport(cfg.Egress),
		Auth:           vendorhttp.BasicAuth{User: key, Password: "X"}, // the API key is the user
		MaxConcurrency: opt.MaxConcurrency,
		MaxInlineWait:  cfg.MaxInlineWait,
		BaseWait:       cfg.RetryBaseWait,
		PrivilegeFor:   privilegeFor,
	})
	return s, nil
}

// Kind reports connectors.Freshservice.
func (s *Source) Kind() connectors.Kind { return connectors.Freshservice }

// OffsetPaging reports true: Freshservice pages by page number only.
func (s *Source) OffsetPaging() bool { return true }
