package lifecycle_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

func TestDispose(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	bought := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	ok := itam.Disposal{Date: now, Method: itam.DisposalRecycled, Certificate: ref("  CERT-1 ")}
	wiped := ok
	wiped.Sanitization = &itam.Sanitization{Method: itam.SanitizationPurge, PerformedAt: now.Add(-time.Hour), VerifiedBy: " it@acme.test ", Tool: ref(" Blancco ")}
	tests := []struct {
		name       string
		from       itam.AssetStatus
		d          itam.Disposal
		storage    bool
		field, err string
	}{
		{"retired asset recycled", ret, ok, false, "", ""},
		{"every known method", ret, itam.Disposal{Date: now, Method: itam.DisposalReturnedToLessor}, false, "", ""},
		{"a day ahead is allowed (time zones)", ret, itam.Disposal{Date: now.AddDate(0, 0, 1), Method: itam.DisposalDonated}, false, "", ""},
		{"on the purchase date", ret, itam.Disposal{Date: bought, Method: itam.DisposalResold}, false, "", ""},
		{"storage with sanitization", ret, wiped, true, "", ""},
		{"no storage, sanitization recorded anyway", ret, wiped, false, "", ""},
		{"storage without sanitization", ret, ok, true, "sanitization", "carries storage"},
		{"in stock must retire first", stk, ok, false, "status", "retire it first"},
		{"deployed must retire first", dep, ok, false, "status", "from DEPLOYED to DISPOSED"},
		{"disposed is terminal", dis, ok, false, "status", "from DISPOSED to DISPOSED"},
		{"unknown method", ret, itam.Disposal{Date: now, Method: "SHREDDED"}, false, "method", `unknown disposal method "SHREDDED"`},
		{"no date", ret, itam.Disposal{Method: itam.DisposalDestroyed}, false, "date", "required"},
		{"future date", ret, itam.Disposal{Date: now.AddDate(0, 0, 2), Method: itam.DisposalDestroyed}, false, "date", "in the future"},
		{"before purchase", ret, itam.Disposal{Date: bought.AddDate(0, 0, -1), Method: itam.DisposalDestroyed}, false, "date", "before the purchase date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := itam.Asset{AssetTag: "A-1", Status: tt.from, PurchaseDate: &bought}
			ch, san, err := lifecycle.Dispose(before, tt.d, tt.storage, now)
			if tt.err != "" {
				requireInvalid(t, err, tt.field, tt.err)
				require.Nil(t, san)
				return
			}
			require.NoError(t, err)
			want := before
			want.Status, want.DisposalDate, want.DisposalMethod, want.DisposalCertificate = dis, &tt.d.Date, &tt.d.Method, itam.Trimmed(tt.d.Certificate)
			require.Equal(t, lifecycle.Change{Asset: want, Action: itam.HistoryDispose}, ch)
			if tt.d.Sanitization == nil {
				require.Nil(t, san)
				return
			}
			require.Equal(t, "it@acme.test", san.VerifiedBy, "trimmed")
			require.Equal(t, "Blancco", *san.Tool)
		})
	}
	ch, _, err := lifecycle.Dispose(itam.Asset{Status: ret}, ok, false, now)
	require.NoError(t, err)
	require.Equal(t, "CERT-1", *ch.Asset.DisposalCertificate)
	require.ElementsMatch(t, []itam.DisposalMethod{itam.DisposalRecycled, itam.DisposalResold, itam.DisposalDonated,
		itam.DisposalDestroyed, itam.DisposalReturnedToLessor}, lifecycle.DisposalMethods)
}

func TestCheckSanitization(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	bought := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	good := itam.Sanitization{Method: itam.SanitizationDestroy, PerformedAt: now.Add(-24 * time.Hour), VerifiedBy: "Grace Hopper",
		Tool: ref("Shred-It"), CertificateReference: ref("COD-2026-0042")}
	with := func(f func(*itam.Sanitization)) itam.Sanitization { s := good; f(&s); return s }
	long := strings.Repeat("x", itam.MaxSanitizationText+1)
	tests := []struct {
		name       string
		s          itam.Sanitization
		field, err string
	}{
		{"complete", good, "", ""},
		{"only the required parts", itam.Sanitization{Method: itam.SanitizationClear, PerformedAt: now, VerifiedBy: "it@acme.test"}, "", ""},
		{"clock skew of a minute", with(func(s *itam.Sanitization) { s.PerformedAt = now.Add(time.Minute) }), "", ""},
		{"on the purchase day", with(func(s *itam.Sanitization) { s.PerformedAt = bought }), "", ""},
		{"blank tool becomes none", with(func(s *itam.Sanitization) { s.Tool = ref("  ") }), "", ""},
		{"no method", with(func(s *itam.Sanitization) { s.Method = "" }), "sanitization.method", "unknown sanitization method"},
		{"unknown method", with(func(s *itam.Sanitization) { s.Method = "WIPE" }), "sanitization.method", `"WIPE"`},
		{"no date", with(func(s *itam.Sanitization) { s.PerformedAt = time.Time{} }), "sanitization.performedAt", "required"},
		{"in the future", with(func(s *itam.Sanitization) { s.PerformedAt = now.Add(time.Hour) }), "sanitization.performedAt", "in the future"},
		{"before purchase", with(func(s *itam.Sanitization) { s.PerformedAt = bought.Add(-time.Second) }), "sanitization.performedAt", "before the purchase"},
		{"no verifier", with(func(s *itam.Sanitization) { s.VerifiedBy = " " }), "sanitization.verifiedBy", "required"},
		{"verifier too long", with(func(s *itam.Sanitization) { s.VerifiedBy = long }), "sanitization.verifiedBy", "longer than 200"},
		{"tool too long", with(func(s *itam.Sanitization) { s.Tool = &long }), "sanitization.tool", "longer than 200"},
		{"reference too long", with(func(s *itam.Sanitization) { s.CertificateReference = &long }), "sanitization.certificateReference", "longer than 200"},
		{"NUL in reference", with(func(s *itam.Sanitization) { s.CertificateReference = ref("a\x00b") }), "sanitization.certificateReference", "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := lifecycle.CheckSanitization(tt.s, &bought, now)
			if tt.err != "" {
				requireInvalid(t, err, tt.field, tt.err)
				return
			}
			require.NoError(t, err)
			if tt.name == "blank tool becomes none" {
				require.Nil(t, got.Tool)
			}
		})
	}
}

func TestRetirable(t *testing.T) {
	t.Parallel()
	a := itam.Asset{AssetTag: "LT-7", Status: stk}
	require.NoError(t, lifecycle.Retirable(a, nil))
	err := lifecycle.Retirable(a, []lifecycle.HeldSeat{{License: "Office 365"}})
	requireInvalid(t, err, "status", "holds 1 license seat (Office 365): reclaim them first")
	err = lifecycle.Retirable(a, []lifecycle.HeldSeat{{License: "Office 365"}, {License: "AutoCAD"}, {License: "Office 365"}})
	requireInvalid(t, err, "status", "LT-7 while it holds 3 license seats (Office 365, AutoCAD)")
}
