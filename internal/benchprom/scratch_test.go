package benchprom

import (
	"os"
	"testing"
	"time"

	"github.com/crdmon/crdmon/internal/testutil"
)

func TestScratchProvider(t *testing.T) {
	if os.Getenv("SCRATCH_PROVIDER") == "" {
		t.Skip()
	}
	dir := t.TempDir()
	n, _ := testutil.ProviderAWS.Write(dir)
	t0 := time.Now()
	res, err := generateRules([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generate %d CRDs %s, %d files", n, time.Since(t0), len(plainRuleFiles(res.Files)))
	kinds := PickKinds(res.Model, 300)
	objs := Synthesize(kinds, 3000, 1, 0.25)
	t0 = time.Now()
	rep, err := expect(res, kinds, []string{dir}, Maps(objs))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("simulate %s: %d groups, %d alerts, %d health", time.Since(t0), len(Groups(kinds)), len(ExpectedAlerts(rep)), len(rep.Health))
}
