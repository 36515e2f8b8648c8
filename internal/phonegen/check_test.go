package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"roster/admin"
)

// The checked-in table is what this generator writes from the metadata of
// the nyaruka/phonenumbers this module requires.
func TestTableIsGenerated(t *testing.T) {
	src, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../../admin/phone_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, have) {
		t.Fatal("admin/phone_table.go is out of date: run go generate ./admin/")
	}
}

// roster reads every number as libphonenumber does: the example numbers of
// every region and number type, written in E.164, internationally, nationally
// and as dialled from other countries, each also with a digit missing, one
// too many and its first digits changed, plus random digits, read for the
// region itself and for other account countries. Both give the same E.164
// number, or both refuse it.
func TestAgreesWithLibphonenumber(t *testing.T) {
	regions := sortedKeys(phonenumbers.GetSupportedRegions())
	homes := []string{"FR", "US", "IT", "GB", "DE", "BR", "AU", "JP"}
	rnd := rand.New(rand.NewPCG(8, 12))
	var compared, skipped, valid, fails int
	check := func(in, home string) {
		if strings.ContainsFunc(in, func(r rune) bool { return !strings.ContainsRune("0123456789+ .-()/", r) }) ||
			strings.LastIndexByte(in, '+') > 0 {
			skipped++ // characters roster refuses outright
			return
		}
		want := library(in, home)
		got, err := admin.NormalizePhone(in, home)
		if err != nil {
			got = ""
		}
		compared++
		if want != "" {
			valid++
		}
		if got != want && fails < 50 {
			fails++
			t.Errorf("%q for %s: roster %q (%v), libphonenumber %q", in, home, got, err, want)
		}
	}
	for _, r := range regions {
		cc := phonenumbers.GetCountryCodeForRegion(r)
		for typ := phonenumbers.FIXED_LINE; typ < phonenumbers.UNKNOWN; typ++ {
			ex := phonenumbers.GetExampleNumberForType(r, typ)
			if ex == nil {
				continue
			}
			for _, in := range writings(ex, cc, rnd) {
				check(in, r)
				check(in, homes[rnd.IntN(len(homes))])
			}
		}
		for range 40 {
			n := randomDigits(rnd, 2+rnd.IntN(14))
			check(n, r)
			check("0"+n, r)
			check("+"+strconv.Itoa(cc)+n, r)
			check("00"+n, r)
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		ex := phonenumbers.GetExampleNumberForNonGeoEntity(cc)
		if ex == nil {
			continue
		}
		for _, in := range writings(ex, cc, rnd) {
			check(in, homes[rnd.IntN(len(homes))])
		}
	}
	for _, in := range []string{"+999 1234 5678", "+969 123 4567", "+801 234 5678", "+28 12 34 56 78", "00 999 1234 5678", "0 0", "+", "+1", "00"} {
		check(in, "FR")
	}
	t.Logf("%d numbers compared (%d valid), %d skipped", compared, valid, skipped)
	if valid < 1000 || compared < 20000 {
		t.Fatalf("only %d numbers compared, %d valid", compared, valid)
	}
}

// writings are ways people write ex, right and wrong.
func writings(ex *phonenumbers.PhoneNumber, cc int, rnd *rand.Rand) []string {
	nsn := phonenumbers.GetNationalSignificantNumber(ex)
	plus := "+" + strconv.Itoa(cc)
	out := []string{
		phonenumbers.Format(ex, phonenumbers.E164),
		phonenumbers.Format(ex, phonenumbers.INTERNATIONAL),
		phonenumbers.Format(ex, phonenumbers.NATIONAL),
		phonenumbers.FormatOutOfCountryCallingNumber(ex, "FR"),
		phonenumbers.FormatOutOfCountryCallingNumber(ex, "US"),
		phonenumbers.FormatOutOfCountryCallingNumber(ex, "AU"),
		plus + " (0)" + nsn,
		plus + "0" + nsn,
		strconv.Itoa(cc) + nsn,
		nsn,
		"0" + nsn,
		plus + nsn[:len(nsn)-1],
		plus + nsn + strconv.Itoa(rnd.IntN(10)),
		"0" + nsn[:len(nsn)-1],
	}
	for range 4 {
		k := 1 + rnd.IntN(min(3, len(nsn)))
		changed := randomDigits(rnd, k) + nsn[k:]
		out = append(out, plus+changed, changed, "0"+changed)
	}
	return out
}

// library is libphonenumber's reading of in: a valid number in E.164, or "".
func library(in, home string) string {
	num, err := phonenumbers.Parse(in, home)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return ""
	}
	if d, ok := strings.CutPrefix(in, "+"); ok && !assignedPrefix(strings.Map(digitsOnly, d)) {
		// libphonenumber reads +<no calling code><national number> as the
		// national number; roster refuses an unassigned calling code.
		return ""
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}

func assignedPrefix(d string) bool {
	for i := 1; i <= 3 && i <= len(d); i++ {
		if c, _ := strconv.Atoi(d[:i]); d[0] != '0' && len(phonenumbers.GetRegionCodesForCountryCode(c)) > 0 {
			return true
		}
	}
	return false
}

func digitsOnly(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

func randomDigits(rnd *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rnd.IntN(10))
	}
	return string(b)
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
