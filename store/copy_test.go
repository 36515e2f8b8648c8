package store

import (
	"context"
	"slices"
	"testing"
)

// Copy's list holds every table of the schema, on either engine: a table a
// migration adds and the list misses would be left behind by roster
// migrate, its count never checked.
func TestCopyListsEveryTable(t *testing.T) {
	st := openTemp(t)
	query := "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
	if st.Postgres() {
		query = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'roster_schema' ORDER BY 1`
	}
	rows, err := st.rdb.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var have []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		have = append(have, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, c := range copyTables {
		listed = append(listed, c.name)
	}
	slices.Sort(listed)
	if !slices.Equal(have, listed) {
		t.Fatalf("the schema's tables:\n%v\nCopy's:\n%v", have, listed)
	}
}
