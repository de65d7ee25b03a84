package itam

// Validate checks a disposals filter: the period, when both ends are given,
// runs forward, and each method list is bounded like any list argument.
func (f DisposalFilter) Validate() error {
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		return Invalid("filter.to", "to is before from")
	}
	if err := CheckList("filter.methods", len(f.Methods)); err != nil {
		return err
	}
	return CheckList("filter.sanitizationMethods", len(f.SanitizationMethods))
}
