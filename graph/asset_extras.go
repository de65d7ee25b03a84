package graph

import (
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
)

// customFieldsPatch reads UpdateAssetInput.customFieldsPatch: an object of
// key: value (null removes the key). Whether it may be given with
// customFields, and what the merge means, is itam.AssetPatch's rule.
func customFieldsPatch(in model.UpdateAssetInput) (map[string]any, error) {
	v, set := in.CustomFieldsPatch.ValueOK()
	if !set {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok || m == nil {
		return nil, itam.Invalid("customFieldsPatch", "customFieldsPatch is an object of key: value (null removes a key)")
	}
	return m, nil
}
