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
