package reconcile

import (
	"strings"

	"github.com/google/uuid"
)

// InstalledSoftware is one application a source reported on an asset, as
// the inventory holds it.
type InstalledSoftware struct {
	Title, Version, Identifier string
	// Stale marks a row last confirmed over a day ago: it is refreshed even
	// when unchanged, so last_seen_at stays meaningful.
	Stale bool
	// Ended marks an installation the source stopped reporting (kept as
	// history); reported again, it is current again.
	Ended bool
}

// SoftwareRow is one installation to write.
type SoftwareRow struct {
	Asset uuid.UUID
	// Key identifies the application per asset and source: its identifier
	// (bundle id, package name), else its lowercased title.
	Key                        string
	Title, Version, Identifier string
}

// SoftwareDiff is what a page changes in the software of its assets.
type SoftwareDiff struct {
	Insert []SoftwareRow // new assets' software: plain inserts
	Upsert []SoftwareRow // new, changed, stale or ended-and-back on existing assets
	// End lists installations no longer reported (Asset and Key only): they
	// end, kept as history, rather than disappear.
	End []SoftwareRow
}

// SoftwareKey is the per-asset key of an application.
func SoftwareKey(sw Software) string {
	if k := strings.TrimSpace(sw.Identifier); k != "" {
		return k
	}
	return strings.ToLower(strings.TrimSpace(sw.Title))
}

// DiffSoftware compares what each changed device reports installed with
// what the inventory holds for this source (have, by asset and key): new
// titles are added, changed ones updated, ones no longer reported ended
// (ended ones reported again are current again).
// A device whose software the source did not send (nil) is left alone; a
// title repeated on one device counts once; untitled entries are skipped.
func DiffSoftware(changes []*Change, have map[uuid.UUID]map[string]InstalledSoftware) SoftwareDiff {
	var out SoftwareDiff
	seen := map[uuid.UUID]map[string]bool{}
	for _, c := range changes {
		if c.Device.Software == nil {
			continue
		}
		id := c.After.ID
		isNew := c.Before == nil // link-only changes share their first record's new asset
		if seen[id] == nil {
			seen[id] = map[string]bool{}
		}
		for _, sw := range c.Device.Software {
			title := strings.TrimSpace(sw.Title)
			if title == "" {
				continue
			}
			key := SoftwareKey(sw)
			if seen[id][key] {
				continue
			}
			seen[id][key] = true
			row := SoftwareRow{Asset: id, Key: key, Title: title, Version: strings.TrimSpace(sw.Version), Identifier: strings.TrimSpace(sw.Identifier)}
			switch cur, ok := have[id][key]; {
			case isNew:
				out.Insert = append(out.Insert, row)
			case ok && !cur.Stale && !cur.Ended && cur.Title == row.Title && cur.Version == row.Version && cur.Identifier == row.Identifier:
			default:
				out.Upsert = append(out.Upsert, row)
			}
		}
	}
	for _, c := range changes {
		if c.Device.Software == nil || c.Before == nil {
			continue
		}
		for key, cur := range have[c.After.ID] {
			if !seen[c.After.ID][key] && !cur.Ended {
				out.End = append(out.End, SoftwareRow{Asset: c.After.ID, Key: key})
			}
		}
	}
	return out
}

// SoftwareList gathers the applications one source reports on one device,
// as every connector maps them: fields trimmed, untitled entries dropped,
// exact repeats kept once, order kept. Vendors list an application twice
// (per user, per architecture) and without a title an entry identifies
// nothing.
type SoftwareList struct {
	items []Software
	seen  map[Software]bool
}

// NewSoftwareList returns an empty list with room for n entries.
func NewSoftwareList(n int) *SoftwareList {
	return &SoftwareList{items: make([]Software, 0, n), seen: make(map[Software]bool, n)}
}

// Add appends an application unless it has no title or is already listed.
func (l *SoftwareList) Add(title, version, identifier string) {
	sw := Software{Title: strings.TrimSpace(title), Version: strings.TrimSpace(version), Identifier: strings.TrimSpace(identifier)}
	if sw.Title == "" || l.seen[sw] {
		return
	}
	if l.seen == nil {
		l.seen = map[Software]bool{}
	}
	l.seen[sw] = true
	l.items = append(l.items, sw)
}

// Items is the list, never nil: a device that reported no software has an
// empty list, told apart from software not fetched (nil).
func (l *SoftwareList) Items() []Software {
	if l.items == nil {
		return []Software{}
	}
	return l.items
}
