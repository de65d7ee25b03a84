package graph

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strings"

	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// exportLink checks the caller may export kind with the columns named
// (enum values, converted to their field names), and signs the link.
func (r *Resolver) exportLink(ctx context.Context, kind exports.Kind, filter any, columns []string, format model.ExportFormat) (*model.ExportLink, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	if err := exports.Authorize(p, kind); err != nil {
		return nil, err
	}
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = enumField(c)
	}
	raw, err := json.Marshal(filter)
	if err != nil {
		return nil, err
	}
	cols, _, err := exports.Prepare(ctx, r.Exports, p, kind, names, raw, exports.Format(format))
	if err != nil {
		return nil, err
	}
	token, c, err := r.ExportLinks.Sign(p, exports.Claims{Kind: kind, Filter: raw, Columns: exports.Names(cols), Format: exports.Format(format)})
	if err != nil {
		return nil, err
	}
	return &model.ExportLink{URL: r.PublicURL + exports.DownloadPath + "?token=" + url.QueryEscape(token),
		ExpiresAt: c.ExpiresAt(), Format: format, Columns: c.Columns}, nil
}

// enumField turns an export column's enum value into its field name:
// ASSET_TAG is assetTag.
func enumField[E ~string](e E) string {
	parts := strings.Split(strings.ToLower(string(e)), "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// personFilter reads people's filter as people(filter:) does.
func personFilter(in *model.PersonFilter) (itam.PersonFilter, error) {
	var f itam.PersonFilter
	if in == nil {
		return f, nil
	}
	if err := checkListFilter(in, val(in.Search)); err != nil {
		return f, err
	}
	f = itam.PersonFilter{Search: val(in.Search), Status: val(in.Status)}
	var err error
	if f.TeamIDs, err = idList("filter.teamIds", in.TeamIds, relay.TypeTeam); err != nil {
		return f, err
	}
	if f.ManagerIDs, err = idList("filter.managerIds", in.ManagerIds, relay.TypePerson); err != nil {
		return f, err
	}
	f.LocationIDs, err = idList("filter.locationIds", in.LocationIds, relay.TypeLocation)
	return f, err
}

// enumStrings converts a list of enum values to strings.
func enumStrings[E ~string](in []E) []string {
	out := make([]string, len(in))
	for i, e := range in {
		out[i] = string(e)
	}
	return out
}

// ExportFilter reads a filter written as JSON in the shape of the GraphQL
// input (AssetFilter, PersonFilter, LicenseFilter: global ids, enum
// values) into kind's domain filter, for `itam export --filter`. Unknown
// keys are refused rather than ignored: a mistyped condition would
// otherwise export everything.
func ExportFilter(kind exports.Kind, raw []byte) (any, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil, nil
	}
	decode := func(v any) error {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return itam.Invalid("filter", "the filter is not a %s filter: %v", strings.ToLower(string(kind)), err)
		}
		// Decode reads one value: anything after it (a second filter, a
		// stray brace) would be ignored, exporting more than was asked.
		if _, err := dec.Token(); err != io.EOF {
			return itam.Invalid("filter", "the filter is one JSON object, with nothing after it")
		}
		return nil
	}
	switch kind {
	case exports.KindAssets:
		var in model.AssetFilter
		if err := decode(&in); err != nil {
			return nil, err
		}
		return assetFilter(&in, "filter")
	case exports.KindPeople:
		var in model.PersonFilter
		if err := decode(&in); err != nil {
			return nil, err
		}
		return personFilter(&in)
	case exports.KindLicenses:
		var in model.LicenseFilter
		if err := decode(&in); err != nil {
			return nil, err
		}
		return licenseFilter(&in)
	}
	return nil, itam.Invalid("kind", "%q is not an export kind", kind)
}

// ExportColumn reads a column as the command line may spell it: the
// field name (assetTag) or the enum value (ASSET_TAG).
func ExportColumn(s string) string {
	s = strings.TrimSpace(s)
	if s == strings.ToUpper(s) {
		return enumField(s)
	}
	return s
}
