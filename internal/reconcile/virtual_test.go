package reconcile

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLooksVirtual(t *testing.T) {
	t.Parallel()
	cases := []struct {
		manufacturer, model, ident, serial string
		want                               bool
	}{
		// Apple's Virtualization framework.
		{"Apple", "Apple Virtual Machine 1", "VirtualMac2,1", "ZRF2L7V4W1", true},
		{"Apple", "", "VirtualMac2,1", "", true},
		{"Apple Inc.", "VirtualMac2,1", "", "", true},
		// VMware: make, model, identifier or serial.
		{"VMware, Inc.", "VMware Virtual Platform", "VMware7,1", "VMkYv8w2Qp1", true},
		{"VMware, Inc.", "VMware20,1", "", "", true},
		{"", "", "VMware20,1", "", true},
		{"", "", "", "VMabcdEFGH12", true},
		{"", "", "", "VMC5qeJ5pDkp", true},
		{"", "", "", "VMware-56 4d 9a 3b", true},
		// Parallels, including its serials on an otherwise plain record.
		{"Parallels", "Parallels Virtual Platform", "Parallels-ARM", "Parallels-1A 2B", true},
		{"Parallels International GmbH.", "Parallels ARM Virtual Machine", "", "", true},
		{"Apple", "Mac", "Mac", "Parallels-AB CD", true},
		// Hyper-V, Azure and Windows 365.
		{"Microsoft Corporation", "Virtual Machine", "", "", true},
		{"Microsoft Corporation", "Cloud PC Enterprise 2vCPU/8GB/128GB", "", "", true},
		// Other hypervisors and clouds.
		{"innotek GmbH", "VirtualBox", "", "", true},
		{"QEMU", "Standard PC (Q35 + ICH9, 2009)", "", "", true},
		{"Red Hat", "KVM", "", "", true},
		{"Xen", "HVM domU", "", "", true},
		{"Amazon EC2", "m5.large", "", "", true},
		{"Google", "Google Compute Engine", "", "", true},
		{"OpenStack Foundation", "OpenStack Nova", "", "", true},
		// Hardware.
		{"Apple", "MacBook Pro (14-inch, 2021)", "MacBookPro18,3", "C02ZC2QYLVDL", false},
		{"Apple", "iMac", "iMac21,1", "VM2C3D4F5G", false}, // upper case: a real serial
		{"Apple", "iPhone 15 Pro", "iPhone16,1", "F2LXK9ABCD12", false},
		{"Dell Inc.", "Precision 7780", "", "", false},
		{"Microsoft Corporation", "Surface Laptop 5", "", "", false},
		{"LENOVO", "ThinkStation P620 (Xeon)", "", "", false}, // "xen" only as a word
		{"Belkin", "KVMSwitch", "", "", false},                // "kvm" only as a word
		{"", "", "", "", false},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, LooksVirtual(tc.manufacturer, tc.model, tc.ident, tc.serial), "%+v", tc)
	}
}

func TestCleanHardwareName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" Dell Inc. ":              "Dell Inc.",
		"System manufacturer":      "",
		"System Product Name":      "",
		"To Be Filled By O.E.M.":   "",
		"Default  string":          "",
		"O.E.M.":                   "",
		"Not Specified":            "",
		"":                         "",
		"ASUSTeK COMPUTER INC.":    "ASUSTeK COMPUTER INC.",
		"Micro-Star International": "Micro-Star International",
	} {
		require.Equal(t, want, CleanHardwareName(in), in)
	}
}
