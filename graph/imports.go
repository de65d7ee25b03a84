package graph

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// importService is the import service, or a refusal when the server was
// built without one (no job queue to run imports on).
func (r *Resolver) importService() (*imports.Service, error) {
	if r.Imports == nil {
		return nil, itam.Invalid("", "imports are not enabled on this server")
	}
	return r.Imports, nil
}

// importRunNode resolves an ImportRun for node(id:): FORBIDDEN (EMPLOYEE)
// and NOT_FOUND (another organization) read as null.
func (r *Resolver) importRunNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return func() (any, error) {
		s, err := r.importService()
		if err != nil {
			return nil, nil
		}
		return nonNil(s.Run(ctx, id))
	}
}

// importMappingNode is importRunNode for a saved mapping.
func (r *Resolver) importMappingNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return func() (any, error) {
		s, err := r.importService()
		if err != nil {
			return nil, nil
		}
		return nonNil(s.Mapping(ctx, id))
	}
}

// importOptions reads ImportOptions (nil: none given).
func importOptions(in *model.ImportOptions) imports.Options {
	var o imports.Options
	if in == nil {
		return o
	}
	if v := in.Sheet.Value(); v != nil {
		o.Sheet = *v
	}
	if v := in.DateOrder.Value(); v != nil {
		o.DateOrder = *v
	}
	if v := in.UpsertKey.Value(); v != nil {
		o.UpsertKey = *v
	}
	if v := in.DefaultCurrency.Value(); v != nil {
		o.DefaultCurrency = *v
	}
	return o
}

// startImportInput reads startImport's input; the upload's file is read by
// the store.
func startImportInput(in model.StartImportInput) (imports.StartInput, error) {
	out := imports.StartInput{FileName: in.File.Filename, File: in.File.File, Size: in.File.Size, Kind: in.Kind,
		Options: importOptions(in.Options.Value())}
	for _, c := range in.Mapping.Value() {
		out.Columns = append(out.Columns, imports.ColumnField{Column: c.Column, Field: c.Field})
	}
	id, err := relay.DecodeOptional("mappingId", in.MappingID.Value(), relay.TypeImportMapping)
	if err != nil {
		return out, err
	}
	out.MappingID = id
	return out, nil
}

// saveImportMappingInput reads saveImportMapping's input.
func saveImportMappingInput(in model.SaveImportMappingInput) imports.SaveMappingInput {
	out := imports.SaveMappingInput{Kind: in.Kind, Name: in.Name, Options: importOptions(in.Options.Value()), Version: in.Version.Value()}
	for _, c := range in.Columns {
		out.Columns = append(out.Columns, imports.HeaderField{Header: c.Header, Field: c.Field})
	}
	return out
}

// runMapping shows a run's mapping against its headers (none before the
// dry run has read them).
func runMapping(r *imports.Run) *model.ImportRunMapping {
	header := func(c int) *string {
		if c >= 0 && c < len(r.Headers) {
			return &r.Headers[c]
		}
		return nil
	}
	out := &model.ImportRunMapping{Columns: []*model.ImportMappedColumn{}, Unmapped: []*model.ImportUnmappedColumn{}}
	cols := make([]int, 0, len(r.Mapping.Columns))
	for c := range r.Mapping.Columns {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	for _, c := range cols {
		out.Columns = append(out.Columns, &model.ImportMappedColumn{Column: c, Header: header(c), Field: r.Mapping.Columns[c]})
	}
	for _, c := range r.Mapping.Unmapped {
		if h := header(c); h != nil {
			out.Unmapped = append(out.Unmapped, &model.ImportUnmappedColumn{Column: c, Header: *h})
		}
	}
	for _, k := range r.Mapping.Conflicts {
		if h := header(k.Column); h != nil {
			field, by := k.Field, k.TakenBy
			out.Unmapped = append(out.Unmapped, &model.ImportUnmappedColumn{Column: k.Column, Header: *h, Field: &field, TakenBy: &by})
		}
	}
	slices.SortFunc(out.Unmapped, func(a, b *model.ImportUnmappedColumn) int { return a.Column - b.Column })
	return out
}

// targetType is the Node type an import of kind writes.
func targetType(kind imports.Kind) string {
	switch kind {
	case imports.KindPeople:
		return relay.TypePerson
	case imports.KindLocations:
		return relay.TypeLocation
	case imports.KindModels:
		return relay.TypeModel
	case imports.KindLicenses, imports.KindLicenseSeats:
		// A seat row's target is the license it assigns a seat of.
		return relay.TypeLicense
	}
	return relay.TypeAsset
}

// importRow shows one planned row; values follow the kind's field order.
func importRow(kind imports.Kind, p imports.RowPlan) *model.ImportRow {
	row := &model.ImportRow{Line: p.Line, Action: p.Action, Key: optional(p.Key), Values: []*model.ImportValue{},
		Kept: cellErrors(p.Kept), Errors: cellErrors(p.Errors)}
	if p.TargetID != nil {
		id := relay.ID(targetType(kind), *p.TargetID)
		row.Target = &id
	}
	if p.DuplicateOf != 0 {
		line := p.DuplicateOf
		row.DuplicateOf = &line
	}
	fields := imports.Fields(kind)
	keys := make([]string, 0, len(p.Values))
	for f := range p.Values {
		keys = append(keys, f)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, ib := slices.Index(fields, a), slices.Index(fields, b)
		if ia != ib {
			return ia - ib
		}
		if a < b {
			return -1
		}
		return 1
	})
	for _, f := range keys {
		row.Values = append(row.Values, &model.ImportValue{Field: f, Value: p.Values[f]})
	}
	return row
}

func cellErrors(in []imports.CellError) []*model.ImportCellError {
	out := make([]*model.ImportCellError, len(in))
	for i, e := range in {
		c := &model.ImportCellError{Header: optional(e.Header), Field: optional(e.Field), Message: e.Message}
		if e.Column >= 0 {
			col := e.Column
			c.Column = &col
		}
		out[i] = c
	}
	return out
}

// importReference shows one reference; a matched one carries its record's id.
func importReference(ref imports.Reference) *model.ImportReference {
	out := &model.ImportReference{Kind: ref.Kind, Name: ref.Name, Parent: optional(ref.Parent), Created: ref.Created(),
		FirstLine: ref.FirstLine, Rows: ref.Rows}
	if ref.ID != nil {
		if typ := referenceType(ref.Kind); typ != "" {
			id := relay.ID(typ, *ref.ID)
			out.ID = &id
		}
	}
	return out
}

func referenceType(k imports.RefKind) string {
	return map[imports.RefKind]string{
		imports.RefManufacturer: relay.TypeManufacturer, imports.RefCategory: relay.TypeCategory, imports.RefModel: relay.TypeModel,
		imports.RefLocation: relay.TypeLocation, imports.RefPerson: relay.TypePerson, imports.RefTeam: relay.TypeTeam,
		imports.RefSupplier: relay.TypeSupplier, imports.RefPublisher: relay.TypeSoftwarePublisher, imports.RefProduct: relay.TypeSoftwareProduct,
	}[k]
}

// savedColumns lists a saved mapping's headers in header order.
func savedColumns(m *imports.SavedMapping) []*model.ImportHeaderMapping {
	out := make([]*model.ImportHeaderMapping, 0, len(m.Headers))
	for h, f := range m.Headers {
		out = append(out, &model.ImportHeaderMapping{Header: h, Field: f})
	}
	slices.SortFunc(out, func(a, b *model.ImportHeaderMapping) int {
		if a.Header < b.Header {
			return -1
		}
		return 1
	})
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// setImportComplexity prices the run and row connections by page size.
func setImportComplexity(c *generated.ComplexityRoot) {
	c.Query.ImportRuns = func(child int, first *int, _ *string) int { return pageCost(child, first, nil) }
	c.ImportRun.Rows = func(child int, first *int, _ *string, _ []imports.Action) int { return pageCost(child, first, nil) }
}
