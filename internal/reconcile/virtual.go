package reconcile

import (
	"strings"
	"unicode"
)

// vmMarkers appear in the manufacturer, model or model identifier of
// virtual machines: Apple's Virtualization framework ("Apple Virtual
// Machine 1", VirtualMac2,1), Hyper-V and Azure ("Virtual Machine"),
// VMware ("VMware, Inc.", "VMware Virtual Platform", VMware7,1), VirtualBox
// (made by "innotek GmbH"), Parallels ("Parallels Virtual Platform",
// Parallels-ARM), QEMU, Xen ("HVM domU"), bhyve and the clouds' instances.
// "virtual" covers Virtual Machine, Virtual Platform, VirtualBox and
// VirtualMac; no hardware model names itself virtual.
var vmMarkers = []string{
	"virtual", "vmware", "parallels", "qemu", "innotek", "bhyve", "hvm domu",
	"amazon ec2", "google compute engine", "openstack",
}

// vmWords are markers too short to look for inside other words ("xen" in a
// CPU name, "kvm" in a switch's): they count only as whole words.
var vmWords = map[string]bool{"kvm": true, "xen": true}

// LooksVirtual recognises a virtual machine from the hardware identity a
// source reports, for vendors without a VM flag of their own. Virtual
// machines' serials are not hardware serials, so the engine never matches
// them by serial. Besides the markers above, the signals are Windows 365
// Cloud PCs (model "Cloud PC …") and hypervisor serials: Parallels'
// "Parallels-…", VMware's "VMware-56 4d …" and macOS VMware guests' "VM"
// followed by mixed case ("VMkYv8w2Qp1"; Apple hardware serials are upper
// case, so "VM2C3D4F5G" stays hardware).
func LooksVirtual(manufacturer, model, modelIdentifier, serial string) bool {
	for _, s := range []string{manufacturer, model, modelIdentifier} {
		l := strings.ToLower(strings.TrimSpace(s))
		if l == "" {
			continue
		}
		for _, m := range vmMarkers {
			if strings.Contains(l, m) {
				return true
			}
		}
		for _, w := range strings.FieldsFunc(l, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if vmWords[w] {
				return true
			}
		}
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(model)), "cloud pc") {
		return true
	}
	serial = strings.TrimSpace(serial)
	if l := strings.ToLower(serial); strings.HasPrefix(l, "parallels") || strings.HasPrefix(l, "vmware") {
		return true
	}
	return len(serial) > 2 && strings.HasPrefix(serial, "VM") && strings.IndexFunc(serial[2:], unicode.IsLower) >= 0
}
