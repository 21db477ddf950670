package aliscout_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is this module's import path.
const module = "github.com/aliscout/aliscout"

// The layers of aliscout (see the package docs): the public SDK and simulator, the domain, the
// adapters that talk to one technology each, and cmd/aliscout, the one place that wires them.
var (
	// domain packages import the standard library and each other only.
	domain = []string{"internal/catalog", "internal/pricing"}
	// adapters talk to one outside thing each; they never import each other, and only
	// cmd/aliscout (which picks implementations) imports them.
	adapters = []string{"internal/sourcing", "internal/redis", "internal/web", "internal/metrics",
		"internal/store/sqlite", "internal/store/postgres"}
)

type goPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

// listPackages runs go list over the module: each package's direct imports and all its
// (non-test) dependencies.
func listPackages(t *testing.T) map[string]goPackage {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]goPackage{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs[strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")] = p
	}
	return pkgs
}

// standard reports whether path is a standard library package (its first element has no dot).
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func own(path string) (string, bool) {
	if path == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	return rel, ok
}

func under(rel string, roots []string) bool {
	for _, r := range roots {
		if rel == r || strings.HasPrefix(rel, r+"/") {
			return true
		}
	}
	return false
}

// TestLayering fails when an import edge breaks the layering: the SDK and simulator import only
// the standard library (and the SDK's own packages); the domain imports no adapter and nothing
// outside the standard library; adapters do not import each other; only cmd/aliscout imports
// adapters; nothing but cmd/aliscout and the simulator's own tests imports the simulator.
func TestLayering(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages; want the whole module", len(pkgs))
	}
	for rel, p := range pkgs {
		for _, dep := range p.Deps {
			depRel, isOwn := own(dep)
			switch {
			case under(rel, []string{"aliexpress"}):
				if !standard(dep) && !(isOwn && under(depRel, []string{"aliexpress"})) {
					t.Errorf("%s depends on %s; the SDK and its simulator use the standard library only", rel, dep)
				}
			case under(rel, domain):
				if !standard(dep) && !(isOwn && under(depRel, domain)) {
					t.Errorf("%s depends on %s; the domain imports only the standard library and the domain", rel, dep)
				}
			}
		}
		for _, imp := range p.Imports {
			impRel, isOwn := own(imp)
			if !isOwn {
				continue
			}
			// An adapter's own sub-packages (test helpers such as store/postgres/pgtest) may use it.
			if under(impRel, adapters) && rel != "cmd/aliscout" && !under(rel, []string{impRel}) && !under(impRel, []string{rel}) {
				t.Errorf("%s imports the adapter %s; only cmd/aliscout picks and wires adapters", rel, impRel)
			}
			if impRel == "aliexpress/sandbox" && rel != "cmd/aliscout" && !under(rel, []string{"aliexpress"}) {
				t.Errorf("%s imports the simulator; only cmd/aliscout starts it", rel)
			}
		}
	}
	// The web app knows AliExpress only through the domain.
	if web, ok := pkgs["internal/web"]; ok {
		for _, dep := range web.Deps {
			if dep == module+"/aliexpress" || dep == module+"/internal/cache" || strings.HasPrefix(dep, "github.com/redis/") {
				t.Errorf("internal/web depends on %s; it must reach AliExpress through the domain only", dep)
			}
		}
	} else {
		t.Error("internal/web is missing from go list")
	}
	if !slices.ContainsFunc(adapters, func(a string) bool { _, ok := pkgs[a]; return ok }) {
		t.Error("none of the adapters exist; the adapter list is out of date")
	}
}
