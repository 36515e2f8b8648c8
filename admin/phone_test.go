package admin

import (
	"os"
	"os/exec"
	"slices"
	"testing"
)

// The phone table is plain data: reading a number compiles the patterns of
// its own region, the first time, so that starting roster costs nothing for
// the table and a command reading no number pays nothing at all.
func TestPhonePatternsCompiledOnFirstUse(t *testing.T) {
	if os.Getenv("ROSTER_PHONE_FRESH") == "" {
		// In a fresh process, where no other test has read a number yet.
		cmd := exec.Command(os.Args[0], "-test.run=^TestPhonePatternsCompiledOnFirstUse$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ROSTER_PHONE_FRESH=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return
	}
	compiled := func() (ids []string) {
		for i := range phoneCompiled {
			if phoneCompiled[i].re.pattern != nil {
				ids = append(ids, phoneRegions[i].id)
			}
		}
		return ids
	}
	if c := compiled(); len(c) != 0 {
		t.Fatalf("compiled before any number was read: %v", c)
	}
	if _, err := NormalizePhone("06 12 34 56 78", "FR"); err != nil {
		t.Fatal(err)
	}
	if c := compiled(); !slices.Equal(c, []string{"FR"}) {
		t.Fatalf("reading a French number compiled the patterns of %v", c)
	}
}
