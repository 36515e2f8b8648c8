package admin

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"roster/store"
)

// argonRun is one argon2 computation, by its cost parameters.
type argonRun struct {
	time, memory uint32
	threads      uint8
}

// countArgon2 records the argon2 computations made until the test ends.
func countArgon2(t *testing.T) *[]argonRun {
	t.Helper()
	var runs []argonRun
	orig := argon2Key
	argon2Key = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		runs = append(runs, argonRun{time, memory, threads})
		return orig(password, salt, time, memory, threads, keyLen)
	}
	t.Cleanup(func() { argon2Key = orig })
	return &runs
}

// A login costs one argon2 verification whatever the address, so that its
// time says nothing of whether the address is unknown, invited, deactivated
// or without a password.
func TestLoginCostsTheSameForEveryAddress(t *testing.T) {
	f := newFixture(t)
	for _, email := range []string{"ann.active@example.com", "dan.deactivated@example.com"} {
		if _, err := f.svc.UseLink(f.ctx, "invite", f.invite(email, ""), password); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.Deactivate(f.ctx, f.owner, "dan.deactivated@example.com"); err != nil {
		t.Fatal(err)
	}
	f.invite("ivy.invited@example.com", "")
	f.addUser("nora.nopassword@example.com", "member", store.Active)

	runs := countArgon2(t)
	for _, c := range []struct {
		name, email, password string
		ok                    bool
	}{
		{"unknown address", "nobody@example.com", password, false},
		{"not an address", "  ", password, false},
		{"invited", "ivy.invited@example.com", password, false},
		{"deactivated, right password", "dan.deactivated@example.com", password, false},
		{"no password", "nora.nopassword@example.com", password, false},
		{"wrong password", "ann.active@example.com", "wrong password!", false},
		{"right password", "ann.active@example.com", password, true},
	} {
		*runs = nil
		_, err := f.svc.Login(f.ctx, c.email, c.password)
		if c.ok && err != nil || !c.ok && !errors.Is(err, ErrBadLogin) {
			t.Errorf("%s: %v", c.name, err)
		}
		if want := (argonRun{argonTime, argonMemory, argonThreads}); len(*runs) != 1 || (*runs)[0] != want {
			t.Errorf("%s: argon2 computations %v, want one %v", c.name, *runs, want)
		}
	}
}

// The gate runs n at once, lets queued more wait, turns the next away at
// once with ErrBusy, and lets a waiter whose request ended leave the queue.
func TestPasswordGateBoundsTheWork(t *testing.T) {
	g := newGate(2, 3)
	ctx := context.Background()
	release := make(chan struct{})
	var running atomic.Int32
	var wg sync.WaitGroup
	for range 5 {
		leave, err := g.enter()
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			defer leave()
			g.run(ctx, func() {
				if running.Add(1) > 2 {
					t.Error("more than 2 ran at once")
				}
				<-release
				running.Add(-1)
			})
		})
	}
	if _, err := g.enter(); !errors.Is(err, ErrBusy) {
		t.Fatalf("a sixth admitted past 2 running and 3 waiting: %v", err)
	}
	for running.Load() < 2 { // the other 3 wait
		time.Sleep(time.Millisecond)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.run(gone, func() { t.Error("ran after its request ended") }); !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting with an ended request: %v", err)
	}
	close(release)
	wg.Wait()
	leave, err := g.enter()
	if err != nil {
		t.Fatalf("after the queue drained: %v", err)
	}
	leave()
}
