package kandji

// Test hooks for the pure helpers.
var (
	ParseTime = parseTime
	IsVirtual = isVirtual
)
