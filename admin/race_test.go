//go:build race

package admin

// raceEnabled: the race detector slows SQLite (pure Go) many times over.
const raceEnabled = true
