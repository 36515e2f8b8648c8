package tui

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"

	"roster/admin"
	"roster/i18n"
)

// jobs runs a screen's bulk acts (admin.ActOnUsers), one at a time: the
// pending invitations' resend and revoke, the Users screen's acts on a
// selection. Each runs under a context of its own, not bound to the
// screen's deadline (thousands of users take longer), which esc or ctrl+c
// cancels between two committed batches; its progress draws a bar, and its
// outcome lists the failures first.
type jobs struct {
	s    *session
	job  *job
	n    int // numbers the jobs, so that the messages of an ended one are dropped
	bar  progress.Model
	last []string // the failures of the last job, each with its reason
	// summary is what the last job did, said while its failures are
	// listed: a key that clears the status line left the list unexplained.
	summary string
}

// job is a batch at work.
type job struct {
	id          int
	batch       admin.UserBatch
	words       jobWords
	done, total int
	cancel      context.CancelFunc
	cancelled   bool
}

// jobWords name a job's act: what it is, while at work, and each row it did
// ("resend", "Resending", "sent").
type jobWords struct {
	what, doing string
	did         func(n int) string // said of n rows: "resent", in French agreed in number
}

type (
	jobProgressMsg struct {
		job, done, total int
		events           <-chan jobProgressMsg
	}
	jobDoneMsg struct {
		job      int
		outcomes []admin.Outcome
		err      error
	}
)

func newJobs(s *session) jobs {
	return jobs{s: s, bar: progress.New(progress.WithoutPercentage())}
}

// start runs b as a job. Its progress comes back through a channel that a
// command reads, one message at a time; nothing of the model is read from
// the job's goroutine.
func (j *jobs) start(b admin.UserBatch, w jobWords, total int) tea.Cmd {
	j.n++
	ctx, cancel := context.WithCancel(j.s.ctx)
	j.job = &job{id: j.n, batch: b, words: w, total: total, cancel: cancel}
	j.forget()
	id, svc, a := j.n, j.s.svc, j.s.actor
	events := make(chan jobProgressMsg, 1)
	run := func() tea.Msg {
		defer cancel()
		defer close(events)
		b.Progress = func(done, total int) {
			// Only the newest count matters: one the screen has not read
			// yet is replaced, so the job never waits for it.
			select {
			case <-events:
			default:
			}
			events <- jobProgressMsg{job: id, done: done, total: total}
		}
		out, err := svc.ActOnUsers(ctx, a, b)
		admin.FailuresFirst(out)
		return jobDoneMsg{job: id, outcomes: out, err: err}
	}
	return tea.Batch(run, listenJob(events))
}

// listenJob reads the next progress of a job; nothing once it has ended.
func listenJob(events <-chan jobProgressMsg) tea.Cmd {
	return func() tea.Msg {
		p, ok := <-events
		if !ok {
			return nil
		}
		p.events = events
		return p
	}
}

// progressed takes a job's progress; the messages of another job are dropped.
func (j *jobs) progressed(msg jobProgressMsg) tea.Cmd {
	if j.job == nil || msg.job != j.job.id {
		return nil
	}
	j.job.done, j.job.total = msg.done, msg.total
	return listenJob(msg.events)
}

// saving reports a job of one row at work: the act on the row under the
// cursor, over in an instant, as a save is. The keys typed behind it wait
// for its outcome (Model.typed), so that r j r resends two invitations as
// typed one at a time: the second r came while the first was at work, and
// was refused as a batch under way. A longer job does not hold the keys:
// esc cancels it, and the list can be read meanwhile.
func (j *jobs) saving() bool { return j.job != nil && j.job.total == 1 }

// ended reports whether msg ends the job at work.
func (j *jobs) ended(msg jobDoneMsg) bool { return j.job != nil && msg.job == j.job.id }

// askCancel is the question esc or ctrl+c asks while a job works.
func (j *jobs) askCancel() string {
	return j.s.p.T("Cancel the %s? %s of %s done; the batch under way finishes. y/n", j.job.words.what, j.s.count(j.job.done), j.s.count(j.job.total))
}

// forget puts away what the last job said: a new act begins.
func (j *jobs) forget() { j.last, j.summary = nil, "" }

// cancel stops the job at work after its batch under way.
func (j *jobs) cancel() {
	if j.job != nil {
		j.job.cancel()
		j.job.cancelled = true
	}
}

// finish ends the job and says what it did: the failures first, each with
// its reason (kept in last), then how many went through, how many were
// already as the act leaves them, and how many were not done. each is told
// the outcome of every row done or refused, for a screen that marks its
// rows.
func (j *jobs) finish(msg jobDoneMsg, each func(o admin.Outcome, e effect)) string {
	did := j.job.words.did
	j.job, j.last = nil, nil
	var ok, same, notDone int
	for _, o := range msg.outcomes {
		var nd *admin.NotDoneError
		if errors.As(o.Err, &nd) {
			notDone++
			continue
		}
		e := outcome(j.s.p, o.Err, did(1))
		switch {
		case o.Unchanged.Key != "":
			same++
			e.text = clean(o.Unchanged.In(j.s.p))
		case o.Err == nil:
			ok++
		default:
			// The address is said once: "raphael@…: failed: is already in
			// Achats", not again at the start of the reason.
			text := e.text
			if r := clean(i18n.Error(j.s.p, o.Err)); e.until.IsZero() && strings.HasPrefix(r, clean(o.Email)+" ") {
				text = j.s.p.T("failed: %s", strings.TrimPrefix(r, clean(o.Email)+" "))
			}
			j.last = append(j.last, clean(o.Email)+": "+text)
		}
		if each != nil {
			each(o, e)
		}
	}
	// "2 failed, 598 of 600 sent, 1,038 not done (cancelled)."
	p := j.s.p
	note := p.T("%s of %s %s", j.s.count(ok), j.s.count(len(msg.outcomes)), did(ok))
	if same > 0 {
		note = p.Agree(same, "%s, %s unchanged", note, j.s.count(same))
	}
	if len(j.last) > 0 {
		note = p.T("%s failed, %s", j.s.count(len(j.last)), note)
	}
	if notDone > 0 {
		why := p.T("cancelled")
		if !errors.Is(msg.err, context.Canceled) {
			why = strings.TrimSuffix(j.s.explain(msg.err), ".")
		}
		note = p.T("%s, %s not done (%s)", note, j.s.count(notDone), why)
	}
	j.summary = note + "."
	return j.summary
}

// status is the status line of a screen that runs jobs (Pending, Users): a
// question first, then the running job's progress, then err or note.
func (j *jobs) status(st Styles, width int, confirm *confirmation, err, note string) string {
	busy := ""
	if j.job != nil {
		busy = j.line(width)
	}
	if err == "" && note == "" && len(j.last) > 0 {
		note = j.summary
	}
	return st.status(width, confirm, j.job != nil, busy, err, note)
}

// line is the status line of the job at work: n of N and a bar.
func (j *jobs) line(width int) string {
	w := j.job
	j.bar.SetWidth(max(10, min(40, width/3)))
	p := j.s.p
	text := p.T("%s %s of %s", w.words.doing, j.s.count(w.done), j.s.count(w.total)) + " "
	tail := "  " + p.T("esc cancels")
	if w.cancelled {
		tail = "  " + p.T("cancelling after this batch…")
	}
	frac := 0.0
	if w.total > 0 {
		frac = float64(w.done) / float64(w.total)
	}
	return text + j.bar.ViewAs(frac) + tail
}

// lastLines is how many lines the last job's failures take at height.
func (j *jobs) lastLines(height int) int {
	if len(j.last) == 0 {
		return 0
	}
	return min(len(j.last), max(1, height/2-1)) + 1
}

// failures draws the last job's failures in n lines (lastLines), below the
// status line.
func (j *jobs) failures(n, width int) string {
	if n == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n")
	for i, l := range j.last[:n-1] {
		if i == n-2 && n-1 < len(j.last) {
			l = j.s.p.T("… and %s more failed", j.s.count(len(j.last)-i))
		}
		b.WriteString(j.s.styles.FieldErr.Render(cut("  "+l, width)))
		b.WriteString("\n")
	}
	return b.String()
}
