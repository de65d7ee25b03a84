package fleet

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/reconcile"
)

// toDevice maps a Fleet host and its device mapping to the canonical record.
// Fleet records no asset tag, purchase or warranty data.
func toDevice(h *host, mapping []deviceMapping) connectors.Device {
	d := connectors.Device{
		ExternalID:   strconv.FormatUint(uint64(h.ID), 10),
		SerialNumber: strings.TrimSpace(h.HardwareSerial), // the engine drops placeholder serials
		Name:         firstNonEmpty(h.DisplayName, h.ComputerName, h.Hostname),
		Manufacturer: reconcile.CleanHardwareName(h.HardwareVendor),
		LastCheckIn:  h.SeenTime.t,
		Software:     toSoftware(h.Software.items),
	}
	if model := reconcile.CleanHardwareName(h.HardwareModel); modelIdentifier.MatchString(model) {
		d.ModelIdentifier = model
	} else {
		d.Model = model
	}
	// Fleet has no VM flag: the hardware strings and serial are the signal.
	d.Virtual = reconcile.LooksVirtual(d.Manufacturer, d.Model, d.ModelIdentifier, d.SerialNumber)
	d.OSName, d.OSVersion = splitOS(h.OSVersion, h.Platform)
	d.UserEmail = userEmail(mapping, h.EndUsers)
	for _, u := range h.EndUsers {
		if name := strings.TrimSpace(u.IdpFullName); name != "" {
			d.UserName = name
			break
		}
	}
	return d
}

// modelIdentifier matches Apple's model codes (MacBookPro18,3, iPhone15,2,
// Mac14,7), which Fleet reports as hardware_model on Apple hosts.
var modelIdentifier = regexp.MustCompile(`^[A-Za-z]+[0-9]+,[0-9]+$`)

// osNames name a platform when os_version is empty.
var osNames = map[string]string{
	"darwin": "macOS", "windows": "Windows", "ios": "iOS", "ipados": "iPadOS",
	"chrome": "ChromeOS", "android": "Android",
}

// splitOS splits Fleet's os_version ("macOS 14.4.1", "Ubuntu 22.04.4 LTS",
// "Windows 11 Enterprise 23H2 10.0.22631.3447") at the first word after the
// name that starts with a digit.
func splitOS(osVersion, platform string) (name, version string) {
	words := strings.Fields(osVersion)
	if len(words) == 0 {
		return osNames[platform], ""
	}
	for i := 1; i < len(words); i++ {
		if c := words[i][0]; c >= '0' && c <= '9' {
			return strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		}
	}
	return strings.Join(words, " "), ""
}

// userEmail picks the host's user: the IdP login first (it is
// authenticated), then an email set by hand, then Chrome profiles (anyone
// who signed in to Chrome on the machine), then any other source. The
// email keeps the chosen source's spelling, as the contract asks: Fleet
// stores each source's own, so one person can be "Ada@Example.com" from
// the IdP and "ada@example.com" from Chrome, and matching people to emails
// ignores case.
func userEmail(mapping []deviceMapping, endUsers []endUser) string {
	best, bestRank := "", 4
	consider := func(email string, rank int) {
		email = strings.TrimSpace(email)
		if rank < bestRank && strings.Contains(email, "@") && !strings.ContainsAny(email, " \t") {
			best, bestRank = email, rank
		}
	}
	for _, m := range mapping {
		consider(m.Email, sourceRank(m.Source))
	}
	for _, u := range endUsers {
		consider(u.IdpUsername, 0)
	}
	return best
}

func sourceRank(source string) int {
	switch {
	case source == "mdm_idp_accounts" || source == "identity_provider":
		return 0
	case source == "custom" || strings.HasPrefix(source, "custom_"):
		return 1
	case source == "google_chrome_profiles":
		return 2
	}
	return 3
}

// toSoftware maps a host's software, skipping nameless and repeated rows.
// Identifier is the bundle id, or the package name for package managers'
// sources (deb_packages, rpm_packages, homebrew_packages…).
func toSoftware(in []software) []connectors.Software {
	if in == nil {
		return nil
	}
	list := reconcile.NewSoftwareList(len(in))
	for _, s := range in {
		id := s.BundleIdentifier
		if strings.TrimSpace(id) == "" && strings.HasSuffix(s.Source, "_packages") {
			id = s.Name
		}
		list.Add(s.Name, s.Version, id)
	}
	return list.Items()
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
