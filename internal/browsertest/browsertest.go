// Package browsertest drives aliscout's pages in a headless Chromium tab for tests: it starts the
// system Chromium with the flags this machine needs, gives each test fresh profile, temp and
// download folders, and wraps the chromedp calls the browser tests use so that a failure fails the
// test. Only tests import it.
//
// Without Chromium on PATH the test is skipped with a message, unless ALISCOUT_REQUIRE_BROWSER=1
// (CI sets it), which makes it a failure. ALISCOUT_SCREENSHOTS=dir keeps the screenshots.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Tab is a headless Chromium tab owned by one test.
type Tab struct {
	T         *testing.T
	Ctx       context.Context
	Shots     string // where Screenshot writes
	Downloads string // a folder for the test to point downloads at
}

// Options tune New.
type Options struct {
	// InitScript runs in every page before the page's own scripts (e.g. to record dialogs).
	InitScript string
	// Guard bounds the whole tab's life so that a broken page fails the test instead of hanging
	// it; it is not a timing assertion. Default 4 minutes.
	Guard time.Duration
}

// New starts Chromium for t, or skips t when there is none (see the package comment).
func New(t *testing.T, o Options) *Tab {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("ALISCOUT_REQUIRE_BROWSER") == "1" {
			t.Fatal("ALISCOUT_REQUIRE_BROWSER=1 but no chromium is installed (apt-get install -y chromium)")
		}
		t.Skip("browser test skipped: no chromium on PATH (install it with apt-get install -y chromium; ALISCOUT_REQUIRE_BROWSER=1 makes this a failure)")
	}
	tmp := t.TempDir()
	for _, d := range []string{"profile", "tmp", "downloads"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("window-size", "1440,1000"),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.Env("TMPDIR=" + filepath.Join(tmp, "tmp")),
	}
	guard := o.Guard
	if guard <= 0 {
		guard = 4 * time.Minute
	}
	gctx, cancelGuard := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancelGuard)
	actx, cancelAlloc := chromedp.NewExecAllocator(gctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if o.InitScript != "" {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: o.InitScript}); err != nil {
			t.Fatalf("add the init script: %v", err)
		}
	}
	shots := os.Getenv("ALISCOUT_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(tmp, "shots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &Tab{T: t, Ctx: ctx, Shots: shots, Downloads: filepath.Join(tmp, "downloads")}
}

// Do runs actions in order in the tab.
func (tb *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	tb.T.Helper()
	if err := chromedp.Do(tb.Ctx, actions...); err != nil {
		tb.T.Fatal(err)
	}
}

// Navigate runs the action (a click or a submit) and waits for the page it loads.
func (tb *Tab) Navigate(action chromedp.Action[chromedp.Void]) {
	tb.T.Helper()
	if _, err := chromedp.Run(tb.Ctx, chromedp.WaitEvent(page.LoadEventFired, nil, action)); err != nil {
		tb.T.Fatal(err)
	}
}

// Eval returns the value of a JavaScript expression on the tab's page.
func Eval[T any](tb *Tab, expr string) T {
	tb.T.Helper()
	v, err := chromedp.Run(tb.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.T.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Text returns the text of the first element sel matches.
func (tb *Tab) Text(sel string) string {
	tb.T.Helper()
	s, err := chromedp.Run(tb.Ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.T.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// WaitFor polls a JavaScript condition until it holds; the poll's own limit bounds it.
func (tb *Tab) WaitFor(cond string) {
	tb.T.Helper()
	if _, err := chromedp.Run(tb.Ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		tb.T.Fatalf("waiting for %s: %v", cond, err)
	}
}

// ImagesLoaded loads every image of the page, lazy ones too, for a full-page screenshot.
func (tb *Tab) ImagesLoaded() {
	tb.T.Helper()
	tb.Do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("img[loading=lazy]").forEach(i => i.loading = "eager")`))
	tb.WaitFor(`Array.from(document.querySelectorAll("img")).every(i => i.complete)`)
}

// Screenshot writes a full-page screenshot, from the top of the page, to Shots/name.png.
func (tb *Tab) Screenshot(name string) {
	tb.T.Helper()
	tb.Do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	buf, err := chromedp.Run(tb.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.T.Fatal(err)
	}
	p := filepath.Join(tb.Shots, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		tb.T.Fatal(err)
	}
	tb.T.Logf("screenshot %s", p)
}

// SetValue sets the value of the element sel and fires event on it ("input" for typing,
// "change" for a choice), as a user would.
func SetValue(sel, value, event string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(el => { el.value = %q; el.dispatchEvent(new Event(%q, {bubbles: true})); })(document.querySelector(%q))`, value, event, sel))
}

// AxeVersion is the axe-core release the accessibility checks run. .ci/run installs it with
// npm install --prefix .ci/axe axe-core@AxeVersion; ALISCOUT_AXE_JS names another axe.min.js.
const AxeVersion = "4.14.1"

// axeRel is where .ci/run installs axe-core, from the module root.
const axeRel = ".ci/axe/node_modules/axe-core/axe.min.js"

// AxeSource returns the axe-core script the accessibility checks inject into pages. Without it
// the test is skipped with a message, unless ALISCOUT_REQUIRE_BROWSER=1, which makes it a
// failure: CI installs it.
func AxeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("ALISCOUT_AXE_JS")
	if path == "" {
		dir, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				path = filepath.Join(dir, filepath.FromSlash(axeRel))
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	src, err := os.ReadFile(path)
	if err != nil || path == "" {
		msg := fmt.Sprintf("no axe-core at %q (install it with npm install --prefix .ci/axe axe-core@%s, as .ci/run does, or set ALISCOUT_AXE_JS)", path, AxeVersion)
		if os.Getenv("ALISCOUT_REQUIRE_BROWSER") == "1" {
			t.Fatal("ALISCOUT_REQUIRE_BROWSER=1 but " + msg)
		}
		t.Skip("accessibility check skipped: " + msg)
	}
	return string(src)
}

// AxeViolation is one rule a page breaks, as axe-core reports it.
type AxeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// Axe runs axe-core (src, from AxeSource) over the page the tab shows, with the WCAG 2.0, 2.1
// and 2.2 A and AA rules and axe's best practices, and returns what it finds.
func (tb *Tab) Axe(src string) []AxeViolation {
	tb.T.Helper()
	if !Eval[bool](tb, `typeof window.axe === "object"`) {
		tb.Do(chromedp.Evaluate[chromedp.Void](src))
	}
	if v := Eval[string](tb, `axe.version`); v != AxeVersion {
		tb.T.Fatalf("axe-core %s is loaded; want %s (reinstall: npm install --prefix .ci/axe axe-core@%s)", v, AxeVersion, AxeVersion)
	}
	out, err := chromedp.Run(tb.Ctx, chromedp.Evaluate[[]AxeViolation](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
		resultTypes: ["violations"]
	}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
		targets: v.nodes.slice(0, 5).map(n => n.target.join(" ") + (n.failureSummary ? " — " + n.failureSummary.replace(/\s+/g, " ") : ""))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		tb.T.Fatalf("run axe-core: %v", err)
	}
	return out
}

// CheckAxe fails the test for each accessibility violation on the page; what names the page.
func (tb *Tab) CheckAxe(src, what string) {
	tb.T.Helper()
	for _, v := range tb.Axe(src) {
		tb.T.Errorf("%s: axe %s (%s): %s\n\t%s", what, v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n\t"))
	}
}

// Viewport sets the size of the tab's window as a phone (mobile) or a desktop shows it.
func (tb *Tab) Viewport(width, height int64, mobile bool) {
	tb.T.Helper()
	if mobile {
		tb.Do(chromedp.EmulateViewport(width, height, chromedp.EmulateScale(1), chromedp.EmulateMobile))
	} else {
		tb.Do(chromedp.EmulateViewport(width, height))
	}
}

// Overflow returns the elements that reach past the right edge of the viewport, described by tag,
// id and class, when the page is wider than the viewport (the user would scroll sideways);
// nil when it fits.
func (tb *Tab) Overflow() []string {
	tb.T.Helper()
	return Eval[[]string](tb, `(() => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w) return [];
		const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
			(el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
		const out = [];
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > w + 0.5) {
				let clipped = false;
				for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
					const s = getComputedStyle(p);
					if (s.overflowX !== "visible" && p.getBoundingClientRect().right <= w + 0.5) { clipped = true; break; }
				}
				if (!clipped) out.push(name(el) + " right=" + Math.round(r.right));
			}
			if (out.length >= 8) break;
		}
		return out.length ? out : ["the page is " + document.documentElement.scrollWidth + " px wide"];
	})()`)
}
