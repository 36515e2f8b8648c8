package admin

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

// Starting the package costs nothing worth measuring: no hashing, no
// compiling, no table built (every roster command pays for it). It cost 19 MiB
// and over 100 ms when a dummy password was hashed at start-up; compiling the
// phone patterns would cost megabytes.
func TestPackageStartsCheaply(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := regexp.MustCompile(`init roster/admin @\S+ ms, (\S+) ms clock, (\d+) bytes`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no init trace of roster/admin in\n%s", out)
	}
	if n, _ := strconv.Atoi(string(m[2])); n > 256<<10 {
		t.Errorf("initialising roster/admin allocated %d bytes in %s ms", n, m[1])
	}
}

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
