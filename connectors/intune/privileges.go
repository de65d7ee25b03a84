package intune

import "strings"

// privilegeFor names the Microsoft Graph application permission a request
// needs (granted with admin consent on the app registration), so a 403
// says which one is missing. Graph's permission tables for managedDevice
// and detectedApp reads name DeviceManagementManagedDevices.Read.All as
// the least privileged application permission
// (https://learn.microsoft.com/graph/api/intune-devices-detectedapp-get).
func privilegeFor(method, path string) string {
	if method == "GET" && strings.Contains(path, "/deviceManagement/managedDevices") {
		return "DeviceManagementManagedDevices.Read.All (application permission, admin consent)"
	}
	return ""
}
