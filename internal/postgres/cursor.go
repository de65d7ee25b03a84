package postgres

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// cursor is a keyset position: the sort key's value and the row id that
// breaks ties. It is JSON in base64 so it survives any sort key type and
// stays opaque to clients.
type cursor struct {
	Key any    `json:"k"`
	ID  string `json:"i"`
}

func encodeCursor(key any, id string) string {
	b, _ := json.Marshal(cursor{Key: key, ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(field, s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, itam.Invalid(field, "invalid cursor")
	}
	return c, nil
}

// pageWindow validates Relay arguments and says which way to scan.
type pageWindow struct {
	limit    int
	backward bool // paging with last/before: scan in reverse, then flip
	after    *cursor
	before   *cursor
}

func newPageWindow(p itam.PageArgs) (pageWindow, error) {
	w := pageWindow{limit: itam.DefaultPageSize}
	if p.First != nil && p.Last != nil {
		return w, itam.Invalid("last", "use first or last, not both")
	}
	if p.First != nil {
		if *p.First < 0 || *p.First > itam.MaxPageSize {
			return w, itam.Invalid("first", "first must be between 0 and %d", itam.MaxPageSize)
		}
		w.limit = *p.First
	}
	if p.Last != nil {
		if *p.Last < 0 || *p.Last > itam.MaxPageSize {
			return w, itam.Invalid("last", "last must be between 0 and %d", itam.MaxPageSize)
		}
		w.limit = *p.Last
		w.backward = true
	} else if p.Before != nil && p.First == nil {
		w.backward = true
	}
	if p.After != nil {
		c, err := decodeCursor("after", *p.After)
		if err != nil {
			return w, err
		}
		w.after = &c
	}
	if p.Before != nil {
		c, err := decodeCursor("before", *p.Before)
		if err != nil {
			return w, err
		}
		w.before = &c
	}
	return w, nil
}

// window is newPageWindow for s: a cursor whose key cannot be the sort's
// type (a cursor of another order, one from before a sort key changed
// type, or a forged one) is refused as an invalid cursor on its argument,
// not left for PostgreSQL to fail the cast with its own words.
func (s listSpec[T]) window(p itam.PageArgs) (pageWindow, error) {
	w, err := newPageWindow(p)
	if err != nil {
		return w, err
	}
	for _, c := range []struct {
		field string
		cur   *cursor
	}{{"after", w.after}, {"before", w.before}} {
		idType := s.idType
		if idType == "" {
			idType = "uuid"
		}
		if c.cur != nil && (!keyOfType(c.cur.Key, s.sort.sqlType) || !keyOfType(c.cur.ID, idType)) {
			return w, itam.Invalid(c.field, "invalid cursor")
		}
	}
	return w, nil
}

// keyOfType says whether a cursor's key parses as sqlType the way the
// page's cast will read it; types it does not know pass.
func keyOfType(key any, sqlType string) bool {
	if key == nil {
		return true
	}
	s, ok := key.(string)
	if !ok {
		return false
	}
	switch sqlType {
	case "smallint", "integer":
		_, err := strconv.ParseInt(s, 10, 32)
		return err == nil
	case "date":
		if s == "infinity" || s == "-infinity" {
			return true
		}
		_, err := time.Parse(time.DateOnly, s)
		return err == nil
	case "timestamptz":
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case "uuid":
		return uuid.Validate(s) == nil
	}
	return true
}
