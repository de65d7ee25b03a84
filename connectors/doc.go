// Package connectors will hold the contract every MDM and ITSM connector
// implements, with one subpackage per vendor. Connectors speak only their
// vendor's API and return canonical records; they never touch the database.
package connectors
