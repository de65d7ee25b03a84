package intune

import (
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/reconcile"
)

// deviceCollection is an OData collection of managedDevice. Value is a
// pointer so a response without it is told apart from an empty page.
type deviceCollection struct {
	Value    *[]managedDevice `json:"value"`
	NextLink string           `json:"@odata.nextLink"`
}

// managedDevice holds the v1.0 managedDevice properties in deviceSelect.
type managedDevice struct {
	ID                string `json:"id"`
	DeviceName        string `json:"deviceName"`
	SerialNumber      string `json:"serialNumber"`
	Manufacturer      string `json:"manufacturer"`
	Model             string `json:"model"`
	OperatingSystem   string `json:"operatingSystem"`
	OSVersion         string `json:"osVersion"`
	UserPrincipalName string `json:"userPrincipalName"`
	EmailAddress      string `json:"emailAddress"`
	UserDisplayName   string `json:"userDisplayName"`
	// LastSyncDateTime is kept as text: Intune's unset value is
	// 0001-01-01T00:00:00Z and one odd date must not fail a page.
	LastSyncDateTime string `json:"lastSyncDateTime"`
}

type appCollection struct {
	Value    *[]detectedApp `json:"value"`
	NextLink string         `json:"@odata.nextLink"`
}

// detectedApp holds the detectedApp properties in appSelect.
type detectedApp struct {
	DisplayName string `json:"displayName"`
	Version     string `json:"version"`
}

func (s *source) mapDevice(md managedDevice) connectors.Device {
	d := connectors.Device{
		ExternalID:   md.ID,
		SerialNumber: strings.TrimSpace(md.SerialNumber),
		Name:         strings.TrimSpace(md.DeviceName),
		Manufacturer: reconcile.CleanHardwareName(md.Manufacturer),
		Model:        reconcile.CleanHardwareName(md.Model),
		OSName:       strings.TrimSpace(md.OperatingSystem),
		OSVersion:    strings.TrimSpace(md.OSVersion),
		UserEmail:    userEmail(md),
		UserName:     strings.TrimSpace(md.UserDisplayName),
	}
	// The v1.0 managedDevice has no VM flag: the hardware strings and
	// serial are the signal.
	d.Virtual = reconcile.LooksVirtual(d.Manufacturer, d.Model, "", d.SerialNumber)
	t, ok := parseGraphTime(md.LastSyncDateTime)
	if !ok {
		s.log.Warn("intune: unreadable lastSyncDateTime", "device", md.ID, "value", md.LastSyncDateTime)
	}
	d.LastCheckIn = t
	return d
}

// userEmail is emailAddress ("Email(s) for the user associated with the
// device": the first when several), else the user principal name when it
// has the form of an address. Case is kept as Intune reports it.
func userEmail(md managedDevice) string {
	if e := strings.TrimSpace(md.EmailAddress); e != "" {
		if i := strings.IndexAny(e, ";,"); i >= 0 {
			e = strings.TrimSpace(e[:i])
		}
		if e != "" {
			return e
		}
	}
	if upn := strings.TrimSpace(md.UserPrincipalName); strings.Contains(upn, "@") {
		return upn
	}
	return ""
}

// parseGraphTime reads an Edm.DateTimeOffset. Empty, null and Intune's
// "never" value 0001-01-01T00:00:00Z are nil; ok is false only for text
// that is not a date.
func parseGraphTime(v string) (*time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, true
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		// Some Intune dates come without an offset; they are UTC.
		if t, err = time.Parse("2006-01-02T15:04:05.999999999", v); err != nil {
			return nil, false
		}
	}
	if t.Year() <= 1 {
		return nil, true
	}
	t = t.UTC()
	return &t, true
}
