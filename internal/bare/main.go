// Command bare is the baseline of roster's whole-process benchmarks
// (BenchmarkProcess): a Go program that opens the database read-only, runs
// the one query it is given and prints its rows as JSON, a line each.
// Nothing else roster does at start is here, so roster's time over bare's
// is what the rest costs.
//
//	bare DB SQL [ARG...]
//
// An ARG that reads as an integer is bound as one, any other as text.
package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"

	_ "modernc.org/sqlite"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: bare DB SQL [ARG...]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3:]); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run(path, query string, params []string) error {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	args := make([]any, len(params))
	for i, p := range params {
		if n, err := strconv.ParseInt(p, 10, 64); err == nil {
			args[i] = n
		} else {
			args[i] = p
		}
	}
	rows, err := db.Query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	v := make([]any, len(cols))
	p := make([]any, len(cols))
	for i := range v {
		p[i] = &v[i]
	}
	for rows.Next() {
		if err := rows.Scan(p...); err != nil {
			return err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		w.Write(b)
		w.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return w.Flush()
}
