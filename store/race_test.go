//go:build race

package store

// raceEnabled: the race detector slows SQLite (pure Go) many times over.
const raceEnabled = true
