package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// verbs are a format's placeholders as (argument, verb) pairs, in argument
// order: "%[2]s %[1]d" and "%d %s" both take a number then a text.
func verbs(f string) []string {
	var out []string
	arg := 0
	for _, m := range verbRE.FindAllStringSubmatch(f, -1) {
		if m[0] == "%%" {
			continue
		}
		if m[1] != "" {
			arg, _ = strconv.Atoi(m[1])
			arg--
		}
		out = append(out, strconv.Itoa(arg)+m[3])
		arg++
	}
	slices.Sort(out)
	return out
}

var verbRE = regexp.MustCompile(`%%|%(?:\[(\d+)\])?([-+# 0]*\d*(?:\.\d+)?)([a-zA-Z])`)

// Every French text takes the same placeholders as its English key, and no
// key has two French texts in different catalogues.
func TestFrenchMatchesEnglish(t *testing.T) {
	seen := map[string]string{}
	for _, c := range catalogues {
		for k, v := range c() {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%q has an empty French text", k)
			}
			if !slices.Equal(verbs(k), verbs(v)) {
				t.Errorf("%q and its French %q take different placeholders: %v, %v", k, v, verbs(k), verbs(v))
			}
			if old, ok := seen[k]; ok && old != v {
				t.Errorf("%q has two French texts: %q and %q", k, old, v)
			}
			seen[k] = v
		}
	}
}

// A French text for more is the plural of a key the catalogues say for one,
// with its placeholders; Agree takes it past one, as French's rule counts
// (0 and 1 are one).
func TestFrenchAgrees(t *testing.T) {
	fr := french()
	for k, v := range frPlurals() {
		one, ok := fr[k]
		if !ok || one == v || !slices.Equal(verbs(k), verbs(v)) {
			t.Errorf("%q: for one %q (in the catalogues: %v), for more %q: want a French for one, and for more another with the same placeholders", k, one, ok, v)
		}
	}
	p := For(French)
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "invitation renvoyée"}, {1, "invitation renvoyée"}, {2, "invitations renvoyées"}, {1000, "invitations renvoyées"}} {
		if got := p.Agree(tc.n, "resent"); got != tc.want {
			t.Errorf("Agree(%d, resent) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if got := p.Agree(3, "made %s", Msg("manager")); got != "nommés gestionnaire" {
		t.Errorf("Agree(3, made manager) = %q", got)
	}
	if got := For(English).Agree(3, "resent"); got != "resent" {
		t.Errorf("English Agree(3, resent) = %q", got)
	}
}

// keyArgs are the functions and methods that take message keys, and which
// of their arguments are keys. A key written as a string literal in a call
// to one of them anywhere in roster's code (tests aside) must have its
// French text. Msg and Count are this package's, called as i18n.Msg.
var keyArgs = map[string][]int{
	"T":          {0},
	"N":          {1, 2},
	"Agree":      {1},
	"i18n.Msg":   {0},
	"i18n.Count": {1, 2},
	// admin's errors and the phrases its permission checks put in them.
	"inputErr":    {0, 1},
	"takenErr":    {0, 1},
	"stateErr":    {0},
	"unchanged":   {0},
	"denied":      {1},
	"notFound":    {0},
	"sentence":    {0},
	"checkText":   {0},
	"need":        {1},
	"outranks":    {1},
	"mayActOn":    {2, 3},
	"mayActAs":    {5, 6},
	"keepAnOwner": {3},
	"mayRemove":   {4, 5},
	"say":         {0},
	"kindT":       {0, 1}, // tui: a team's sentence and a branch's
	// The command line (package main): its errors, and its flags'
	// descriptions, which roster COMMAND --help says through T.
	"errorf":      {0},
	"usagef":      {0},
	"unknownVerb": {2},
	"String":      {2},
	"StringVar":   {3},
	"Bool":        {2},
	"BoolVar":     {3},
	"Int":         {2},
	"IntVar":      {3},
	"Int64":       {2},
	"Int64Var":    {3},
	"Duration":    {2},
	"DurationVar": {3},
	"Func":        {1},
	"BoolFunc":    {1},
	"Var":         {2},
}

// Every message key written in roster's code has a French text, whether
// written in the call or as a string constant the call names (admin's
// RoleAddressRefused, which the screens compare a refusal's key with).
func TestEveryKeyHasFrench(t *testing.T) {
	fr := french()
	fset := token.NewFileSet()
	var files []*ast.File
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err == nil {
			files = append(files, f)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The string constants declared anywhere, by name (package.Name too).
	consts := map[string]*ast.BasicLit{}
	for _, f := range files {
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				v := spec.(*ast.ValueSpec)
				for i, name := range v.Names {
					if i < len(v.Values) {
						if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[name.Name] = lit
							consts[f.Name.Name+"."+name.Name] = lit
						}
					}
				}
			}
		}
	}
	keys, named := 0, 0
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "i18n" {
					name = "i18n." + name
				}
			}
			if f.Name.Name == "i18n" && (name == "Msg" || name == "Count") {
				name = "i18n." + name
			}
			for _, i := range keyArgs[name] {
				if i >= len(call.Args) {
					continue
				}
				var lit *ast.BasicLit
				switch arg := call.Args[i].(type) {
				case *ast.BasicLit:
					lit = arg
				case *ast.Ident:
					lit = consts[arg.Name]
					named += btoi(lit != nil)
				case *ast.SelectorExpr:
					if x, ok := arg.X.(*ast.Ident); ok {
						lit = consts[x.Name+"."+arg.Sel.Name]
						named += btoi(lit != nil)
					}
				}
				if lit == nil || lit.Kind != token.STRING {
					continue
				}
				key, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				keys++
				if _, ok := fr[key]; !ok {
					t.Errorf("%s: %q has no French text", fset.Position(call.Args[i].Pos()), key)
				}
			}
			return true
		})
	}
	if keys == 0 || named == 0 {
		t.Fatalf("%d message keys found in roster's code, %d of them named by a constant: the scan is broken", keys, named)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestChoose(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		asked, stored string
		env           map[string]string
		want          Lang
	}{
		{"fr", "en", nil, French},
		{"", "fr", map[string]string{"LANG": "en_US.UTF-8"}, French},
		{"de", "", map[string]string{"LANG": "fr_FR.UTF-8"}, French},
		{"", "", map[string]string{"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, English},
		{"", "", map[string]string{"LC_MESSAGES": "fr_CA.UTF-8", "LANG": "en_GB"}, French},
		{"", "", map[string]string{"LC_ALL": "de_DE.UTF-8"}, English},
		{"", "", nil, English},
	} {
		if got := Choose(tc.asked, tc.stored, env(tc.env)); got != tc.want {
			t.Errorf("Choose(%q, %q, %v) = %s, want %s", tc.asked, tc.stored, tc.env, got, tc.want)
		}
	}
	if _, err := Check("de"); err == nil || Error(For(French), err) != `langue "de" : fr ou en attendu` {
		t.Errorf("Check(de) = %v, in French %q", err, Error(For(French), err))
	}
}

func TestNumbersPluralsDates(t *testing.T) {
	en, fr := For(English), For(French)
	day := time.Date(2026, 12, 2, 9, 5, 0, 0, time.UTC)
	for _, tc := range []struct{ got, want string }{
		{en.Num(1234), "1,234"},
		{fr.Num(1234), "1\u00a0234"},
		{fr.Num(-12), "-12"},
		{en.N(0, "%s day", "%s days"), "0 days"},
		{fr.N(0, "%s day", "%s days"), "0 jour"},
		{fr.N(1, "%s day", "%s days"), "1 jour"},
		{fr.N(1500, "%s day", "%s days"), "1\u00a0500 jours"},
		{en.Date(day), "2 Dec 2026"},
		{fr.Date(day), "2 déc. 2026"},
		{fr.DateTime(day), "2 déc. 2026 09:05"},
		{fr.Ago(day, day.Add(-50*time.Hour)), "il y a 2 jours"},
		{en.Ago(day, day.Add(90*time.Minute)), "in 1 h"},
		{en.Span(50 * time.Hour), "2 days 2 h"},
		{fr.T("%s ago", Msg("%s day", "3")), "il y a 3 jour"},
		{Count(2, "%s day", "%s days").In(fr), "2 jours"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// French elides "de" before a vowel where a name or an address follows it
// in a message; its own words, an h, a consonant and the end of a word are
// left as they are.
func TestFrenchElidesDe(t *testing.T) {
	for in, want := range map[string]string{
		"Permissions de Adam Green":              "Permissions d'Adam Green",
		"Révoquer l'invitation de adam@x.test ?": "Révoquer l'invitation d'adam@x.test ?",
		"De Émile":                        "D'Émile",
		"de Hugo, de Bob, de 3 personnes": "de Hugo, de Bob, de 3 personnes",
		"le code est faux, aide incluse":  "le code est faux, aide incluse",
		"(de Ann) et de Yves":             "(d'Ann) et d'Yves",
	} {
		if got := elide(in); got != want {
			t.Errorf("elide(%q) = %q, want %q", in, got, want)
		}
	}
	if got := For(French).T("Permissions of %s", "Adam Green"); got != "Permissions d'Adam Green" {
		t.Errorf("T: %q", got)
	}
}
