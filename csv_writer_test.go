package main

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// csvHostile are fields that encoding/csv quotes, or nearly does: quotes,
// commas, line ends, leading spaces of every kind, \. alone and not, the
// formula characters export guards, letters of several bytes, nothing.
var csvHostile = []string{"", "plain", "Zoë Ångström", `"`, `""`, `a"b`, `"quoted"`, "a,b", ",", "a\nb", "\n",
	"a\r\nb", "\r", " lead", "\tlead", "\u00a0nbsp", "\u3000ideographic", "\u2028sep", "trail ", `\.`, `\.x`, `x\.`,
	"=SUM(A1)", "'=1", "+33 6 12", "-1", "@x", "'", "\x00nul", "\x1fus", "é\"\n,", strings.Repeat(`"`, 9)}

// appendCSV writes every record as encoding/csv's Writer does: each hostile
// field alone, and each in every column of a record of export's width
// beside the others.
func TestAppendCSVWritesAsEncodingCSV(t *testing.T) {
	var recs [][]string
	for i, f := range csvHostile {
		recs = append(recs, []string{f})
		rec := make([]string, len(csvHeader))
		for j := range rec {
			rec[j] = csvHostile[(i+j)%len(csvHostile)]
		}
		recs = append(recs, rec)
	}
	for _, rec := range recs {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if got := appendCSV(nil, rec); string(got) != want.String() {
			t.Errorf("%q:\nwrote %q\nwant  %q", rec, got, want.String())
		}
	}
}

// BenchmarkAppendCSV writes export's rows with appendCSV beside
// encoding/csv's Writer into the same buffer, for their ratio.
func BenchmarkAppendCSV(b *testing.B) {
	rec := []string{"abigail.baker@transports-garnier.example", "Abigail", "Baker", "'+447128722829", "member",
		"SAV Sud", "Recruiter", "E107058", "en", ""}
	var buf bytes.Buffer
	b.Run("appendCSV", func(b *testing.B) {
		out := make([]byte, 0, 64<<10)
		for b.Loop() {
			if out = appendCSV(out, rec); len(out) >= 60<<10 {
				buf.Write(out)
				buf.Reset()
				out = out[:0]
			}
		}
	})
	b.Run("encoding-csv", func(b *testing.B) {
		w := csv.NewWriter(&buf)
		for b.Loop() {
			w.Write(rec)
			if buf.Len() >= 60<<10 {
				buf.Reset()
			}
		}
	})
}
