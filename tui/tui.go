// Package tui is roster's dashboard: Bubble Tea screens over the rules in
// admin/. The screens hold no SQL and no rules; every read and write is an
// admin call made in a tea.Cmd. One Model serves one session, local or SSH.
package tui

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"roster/admin"
	"roster/i18n"
)

// Options are what one session of the dashboard runs with.
type Options struct {
	Service *admin.Service
	// Operator is who acts. "" means the account's only owner; on a database
	// without an account, the dashboard first asks for the organisation's name
	// and its owner, and calls admin.Service.Init.
	Operator string
	// Key is the fingerprint of the SSH key the operator signed in with
	// (admin.Actor.Key), over SSH.
	Key string
	// Channel is recorded in the audit trail: admin.ChannelTUI (the default)
	// or admin.ChannelSSH.
	Channel string
	// Width and Height are the window's size when known before the first
	// resize message (SSH gives it with the pty request).
	Width, Height int
	// PollInterval is how often the screens look for changes made by other
	// processes and sessions (PRAGMA data_version). Default 500 ms.
	PollInterval time.Duration
	// Ready, when set, is called once, from a command, when the first
	// screen has read its rows (or the first-run setup shows): what runs
	// beside the dashboard starts then, so that the first frame waits for
	// nothing else. It returns where the links in mail lead (who serves
	// them), for the Mail screen to show over an opened message ("" shows
	// nothing); its error is shown as the session's problem.
	Ready func() (links string, err error)
	// Lang is the session's language, as the caller chose it (i18n.Choose:
	// --lang or ROSTER_LANG, the operator's stored locale, the terminal's
	// environment); English when empty. L switches it for the session.
	Lang i18n.Lang
	// Working, when set, is kept true while a screen has an act at work (a
	// bulk act's batches, Pending's): roster serve's idle timeout ends no
	// dashboard while its act runs, as nobody need type meanwhile.
	Working *atomic.Bool
}

// Run opens the dashboard on the process's terminal and returns when the
// operator quits or ctx ends. open prepares the session (the store, the
// operator, what runs beside the dashboard) while the program takes the
// terminal: the renderer draws on a tick that starts with the program, and
// a frame waits for the next tick, so opening before the program started
// added its time to the first frame's wait. When open fails, Run returns
// its error once the terminal is restored. Run returns after open has.
func Run(ctx context.Context, open func(context.Context) (Options, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // also closes the session's data_version connection
	go warmWidths()
	o := &opening{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		opts, err := open(ctx)
		if err != nil {
			o.opened.err = err
			return
		}
		o.opened.m = New(ctx, opts)
	}()
	// At the default 60 fps a frame waits up to 17 ms for the renderer's
	// tick, the first one included; roster serve's sessions draw at 120.
	_, err := tea.NewProgram(o, tea.WithContext(ctx), tea.WithFPS(frameRate)).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil
	}
	cancel()
	<-o.done
	return errors.Join(err, o.err)
}

// warmWidths builds, in the caller's stead, what the renderer first needs
// to measure a cell past U+02FF ("…", "▸", "─"): unless the terminal says
// it measures graphemes (mode 2027), the renderer measures cells with
// wcwidth, whose 2 MB table is built the first time one is measured. The
// first frame's drawing paid it, a millisecond of the 2 or 3 the drawing
// of a full Users screen took; built while the database opens, it is ready.
func warmWidths() { ansi.StringWidthWc("…") }

// opening is the program's model until Run's open returns: it draws nothing
// and keeps the messages that come meanwhile (the window's size, the
// colours, keys typed), which the dashboard then gets in order.
type opening struct {
	done   chan struct{} // closed when open has returned and opened is set
	opened openedMsg
	held   []tea.Msg
	err    error // open's, once the program has it
}

type openedMsg struct {
	m   tea.Model
	err error
}

func (o *opening) Init() tea.Cmd {
	done, opened := o.done, &o.opened
	return func() tea.Msg {
		<-done
		return *opened
	}
}

func (o *opening) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case openedMsg:
		if msg.err != nil {
			o.err = msg.err
			return o, tea.Quit
		}
		m, cmds := msg.m, []tea.Cmd{msg.m.Init()}
		for _, h := range o.held {
			var cmd tea.Cmd
			m, cmd = m.Update(h)
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	case tea.KeyPressMsg:
		if key.Matches(msg, newGlobalKeys(i18n.For(i18n.English)).ForceQuit) {
			return o, tea.Quit
		}
	}
	o.held = append(o.held, msg)
	return o, nil
}

func (o *opening) View() tea.View { return tea.View{} }

// New returns the dashboard's model for one session, for a program the
// caller runs (roster serve runs one per SSH session). Its commands end when
// ctx ends; end ctx when the session does.
func New(ctx context.Context, opts Options) tea.Model {
	if opts.Channel == "" {
		opts.Channel = admin.ChannelTUI
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 500 * time.Millisecond
	}
	s := &session{
		ctx:     ctx,
		svc:     opts.Service,
		actor:   admin.Actor{Email: opts.Operator, Channel: opts.Channel, Key: opts.Key},
		styles:  DefaultStyles(true),
		p:       i18n.For(opts.Lang),
		timeout: 15 * time.Second,
	}
	m := &Model{s: s, width: opts.Width, height: opts.Height, poll: opts.PollInterval, keys: newGlobalKeys(s.p), dark: true,
		onReady: opts.Ready, working: opts.Working}
	m.help = help.New()
	m.help.Styles = s.styles.Help
	if opts.Operator != "" {
		m.build()
		m.first = m.start()
	}
	return m
}

// frameRate is the frames per second the dashboard draws at.
const frameRate = 120

// firstRowsWait is how long the first frame waits for the first screen's
// rows: a slow read (a cold disk, a write holding the database) shows the
// dashboard reading them.
const firstRowsWait = 100 * time.Millisecond

// afterFrame runs cmd two frames from now: what the first frame does not
// need waits for it to be drawn, rather than take the processor from it.
// The renderer's next tick comes within a frame, and drawing a full screen
// takes up to another: waiting one frame, the reads it put off (the
// counts, the teams, the operator, the mail worker's first pass, each on a
// connection of its own that reads the whole schema first) often ran
// while the first frame was being drawn, and delayed it.
func afterFrame(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return tea.Tick(2*time.Second/frameRate, func(time.Time) tea.Msg { return cmd() })
}

// early runs cmd now, in a goroutine of its own, and returns the command
// that waits for its message.
func early(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	msg := make(chan tea.Msg, 1)
	go func() { msg <- cmd() }()
	return func() tea.Msg { return <-msg }
}

type screenID int

// The screens, in the order of their tabs and number keys.
const (
	usersScreen screenID = iota
	inviteScreen
	pendingScreen
	permsScreen
	awayScreen
	deleteScreen
	mailScreen
	auditScreen
	billingScreen
	numScreens
)

// screenNames are the screens' names on the tabs, message keys.
var screenNames = [numScreens]string{"Users", "Invite", "Pending", "Permissions", "Away", "Delete", "Mail", "Audit", "Billing"}

// shortNames are the tabs' names where the full ones do not fit (80
// columns), in each language: a matter of layout, like a column's width,
// so they are here rather than in the catalogues (whose keys would have to
// be the English words, the same as the full names but for Perms). The
// French bar is exactly 80 columns wide.
var shortNames = map[i18n.Lang][numScreens]string{
	i18n.English: {"Users", "Invite", "Pending", "Perms", "Away", "Delete", "Mail", "Audit", "Billing"},
	i18n.French:  {"Utilis.", "Inviter", "Attente", "Perms", "Abs.", "Suppr.", "Courr.", "Journal", "Fact."},
}

// Screen is one tab of the dashboard.
type Screen interface {
	Init() tea.Cmd
	Update(tea.Msg) (Screen, tea.Cmd)
	View() string
	SetSize(width, height int)
	help.KeyMap
	// Capturing reports that a text field has the keyboard: the global keys
	// (q, ?, digits, tab) go to it.
	Capturing() bool
	// Dirty reports unsaved changes: quitting asks first.
	Dirty() bool
}

// reader is a screen whose list can be on its way: while Reading, keys wait
// for it, so that a key acts on the rows the operator will see once every
// earlier key has taken effect (/hugo enter x asks about Hugo).
type reader interface {
	Reading() bool
}

// saver is a screen that can be saving a change: keys wait for its outcome
// even while a field has the keyboard, since the outcome may clear the form
// or move the rows they would act on. They were dropped.
type saver interface {
	Saving() bool
}

// leaver is a screen whose list, read again, can lose the row under its
// cursor (another operator revoked the invitation): gone names it, until
// the next key or reading, "" otherwise.
type leaver interface {
	gone() string
}

// Model is the dashboard: a router between the screens, with the header,
// the tabs, the footer and the watch for changes in the database.
type Model struct {
	s       *session
	screens []Screen
	active  screenID
	started [numScreens]bool // Init was called
	stale   [numScreens]bool // the data changed while the screen was hidden

	setup   *setupScreen // first-run setup, before the screens exist
	account string
	err     string // a problem with the whole session
	width   int
	height  int

	help        help.Model
	keys        globalKeys
	confirmQuit bool
	quitAsk     string            // the question confirmQuit asks
	refused     string            // why the last key did nothing (L), until the next key
	held        []tea.KeyPressMsg // keys waiting for the rows the screen reads

	poll    time.Duration
	watch   *admin.Watch
	version int64

	onReady func() (string, error) // Options.Ready, until called
	working *atomic.Bool           // Options.Working
	first   tea.Cmd                // start, begun by New
	rest    tea.Cmd                // what start runs once the first screen has its rows
	// blank keeps the frame empty until the Users screen's first page is
	// in, or for firstRowsWait at most: the renderer draws a frame on its
	// tick, and drawing the frame without the rows took the processor from
	// the read and put the rows off to a later tick.
	blank bool

	top topLines // the header and the tabs, drawn again only when they change
	// buf is where frames are drawn, kept from one to the next; each frame is
	// a copy of it, of the exact size: the renderer's cells are parts of the
	// frame they were drawn from, so a frame stays in memory while any of its
	// cells is on screen (the header's, as long as it does not change).
	buf bytes.Buffer

	// dark and plain are what the terminal said of itself: a dark
	// background (until it says otherwise, as most are), no colour.
	dark, plain bool
}

// topLines keeps the header and the tab bar with what they were drawn for:
// they change on a resize or a screen switch, not on every key.
type topLines struct {
	width          int
	active         screenID
	account, op    string
	header, tabbar string
	keys           []footerKey // the footer's keys, and their line drawn at footerWidth
	footer         string
	footerWidth    int
}

// Messages of the router.
type (
	bootMsg struct {
		operator string
		setup    bool
		err      error
	}
	accountMsg struct {
		name string
		err  error
	}
	connMsg struct {
		watch *admin.Watch
		err   error
	}
	pollMsg  struct{}
	showMsg  struct{} // firstRowsWait has passed
	readyMsg struct {
		links string
		err   error
	}
	versionMsg struct {
		v   int64
		err error
	}
)

// build makes the screens once the operator is known.
func (m *Model) build() {
	m.screens = make([]Screen, numScreens)
	for i, mk := range screenMakers {
		m.screens[i] = mk(m.s)
	}
	m.layout()
}

// screenMakers build each screen for a session.
var screenMakers = [numScreens]func(*session) Screen{
	usersScreen:   func(s *session) Screen { return newUsers(s) },
	inviteScreen:  func(s *session) Screen { return newInvite(s) },
	pendingScreen: func(s *session) Screen { return newPending(s) },
	permsScreen:   func(s *session) Screen { return newPerms(s) },
	awayScreen:    func(s *session) Screen { return newAway(s) },
	deleteScreen:  func(s *session) Screen { return newDelete(s) },
	mailScreen:    func(s *session) Screen { return newMail(s) },
	auditScreen:   func(s *session) Screen { return newAudit(s) },
	billingScreen: func(s *session) Screen { return newBilling(s) },
}

// relanger is a screen that puts its words in the session's new language
// itself, keeping its place (its rows, cursor, filters and selection); the
// command reads what it must again. The screens that are not are built
// again in the new language.
type relanger interface{ relang() tea.Cmd }

// Init starts the session: who acts, the first screen, the change watch; and
// asks the terminal for its background, for the styles.
func (m *Model) Init() tea.Cmd {
	if m.screens == nil {
		svc := m.s.svc
		return tea.Batch(tea.RequestBackgroundColor, m.s.do(func(ctx context.Context) tea.Msg {
			if _, err := svc.Account(ctx); errors.Is(err, admin.ErrNoAccount) {
				return bootMsg{setup: true}
			} else if err != nil {
				return bootMsg{err: err}
			}
			op, err := svc.DefaultOperator(ctx)
			return bootMsg{operator: op, err: err}
		}))
	}
	return tea.Batch(tea.RequestBackgroundColor, m.first)
}

// start begins the first screen and the watch for changes at once (from
// New, while the program that runs the model sets up the terminal); the
// rest waits until the screen has its rows (Update): the operator's
// permissions, the account's name, and Options.Ready. They read the same
// database, and on a million users the first page waited behind them. The
// watch does not wait: a change committed between the page's read and the
// watch's first version would go unseen.
func (m *Model) start() tea.Cmd {
	svc := m.s.svc
	ctx := m.s.ctx
	m.rest = tea.Batch(m.s.loadOperator(), m.loadAccount(), m.ready())
	m.blank = true
	show := tea.Tick(firstRowsWait, func(time.Time) tea.Msg { return showMsg{} })
	return tea.Batch(show, early(m.activate(usersScreen)), early(func() tea.Msg {
		w, err := svc.Watch(ctx)
		if err == nil {
			go func() { <-ctx.Done(); w.Close() }()
		}
		return connMsg{w, err}
	}))
}

// ready calls Options.Ready, the first time only.
func (m *Model) ready() tea.Cmd {
	f := m.onReady
	if f == nil {
		return nil
	}
	m.onReady = nil
	return func() tea.Msg {
		links, err := f()
		return readyMsg{links, err}
	}
}

func (m *Model) loadAccount() tea.Cmd {
	svc := m.s.svc
	return m.s.do(func(ctx context.Context) tea.Msg {
		a, err := svc.Account(ctx)
		if err != nil {
			return accountMsg{err: err}
		}
		return accountMsg{name: a.Name}
	})
}

// activate shows screen id: started the first time, refreshed when its data
// changed while it was hidden.
func (m *Model) activate(id screenID) tea.Cmd {
	m.active = id
	switch {
	case !m.started[id]:
		m.started[id], m.stale[id] = true, false
		return m.screens[id].Init()
	case m.stale[id]:
		m.stale[id] = false
		return m.send(id, refreshMsg{})
	}
	return nil
}

// switchTo is activate from a key; the footer's height may change.
func (m *Model) switchTo(id screenID) tea.Cmd {
	cmd := m.activate(id)
	if m.help.ShowAll {
		m.layout()
	}
	return cmd
}

// send delivers msg to one screen, and makes the switch it asked for.
func (m *Model) send(id screenID, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.screens[id], cmd = m.screens[id].Update(msg)
	if o := m.s.opening; o != nil {
		m.s.opening = nil
		cmd = tea.Batch(cmd, m.open(*o))
	}
	return cmd
}

// open switches to a screen, for one user when the switch names one.
func (m *Model) open(o openRequest) tea.Cmd {
	cmd := m.activate(o.to)
	m.layout()
	if u, ok := m.screens[o.to].(userOpener); ok && o.email != "" {
		cmd = tea.Batch(cmd, u.OpenUser(o.email))
	}
	return cmd
}

// Update routes: input to the screen shown, results to every screen (each
// knows its own messages and drops stale ones by sequence number), and
// keeps Options.Working current.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	if m.working != nil {
		m.working.Store(slices.ContainsFunc(m.screens, running))
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		if m.setup != nil {
			m.setup.SetSize(msg.Width, msg.Height-4)
		}
		m.layout()
		return nil
	case tea.BackgroundColorMsg:
		return m.restyle(msg.IsDark(), m.plain)
	case tea.ColorProfileMsg:
		return m.restyle(m.dark, msg.Profile <= colorprofile.Ascii)
	case bootMsg:
		return m.booted(msg)
	case setupDoneMsg:
		m.setup = nil
		m.s.actor.Email = msg.owner
		m.build()
		return m.start()
	case readyMsg:
		m.s.links = msg.links
		if msg.err != nil {
			m.err = m.s.explain(msg.err)
		}
		return nil
	case accountMsg:
		if msg.err != nil {
			m.err = m.s.explain(msg.err)
		}
		m.account = msg.name
		return nil
	case connMsg:
		if msg.err != nil {
			m.err = m.s.p.T("cannot watch the database for changes: %s", m.s.explain(msg.err))
			return nil
		}
		m.watch = msg.watch
		return m.readVersion()
	case pollMsg:
		return m.readVersion()
	case showMsg:
		m.blank = false
		return nil
	case versionMsg:
		return m.versionRead(msg)
	case tea.KeyPressMsg:
		return m.typed(msg)
	case tea.PasteMsg:
		return m.paste(msg)
	case tea.MouseWheelMsg:
		return m.mouse(msg)
	}
	if m.setup != nil {
		var cmd tea.Cmd
		m.setup, cmd = m.setup.Update(msg)
		return tea.Batch(cmd, m.replay())
	}
	if _, ok := msg.(usersPageMsg); ok {
		m.blank = false
	}
	var cmds []tea.Cmd
	for i := range m.screens {
		cmds = append(cmds, m.send(screenID(i), msg))
	}
	cmds = append(cmds, m.replay())
	if m.rest != nil && !m.reading() {
		cmds = append(cmds, afterFrame(m.rest))
		m.rest = nil
	}
	return tea.Batch(cmds...)
}

// typed acts on a key, or holds it while the screen reads the rows it
// would act on (or earlier keys wait). ctrl+c waits behind the keys typed
// before it, which may have filled in a form it must ask about; a second
// ctrl+c does not wait, so a read that hangs never keeps the operator in.
func (m *Model) typed(msg tea.KeyPressMsg) tea.Cmd {
	force := key.Matches(msg, m.keys.ForceQuit)
	switch {
	case force && slices.ContainsFunc(m.held, func(k tea.KeyPressMsg) bool { return key.Matches(k, m.keys.ForceQuit) }):
		return tea.Quit
	case len(m.held) > 0 || !force && m.reading():
		m.held = append(m.held, msg)
		return nil
	}
	return m.key(msg)
}

// reading reports that the screen shown is saving, or reading the rows keys
// act on; not reading while a text field has the keyboard: typing goes on
// into it. The first run's setup saves the account: keys typed meanwhile
// act on the dashboard it opens.
func (m *Model) reading() bool {
	if m.setup != nil {
		return m.setup.busy
	}
	if m.screens == nil || m.confirmQuit {
		return false
	}
	s := m.screens[m.active]
	if sv, ok := s.(saver); ok && sv.Saving() {
		return true
	}
	r, ok := s.(reader)
	return ok && !s.Capturing() && r.Reading()
}

// replay applies the held keys, in order, once the rows they wait for are
// shown; a key that starts another reading holds the rest again.
func (m *Model) replay() tea.Cmd {
	if len(m.held) > 0 && !m.reading() && m.screens != nil {
		// The row the cursor was on when the keys were typed is gone (the
		// invitation was accepted meanwhile): they were meant for it, and
		// would act on the row that took its place. A ctrl+c among them
		// still acts.
		if l, ok := m.screens[m.active].(leaver); ok && l.gone() != "" {
			m.held = slices.DeleteFunc(m.held, func(k tea.KeyPressMsg) bool { return !key.Matches(k, m.keys.ForceQuit) })
			m.refused = m.s.p.T("%s is no longer listed: the keys typed meanwhile did nothing.", l.gone())
		}
	}
	var cmds []tea.Cmd
	for len(m.held) > 0 && !m.reading() {
		k := m.held[0]
		m.held = m.held[1:]
		cmds = append(cmds, m.key(k))
	}
	return tea.Batch(cmds...)
}

// restyle makes the session's styles for what the terminal said of itself,
// when that changes them, and draws everything again with them: the shown
// screen reads its rows again, the others when they are next shown.
func (m *Model) restyle(dark, plain bool) tea.Cmd {
	if dark == m.dark && plain == m.plain {
		return nil
	}
	m.dark, m.plain = dark, plain
	st := DefaultStyles(dark)
	if plain {
		st = st.Plain()
	}
	m.s.styles = st
	m.help.Styles = st.Help
	m.top = topLines{}
	if m.screens == nil {
		return nil
	}
	for i := range m.screens {
		if m.started[i] && screenID(i) != m.active {
			m.stale[i] = true
		}
	}
	if !m.started[m.active] {
		return nil
	}
	return m.send(m.active, refreshMsg{})
}

func (m *Model) booted(msg bootMsg) tea.Cmd {
	switch {
	case msg.setup:
		m.setup = newSetup(m.s)
		m.setup.SetSize(m.width, m.height-4)
		return tea.Batch(m.setup.Init(), m.ready())
	case msg.err != nil:
		m.err = m.s.explain(msg.err)
		return nil
	}
	m.s.actor.Email = msg.operator
	m.build()
	return m.start()
}

// readVersion asks the session's change watch for the data version.
func (m *Model) readVersion() tea.Cmd {
	w := m.watch
	return m.s.do(func(ctx context.Context) tea.Msg {
		v, err := w.Version(ctx)
		return versionMsg{v, err}
	})
}

// versionRead refreshes the screens when another connection committed.
func (m *Model) versionRead(msg versionMsg) tea.Cmd {
	if msg.err != nil {
		if m.s.ctx.Err() != nil {
			return nil
		}
		m.err = m.s.p.T("cannot watch the database for changes: %s", m.s.explain(msg.err))
		return nil
	}
	changed := m.version != 0 && msg.v != m.version
	m.version = msg.v
	next := tea.Tick(m.poll, func(time.Time) tea.Msg { return pollMsg{} })
	if !changed || m.screens == nil {
		return next
	}
	for i := range m.screens {
		if m.started[i] && screenID(i) != m.active {
			m.stale[i] = true
		}
	}
	return tea.Batch(next, m.send(m.active, refreshMsg{}))
}

func (m *Model) dirty() bool {
	for _, s := range m.screens {
		if s.Dirty() {
			return true
		}
	}
	return m.setup != nil && m.setup.Dirty()
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if esc, k, ok := unalt(msg); ok {
		return tea.Batch(m.key(esc), m.key(k))
	}
	m.refused = ""
	if m.confirmQuit {
		switch msg.String() {
		case "y", "Y", "ctrl+c":
			return tea.Quit
		}
		m.confirmQuit = false
		return nil
	}
	if key.Matches(msg, m.keys.ForceQuit) {
		// A screen with a job at work asks whether to cancel it instead.
		if m.screens != nil && running(m.screens[m.active]) {
			return m.send(m.active, msg)
		}
		return m.quit()
	}
	if m.setup != nil {
		var cmd tea.Cmd
		m.setup, cmd = m.setup.Update(msg)
		return cmd
	}
	if m.screens == nil {
		if key.Matches(msg, m.keys.Quit) || msg.String() == "esc" {
			return tea.Quit
		}
		return nil
	}
	scr := m.screens[m.active]
	if !scr.Capturing() {
		switch {
		case key.Matches(msg, m.keys.Quit):
			return m.quit()
		case key.Matches(msg, m.keys.Help):
			m.help.ShowAll = !m.help.ShowAll
			m.layout()
			return nil
		case key.Matches(msg, m.keys.Lang):
			return m.switchLang()
		case key.Matches(msg, m.keys.Next):
			return m.switchTo((m.active + 1) % numScreens)
		case key.Matches(msg, m.keys.Prev):
			return m.switchTo((m.active + numScreens - 1) % numScreens)
		}
		for i, b := range m.keys.Tabs {
			if key.Matches(msg, b) {
				return m.switchTo(screenID(i))
			}
		}
	}
	return m.send(m.active, msg)
}

// unalt reads a key pressed with alt as the two keys typed: roster binds
// no alt, and an esc typed just before a key (esc then 3, or esc esc, sent
// together by a fast typist, a script or a slow link) arrives as alt+3 or
// alt+esc. Taken as both, esc still leaves the form. ok is false for a key
// without alt.
func unalt(msg tea.KeyPressMsg) (esc, k tea.KeyPressMsg, ok bool) {
	if !msg.Mod.Contains(tea.ModAlt) {
		return esc, msg, false
	}
	k = msg
	k.Mod &^= tea.ModAlt
	if unicode.IsPrint(k.Code) { // the text that alt took away
		k.Text = string(k.Code)
		if k.Mod.Contains(tea.ModShift) && k.ShiftedCode != 0 {
			k.Text = string(k.ShiftedCode)
		}
	}
	return tea.KeyPressMsg{Code: tea.KeyEscape}, k, true
}

// quit quits, or asks first (confirmQuit) when quitting would lose
// something: unsaved changes, or an act at work on any screen, which ends
// with the session, after its batch under way, its outcome unsaid. q quit
// at once over an act at work, and ctrl+c did on any screen but the act's,
// though ctrl+c on the act's asks whether to cancel it.
func (m *Model) quit() tea.Cmd {
	switch {
	case slices.ContainsFunc(m.screens, running):
		m.quitAsk = m.s.p.T("An act is under way: quitting stops it after the batch at work. Quit anyway? y to quit, any other key to stay")
	case m.dirty():
		m.quitAsk = m.s.p.T("There are unsaved changes. Quit anyway? y to quit, any other key to stay")
	default:
		return tea.Quit
	}
	m.confirmQuit = true
	return nil
}

// running reports a screen with a job at work (Pending's, Users' acts).
func running(s Screen) bool {
	j, ok := s.(interface{ Running() bool })
	return ok && j.Running()
}

// switchLang speaks the session's other language: a screen that can puts
// its own words in it, keeping its place; the others are built again in
// it, the one shown reading its rows again, and the others when they are
// next shown. Nothing typed is lost: with a form changed, it asks to save
// or discard first.
func (m *Model) switchLang() tea.Cmd {
	switch {
	case m.dirty():
		m.refused = m.s.p.T("Save or discard your changes first, then press L again.")
		return nil
	case slices.ContainsFunc(m.screens, running):
		// The screen would be built again without its act, whose progress
		// and outcome (its failures first) would go unsaid, and which q
		// would no longer ask about.
		m.refused = m.s.p.T("An act is under way: wait for it, or cancel it with esc, then press L again.")
		return nil
	}
	next := i18n.French
	if m.s.p.Lang() == i18n.French {
		next = i18n.English
	}
	m.s.p = i18n.For(next)
	m.keys = newGlobalKeys(m.s.p)
	m.top = topLines{}
	m.err = ""
	cmds := []tea.Cmd{m.s.loadOperator()}
	for i, scr := range m.screens {
		if r, ok := scr.(relanger); ok {
			cmds = append(cmds, r.relang())
			continue
		}
		m.screens[i] = screenMakers[i](m.s)
		m.started[i], m.stale[i] = false, false
	}
	m.layout()
	return tea.Batch(append(cmds, m.activate(m.active))...)
}

// paste types text pasted in the operator's terminal into the text field
// that has the keyboard, as one key carrying it all; it is dropped where no
// field has the keyboard, so that pasted letters never act as keys.
func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	k := tea.KeyPressMsg{Code: tea.KeyExtended, Text: msg.Content}
	switch {
	case m.setup != nil:
		var cmd tea.Cmd
		m.setup, cmd = m.setup.Update(k)
		return cmd
	case m.screens != nil && m.screens[m.active].Capturing():
		return m.send(m.active, k)
	}
	return nil
}

// mouse turns the wheel into the arrow keys of the screen shown.
func (m *Model) mouse(msg tea.MouseWheelMsg) tea.Cmd {
	if m.screens == nil || m.confirmQuit {
		return nil
	}
	switch msg.Button {
	case tea.MouseWheelUp:
		return m.typed(tea.KeyPressMsg{Code: tea.KeyUp})
	case tea.MouseWheelDown:
		return m.typed(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	return nil
}

// chrome is the number of lines the header, tabs and footer take.
func (m *Model) chrome() int {
	footerH := 1
	if m.help.ShowAll && m.screens != nil {
		footerH = lipgloss.Height(allKeys(m.help.Styles, footer{m.screens[m.active], m.keys}, m.width, m.height))
	}
	return 3 + footerH
}

func (m *Model) layout() {
	for _, s := range m.screens {
		s.SetSize(m.width, max(3, m.height-m.chrome()))
	}
}

// View is the frame on the alternate screen, with the mouse wheel reported.
func (m *Model) View() tea.View {
	var v tea.View
	if !m.blank {
		v = tea.NewView(m.frame())
	}
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}

// frame draws the header, the tabs, the screen shown and the footer.
func (m *Model) frame() string {
	st := m.s.styles
	if m.width == 0 {
		return ""
	}
	b := &m.buf
	b.Reset()
	if t := &m.top; t.header == "" || t.width != m.width || t.account != m.account || t.op != m.s.actor.Email {
		t.width, t.account, t.op, t.header = m.width, m.account, m.s.actor.Email, m.header()
		t.tabbar = ""
	}
	b.WriteString(m.top.header)
	b.WriteString("\n")
	if m.setup != nil {
		b.WriteString("\n")
		b.WriteString(m.setup.View())
		return b.String()
	}
	if m.screens == nil {
		b.WriteString("\n")
		if m.err != "" {
			b.WriteString(st.Error.Render(cut(m.err, m.width)))
			b.WriteString("\n\n" + st.Subtle.Render(m.s.p.T("Press q to quit.")))
		} else {
			b.WriteString(st.Subtle.Render(m.s.p.T("Opening…")))
		}
		return b.String()
	}
	if m.top.tabbar == "" || m.top.active != m.active {
		m.top.active, m.top.tabbar = m.active, m.tabs()
	}
	b.WriteString(m.top.tabbar)
	b.WriteString("\n")
	switch {
	case m.err != "":
		b.WriteString(st.Error.Render(cut(m.err, m.width)))
	case m.refused != "":
		b.WriteString(st.Warn.Render(cut(m.refused, m.width)))
	}
	b.WriteString("\n")
	body := m.screens[m.active].View()
	h := max(3, m.height-m.chrome())
	clip(b, body, h, m.width)
	b.WriteString("\n")
	if m.confirmQuit {
		b.WriteString(st.Warn.Render(cut(m.quitAsk, m.width)))
		return b.String()
	}
	b.WriteString(m.footerLine(footer{m.screens[m.active], m.keys}))
	return b.String()
}

// footerLine draws the footer, again only when its keys or the width change.
func (m *Model) footerLine(f footer) string {
	if m.help.ShowAll {
		return allKeys(m.help.Styles, f, m.width, m.height)
	}
	t := &m.top
	bs := f.ShortHelp()
	same := t.footer != "" && t.footerWidth == m.width && len(bs) == len(t.keys)
	for i := 0; same && i < len(bs); i++ {
		same = t.keys[i] == footerKey{bs[i].Help(), bs[i].Enabled()}
	}
	if !same {
		t.keys = t.keys[:0]
		for _, b := range bs {
			t.keys = append(t.keys, footerKey{b.Help(), b.Enabled()})
		}
		// help lets the last key through when its ellipsis would not fit.
		t.footerWidth, t.footer = m.width, cut(m.help.View(f), m.width)
	}
	return t.footer
}

// allKeys is ? 's help: every key of km (a screen's and the global ones),
// each once, in as many columns as width holds, down then across, on a
// terminal height lines high. The help package's own full view is a column
// per group, cut at the width: at 80 columns the Users screen showed two of
// its groups, and not its acts.
func allKeys(st help.Styles, km help.KeyMap, width, height int) string {
	type cell struct{ key, desc string }
	var cells []cell
	seen := map[string]bool{}
	for _, group := range km.FullHelp() {
		for _, b := range group {
			h := b.Help()
			if !b.Enabled() || h.Key == "" || seen[h.Key+"\x00"+h.Desc] {
				continue
			}
			seen[h.Key+"\x00"+h.Desc] = true
			cells = append(cells, cell{h.Key, h.Desc})
		}
	}
	kw, cw := 0, 0
	for _, c := range cells {
		kw = max(kw, lipgloss.Width(c.key))
	}
	for _, c := range cells {
		cw = max(cw, kw+1+lipgloss.Width(c.desc))
	}
	// As many columns as the widest cell allows, and more, their words
	// cut, when that many rows would not leave the screen a few lines.
	cols := max(1, min(len(cells), (width+2)/(cw+2)))
	if most := max(1, height-8); (len(cells)+cols-1)/cols > most {
		cols = max(cols, min(len(cells), (len(cells)+most-1)/most, (width+2)/(kw+6)))
	}
	rows := (len(cells) + cols - 1) / cols
	cw = min(cw, (width+2)/cols-2)
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString("\n")
		}
		for c := range cols {
			i := c*rows + r
			if i >= len(cells) {
				break
			}
			if c > 0 {
				b.WriteString("  ")
			}
			text := fit(cells[i].key, kw) + " " + cells[i].desc
			if c < cols-1 {
				text = fit(text, cw)
			}
			text = cut(text, cw)
			key, desc, _ := strings.Cut(text, " ")
			b.WriteString(st.FullKey.Render(key) + " " + st.FullDesc.Render(desc))
		}
	}
	return b.String()
}

// footerKey is a key of the footer as it was drawn: what it says, and
// whether it could be used.
type footerKey struct {
	help key.Help
	on   bool
}

func (m *Model) header() string { return headerLine(m.s.styles, m.s.p, m.width, m.account, m.s.actor) }

// headerLine is the top line of a session: roster, the account, and who
// acts through which channel (whose name is a key name: it stays).
func headerLine(st Styles, p *i18n.Printer, width int, account string, actor admin.Actor) string {
	left := st.Header.Render("roster")
	if account != "" {
		left += st.Subtle.Render(" · " + clean(account))
	}
	right := ""
	if op := actor.Email; op != "" {
		right = st.Subtle.Render(p.T("acting as")+" ") + st.Operator.Render(clean(op)) + st.Subtle.Render(" ("+actor.Channel+")")
	}
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return cut(left+" "+right, width)
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *Model) tabs() string {
	st := m.s.styles
	var bar string
	// Padded tabs when they fit; else tabs a space apart; else with their
	// names shortened too, which fit in 80 columns.
	short := shortNames[m.s.p.Lang()]
	for pass := range 3 {
		var b strings.Builder
		for i, key := range screenNames {
			name := m.s.p.T(key)
			style := st.Tab
			if screenID(i) == m.active {
				style = st.ActiveTab
			}
			if pass > 0 {
				style = style.Padding(0)
				if i > 0 {
					b.WriteString(" ")
				}
			}
			if pass == 2 {
				name = short[i]
			}
			b.WriteString(style.Render(string(rune('1'+i)) + " " + name))
		}
		if bar = b.String(); cells(bar) <= m.width {
			break
		}
	}
	return cut(bar, m.width)
}

// clip writes s to b padded or cut to exactly h lines no wider than w, so
// that the footer stays in place and nothing wraps.
func clip(b *bytes.Buffer, s string, h, w int) {
	s = strings.TrimRight(s, "\n")
	for i := range h {
		if i > 0 {
			b.WriteByte('\n')
		}
		var line string
		line, s, _ = strings.Cut(s, "\n")
		if cells(line) > w {
			line = ansi.Truncate(line, w, "…")
		}
		b.WriteString(line)
	}
}

// footer joins the screen's keys and the global ones for the help line.
type footer struct {
	s    Screen
	keys globalKeys
}

func (f footer) ShortHelp() []key.Binding {
	if f.s.Capturing() {
		return append(f.s.ShortHelp(), f.keys.ForceQuit)
	}
	return append(f.s.ShortHelp(), f.keys.Help, f.keys.Quit)
}

func (f footer) FullHelp() [][]key.Binding {
	global := []key.Binding{f.keys.Next, f.keys.Prev, f.keys.Help, f.keys.Quit, f.keys.ForceQuit}
	return append(f.s.FullHelp(), global, f.keys.Tabs[:4], f.keys.Tabs[4:])
}
