package connectors

import "strconv"

// Offset reads a cursor that is a non-negative decimal (a page number or a
// record offset, as Fleet's and Kandji's paging use): "" is 0, the first
// page. ok is false for anything else, which a connector reports as its
// own bad cursor.
func (r PageRequest) Offset() (n int, ok bool) {
	if r.Cursor == "" {
		return 0, true
	}
	n, err := strconv.Atoi(r.Cursor)
	return n, err == nil && n >= 0
}
