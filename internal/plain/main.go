// Command plain is the floor of roster's whole-process invitation
// benchmark (BenchmarkInviteCSV): a Go program that reads a CSV file of
// people (export --csv's header) and writes them into the database with
// plain single-row INSERTs in one transaction, nothing checked or read
// (benchdb.PlainInvites): each person's user, invitation mail and audit
// row, or with -all every row an invitation writes. Nothing else roster
// does is here, so roster's time over plain's is what the rest costs.
//
//	plain [-all] DB CSV
package main

import (
	"encoding/csv"
	"fmt"
	"os"

	"roster/admin"
	"roster/internal/benchdb"
)

func main() {
	args := os.Args[1:]
	all := len(args) > 0 && args[0] == "-all"
	if all {
		args = args[1:]
	}
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: plain [-all] DB CSV")
		os.Exit(2)
	}
	if err := run(args[0], args[1], all); err != nil {
		fmt.Fprintln(os.Stderr, "plain:", err)
		os.Exit(1)
	}
}

func run(db, file string, all bool) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return err
	}
	if len(records) == 0 {
		return fmt.Errorf("%s: no header", file)
	}
	col := map[string]int{}
	for i, name := range records[0] {
		col[name] = i
	}
	for _, name := range []string{"email", "first_name", "last_name", "phone", "role", "team", "position", "reference_id", "locale"} {
		if _, ok := col[name]; !ok {
			return fmt.Errorf("%s: no %s column", file, name)
		}
	}
	rows := make([]admin.NewUser, len(records)-1)
	for i, r := range records[1:] {
		rows[i] = admin.NewUser{Email: r[col["email"]], FirstName: r[col["first_name"]], LastName: r[col["last_name"]],
			Phone: r[col["phone"]], Role: r[col["role"]], Teams: []string{r[col["team"]]}, Position: r[col["position"]],
			ReferenceID: r[col["reference_id"]], Locale: r[col["locale"]]}
	}
	_, err = benchdb.PlainInvites(db, rows, len(rows), all)
	return err
}
