package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/model"
)

func TestCamelAndWords(t *testing.T) {
	for in, want := range map[string]string{"cert-manager": "CertManager", "ACK.Terminal": "ACKTerminal", "ec2.aws": "Ec2Aws"} {
		if got := camel(in); got != want {
			t.Errorf("camel(%q) = %q, want %q", in, got, want)
		}
	}
	if got := strings.Join(words("ACKTerminalNotReady2x"), " "); got != "ACK Terminal Not Ready2x" {
		t.Errorf("words = %q", got)
	}
	if got := groupSubject("gateway.networking.k8s.io"); got != "GatewayNetworkingK8s" {
		t.Errorf("groupSubject = %q", got)
	}
}

func TestAbbreviate(t *testing.T) {
	got := abbreviate("VeryLongCustomResourceDefinitionKindName", "StuckReconciling", MaxNameLen)
	if len(got) > MaxNameLen || !strings.HasPrefix(got, "Ver") || !strings.HasSuffix(got, "StuckReconciling") {
		t.Errorf("abbreviate = %q (%d)", got, len(got))
	}
	if again := abbreviate("VeryLongCustomResourceDefinitionKindName", "StuckReconciling", MaxNameLen); again != got {
		t.Errorf("not deterministic: %q vs %q", got, again)
	}
	if got := abbreviate("Certificate", "NotReady", MaxNameLen); got != "CertificateNotReady" {
		t.Errorf("short name changed: %q", got)
	}
}

// TestNamesUniqueAndShort renders many long, colliding kinds and checks every
// alert name is CamelCase, short and unique (Validate checks the shape).
func TestNamesUniqueAndShort(t *testing.T) {
	var m model.Model
	for i := 0; i < 30; i++ {
		k := certificateKind()
		k.Group = fmt.Sprintf("g%d.example.io", i%3)
		k.Kind = fmt.Sprintf("ManagedDatabaseInstanceReplicationConfigurationVariant%c", 'A'+i/3)
		m.Kinds = append(m.Kinds, k)
	}
	// The same kind name in two groups.
	m.Kinds = append(m.Kinds, certificateKind())
	other := certificateKind()
	other.Group = "networking.gke.io"
	m.Kinds = append(m.Kinds, other)

	o := DefaultOptions()
	o.Format = FormatPlain
	files, err := Render(m, o)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, f := range files {
		for _, line := range strings.Split(string(f.Content), "\n") {
			name, ok := strings.CutPrefix(strings.TrimSpace(line), "- alert: ")
			if !ok {
				continue
			}
			if prev, dup := seen[name]; dup {
				t.Errorf("alert %s in %s and %s", name, prev, f.Path)
			}
			seen[name] = f.Path
			if len(name) > MaxNameLen {
				t.Errorf("alert %s longer than %d", name, MaxNameLen)
			}
		}
	}
	// 32 kinds, each alerted on Ready, Stalled and Reconciling (kstatus), on
	// any other negative condition True or positive one False (the two
	// catch-alls), on expiry (two severities), renewal and failures.
	if len(seen) != 32*9 {
		t.Errorf("got %d alerts, want %d", len(seen), 32*9)
	}
	if seen["CertificateNotReady"] == "" || seen["NetworkingGkeCertificateNotReady"] == "" {
		t.Errorf("same-named kinds: %v", seen)
	}
}
