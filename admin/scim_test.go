package admin

import (
	"context"
	"errors"
	"testing"

	"roster/store"
)

// What an identity provider knows a user by, and a team's version, on
// either engine: a userName is found whatever its case, is unique among
// the userNames given and the addresses standing for those not given, and
// a user it gave none is found by their address; a team's version changes
// with its members and its name, and a change at another version is
// refused, changing nothing.
func TestProvisionedUserNamesAndTeamVersions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.addUser("ada@example.com", "member", store.Active)
	jean, err := f.svc.ProvisionUser(ctx, f.owner, NewUser{Email: "jean.dupont@example.com"}, store.SCIMIDs{UserName: "JDupont@example.onmicrosoft.com"}, true)
	if err != nil {
		t.Fatal(err)
	}
	find := func(name string) []int64 {
		t.Helper()
		p, err := f.svc.ProvisionedUsers(ctx, f.owner, ProvisionedQuery{UserName: name, Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, u := range p.Users {
			out = append(out, u.ID)
		}
		return out
	}
	if got := find("jdupont@EXAMPLE.onmicrosoft.com"); len(got) != 1 || got[0] != jean.ID {
		t.Errorf("by userName: %v, want %d", got, jean.ID)
	}
	if got := find("jean.dupont@example.com"); len(got) != 0 {
		t.Errorf("by jean's address, not his userName: %v", got)
	}
	if got := find("ADA@example.com"); len(got) != 1 || got[0] != f.user("ada@example.com").ID {
		t.Errorf("ada, given no userName, by her address: %v", got)
	}
	for _, name := range []string{"jdupont@example.onmicrosoft.com", "Ada@example.com"} {
		var in *InputError
		_, err := f.svc.ProvisionUser(ctx, f.owner, NewUser{Email: "other@example.com"}, store.SCIMIDs{UserName: name}, true)
		if !errors.As(err, &in) || !in.Taken || f.exists("other@example.com") {
			t.Errorf("userName %s, taken: %v", name, err)
		}
	}

	team, err := f.svc.ProvisionTeam(ctx, f.owner, "Support", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	added, err := f.svc.ChangeTeam(ctx, f.owner, team.ID, team.Version, []TeamChange{{Act: TeamAddMembers, Users: []int64{jean.ID}}})
	if err != nil || added.Version == team.Version {
		t.Fatalf("a member added: %v, version %s (was %s)", err, added.Version, team.Version)
	}
	before := f.snapshot()
	var conflict *ConflictError
	if _, err := f.svc.ChangeTeam(ctx, f.owner, team.ID, team.Version, []TeamChange{{Act: TeamRename, Name: "Desk"}}); !errors.As(err, &conflict) || conflict.Team != "Support" {
		t.Errorf("a rename at the version before: %v", err)
	}
	if err := f.svc.RemoveProvisionedTeam(ctx, f.owner, team.ID, team.Version); !errors.As(err, &conflict) {
		t.Errorf("a removal at the version before: %v", err)
	}
	f.unchanged(before)
	renamed, err := f.svc.ChangeTeam(ctx, f.owner, team.ID, added.Version, []TeamChange{{Act: TeamRename, Name: "Desk"}})
	if err != nil || renamed.Version == added.Version {
		t.Fatalf("renamed: %v, version %s (was %s)", err, renamed.Version, added.Version)
	}
	if read, err := f.svc.TeamByID(ctx, f.owner, team.ID); err != nil || read.Version != renamed.Version {
		t.Errorf("read again: %v, version %s, want %s", err, read.Version, renamed.Version)
	}
	if err := f.svc.RemoveProvisionedTeam(ctx, f.owner, team.ID, renamed.Version); err != nil {
		t.Fatal(err)
	}
}
