package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// printReport prints a planned run's report: the mapping, totals, every
// ERROR row (line, column header, message), and the references to create
// versus matched. It returns the ERROR rows' lines.
func printReport(ctx context.Context, svc *imports.Service, run *imports.Run, w io.Writer) ([]int, error) {
	printMapping(w, run)
	t := run.Totals
	fmt.Fprintf(w, "\n%d rows: %d to create, %d to update, %d unchanged, %d with errors (%d repeat an earlier row's key)\n",
		t.Rows, t.Create, t.Update, t.Unchanged, t.Error, t.Duplicates)
	var lines []int
	if t.Error > 0 {
		fmt.Fprintln(w, "\nrows with errors:")
	}
	first := imports.MaxRowsPage
	page := itam.PageArgs{First: &first}
	for {
		p, err := svc.Rows(ctx, run.ID, imports.RowFilter{Actions: []imports.Action{imports.ActionError}}, page)
		if err != nil {
			return nil, err
		}
		for _, row := range p.Items {
			lines = append(lines, row.Line)
			printErrorRow(w, row)
		}
		if !p.HasNextPage || len(p.Cursors) == 0 {
			break
		}
		after := p.Cursors[len(p.Cursors)-1]
		page.After = &after
	}
	refs, err := svc.References(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	printReferences(w, refs)
	fmt.Fprintln(w)
	return lines, nil
}

func printMapping(w io.Writer, run *imports.Run) {
	if len(run.Headers) == 0 {
		return
	}
	fmt.Fprintln(w, "\ncolumns:")
	for c, h := range run.Headers {
		if f, ok := run.Mapping.Columns[c]; ok {
			fmt.Fprintf(w, "  %q → %s\n", h, f)
		} else {
			fmt.Fprintf(w, "  %q: not imported\n", h)
		}
	}
}

func printErrorRow(w io.Writer, row imports.RowPlan) {
	prefix := "  line " + strconv.Itoa(row.Line)
	said := false // whether an error already names the earlier line a duplicate repeats
	for _, e := range row.Errors {
		said = said || (row.DuplicateOf != 0 && strings.Contains(e.Message, strconv.Itoa(row.DuplicateOf)))
		switch {
		case e.Header != "":
			fmt.Fprintf(w, "%s, column %q: %s\n", prefix, e.Header, e.Message)
		case e.Column >= 0:
			fmt.Fprintf(w, "%s, column %d: %s\n", prefix, e.Column+1, e.Message)
		default:
			fmt.Fprintf(w, "%s: %s\n", prefix, e.Message)
		}
	}
	if row.DuplicateOf != 0 && !said {
		fmt.Fprintf(w, "%s: repeats the key %q of line %d\n", prefix, row.Key, row.DuplicateOf)
	}
}

// refNames are the words a report counts references of each kind with.
var refNames = map[imports.RefKind]string{
	imports.RefManufacturer: "manufacturers",
	imports.RefCategory:     "categories",
	imports.RefModel:        "models",
	imports.RefLocation:     "locations",
	imports.RefPerson:       "people",
	imports.RefTeam:         "teams",
	imports.RefSupplier:     "suppliers",
	imports.RefPublisher:    "software publishers",
	imports.RefProduct:      "software products",
}

// refsShown bounds the names a report lists per kind of created reference.
const refsShown = 20

func printReferences(w io.Writer, refs []imports.Reference) {
	if len(refs) == 0 {
		return
	}
	byKind := map[imports.RefKind][]imports.Reference{}
	for _, r := range refs {
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	kinds := slices.Sorted(func(yield func(imports.RefKind) bool) {
		for k := range byKind {
			if !yield(k) {
				return
			}
		}
	})
	fmt.Fprintln(w, "\nrecords the rows name:")
	for _, k := range kinds {
		var created []imports.Reference
		matched := 0
		for _, r := range byKind[k] {
			if r.Created() {
				created = append(created, r)
			} else {
				matched++
			}
		}
		slices.SortFunc(created, func(a, b imports.Reference) int { return cmp.Compare(a.FirstLine, b.FirstLine) })
		names := make([]string, 0, min(len(created), refsShown))
		for _, r := range created[:min(len(created), refsShown)] {
			names = append(names, fmt.Sprintf("%q (line %d)", r.Name, r.FirstLine))
		}
		more := ""
		if len(created) > refsShown {
			more = fmt.Sprintf(", and %d more", len(created)-refsShown)
		}
		fmt.Fprintf(w, "  %s: %d matched, %d to create", refWord(k), matched, len(created))
		if len(names) > 0 {
			fmt.Fprintf(w, ": %s%s", strings.Join(names, ", "), more)
		}
		fmt.Fprintln(w)
	}
}

func refWord(k imports.RefKind) string {
	if w, ok := refNames[k]; ok {
		return w
	}
	return strings.ToLower(string(k))
}

// lineList is lines as "3, 7, 12", shortened past 20.
func lineList(lines []int) string {
	s := make([]string, 0, min(len(lines), 20))
	for _, l := range lines[:min(len(lines), 20)] {
		s = append(s, strconv.Itoa(l))
	}
	out := strings.Join(s, ", ")
	if len(lines) > 20 {
		out += fmt.Sprintf(" and %d more", len(lines)-20)
	}
	return out
}
