package imports

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// HeaderField maps a header text to a field in a saved mapping.
type HeaderField struct {
	Header string
	Field  string
}

// SaveMappingInput is saveImportMapping's input.
type SaveMappingInput struct {
	Kind    Kind
	Name    string
	Columns []HeaderField
	Options Options
	// Version, when set, must be the saved mapping's of that name (0: it
	// must not exist yet).
	Version *int
}

// SaveMapping creates or replaces (same kind and name) a saved mapping.
// Headers are kept as NormalizeHeader spells them, so the mapping applies
// to "Serial No." and "serial_no" alike, in any column order.
func (s *Service) SaveMapping(ctx context.Context, in SaveMappingInput) (*SavedMapping, error) {
	p, err := requireImport(ctx)
	if err != nil {
		return nil, err
	}
	if !in.Kind.Valid() {
		return nil, itam.Invalid("kind", "%q is not an import kind (ASSETS, PEOPLE, LOCATIONS, MODELS)", in.Kind)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > maxMappingName || !utf8.ValidString(name) {
		return nil, itam.Invalid("name", "a mapping's name is 1 to %d characters", maxMappingName)
	}
	headers, err := savedHeaders(in.Kind, in.Columns)
	if err != nil {
		return nil, err
	}
	opt, err := checkOptions(in.Kind, in.Options, "options")
	if err != nil {
		return nil, err
	}
	m := &SavedMapping{OrgID: p.OrgID, Kind: in.Kind, Name: name, Headers: headers, Options: opt, CreatedBy: p.Subject}
	if in.Version != nil {
		m.Version = *in.Version
	}
	return s.Store.SaveMapping(ctx, m)
}

// savedHeaders checks columns against kind: known fields (or "" to leave
// the column out), each header and each field once.
func savedHeaders(kind Kind, cols []HeaderField) (map[string]string, error) {
	if len(cols) == 0 {
		return nil, itam.Invalid("columns", "map at least one header to a field")
	}
	fields := Fields(kind)
	if len(cols) > len(fields) {
		return nil, itam.Invalid("columns", "%s files have %d fields: at most that many headers can be mapped", strings.ToLower(string(kind)), len(fields))
	}
	headers := make(map[string]string, len(cols))
	byField := map[string]int{}
	for i, c := range cols {
		path := fmt.Sprintf("columns[%d]", i)
		if utf8.RuneCountInString(c.Header) > maxHeaderLen || !utf8.ValidString(c.Header) {
			return nil, itam.Invalid(path+".header", "a header has at most %d characters", maxHeaderLen)
		}
		h := normalizeHeader(c.Header)
		if h == "" {
			return nil, itam.Invalid(path+".header", "the header %q has no letters or digits to match by", c.Header)
		}
		if _, dup := headers[h]; dup {
			return nil, itam.Invalid(path+".header", "the header %q is mapped twice", c.Header)
		}
		if c.Field == "" {
			headers[h] = "" // ApplySaved leaves the column out, whatever its header would match
			continue
		}
		if !slices.Contains(fields, c.Field) {
			return nil, itam.Invalid(path+".field", "%q is not a field of %s (fields: %s)", c.Field, strings.ToLower(string(kind)), strings.Join(fields, ", "))
		}
		if first, dup := byField[c.Field]; dup {
			return nil, itam.Invalid(path+".field", "%s is already mapped from columns[%d]", c.Field, first)
		}
		headers[h], byField[c.Field] = c.Field, i
	}
	return headers, nil
}

// DeleteMapping removes a saved mapping.
func (s *Service) DeleteMapping(ctx context.Context, id uuid.UUID) error {
	if _, err := requireImport(ctx); err != nil {
		return err
	}
	return s.Store.DeleteMapping(ctx, id)
}

// Mapping returns one saved mapping.
func (s *Service) Mapping(ctx context.Context, id uuid.UUID) (*SavedMapping, error) {
	if _, err := requireRead(ctx); err != nil {
		return nil, err
	}
	return s.Store.Mapping(ctx, id)
}

// Mappings lists the saved mappings of a kind ("": every kind).
func (s *Service) Mappings(ctx context.Context, kind Kind) ([]*SavedMapping, error) {
	if _, err := requireRead(ctx); err != nil {
		return nil, err
	}
	if kind != "" && !kind.Valid() {
		return nil, itam.Invalid("kind", "%q is not an import kind", kind)
	}
	return s.Store.Mappings(ctx, kind)
}
