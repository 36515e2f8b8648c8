package main

import (
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ctrl+c at a bulk act's question ([y/N]) ends the command, changing
// nothing, as it ends any other: the interrupt was taken for the command's
// context alone, which the question did not watch, so that the operator
// who meant to stop was left at the question, one y away from the act.
func TestInterruptAtTheQuestionEndsTheCommand(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test")
	e.cli("invite", "ann@acme.test", "bob@acme.test")
	before := e.cli("users", "--json") + e.cli("audit", "--json")

	cmd := exec.Command(e.bin, "--db", e.db, "deactivate", "ann@acme.test", "bob@acme.test")
	cmd.Env = e.env
	term, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer term.Close()
	var mu sync.Mutex
	var shown strings.Builder
	go func() {
		b := make([]byte, 1024)
		for {
			n, err := term.Read(b)
			mu.Lock()
			shown.Write(b[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	screen := func() string { mu.Lock(); defer mu.Unlock(); return shown.String() }
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(screen(), "[y/N]"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no question after 10 s: %q", screen())
		}
	}
	term.Write([]byte{3}) // ctrl+c: the terminal sends SIGINT
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if cmd.ProcessState.ExitCode() == 0 {
			t.Fatalf("interrupted at the question, it exited 0 (%v): %q", err, screen())
		}
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("ctrl+c at the question: still waiting 5 s later: %q", screen())
	}
	// What it wrote last may still be on its way through the terminal.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(screen(), "nothing changed"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("interrupted at the question, it said %q, want that nothing changed", screen())
			break
		}
	}
	if after := e.cli("users", "--json") + e.cli("audit", "--json"); after != before {
		t.Fatalf("interrupted at the question, something changed")
	}
}

// ctrl+c while roster reads standard input on a terminal (invite --csv -,
// keys add EMAIL -, typed or pasted) ends the command, changing nothing:
// the read did not watch the interrupt, so that only ctrl+d ended it, and
// then did what was typed so far.
func TestInterruptWhileReadingTheTerminalEndsTheCommand(t *testing.T) {
	need(t)
	e := newE2E(t)
	e.cli("init", "--org", "Acme", "--owner", "boss@acme.test")
	before := e.cli("users", "--json") + e.cli("audit", "--json") + e.cli("keys", "--json")
	for _, args := range [][]string{{"invite", "--csv", "-"}, {"keys", "add", "boss@acme.test", "-"}} {
		cmd := exec.Command(e.bin, append([]string{"--db", e.db}, args...)...)
		cmd.Env = e.env
		term, err := pty.Start(cmd)
		if err != nil {
			t.Skipf("no pseudo-terminal: %v", err)
		}
		var mu sync.Mutex
		var shown strings.Builder
		go func() {
			b := make([]byte, 1024)
			for {
				n, err := term.Read(b)
				mu.Lock()
				shown.Write(b[:n])
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
		screen := func() string { mu.Lock(); defer mu.Unlock(); return shown.String() }
		// A line typed (echoed, so read by then), then ctrl+c.
		if args[0] == "invite" {
			term.Write([]byte("email\r"))
		} else {
			term.Write([]byte("ssh-ed25519 AAAA\r"))
		}
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(screen(), "\n"); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("roster %s: nothing echoed after 10 s: %q", strings.Join(args, " "), screen())
			}
		}
		time.Sleep(100 * time.Millisecond) // reading
		term.Write([]byte{3})
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case <-exited:
			if cmd.ProcessState.ExitCode() == 0 {
				t.Errorf("roster %s: interrupted, it exited 0: %q", strings.Join(args, " "), screen())
			}
			// What it wrote last may still be on its way through the terminal.
			for deadline := time.Now().Add(5 * time.Second); !strings.Contains(screen(), "^C\r\nroster: interrupted: nothing changed"); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Errorf("roster %s: interrupted, it said %q", strings.Join(args, " "), screen())
					break
				}
			}
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("roster %s: ctrl+c while it read the terminal: still reading 5 s later: %q", strings.Join(args, " "), screen())
		}
		term.Close()
	}
	if after := e.cli("users", "--json") + e.cli("audit", "--json") + e.cli("keys", "--json"); after != before {
		t.Fatalf("interrupted while reading, something changed")
	}
}
