package reconcile

import "strings"

// GuessCategoryKind classifies a device a source reports, for the category
// of a model the sync has to create. Models that already exist keep the
// category people gave them.
func GuessCategoryKind(manufacturer, model, modelIdentifier, osName string) string {
	s := strings.ToLower(strings.Join([]string{manufacturer, model, modelIdentifier, osName}, " "))
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("iphone", "pixel", "galaxy s", "galaxy a", "galaxy z", "android phone"):
		return "PHONE"
	case has("ipad", "tablet", "galaxy tab", "surface go"):
		return "TABLET"
	case has("macbook", "latitude", "thinkpad", "xps", "elitebook", "probook", "surface laptop", "zbook", "notebook", "laptop", "chromebook", "yoga", "inspiron"):
		return "LAPTOP"
	case has("imac", "mac mini", "macmini", "mac studio", "mac pro", "optiplex", "prodesk", "elitedesk", "thinkcentre", "desktop", "precision tower"):
		return "DESKTOP"
	case has("poweredge", "proliant", "thinksystem", "server"):
		return "SERVER"
	case has("ios", "android"):
		return "PHONE"
	}
	return "OTHER"
}

// CategoryNames names the categories a sync creates when an organization
// has none of a kind yet.
var CategoryNames = map[string]string{
	"LAPTOP": "Laptops", "DESKTOP": "Desktops", "SERVER": "Servers", "PHONE": "Phones",
	"TABLET": "Tablets", "MONITOR": "Monitors", "NETWORK": "Network", "PERIPHERAL": "Peripherals", "OTHER": "Other devices",
}

// DeviceCategoryKind is the category kind of a device's model: the one the
// source reports when it is a kind (an ITSM's CI class), else the guess.
func DeviceCategoryKind(d Device) string {
	if _, ok := CategoryNames[d.Category]; ok {
		return d.Category
	}
	return GuessCategoryKind(d.ManufacturerName(), d.Model, d.ModelIdentifier, d.OSName)
}
