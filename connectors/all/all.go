// Package all registers every vendor connector. Import it for its side
// effect wherever connectors are built from their kind (the sync worker, the
// connection test).
package all

import (
	_ "github.com/itam-dev/itam/connectors/fleet"        // FLEET
	_ "github.com/itam-dev/itam/connectors/freshservice" // FRESHSERVICE
	_ "github.com/itam-dev/itam/connectors/intune"       // INTUNE
	_ "github.com/itam-dev/itam/connectors/jamf"         // JAMF_PRO
	_ "github.com/itam-dev/itam/connectors/jsm"          // JSM_ASSETS
	_ "github.com/itam-dev/itam/connectors/kandji"       // KANDJI
	_ "github.com/itam-dev/itam/connectors/servicenow"   // SERVICENOW
)
