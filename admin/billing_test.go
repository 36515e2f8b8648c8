package admin

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

func at(t *testing.T, tz, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCycleAt(t *testing.T) {
	const paris = "Europe/Paris"
	for _, c := range []struct {
		name       string
		period     Period
		anchor     string
		when       string
		start, end string // midnight in Paris unless said
		days       int
	}{
		{"31-day month", PeriodMonthly, "2026-01-01", "2026-01-20 12:00:00", "2026-01-01", "2026-02-01", 31},
		{"28-day February", PeriodMonthly, "2026-01-01", "2026-02-14 00:00:00", "2026-02-01", "2026-03-01", 28},
		{"29-day February", PeriodMonthly, "2026-01-01", "2028-02-29 23:59:59", "2028-02-01", "2028-03-01", 29},
		{"30-day month", PeriodMonthly, "2026-01-01", "2026-04-30 23:59:59", "2026-04-01", "2026-05-01", 30},
		{"anchor 31 in February", PeriodMonthly, "2026-01-31", "2026-02-15 08:00:00", "2026-01-31", "2026-02-28", 28},
		{"anchor 31 after February", PeriodMonthly, "2026-01-31", "2026-03-01 08:00:00", "2026-02-28", "2026-03-31", 31},
		{"anchor 31 in a leap February", PeriodMonthly, "2026-01-31", "2028-02-29 08:00:00", "2028-02-29", "2028-03-31", 31},
		{"anchor 31 in April", PeriodMonthly, "2026-01-31", "2026-04-30 00:00:00", "2026-04-30", "2026-05-31", 31},
		{"anchor 30 in April", PeriodMonthly, "2026-01-30", "2026-04-29 23:59:59", "2026-03-30", "2026-04-30", 31},
		{"the first second", PeriodMonthly, "2026-01-15", "2026-03-15 00:00:00", "2026-03-15", "2026-04-15", 31},
		{"the last second", PeriodMonthly, "2026-01-15", "2026-03-14 23:59:59", "2026-02-15", "2026-03-15", 28},
		{"before the anchor", PeriodMonthly, "2026-12-15", "2026-01-20 00:00:00", "2026-01-15", "2026-02-15", 31},
		{"years before the anchor", PeriodMonthly, "2026-12-15", "2023-01-01 00:00:00", "2022-12-15", "2023-01-15", 31},
		{"yearly", PeriodYearly, "2026-12-01", "2027-06-01 00:00:00", "2026-12-01", "2027-12-01", 365},
		{"yearly across a leap day", PeriodYearly, "2027-03-01", "2027-12-01 00:00:00", "2027-03-01", "2028-03-01", 366},
		{"yearly from 29 February", PeriodYearly, "2024-02-29", "2025-06-01 00:00:00", "2025-02-28", "2026-02-28", 365},
		{"yearly from 29 February, into a leap year", PeriodYearly, "2024-02-29", "2027-12-31 00:00:00", "2027-02-28", "2028-02-29", 366},
		{"yearly, leap day itself", PeriodYearly, "2024-02-29", "2028-02-29 00:00:00", "2028-02-29", "2029-02-28", 365},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := Plan{Period: c.period, SeatPrice: 1500, Currency: "EUR", TimeZone: paris}
			var err error
			if p.Anchor, err = ParseDay(c.anchor); err != nil {
				t.Fatal(err)
			}
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			got := p.CycleAt(at(t, paris, c.when))
			want := Cycle{at(t, paris, c.start+" 00:00:00"), at(t, paris, c.end+" 00:00:00")}
			if !got.Start.Equal(want.Start) || !got.End.Equal(want.End) {
				t.Fatalf("cycle at %s: %s – %s, want %s – %s", c.when, got.Start, got.End, want.Start, want.End)
			}
			if days := got.End.Sub(got.Start).Round(24*time.Hour) / (24 * time.Hour); int(days) != c.days {
				t.Errorf("the cycle lasts %d days, want %d", days, c.days)
			}
		})
	}
}

func TestProrated(t *testing.T) {
	const paris = "Europe/Paris"
	march := Cycle{at(t, paris, "2026-03-01 00:00:00"), at(t, paris, "2026-04-01 00:00:00")}
	if whole := march.End.Unix() - march.Start.Unix(); whole != 31*86400-3600 {
		t.Fatalf("March 2026 in Paris lasts %d s; the change to summer time on the 29th takes an hour from it", whole)
	}
	jan := Cycle{at(t, paris, "2026-01-01 00:00:00"), at(t, paris, "2026-02-01 00:00:00")}
	twoSeconds := Cycle{time.Unix(1000, 0), time.Unix(1002, 0)}
	for _, c := range []struct {
		name  string
		price int64
		cycle Cycle
		when  time.Time
		want  int64
	}{
		{"the first second pays all", 1500, jan, jan.Start, 1500},
		{"before the cycle pays all", 1500, jan, jan.Start.Add(-time.Hour), 1500},
		{"the last second", 1500, jan, jan.End.Add(-time.Second), 0},                      // 1500 × 1 / 2678400
		{"the last second of a dear seat", 10_000_000, jan, jan.End.Add(-time.Second), 4}, // 3.73…
		{"the end pays nothing", 1500, jan, jan.End, 0},
		{"half of January", 1500, jan, jan.Start.Add(2678400 / 2 * time.Second), 750},
		// 1500 × 1,378,800 / 2,674,800 = 773.21…: the hour summer time takes is not billed.
		{"across the change to summer time", 1500, march, at(t, paris, "2026-03-16 00:00:00"), 773},
		// 1500 × 216,000 / 2,674,800 = 121.13…
		{"after the change to summer time", 1500, march, at(t, paris, "2026-03-29 12:00:00"), 121},
		{"a half rounds up", 1, twoSeconds, time.Unix(1001, 0), 1},
		{"a half rounds up, odd", 3, twoSeconds, time.Unix(1001, 0), 2},
		{"a currency without decimals", 1500, jan, jan.Start.Add(2678400 / 3 * time.Second), 1000},
		{"the largest price, exactly", maxSeatPrice, jan, jan.Start.Add(time.Second), maxSeatPrice - 37336}, // 99,999,962,664.28
	} {
		if got := Prorated(c.price, c.cycle, c.when); got != c.want {
			t.Errorf("%s: Prorated(%d) = %d, want %d", c.name, c.price, got, c.want)
		}
	}
}

// TestProratedAddsUp: for random instants of random cycles, the charge of
// a seat started at t and that of the part of the cycle before t add up to
// the price within one minor unit, and neither exceeds it.
func TestProratedAddsUp(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	zones := []string{"Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Lord_Howe"}
	for i := range 20000 {
		p := Plan{Period: PeriodMonthly, SeatPrice: r.Int64N(maxSeatPrice + 1), Currency: "EUR",
			Anchor: Date{2020 + r.IntN(10), time.Month(1 + r.IntN(12)), 1 + r.IntN(28)}, TimeZone: zones[r.IntN(len(zones))]}
		if i%2 == 1 {
			p.Period = PeriodYearly
		}
		if r.IntN(4) == 0 {
			p.Anchor.Day = 29 + r.IntN(3)
			if p.Anchor.Day > daysIn(p.Anchor.Year, p.Anchor.Month) {
				p.Anchor.Day = daysIn(p.Anchor.Year, p.Anchor.Month)
			}
		}
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		when := time.Unix(1_600_000_000+r.Int64N(600_000_000), 0)
		c := p.CycleAt(when)
		if !c.Contains(when) {
			t.Fatalf("%+v: the cycle at %s is %s – %s", p, when, c.Start, c.End)
		}
		if prev := p.CycleAt(c.Start.Add(-time.Second)); !prev.End.Equal(c.Start) {
			t.Fatalf("%+v: the cycle before %s ends at %s", p, c.Start, prev.End)
		}
		charge := Prorated(p.SeatPrice, c, when)
		// The part before t, as the charge of the mirrored instant.
		before := Prorated(p.SeatPrice, c, c.Start.Add(c.End.Sub(when)))
		if charge < 0 || charge > p.SeatPrice || before < 0 || before > p.SeatPrice {
			t.Fatalf("%+v at %s: charge %d, before %d, out of 0…%d", p, when, charge, before, p.SeatPrice)
		}
		if d := charge + before - p.SeatPrice; d < -1 || d > 1 {
			t.Fatalf("%+v at %s: %d + %d is %d from the price %d", p, when, charge, before, d, p.SeatPrice)
		}
	}
}

func TestAmounts(t *testing.T) {
	for _, c := range []struct {
		in, cur string
		want    int64
		bad     bool
	}{
		{"15.00", "EUR", 1500, false},
		{"15", "EUR", 1500, false},
		{"15,5", "EUR", 1550, false},
		{" 0.07 ", "USD", 7, false},
		{"1500", "JPY", 1500, false},
		{"1500.5", "JPY", 0, true},
		{"15.001", "EUR", 0, true},
		{"-3", "EUR", 0, true},
		{"1e3", "EUR", 0, true},
		{"15.", "EUR", 0, true},
		{"", "EUR", 0, true},
		{"99999999999999999999", "EUR", 0, true},
		{"15", "EURO", 0, true},
		{"15", "XXQ", 0, true},
	} {
		got, err := ParseAmount(c.in, c.cur)
		var ie *InputError
		if c.bad != (err != nil) || got != c.want || err != nil && !errors.As(err, &ie) {
			t.Errorf("ParseAmount(%q, %s) = %d, %v", c.in, c.cur, got, err)
		}
	}
	for _, c := range []struct {
		amount int64
		cur    string
		want   string
	}{{1500, "EUR", "15.00"}, {5, "EUR", "0.05"}, {-5, "EUR", "-0.05"}, {1500, "JPY", "1500"}, {1234567, "USD", "12345.67"}} {
		if got := PlainAmount(c.amount, c.cur); got != c.want {
			t.Errorf("PlainAmount(%d, %s) = %q, want %q", c.amount, c.cur, got, c.want)
		}
	}
	for _, c := range []struct {
		amount    int64
		cur, lang string
		want      string
	}{
		{1240, "EUR", "fr", "12,40\u00a0€"},
		{1240, "EUR", "en", "€12.40"},
		{14880, "EUR", "fr", "148,80\u00a0€"},
		{123456789, "EUR", "fr", "1\u00a0234\u00a0567,89\u00a0€"},
		{123456789, "EUR", "en", "€1,234,567.89"},
		{1500, "JPY", "en", "¥1,500"},
		{5, "USD", "en", "$0.05"},
		{-5, "GBP", "en", "-£0.05"},
	} {
		if got := FormatAmount(c.amount, c.cur, c.lang); got != c.want {
			t.Errorf("FormatAmount(%d, %s, %s) = %q, want %q", c.amount, c.cur, c.lang, got, c.want)
		}
	}
}

func TestPlanValidate(t *testing.T) {
	good := Plan{Period: PeriodMonthly, SeatPrice: 1500, Currency: "EUR", Anchor: Date{2026, 12, 1}, TimeZone: "Europe/Paris"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Plan{}).Validate(); err != nil {
		t.Fatalf("no plan: %v", err)
	}
	for _, bad := range []func(*Plan){
		func(p *Plan) { p.Period = "weekly" },
		func(p *Plan) { p.Currency = "EU" },
		func(p *Plan) { p.SeatPrice = -1 },
		func(p *Plan) { p.Anchor = Date{2026, 2, 30} },
		func(p *Plan) { p.Anchor = Date{} },
		func(p *Plan) { p.TimeZone = "Mars/Olympus" },
		func(p *Plan) { p.TimeZone = "" },
		func(p *Plan) { p.Period = PeriodNone },
	} {
		p := good
		bad(&p)
		var ie *InputError
		if err := p.Validate(); !errors.As(err, &ie) {
			t.Errorf("%+v: %v, want an input error", p, err)
		}
	}
	if DefaultTimeZone("fr") != "Europe/Paris" || DefaultTimeZone("ZZ") != "UTC" {
		t.Error("default time zones")
	}
}
