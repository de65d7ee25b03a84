package reconcile

import (
	"strings"
	"time"
)

// Device is the canonical record of one managed device. Empty strings and
// nil pointers mean "the vendor did not say", never "clear this value".
type Device struct {
	// ExternalID is the vendor's stable id for the device.
	ExternalID   string
	SerialNumber string
	Name         string
	Manufacturer string
	Model        string
	// ModelIdentifier is the vendor's machine model code (e.g. MacBookPro18,3).
	ModelIdentifier string
	OSName          string
	OSVersion       string
	// UserEmail is the assigned user's email as the vendor reports it.
	UserEmail   string
	UserName    string
	LastCheckIn *time.Time
	AssetTag    string
	// PurchaseDate, PurchasePrice (decimal string), PurchaseCurrency and
	// WarrantyEnd are set only where the vendor records them.
	PurchaseDate     *time.Time
	PurchasePrice    string
	PurchaseCurrency string
	WarrantyEnd      *time.Time
	// Virtual is true for virtual machines, whose serials are not hardware serials.
	Virtual  bool
	Software []Software

	// The fields below are what ITSM records carry and MDMs do not.

	// Status is the lifecycle status the record maps to (an itam.AssetStatus
	// name, e.g. "DEPLOYED"), "" when the vendor's value maps to none.
	Status string
	// Location is the vendor's location name for the record.
	Location string
	// Category is the record's class as a category kind ("LAPTOP",
	// "MONITOR", …; see CategoryNames), "" to guess from the model.
	Category string

	// ReadErrors name parts of the record the connector could not read
	// (e.g. its software, after the request's own retries). What was read
	// applies; each message becomes a per-record error of the run, so one
	// failing sub-request neither fails its page nor empties a field.
	ReadErrors []string
}

// Software is one installed application on a device.
type Software struct {
	Title   string
	Version string
	// Identifier is the bundle id, package name or product code when known.
	Identifier string
}

// ManufacturerName is the device's manufacturer, "Unknown" when the vendor
// did not say: every asset has a manufacturer.
func (d Device) ManufacturerName() string {
	if m := strings.TrimSpace(d.Manufacturer); m != "" {
		return m
	}
	return "Unknown"
}

// ModelName is the device's marketing model, else its model code, else
// "Unknown model".
func (d Device) ModelName() string {
	for _, m := range []string{d.Model, d.ModelIdentifier} {
		if m = strings.TrimSpace(m); m != "" {
			return m
		}
	}
	return "Unknown model"
}
