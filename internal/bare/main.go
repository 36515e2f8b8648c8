// Command bare is the baseline of roster's whole-process benchmarks
// (BenchmarkProcess, BenchmarkExportCSV): a Go program that opens the
// database read-only, runs the one query it is given and prints its rows,
// as JSON a line each, or with -csv as CSV under a header line. Nothing
// else roster does at start is here, so roster's time over bare's is what
// the rest costs.
//
//	bare [-csv] DB SQL [ARG...]
//
// An ARG that reads as an integer is bound as one, any other as text.
package main

import (
	"bufio"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"

	_ "modernc.org/sqlite"
)

func main() {
	args := os.Args[1:]
	asCSV := len(args) > 0 && args[0] == "-csv"
	if asCSV {
		args = args[1:]
	}
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bare [-csv] DB SQL [ARG...]")
		os.Exit(2)
	}
	if err := run(args[0], args[1], args[2:], asCSV); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run(path, query string, params []string, asCSV bool) error {
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
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	if asCSV {
		err = writeCSV(w, rows, cols)
	} else {
		err = writeJSON(w, rows, len(cols))
	}
	if err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return w.Flush()
}

func writeJSON(w *bufio.Writer, rows *sql.Rows, n int) error {
	v := make([]any, n)
	p := make([]any, n)
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
	return nil
}

func writeCSV(w *bufio.Writer, rows *sql.Rows, cols []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	rec := make([]string, len(cols))
	p := make([]any, len(cols))
	for i := range rec {
		p[i] = &rec[i]
	}
	for rows.Next() {
		if err := rows.Scan(p...); err != nil {
			return err
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
