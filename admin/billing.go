package admin

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"roster/i18n"
)

// Seed 001: on a paid plan a person is billed once they accept the
// invitation and join, prorated to the point of the billing cycle at which
// they join; the role does not change the price. These are the rules of the
// cycles and of the amounts, with no store: the ledger is written from them.

// Period is how long a billing cycle lasts.
type Period string

// The periods a plan may have. The empty period is no plan: nothing is billed.
const (
	PeriodNone    Period = ""
	PeriodMonthly Period = "monthly"
	PeriodYearly  Period = "yearly"
)

// Date is a day of the calendar, without a time or a place: a plan's anchor.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDay reads a date written 2026-12-01.
func ParseDay(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, inputErr("date", "%q: write it as 2026-12-01", s)
	}
	return DateOf(t), nil
}

// DateOf is the day t falls on, in t's location.
func DateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// MarshalText writes d as 2026-12-01, or nothing for the zero Date.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, nil
	}
	return []byte(d.String()), nil
}

// IsZero reports whether d is the zero Date (no anchor).
func (d Date) IsZero() bool { return d == Date{} }

// Plan is what the account pays for each seat. The zero Plan bills nothing.
type Plan struct {
	Period    Period `json:"period"`
	SeatPrice int64  `json:"seat_price"` // in the currency's minor unit (cents for EUR, yen for JPY)
	Currency  string `json:"currency"`   // ISO 4217
	Anchor    Date   `json:"anchor"`     // cycles start on its day of the month (monthly) or its date (yearly)
	TimeZone  string `json:"time_zone"`  // IANA name: cycles start at midnight there
}

// Billed reports whether the plan bills anything.
func (p Plan) Billed() bool { return p.Period != PeriodNone }

// Cycle is one billing period, from Start (included) to End (excluded).
type Cycle struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Contains reports whether t falls in the cycle.
func (c Cycle) Contains(t time.Time) bool { return !t.Before(c.Start) && t.Before(c.End) }

// CycleAt is the cycle that contains t. Monthly cycles start at midnight on
// the anchor's day of the month, or on the month's last day when it has
// fewer days (anchor 31: 28 or 29 February, 30 April); yearly cycles on the
// anchor's date (29 February: 28 February in other years). The cycles run
// before the anchor as after it. The plan must be billed and valid.
func (p Plan) CycleAt(t time.Time) Cycle {
	loc := p.location()
	lt := t.In(loc)
	n := lt.Year() - p.Anchor.Year
	if p.Period == PeriodMonthly {
		n = n*12 + int(lt.Month()-p.Anchor.Month)
	}
	for p.cycleStart(n, loc).After(t) {
		n--
	}
	for !p.cycleStart(n+1, loc).After(t) {
		n++
	}
	return Cycle{p.cycleStart(n, loc), p.cycleStart(n+1, loc)}
}

// cycleStart is the start of the nth cycle from the one the anchor starts.
func (p Plan) cycleStart(n int, loc *time.Location) time.Time {
	y, m := p.Anchor.Year+n, p.Anchor.Month
	if p.Period == PeriodMonthly {
		months := p.Anchor.Year*12 + int(p.Anchor.Month-1) + n
		y, m = floorDiv(months, 12), time.Month(months-floorDiv(months, 12)*12+1)
	}
	return time.Date(y, m, min(p.Anchor.Day, daysIn(y, m)), 0, 0, 0, 0, loc)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// daysIn is the number of days of month m of year y.
func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// location is the plan's time zone; Validate has checked that it loads.
func (p Plan) location() *time.Location {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Prorated is what a seat started at t costs for the rest of cycle c:
// price × (end − t) / (end − start), the times in whole seconds, computed
// exactly and rounded half up to the minor unit once. A seat started at the
// cycle's first second pays the whole price.
func Prorated(price int64, c Cycle, t time.Time) int64 {
	left, whole := c.End.Unix()-t.Unix(), c.End.Unix()-c.Start.Unix()
	if left >= whole {
		return price
	}
	if left <= 0 || whole <= 0 {
		return 0
	}
	// floor((2 × price × left + whole) / (2 × whole)): half up, in integers,
	// with no overflow whatever the price.
	num := new(big.Int).Mul(big.NewInt(price), big.NewInt(2*left))
	num.Add(num, big.NewInt(whole))
	return num.Quo(num, big.NewInt(2*whole)).Int64()
}

// SeatCharge is what a seat costs under p at t, for the rest of p's cycle
// containing t: the charge of a seat started then (an invitation accepted,
// a user reactivated, billing started) and of a seat renewed then (the full
// price at a cycle start, prorated at a change to a plan whose cycles start
// elsewhere). Every charge and every estimate of one is this.
func (p Plan) SeatCharge(t time.Time) int64 { return Prorated(p.SeatPrice, p.CycleAt(t), t) }

// DefaultTimeZone is the time zone an account in country (ISO 3166 alpha-2)
// bills in when its plan names none: the country's main zone, or UTC.
func DefaultTimeZone(country string) string {
	if tz, ok := countryZones[strings.ToUpper(country)]; ok {
		return tz
	}
	return "UTC"
}

// countryZones holds the countries of the seeds' users and their neighbours;
// an account elsewhere names its zone with --timezone.
var countryZones = map[string]string{
	"FR": "Europe/Paris", "BE": "Europe/Brussels", "CH": "Europe/Zurich", "LU": "Europe/Luxembourg",
	"MC": "Europe/Monaco", "DE": "Europe/Berlin", "ES": "Europe/Madrid", "IT": "Europe/Rome",
	"NL": "Europe/Amsterdam", "PT": "Europe/Lisbon", "GB": "Europe/London", "IE": "Europe/Dublin",
	"MA": "Africa/Casablanca", "TN": "Africa/Tunis", "DZ": "Africa/Algiers", "SN": "Africa/Dakar",
	"CI": "Africa/Abidjan", "RE": "Indian/Reunion", "GP": "America/Guadeloupe", "MQ": "America/Martinique",
	"CA": "America/Toronto", "US": "America/New_York", "JP": "Asia/Tokyo",
}

// DefaultPlan is the plan the forms start from on an account in country
// (ISO 3166 alpha-2) with no plan yet: monthly, in the country's currency
// (euros when it has none known) and time zone, cycles from today there.
func DefaultPlan(country string, now time.Time) Plan {
	p := Plan{Period: PeriodMonthly, Currency: "EUR", TimeZone: DefaultTimeZone(country)}
	if r, err := language.ParseRegion(country); err == nil {
		if u, ok := currency.FromRegion(r); ok {
			p.Currency = u.String()
		}
	}
	p.Anchor = DateOf(now.In(p.location()))
	return p
}

// CurrencyDigits is the number of digits of currency code's minor unit (EUR
// 2, JPY 0), from the ISO 4217 tables of golang.org/x/text.
func CurrencyDigits(code string) (int, error) {
	u, err := currency.ParseISO(code)
	if err != nil || len(code) != 3 {
		return 0, inputErr("currency", "%q is not an ISO 4217 currency code (EUR, USD, JPY…)", code)
	}
	digits, _ := currency.Standard.Rounding(u)
	return digits, nil
}

// ParseAmount reads an amount as operators type it (15, 15.00, 15,5) into
// the currency's minor unit. More decimals than the currency has are
// refused rather than rounded.
func ParseAmount(s, code string) (int64, error) {
	digits, err := CurrencyDigits(code)
	if err != nil {
		return 0, err
	}
	s = strings.TrimSpace(s)
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	bad := func(why string) (int64, error) {
		return 0, inputErr("price", "%q: %s", s, i18n.Msg(why))
	}
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || hasFrac && frac == "" {
		return bad("write it as digits, such as 15.00")
	}
	if len(frac) > digits {
		if digits == 0 {
			return bad(code + " has no decimals")
		}
		return bad(fmt.Sprintf("%s has %d decimals", code, digits))
	}
	frac += strings.Repeat("0", digits-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > maxSeatPrice {
		return bad("too large")
	}
	return n, nil
}

// maxSeatPrice bounds a seat's price, in minor units, so that the sums of a
// statement cannot overflow.
const maxSeatPrice = 1_000_000_000_00

// FormatAmount writes an amount in minor units for a reader of lang ("fr" or
// "en"): 12,40 € in French, €12.40 in English, with the currency's decimals.
func FormatAmount(amount int64, code, lang string) string {
	digits, err := CurrencyDigits(code)
	if err != nil {
		return fmt.Sprintf("%d %s", amount, code)
	}
	tag := language.English
	if lang == "fr" {
		tag = language.French
	}
	p := message.NewPrinter(tag)
	u, _ := currency.ParseISO(code)
	sym := p.Sprint(currency.NarrowSymbol(u))
	neg := amount < 0
	if neg {
		amount = -amount
	}
	// The whole part as an integer and the decimals written out, so that no
	// float rounds the amount.
	whole, frac := splitAmount(amount, digits)
	num := p.Sprint(number.Decimal(whole))
	if digits > 0 {
		sep := "."
		if tag == language.French {
			sep = ","
		}
		num += sep + frac
	}
	out := sym + num
	if tag == language.French {
		out = num + "\u00a0" + sym
	}
	if neg {
		out = "-" + out
	}
	return out
}

// PlainAmount writes an amount in minor units as a plain decimal number
// (15.00, -0.05; 1500 in yen), for CSV and spreadsheets.
func PlainAmount(amount int64, code string) string {
	digits, err := CurrencyDigits(code)
	if err != nil {
		digits = 0
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	whole, frac := splitAmount(amount, digits)
	if digits == 0 {
		return sign + strconv.FormatInt(whole, 10)
	}
	return sign + strconv.FormatInt(whole, 10) + "." + frac
}

// splitAmount splits a positive amount in minor units into its whole units
// and its decimals, written out with digits digits.
func splitAmount(amount int64, digits int) (int64, string) {
	scale := int64(1)
	for range digits {
		scale *= 10
	}
	return amount / scale, fmt.Sprintf("%0*d", digits, amount%scale)
}

// Validate checks a plan as an operator sets it; the zero Plan (none) is
// valid.
func (p Plan) Validate() error {
	switch p.Period {
	case PeriodNone:
		if p != (Plan{}) {
			return inputErr("plan", "a plan without a period bills nothing: give --period monthly or yearly, or --none alone")
		}
		return nil
	case PeriodMonthly, PeriodYearly:
	default:
		return inputErr("period", "%q: monthly or yearly", p.Period)
	}
	if _, err := CurrencyDigits(p.Currency); err != nil {
		return err
	}
	if p.SeatPrice < 0 || p.SeatPrice > maxSeatPrice {
		return inputErr("price", "must be between 0 and 1,000,000,000")
	}
	if p.Anchor.IsZero() || DateOf(time.Date(p.Anchor.Year, p.Anchor.Month, p.Anchor.Day, 0, 0, 0, 0, time.UTC)) != p.Anchor {
		return inputErr("anchor", "%s is not a date", p.Anchor)
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "" || p.TimeZone == "Local" {
		return inputErr("timezone", "%q is not a time zone name such as Europe/Paris", p.TimeZone)
	}
	return nil
}
