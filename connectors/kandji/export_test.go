package kandji

// ParseTime is a test hook for the pure helper.
var ParseTime = parseTime
