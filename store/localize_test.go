package store

import (
	"testing"

	"roster/i18n"
)

// The errors that reach an operator say themselves in French, and in
// English exactly as Error() does.
func TestErrorsInFrench(t *testing.T) {
	en, fr := i18n.For(i18n.English), i18n.For(i18n.French)
	for _, c := range []struct {
		err          error
		english, fre string
	}{
		{&InUseError{Path: "/srv/roster.db"},
			"/srv/roster.db is in use (roster serve, the dashboard or a command has it open): stop it, then restore",
			"la base /srv/roster.db est utilisée (roster serve, le tableau de bord ou une commande l'a ouverte) : arrêtez-le, puis restaurez"},
		{&ReadOnlyError{Path: "/srv/roster.db"},
			"/srv/roster.db cannot be written (a read-only file or file system, or another user's file): roster serve needs to write it",
			"la base /srv/roster.db ne peut pas être écrite (fichier ou système de fichiers en lecture seule, ou fichier d'un autre utilisateur) : roster serve doit pouvoir l'écrire"},
		{&IntegrityError{Problems: []string{"a", "b", "c", "d", "e"}},
			"integrity check failed: a; b; c; and 2 more",
			"échec de la vérification d'intégrité : a; b; c; et 2 de plus"},
		{&ExposedError{Paths: []string{"r.db", "r.db-wal"}},
			"r.db, r.db-wal can be read or written by other users: run chmod 600 r.db r.db-wal",
			"r.db, r.db-wal peut être lu ou écrit par d'autres utilisateurs du système : lancez chmod 600 r.db r.db-wal"},
		{&VersionError{Path: "old.db", Have: 3, Want: 23},
			"old.db has schema version 3, this roster 23: open it once with this roster (roster --db old.db users) to migrate it, then copy",
			"la base old.db est au schéma 3, ce roster au 23 : ouvrez-la une fois avec ce roster (roster --db old.db users) pour la migrer, puis copiez"},
		{ErrBackupPostgres,
			"back up PostgreSQL with pg_dump and restore with pg_restore; roster migrate --from postgres://… --to FILE makes a SQLite copy",
			"sauvegardez PostgreSQL avec pg_dump et restaurez avec pg_restore ; roster migrate --from postgres://… --to FICHIER en fait une copie SQLite"},
	} {
		if c.err.Error() != c.english || i18n.Error(en, c.err) != c.english {
			t.Errorf("%T in English: %q and %q, want %q", c.err, c.err.Error(), i18n.Error(en, c.err), c.english)
		}
		if got := i18n.Error(fr, c.err); got != c.fre {
			t.Errorf("%T in French:\n %q, want\n %q", c.err, got, c.fre)
		}
	}
}
