//go:build race

package admin

// raceEnabled: the race detector slows SQLite (pure Go) about forty times.
const raceEnabled = true
