package kandji

import (
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/reconcile"
)

// toDevice maps one Kandji device record to the canonical Device. Software
// and ModelIdentifier come from other endpoints and are filled by the caller.
func toDevice(d apiDevice) connectors.Device {
	out := connectors.Device{
		ExternalID:   strings.TrimSpace(d.DeviceID),
		SerialNumber: strings.TrimSpace(d.SerialNumber),
		Name:         strings.TrimSpace(d.DeviceName),
		Manufacturer: manufacturer(d.Platform),
		Model:        strings.TrimSpace(d.Model),
		OSName:       osName(d.Platform),
		OSVersion:    osVersion(d.OSVersion, d.SupplementalOSVersionExtra),
		UserEmail:    d.User.Email,
		UserName:     d.User.Name,
		LastCheckIn:  parseTime(d.LastCheckIn),
		AssetTag:     strings.TrimSpace(string(d.AssetTag)),
	}
	// Kandji has no VM flag: the model and serial are the signal (and the
	// model identifier, when details are read).
	out.Virtual = reconcile.LooksVirtual(out.Manufacturer, out.Model, "", out.SerialNumber)
	return out
}

// applePlatforms are Kandji's Apple platform values (the List Devices
// "platform" filter documents Mac, iPad, iPhone, AppleTV, Android and
// Windows). Matching ignores case, spaces, "-" and "_".
var applePlatforms = map[string]string{
	"mac":     "macOS",
	"iphone":  "iOS",
	"ipad":    "iPadOS",
	"appletv": "tvOS",
}

// manufacturer is Apple for Apple platforms. Kandji (now Iru) can also
// manage Windows and Android devices, whose maker it does not report.
func manufacturer(platform string) string {
	if _, ok := applePlatforms[platformKey(platform)]; ok {
		return "Apple"
	}
	return ""
}

// osName derives the operating system from Kandji's platform value.
func osName(platform string) string {
	if os, ok := applePlatforms[platformKey(platform)]; ok {
		return os
	}
	switch platformKey(platform) {
	case "windows":
		return "Windows"
	case "android":
		return "Android"
	}
	return strings.TrimSpace(platform)
}

func platformKey(p string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.TrimSpace(p)))
}

// osVersion appends Apple's Rapid Security Response suffix (Kandji's
// supplemental_os_version_extra, e.g. "(a)") the way Apple displays it:
// "13.4.1 (a)".
func osVersion(v, extra string) string {
	v, extra = strings.TrimSpace(v), strings.TrimSpace(extra)
	if v == "" || extra == "" {
		return v
	}
	return v + " " + extra
}

// timeLayouts are the timestamp shapes Kandji's API returns. One record
// mixes them: last_check_in is RFC 3339 ("2024-07-23T14:11:37.150080Z")
// while first_enrollment/last_enrollment use a space and a numeric offset
// ("2024-01-26 16:15:36.087016+00:00"); the details endpoint adds
// "2024-06-17 11:32:35+00:00" and "2024-05-13 20:09:23 +0000", and some
// endpoints omit the zone ("2023-04-21T17:23:13.883134"), which is UTC.
// Fractional seconds are optional in every layout (Go accepts them when
// parsing even if the layout does not name them).
var timeLayouts = []string{
	time.RFC3339,                 // 2024-07-23T14:11:37.150080Z, ...+00:00
	"2006-01-02 15:04:05Z07:00",  // 2024-01-26 16:15:36.087016+00:00
	"2006-01-02 15:04:05 Z07:00", // 2024-01-26 16:15:36 +00:00
	"2006-01-02 15:04:05Z0700",   // 2024-01-26 16:15:36+0000
	"2006-01-02 15:04:05 Z0700",  // 2024-05-13 20:09:23 +0000
	"2006-01-02T15:04:05Z0700",   // 2024-01-26T16:15:36+0000
	"2006-01-02T15:04:05",        // no zone: UTC
	"2006-01-02 15:04:05",        // no zone: UTC
	"2006-01-02",                 // date only
}

// parseTime reads a Kandji timestamp; nil when empty or unreadable (the
// vendor "did not say", which must never fail a page).
func parseTime(s string) *time.Time {
	if isBlankTime(s) {
		return nil
	}
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

// isBlankTime reports a timestamp that says "never" rather than a bad value.
func isBlankTime(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "null", "none", "n/a":
		return true
	}
	return false
}

// toSoftware maps a device's apps, dropping nameless entries and exact
// duplicates. A device that reported no apps gets an empty, non-nil slice so
// "no software" is distinguishable from "not fetched".
func toSoftware(apps []apiApp) []connectors.Software {
	list := reconcile.NewSoftwareList(len(apps))
	for _, a := range apps {
		list.Add(a.AppName, a.Version, a.BundleID)
	}
	return list.Items()
}
