package compiled

import (
	"bytes"
	"context"
)

// WriteLeaf writes field of object type typ on obj as a compiled plan
// would; ok false when the plan leaves it to gqlgen.
func WriteLeaf(typ, field string, obj any) (out string, ok bool) {
	ob := objects[typ]
	if ob == nil || ob.fields[field] == nil || ob.fields[field].leaf == nil {
		return "", false
	}
	var w bytes.Buffer
	ok = ob.fields[field].leaf(context.Background(), &w, obj)
	return w.String(), ok
}

// BoundFields lists, per object type, the fields plans read without gqlgen.
func BoundFields() map[string][]string {
	out := map[string][]string{}
	for typ, ob := range objects {
		for f := range ob.fields {
			out[typ] = append(out[typ], f)
		}
	}
	return out
}
