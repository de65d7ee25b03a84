package connector

import (
	"slices"

	"github.com/itam-dev/itam/internal/itam"
)

// validPush checks a connector's write-back settings: only ITSM kinds write
// back, each field at most once, and only known fields. The result is in
// the API's order so equal settings compare equal.
func validPush(kind string, fields []string, create bool) ([]string, error) {
	if len(fields) == 0 && !create {
		return []string{}, nil
	}
	if !slices.Contains(itam.ITSMKinds, kind) {
		field := "pushFields"
		if len(fields) == 0 {
			field = "pushCreate"
		}
		return nil, itam.Invalid(field, "a %s connector cannot write back: only ITSM connectors (%v) can", kind, itam.ITSMKinds)
	}
	if len(fields) > len(itam.PushFields) {
		return nil, itam.Invalid("pushFields", "pushFields has at most %d values", len(itam.PushFields))
	}
	out := make([]string, 0, len(fields))
	for _, f := range itam.PushFields {
		n := 0
		for _, g := range fields {
			if g == f {
				n++
			}
		}
		if n > 1 {
			return nil, itam.Invalid("pushFields", "%s is listed twice", f)
		}
		if n == 1 {
			out = append(out, f)
		}
	}
	if len(out) != len(fields) {
		return nil, itam.Invalid("pushFields", "unknown push field; use %v", itam.PushFields)
	}
	// Records are created when an opted field changes: with none opted,
	// pushCreate would silently never create anything.
	if create && len(out) == 0 {
		return nil, itam.Invalid("pushCreate", "pushCreate needs at least one pushFields value: records are created when one of those fields changes")
	}
	return out, nil
}

// applyPush applies the patch's write-back settings to c, checking them
// together (a connector cannot create records with a kind that cannot
// write back).
func (in Patch) applyPush(c *itam.Connector) error {
	fields, create := c.PushFields, c.PushCreate
	if in.PushFields.Set {
		fields = nil
		if in.PushFields.Value != nil {
			fields = *in.PushFields.Value
		}
	}
	if in.PushCreate.Set {
		if in.PushCreate.Value == nil {
			return itam.Invalid("pushCreate", "pushCreate cannot be null")
		}
		create = *in.PushCreate.Value
	}
	if !in.PushFields.Set && !in.PushCreate.Set {
		return nil
	}
	out, err := validPush(c.Kind, fields, create)
	if err != nil {
		return err
	}
	c.PushFields, c.PushCreate = out, create
	return nil
}
