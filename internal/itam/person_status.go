package itam

// Holdings is what a person holds as the store counted it: how many assets
// are assigned to them and the tag of one (for the message).
type Holdings struct {
	Assets       int
	ExampleAsset string
}

// CheckStatusChange refuses moving a person to OFFBOARDED with
// updatePerson while assets are still assigned to them: nothing would then
// list what they must return. offboardPerson does it with a checklist of
// what they hold; unassigning everything first works too.
func CheckStatusChange(p Person, to PersonStatus, held Holdings) error {
	if to != PersonOffboarded || p.Status == PersonOffboarded || held.Assets == 0 {
		return nil
	}
	noun := "assets"
	if held.Assets == 1 {
		noun = "asset"
	}
	return Invalid("status", "%s holds %d %s (e.g. %s): use offboardPerson, which lists what they must return, or unassign them first",
		p.Name, held.Assets, noun, held.ExampleAsset)
}
