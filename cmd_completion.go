package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// The completion scripts and the manual page are written from the command
// table (commands), as roster help is, so that none of them can name a
// command or a flag the others do not.

// shells are the shells roster completion writes a script for.
var shells = []string{"bash", "zsh", "fish"}

func cmdCompletion(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("completion")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || !slices.Contains(shells, rest[0]) {
		return usagef("completion takes one shell: %s", strings.Join(shells, ", "))
	}
	var script string
	switch rest[0] {
	case "bash":
		script = bashCompletion()
	case "zsh":
		script = zshCompletion()
	case "fish":
		script = fishCompletion()
	}
	_, err = fmt.Fprint(c.stdout, script)
	return err
}

func cmdMan(c *cli, ctx context.Context, args []string) error {
	fs := c.flags("man")
	rest, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("man takes no arguments")
	}
	_, err = fmt.Fprint(c.stdout, manPage())
	return err
}

// globalFlags are the flags every command takes (cli.flags).
var globalFlags = []string{"--db", "--as", "--json", "--lang"}

// flagPattern finds the flags a usage line names, compiled when first
// needed rather than at the start of every command.
var flagPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`--[a-z][a-z0-9-]*`) })

// commandFlags are the flags a command's usage line names, then the global
// ones, each once.
func commandFlags(cmd command) []string {
	var out []string
	for _, f := range append(flagPattern().FindAllString(cmd.args, -1), globalFlags...) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// commandWords are what completes after a command's name: its flags; the
// shells for completion, the commands for help.
func commandWords(cmd command) []string {
	switch cmd.name {
	case "completion":
		return shells
	case "help":
		return commandNames()
	}
	return commandFlags(cmd)
}

func commandNames() []string {
	names := make([]string, len(commands))
	for i, cmd := range commands {
		names[i] = cmd.name
	}
	return names
}

func bashCompletion() string {
	var b strings.Builder
	b.WriteString("# bash completion for roster: source <(roster completion bash)\n")
	b.WriteString("_roster() {\n")
	b.WriteString("    local cur=${COMP_WORDS[COMP_CWORD]} words\n")
	b.WriteString("    if [ \"$COMP_CWORD\" -eq 1 ]; then\n")
	fmt.Fprintf(&b, "        COMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n", strings.Join(append(commandNames(), globalFlags...), " "))
	b.WriteString("        return\n    fi\n")
	b.WriteString("    case ${COMP_WORDS[1]} in\n")
	for _, cmd := range commands {
		fmt.Fprintf(&b, "    %s) words='%s' ;;\n", cmd.name, strings.Join(commandWords(cmd), " "))
	}
	b.WriteString("    esac\n")
	b.WriteString("    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n")
	b.WriteString("    if [ ${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=($(compgen -f -- \"$cur\")); fi\n")
	b.WriteString("}\n")
	b.WriteString("complete -F _roster roster\n")
	return b.String()
}

// zshQuote quotes s in single quotes for zsh; colon is _describe's separator.
func zshQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, "'", `'\''`), ":", `\:`) + "'"
}

func zshCompletion() string {
	var b strings.Builder
	b.WriteString("#compdef roster\n# zsh completion for roster: roster completion zsh > \"${fpath[1]}/_roster\"\n")
	b.WriteString("_roster() {\n    local -a commands\n    commands=(\n")
	for _, cmd := range commands {
		fmt.Fprintf(&b, "        %s\n", zshQuote(cmd.name+":"+cmd.summary.String()))
	}
	b.WriteString("    )\n")
	b.WriteString("    if (( CURRENT == 2 )); then\n        _describe 'command' commands\n        return\n    fi\n")
	b.WriteString("    case $words[2] in\n")
	for _, cmd := range commands {
		fmt.Fprintf(&b, "    %s) compadd -- %s ;;\n", cmd.name, strings.Join(commandWords(cmd), " "))
	}
	b.WriteString("    esac\n    _files\n}\n")
	b.WriteString("compdef _roster roster\n")
	return b.String()
}

// fishQuote quotes s in single quotes for fish.
func fishQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

func fishCompletion() string {
	var b strings.Builder
	b.WriteString("# fish completion for roster: roster completion fish > ~/.config/fish/completions/roster.fish\n")
	b.WriteString("complete -c roster -f\n")
	for _, cmd := range commands {
		fmt.Fprintf(&b, "complete -c roster -n __fish_use_subcommand -a %s -d %s\n", cmd.name, fishQuote(cmd.summary.String()))
	}
	for _, cmd := range commands {
		cond := fishQuote("__fish_seen_subcommand_from " + cmd.name)
		for _, w := range commandWords(cmd) {
			if f, ok := strings.CutPrefix(w, "--"); ok {
				fmt.Fprintf(&b, "complete -c roster -n %s -l %s\n", cond, f)
			} else {
				fmt.Fprintf(&b, "complete -c roster -n %s -a %s\n", cond, w)
			}
		}
	}
	return b.String()
}

// roff escapes text for a manual page: backslashes, hyphens, characters
// beyond ASCII (as \[uXXXX], which every troff reads whatever its input
// encoding), and a line that would start with a control character.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	var b strings.Builder
	for _, r := range s {
		if r > unicode.MaxASCII {
			fmt.Fprintf(&b, `\[u%04X]`, r)
		} else {
			b.WriteRune(r)
		}
	}
	s = b.String()
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

func manPage() string {
	var b strings.Builder
	b.WriteString(".TH ROSTER 1 \"\" \"roster\" \"User Commands\"\n")
	b.WriteString(".SH NAME\nroster \\- administer an organisation's user accounts\n")
	b.WriteString(".SH SYNOPSIS\n.B roster\n[\\fB\\-\\-db\\fR \\fIPATH\\fR] [\\fB\\-\\-as\\fR \\fIEMAIL\\fR] [\\fB\\-\\-json\\fR] [\\fB\\-\\-lang\\fR \\fIfr|en\\fR] [\\fICOMMAND\\fR]\n")
	b.WriteString(".SH DESCRIPTION\n")
	b.WriteString("With no command, roster opens the dashboard. Each command below is also described by\n.B roster COMMAND \\-\\-help\n")
	b.WriteString("and, except those marked local, runs over SSH as\n.BR \"ssh HOST COMMAND\" .\n")
	b.WriteString(".SH COMMANDS\n")
	for _, cmd := range commands {
		fmt.Fprintf(&b, ".TP\n.B %s\n", roff("roster "+cmd.name))
		if cmd.args != "" {
			fmt.Fprintf(&b, "%s\n.br\n", roff(cmd.args))
		}
		summary := capitalize(cmd.summary.String()) + "."
		if cmd.local {
			summary += " (local)"
		}
		fmt.Fprintf(&b, "%s\n", roff(summary))
	}
	b.WriteString(".SH ENVIRONMENT\n")
	for _, env := range [][2]string{
		{"ROSTER_DB", "the database: a SQLite file or a postgres:// URL (\\-\\-db)"},
		{"ROSTER_AS", "who acts (\\-\\-as)"},
		{"ROSTER_LANG", "the language roster speaks, fr or en (\\-\\-lang); else the operator's stored locale, else LC_ALL, LC_MESSAGES or LANG (this page stays in English)"},
		{"ROSTER_SMTP", "the mail relay, smtp://user:password@host:587 (\\-\\-smtp); unset, the embedded capture server"},
		{"ROSTER_SMTP_PASSWORD_FILE", "a file holding the relay user's password (\\-\\-smtp\\-password\\-file)"},
		{"ROSTER_SMTP_CONNECTIONS", "connections to the relay a mail worker sends on at once, 1 to 100 (default 24)"},
		{"ROSTER_FROM", "the sender of the mail (\\-\\-from; default roster@ this host)"},
		{"ROSTER_BASE_URL", "the start of the links in mail (\\-\\-base\\-url)"},
		{"ROSTER_MAIL_LIFETIME", "how long a message is tried, a duration such as 72h (default 120h); an invitation or reset never past its link's expiry"},
		{"ROSTER_SMS", "the SMS provider, twilio://SID:TOKEN@+NUMBER or an https:// gateway (\\-\\-sms); unset, SMS are captured"},
		{"ROSTER_SMS_SECRET", "the secret (whsec_ and base64) signing what is posted to an https:// SMS gateway"},
		{"ROSTER_SSH", "roster serve's SSH listen address (\\-\\-ssh, default :2222)"},
		{"ROSTER_HTTP", "roster serve's HTTP listen address (\\-\\-http, default :8080)"},
		{"ROSTER_HOST_KEY", "roster serve's SSH host key file (\\-\\-host\\-key)"},
		{"ROSTER_METRICS", "roster serve's separate listener for /metrics, /healthz and /readyz (\\-\\-metrics)"},
		{"ROSTER_METRICS_TOKEN", "the bearer token roster serve's /metrics asks for (\\-\\-metrics\\-token)"},
		{"ROSTER_TRUSTED_PROXIES", "the reverse proxies whose X\\-Forwarded\\-For roster serve believes (\\-\\-trusted\\-proxies)"},
		{"ROSTER_MAX_SESSIONS", "roster serve's SSH sessions at once, but an owner's (\\-\\-max\\-sessions, default 100)"},
		{"ROSTER_MAX_SESSIONS_PER_OPERATOR", "each operator's SSH sessions at once (\\-\\-max\\-sessions\\-per\\-operator, default 10)"},
		{"ROSTER_LOG_FORMAT", "roster serve's log lines: text or json (\\-\\-log\\-format)"},
	} {
		fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", env[0], env[1])
	}
	b.WriteString(".SH SEE ALSO\n.BR ssh (1)\n")
	return b.String()
}
