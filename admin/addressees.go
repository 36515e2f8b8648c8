package admin

import (
	"net/mail"
	"strings"
)

// Addressees reads the people in text as a mail client writes them, a To:
// line or a column of a spreadsheet pasted: addresses separated by commas or
// line breaks, or by semicolons where any is (Outlook's, whose names hold
// commas: "Curie, Marie <marie@acme.example>; …"), each bare, in angle
// brackets, after a display name or mailto:. A display name gives the first
// and last names: "Marie Curie" the first word and the rest, "Curie, Marie"
// the part after the comma and the part before. An entry that cannot be
// read as an address is kept whole as the address, so that inviting it says
// what is wrong with it; empty entries are skipped.
func Addressees(text string) []NewUser {
	var out []NewUser
	for _, item := range splitAddressees(text) {
		item = strings.TrimSpace(item)
		if len(item) >= 7 && strings.EqualFold(item[:7], "mailto:") {
			item = strings.TrimSpace(item[7:])
		}
		if item == "" {
			continue
		}
		u := NewUser{Email: item}
		if a, err := mail.ParseAddress(item); err == nil && strings.ContainsAny(item, `<"`) {
			u.Email = a.Address
			u.FirstName, u.LastName = splitName(a.Name)
		} else if i := strings.LastIndexByte(item, '<'); i >= 0 && strings.HasSuffix(item, ">") {
			// What mail does not read, such as Outlook's comma unquoted
			// (Curie, Marie <marie@acme.example>): the name before the
			// brackets, the address in them, checked as any.
			u.Email = strings.TrimSpace(item[i+1 : len(item)-1])
			u.FirstName, u.LastName = splitName(strings.Trim(item[:i], "\" \t"))
		}
		out = append(out, u)
	}
	return out
}

// splitAddressees splits text at its separators outside quotes and angle
// brackets.
func splitAddressees(text string) []string {
	seps := ",\n\r"
	if strings.Contains(text, ";") {
		seps = ";\n\r"
	}
	var items []string
	quoted, angled, start := false, false, 0
	for i, r := range text {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '<':
			angled = true
		case r == '>':
			angled = false
		case !angled && strings.ContainsRune(seps, r):
			items = append(items, text[start:i])
			start = i + 1
		}
	}
	return append(items, text[start:])
}

// splitName is a display name's first and last names.
func splitName(name string) (first, last string) {
	name = strings.Join(strings.Fields(name), " ")
	if l, f, ok := strings.Cut(name, ","); ok {
		return strings.TrimSpace(f), strings.TrimSpace(l)
	}
	first, last, _ = strings.Cut(name, " ")
	return first, last
}
