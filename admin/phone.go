package admin

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:generate go -C ../internal/phonegen run . -o ../../admin/phone_table.go

// phoneRegion is the numbering plan of one region, or of a non-geographic
// calling code (region 001), as libphonenumber's metadata describes it.
// phone_table.go holds them all, generated from that metadata. Its patterns
// stay text until a number of the region is read, so that no command pays at
// start-up for compiling them.
type phoneRegion struct {
	id   string // ISO 3166-1 region code, or 001
	code int    // country calling code
	// idd is the prefix dialled from the region to call abroad (00, 011…).
	idd string
	// nationalPrefix is the trunk prefix a national number starts with (0
	// in France), possibly with a carrier code; empty where the leading 0 is
	// part of the number (Italy). transform, if set, rewrites the number
	// that matches it (a local number gains its area code).
	nationalPrefix, transform string
	// leading are the first digits that place a number of a calling code
	// shared by several regions in this one.
	leading string
	// lengths and localLengths hold bit n where a national number of n
	// digits is possible, or is possible only dialled locally.
	lengths, localLengths uint32
	pattern               string      // every national number of the region
	types                 []phoneType // the valid ones match one of these
}

// phoneType is a set of valid national numbers.
type phoneType struct {
	lengths uint32 // as phoneRegion.lengths; 0 for the region's own
	pattern string
}

// phoneRegionID places a region code in phoneRegions.
type phoneRegionID struct {
	id    string
	index uint16
}

// phoneRegexps are a region's patterns, compiled the first time one of its
// numbers is read.
type phoneRegexps struct {
	idd, nationalPrefix, leading, pattern *regexp.Regexp
	types                                 []*regexp.Regexp
}

var phoneCompiled [len(phoneRegions)]struct {
	once sync.Once
	re   phoneRegexps
}

// regexps are the compiled patterns of phoneRegions[i].
func regexps(i int) *phoneRegexps {
	c := &phoneCompiled[i]
	c.once.Do(func() {
		r := &phoneRegions[i]
		prefix := func(p string) *regexp.Regexp {
			if p == "" {
				return nil
			}
			return regexp.MustCompile("^(?:" + p + ")")
		}
		whole := func(p string) *regexp.Regexp { return regexp.MustCompile("^(?:" + p + ")$") }
		c.re = phoneRegexps{idd: prefix(r.idd), nationalPrefix: prefix(r.nationalPrefix), leading: prefix(r.leading),
			pattern: whole(r.pattern)}
		for _, t := range r.types {
			c.re.types = append(c.re.types, whole(t.pattern))
		}
	})
	return &c.re
}

// KnownCountry reports whether roster can read national numbers of country.
func KnownCountry(c string) bool { return regionOf(c) >= 0 }

// regionOf is the index in phoneRegions of a region code, or -1.
func regionOf(country string) int {
	i, ok := slices.BinarySearchFunc(phoneRegionIDs[:], country, func(e phoneRegionID, c string) int { return strings.Compare(e.id, c) })
	if !ok {
		return -1
	}
	return int(phoneRegionIDs[i].index)
}

// regionsOf are the indices in phoneRegions of the regions of a calling
// code, the main one first.
func regionsOf(code int) (first, end int) {
	first, _ = slices.BinarySearchFunc(phoneRegions[:], code, func(r phoneRegion, c int) int { return r.code - c })
	end = first
	for end < len(phoneRegions) && phoneRegions[end].code == code {
		end++
	}
	return first, end
}

// NormalizePhone writes a phone number in E.164 (+33612345678). A number
// without its calling code is read as libphonenumber reads it for the
// account's country: 06 12 34 56 78 in France is +33612345678, 06 6982 1234
// in Italy, which keeps its leading 0, is +390669821234. A number that is
// not valid in its country's numbering plan is refused.
func NormalizePhone(s, country string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var digits strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
		case strings.ContainsRune(" .-()/", r):
		default:
			return "", inputErr("phone", "%q is not a phone number: it may hold only digits, spaces, a leading + and . - ( ) /", s)
		}
	}
	d := digits.String()
	wrongLength := func() error {
		return inputErr("phone", "%q has %d digits, which no phone number has", s, len(d))
	}
	home := regionOf(country)
	code, national := 0, d
	international := s[0] == '+'
	if !international {
		if home < 0 {
			return "", inputErr("phone", "%q: write it with its country code (+…)", s)
		}
		r, re := &phoneRegions[home], regexps(home)
		if m := findPrefix(re.idd, d); m > 0 && !strings.HasPrefix(d[m:], "0") {
			international, national = true, d[m:] // dialled from the country to abroad
		} else if rest, ok := strings.CutPrefix(d, strconv.Itoa(r.code)); ok {
			// The calling code written without its +: read so if the
			// number makes sense only without it.
			rest = stripNationalPrefix(rest, home)
			if !re.pattern.MatchString(d) && re.pattern.MatchString(rest) || possibleLength(d, home) == tooLong {
				code, national = r.code, rest
			}
		}
	}
	if international {
		if code, national = callingCode(national); code == 0 {
			if len(national) <= 2 {
				return "", wrongLength()
			}
			return "", inputErr("phone", "%q: +%s is not a country calling code", s, national[:min(3, len(national))])
		}
	}
	// The trunk prefix is stripped by the plan of the number's own country.
	plan := home
	if code != 0 {
		plan, _ = regionsOf(code)
	} else {
		code = phoneRegions[home].code
	}
	if len(national) < 2 {
		return "", wrongLength()
	}
	if n := stripNationalPrefix(national, plan); n != national {
		if l := possibleLength(n, plan); l == isPossible || l == tooLong {
			national = n
		}
	}
	if len(national) < 2 || len(national) > 17 {
		return "", wrongLength()
	}
	if !validPhone(code, national) {
		return "", inputErr("phone", "%q is not a possible number for calling code +%d", s, code)
	}
	return "+" + strconv.Itoa(code) + national, nil
}

// callingCode splits the calling code off an international number, as
// libphonenumber does: the shortest assigned code wins. code is 0 if no
// code is assigned, or fewer than three digits follow the international prefix.
func callingCode(d string) (code int, national string) {
	if len(d) <= 2 || d[0] == '0' {
		return 0, d
	}
	for i := 1; i <= 3 && i <= len(d); i++ {
		c, _ := strconv.Atoi(d[:i])
		if first, end := regionsOf(c); first < end {
			return c, d[i:]
		}
	}
	return 0, d
}

// findPrefix is the length of the match of re at the start of s, or 0.
func findPrefix(re *regexp.Regexp, s string) int {
	if re == nil {
		return 0
	}
	if m := re.FindStringIndex(s); m != nil {
		return m[1]
	}
	return 0
}

// stripNationalPrefix takes the trunk prefix (and carrier code) off a
// national number of phoneRegions[i], unless that makes a number of the
// region into one that is not; as libphonenumber's
// maybeStripNationalPrefixAndCarrierCode.
func stripNationalPrefix(n string, i int) string {
	r, re := &phoneRegions[i], regexps(i)
	if n == "" || re.nationalPrefix == nil {
		return n
	}
	m := re.nationalPrefix.FindStringSubmatchIndex(n)
	if m == nil {
		return n
	}
	viable := re.pattern.MatchString(n)
	stripped := n[m[1]:]
	if last := len(m)/2 - 1; r.transform != "" && m[2*last] >= 0 {
		stripped = re.nationalPrefix.ReplaceAllString(n, r.transform)
	}
	if viable && !re.pattern.MatchString(stripped) {
		return n
	}
	return stripped
}

type lengthFit int

const (
	isPossible lengthFit = iota
	localOnly
	tooShort
	tooLong
	invalidLength
)

// possibleLength says whether a national number of phoneRegions[i] has a
// length its numbers have, as libphonenumber's testNumberLength.
func possibleLength(n string, i int) lengthFit {
	r, l := &phoneRegions[i], len(n)
	bit := uint32(1) << l
	switch {
	case l > 31:
		return tooLong
	case r.localLengths&bit != 0:
		return localOnly
	case r.lengths&bit != 0:
		return isPossible
	case r.lengths&(bit-1) == 0:
		return tooShort
	case r.lengths&^(bit|(bit-1)) == 0:
		return tooLong
	}
	return invalidLength
}

// validPhone reports whether a national number is valid for its calling
// code: in the first region of the code whose leading digits it has, or
// whose numbers it is one of, as libphonenumber's IsValidNumber.
func validPhone(code int, n string) bool {
	first, end := regionsOf(code)
	for i := first; i < end; i++ {
		if re := regexps(i); end-first > 1 && re.leading != nil {
			if re.leading.MatchString(n) {
				return validIn(n, i)
			}
		} else if validIn(n, i) {
			return true
		}
	}
	return false
}

func validIn(n string, i int) bool {
	r, re := &phoneRegions[i], regexps(i)
	bit := uint32(1) << min(len(n), 31)
	if r.lengths&bit == 0 || !re.pattern.MatchString(n) {
		return false
	}
	for j, t := range r.types {
		if (t.lengths == 0 || t.lengths&bit != 0) && re.types[j].MatchString(n) {
			return true
		}
	}
	return false
}
