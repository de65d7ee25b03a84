package reconcile

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestFingerprint(t *testing.T) {
	t.Parallel()
	asset, person, mfr := uuid.New(), uuid.New(), uuid.New()
	snapshot := func() *Snapshot {
		return &Snapshot{OrgID: uuid.New(), Source: "JAMF_PRO:1", Kind: "JAMF_PRO", Precedence: Precedence{"name": {"JAMF_PRO", "manual"}},
			People: map[string]uuid.UUID{"ann@x.test": person}, ActivePeople: map[uuid.UUID]bool{person: true},
			Manufacturers: map[string]uuid.UUID{"apple": mfr}, Models: map[string]uuid.UUID{ModelKey(mfr, "MacBook"): uuid.New()}}
	}
	base := snapshot()
	checkIn := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	device := func() Device {
		return Device{ExternalID: "1", SerialNumber: "S1", Name: "Mac", Manufacturer: "Apple", Model: "MacBook", UserEmail: "ann@x.test",
			LastCheckIn: &checkIn, Software: []Software{{Title: "Slack", Version: "4"}}}
	}
	d := device()
	want := base.Fingerprint(asset, 3, &d)
	require.Len(t, want, 32)
	for _, tc := range []struct {
		name  string
		apply func(s *Snapshot, d *Device) (uuid.UUID, int)
		same  bool
	}{
		{"same inputs", func(*Snapshot, *Device) (uuid.UUID, int) { return asset, 3 }, true},
		{"check-in time", func(_ *Snapshot, d *Device) (uuid.UUID, int) {
			later := checkIn.Add(time.Hour)
			d.LastCheckIn = &later
			return asset, 3
		}, true},
		{"asset version", func(*Snapshot, *Device) (uuid.UUID, int) { return asset, 4 }, false},
		{"another asset", func(*Snapshot, *Device) (uuid.UUID, int) { return uuid.New(), 3 }, false},
		{"record field", func(_ *Snapshot, d *Device) (uuid.UUID, int) { d.Name = "Mac 2"; return asset, 3 }, false},
		{"software version", func(_ *Snapshot, d *Device) (uuid.UUID, int) { d.Software[0].Version = "5"; return asset, 3 }, false},
		{"software not sent", func(_ *Snapshot, d *Device) (uuid.UUID, int) { d.Software = nil; return asset, 3 }, false},
		{"software sent empty", func(_ *Snapshot, d *Device) (uuid.UUID, int) { d.Software = []Software{}; return asset, 3 }, false},
		{"precedence", func(s *Snapshot, _ *Device) (uuid.UUID, int) {
			s.Precedence["name"] = []string{"manual", "JAMF_PRO"}
			return asset, 3
		}, false},
		{"authoritative source", func(s *Snapshot, _ *Device) (uuid.UUID, int) {
			s.Authoritative = map[string]bool{"INTUNE:2": true}
			return asset, 3
		}, false},
		{"default currency", func(s *Snapshot, _ *Device) (uuid.UUID, int) { s.DefaultCurrency = "EUR"; return asset, 3 }, false},
		{"assignee no longer active", func(s *Snapshot, _ *Device) (uuid.UUID, int) {
			s.ActivePeople[person] = false
			return asset, 3
		}, false},
		{"model resolves elsewhere", func(s *Snapshot, _ *Device) (uuid.UUID, int) {
			s.Models[ModelKey(mfr, "MacBook")] = uuid.New()
			return asset, 3
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := snapshot()
			s.OrgID = base.OrgID
			s.Models = base.Models
			if tc.name == "model resolves elsewhere" {
				s.Models = map[string]uuid.UUID{}
				for k, v := range base.Models {
					s.Models[k] = v
				}
			}
			d := device()
			id, version := tc.apply(s, &d)
			require.Equal(t, tc.same, string(want) == string(s.Fingerprint(id, version, &d)))
		})
	}
	d = device()
	d.ReadErrors = []string{"software: timeout"}
	require.Nil(t, base.Fingerprint(asset, 3, &d), "a record with read errors is always reconciled")
}
