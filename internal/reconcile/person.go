package reconcile

// Person is the canonical record of one person a source's directory
// reports (an ITSM's users). Empty strings mean "the vendor did not say".
// A connector authoritative for people creates and updates people from
// these records; Active false offboards the person here (never deletes).
type Person struct {
	// ExternalID is the vendor's stable id (ServiceNow sys_id, Freshservice
	// requester id, Atlassian account id).
	ExternalID string
	// Email identifies the person across sources (matched case-insensitively).
	Email          string
	Name           string
	EmployeeNumber string
	// Department is the vendor's department name: it names the person's team.
	Department string
	// ManagerEmail is the manager's email (ITSMs reference managers by id;
	// the connector resolves it within its pages where it can).
	ManagerEmail string
	// Location is the vendor's location name.
	Location string
	Title    string
	Active   bool
}
