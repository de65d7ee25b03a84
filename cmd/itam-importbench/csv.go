package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// The shape of the generated inventory.
const (
	manufacturers = 8
	categories    = 6
	models        = 300
	locations     = 50
	people        = 2_000
	suppliers     = 12
	// assignedShare of the assets are DEPLOYED to a person; the rest are IN_STOCK.
	assignedShare = 0.7
)

var (
	manufacturerNames = [manufacturers]string{"Apple", "Dell", "Lenovo", "HP", "Microsoft", "Samsung", "Cisco", "Logitech"}
	categoryNames     = [categories]string{"Laptop", "Desktop", "Monitor", "Phone", "Tablet", "Network"}
	header            = []string{"Asset Tag", "Serial No.", "Asset Name", "Model", "Manufacturer", "Category", "Status",
		"Assigned To", "Location", "Purchase Date", "Purchase Cost", "Supplier", "Warranty Expires", "Notes"}
)

// wantReferences is how many records the import creates besides assets:
// every manufacturer, category, model, location, person and supplier the
// file names is new to the bench's empty organization.
func wantReferences() int {
	return manufacturers + categories + models + locations + people + suppliers
}

// writeCSV writes rows of a realistic inventory spreadsheet to w, streaming
// (the file is never held in memory), and returns its size.
func writeCSV(w io.Writer, rows int) (int64, error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	out := csv.NewWriter(bw)
	r := rand.New(rand.NewPCG(13, 2026))
	if err := out.Write(header); err != nil {
		return 0, err
	}
	base := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := make([]string, len(header))
	for i := range rows {
		m := i % models // every model named, in a spread order
		if i >= models {
			m = r.IntN(models)
		}
		mfr, cat := m%manufacturers, m%categories
		status, assignee := "IN_STOCK", ""
		if r.Float64() < assignedShare {
			status, assignee = "DEPLOYED", fmt.Sprintf("person%04d@importbench.example.com", r.IntN(people))
		}
		if i < people {
			status, assignee = "DEPLOYED", fmt.Sprintf("person%04d@importbench.example.com", i) // every person named
		}
		loc := r.IntN(locations)
		if i < locations {
			loc = i
		}
		sup := r.IntN(suppliers)
		if i < suppliers {
			sup = i
		}
		bought := base.AddDate(0, 0, r.IntN(5*365))
		date := bought.Format("2006-01-02")
		if i%3 == 0 {
			date = bought.Format("02/01/2006") // day/month/year, as a European sheet holds it
		}
		cents := 15_000 + r.IntN(300_000)
		rec[0] = fmt.Sprintf("IMP-%06d", i+1)
		rec[1] = fmt.Sprintf("%s%09d", string(rune('A'+mfr)), i+1)
		rec[2] = fmt.Sprintf("%s %s %d", manufacturerNames[mfr], categoryNames[cat], i+1)
		rec[3] = fmt.Sprintf("%s Model %03d", manufacturerNames[mfr], m)
		rec[4] = manufacturerNames[mfr]
		rec[5] = categoryNames[cat]
		rec[6] = status
		rec[7] = assignee
		rec[8] = fmt.Sprintf("Office %02d", loc)
		rec[9] = date
		rec[10] = "$" + thousands(cents/100) + "." + fmt.Sprintf("%02d", cents%100)
		rec[11] = fmt.Sprintf("Supplier %02d", sup)
		rec[12] = bought.AddDate(3, 0, 0).Format("2006-01-02")
		rec[13] = ""
		if i%10 == 0 {
			rec[13] = "imported from the 2024 inventory spreadsheet"
		}
		if err := out.Write(rec); err != nil {
			return 0, err
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	return cw.n, nil
}

// thousands writes n with comma thousands separators ("1,299").
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
