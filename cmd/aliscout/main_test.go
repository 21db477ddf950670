package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/catalog"
)

type result struct {
	code           int
	stdout, stderr string
}

// aliscout runs the command line as a user would, with the given environment and input.
func aliscout(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["ALISCOUT_DATA_DIR"]; !ok {
		env["ALISCOUT_DATA_DIR"] = t.TempDir()
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(k string) string { return env[k] })
	return result{code, out.String(), errb.String()}
}

func TestSearchOnTheBuiltInSimulator(t *testing.T) {
	r := aliscout(t, nil, "", "search", "phone case")
	if r.code != 0 {
		t.Fatalf("aliscout search = exit %d, stderr %q; want 0", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "simulator") || !strings.Contains(r.stderr, "ALIEXPRESS_APP_KEY") {
		t.Errorf("stderr = %q; want it to say the simulator is used and which variables to set", r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "TITLE") {
		t.Fatalf("stdout = %q; want a table with a header and products", r.stdout)
	}
	if !strings.Contains(lines[len(lines)-1], "page 1 of") {
		t.Errorf("last line = %q; want the page count", lines[len(lines)-1])
	}
	for _, l := range lines {
		if strings.ContainsAny(l, "\x1b\u202e") {
			t.Errorf("output line %q carries a control or bidi character from a hostile title", l)
		}
	}
}

func TestSearchJSONAndFlags(t *testing.T) {
	r := aliscout(t, nil, "", "search", "--json", "--sort", "price-asc", "--page-size", "5", "--min-price", "2.00", "case")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var page struct {
		Products []struct {
			ID    int64
			Price struct{ Amount string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &page); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, r.stdout)
	}
	if len(page.Products) == 0 || len(page.Products) > 5 {
		t.Fatalf("got %d products; want 1 to 5", len(page.Products))
	}
	cents := func(s string) int64 {
		m, err := catalog.ParseMoney(s, "USD")
		if err != nil {
			t.Fatalf("price %q: %v", s, err)
		}
		return m.Amount
	}
	for i, p := range page.Products {
		if cents(p.Price.Amount) < 200 {
			t.Errorf("product %d costs %s; want at least --min-price 2.00", p.ID, p.Price.Amount)
		}
		if i > 0 && cents(p.Price.Amount) < cents(page.Products[i-1].Price.Amount) {
			t.Errorf("products not sorted by price ascending at %d", i)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"search"}, "search query"},
		{[]string{"search", "--min-price", "cheap", "x"}, "--min-price"},
		{[]string{"search", "--nope", "x"}, "nope"},
		{[]string{"product"}, "product URL or ID"},
		{[]string{"product", "https://example.com/x"}, "not an AliExpress product link"},
		{[]string{"product", "--ship-to", "USA", "1005001234567890"}, "--ship-to"},
	}
	for _, tt := range tests {
		r := aliscout(t, nil, "", tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("aliscout %v = exit %d, stderr %q; want exit 2 naming %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
	if r := aliscout(t, nil, ""); r.code != 2 || !strings.Contains(r.stderr, "usage") {
		t.Errorf("aliscout with no command = %d %q; want usage, exit 2", r.code, r.stderr)
	}
}

func TestWrongSecretSaysWhatToDo(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	const secret = "definitely-wrong-secret"
	env := map[string]string{"ALIEXPRESS_APP_KEY": sandbox.DefaultAppKey, "ALIEXPRESS_APP_SECRET": secret}
	r := aliscout(t, env, "", "--gateway", sb.URL, "search", "case")
	if r.code != 1 {
		t.Fatalf("exit %d; want 1", r.code)
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("stderr = %q; want one line", r.stderr)
	}
	for _, want := range []string{"signature", "ALIEXPRESS_APP_SECRET"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr = %q; want it to name %q", r.stderr, want)
		}
	}
	if strings.Contains(r.stderr+r.stdout, secret) {
		t.Errorf("the secret was printed: %q", r.stderr)
	}
}

func TestPartialCredentials(t *testing.T) {
	r := aliscout(t, map[string]string{"ALIEXPRESS_APP_KEY": "123"}, "", "search", "case")
	if r.code != 1 || !strings.Contains(r.stderr, "ALIEXPRESS_APP_SECRET") {
		t.Errorf("key without secret = %d %q; want an error naming ALIEXPRESS_APP_SECRET", r.code, r.stderr)
	}
}

func TestUnreachableGateway(t *testing.T) {
	env := map[string]string{"ALIEXPRESS_APP_KEY": "1", "ALIEXPRESS_APP_SECRET": "s"}
	r := aliscout(t, env, "", "--gateway", "http://127.0.0.1:1", "categories")
	if r.code != 1 || !strings.Contains(r.stderr, "could not be reached") {
		t.Errorf("unreachable gateway = %d %q; want a clear one-line error", r.code, r.stderr)
	}
}

func TestProductWithDSToken(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	tok, _ := sb.IssueToken(sandbox.DefaultUserNick)
	id := sb.SampleProductIDs(1)[0]
	r := aliscout(t, map[string]string{"ALIEXPRESS_ACCESS_TOKEN": tok}, "", "--gateway", sb.URL, "product", "--ship-to", "DE",
		fmt.Sprintf("https://www.aliexpress.com/item/%d.html?spm=x", id))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"SKU", "STOCK", "shipping to DE"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, tok) {
		t.Error("the access token was printed")
	}
	if sb.CallCount("aliexpress.ds.product.get") != 1 || sb.CallCount("aliexpress.ds.freight.query") != 1 {
		t.Errorf("calls: ds.product.get %d, ds.freight.query %d; want 1 each", sb.CallCount("aliexpress.ds.product.get"), sb.CallCount("aliexpress.ds.freight.query"))
	}
}

func TestProductAffiliateOnly(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	id := sb.SampleProductIDs(1)[0]
	r := aliscout(t, nil, "", "--gateway", sb.URL, "product", fmt.Sprint(id))
	if r.code != 0 || !strings.Contains(r.stdout, "commission") || !strings.Contains(r.stderr, "affiliate data only") {
		t.Errorf("product without token = %d\n%s\n%s; want the affiliate fields and a note", r.code, r.stdout, r.stderr)
	}
}

func TestLink(t *testing.T) {
	r := aliscout(t, nil, "", "link", "https://www.aliexpress.com/item/1005001234567890.html", "https://m.aliexpress.com/i/1005001234567890.html")
	if r.code != 0 || strings.Count(r.stdout, "https://s.click.aliexpress.com/") != 2 {
		t.Errorf("aliscout link = %d\n%s\n%s; want two affiliate links", r.code, r.stdout, r.stderr)
	}
}

func TestCategories(t *testing.T) {
	r := aliscout(t, nil, "", "categories")
	if r.code != 0 || !strings.Contains(r.stdout, "Consumer Electronics") {
		t.Errorf("aliscout categories = %d\n%s", r.code, r.stdout)
	}
}

func TestAuthFlowSavesAndRefreshesToken(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	dir := t.TempDir()
	env := map[string]string{"ALISCOUT_DATA_DIR": dir}
	redirect := "http://127.0.0.1:8080/auth/callback"
	code := sb.AuthorizeCode(redirect)
	r := aliscout(t, env, redirect+"?code="+code+"\n", "--gateway", sb.URL, "auth", "--redirect-uri", redirect)
	if r.code != 0 {
		t.Fatalf("auth = exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "/oauth/authorize?") || !strings.Contains(r.stdout, "access token expires") {
		t.Errorf("auth output lacks the authorize URL or the expiry:\n%s", r.stdout)
	}
	path := filepath.Join(dir, tokenFile)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file %s: %v, mode %v; want it saved readable by its owner only", path, err, st)
	}
	saved, _ := loadToken(path)
	if strings.Contains(r.stdout, saved.AccessToken) || strings.Contains(r.stdout, saved.RefreshToken) {
		t.Error("auth printed a token without --print")
	}
	// The same code again is refused: codes are single-use.
	r = aliscout(t, env, "", "--gateway", sb.URL, "auth", "--code", code)
	if r.code != 1 || !strings.Contains(r.stderr, "authorization code") {
		t.Errorf("reused code = %d %q; want a clear error", r.code, r.stderr)
	}
	r = aliscout(t, env, "", "--gateway", sb.URL, "auth", "--refresh")
	if r.code != 0 {
		t.Fatalf("auth --refresh = %d: %s", r.code, r.stderr)
	}
	renewed, _ := loadToken(path)
	if renewed.AccessToken == saved.AccessToken || !renewed.RefreshExpiresAt.Equal(saved.RefreshExpiresAt) {
		t.Errorf("refresh: new access token %v, refresh expiry %v -> %v; want a new token and the same refresh expiry",
			renewed.AccessToken != saved.AccessToken, saved.RefreshExpiresAt, renewed.RefreshExpiresAt)
	}
	// The saved token is used by later commands against the same gateway.
	id := sb.SampleProductIDs(1)[0]
	r = aliscout(t, env, "", "--gateway", sb.URL, "product", fmt.Sprint(id))
	if r.code != 0 || !strings.Contains(r.stdout, "STOCK") {
		t.Errorf("product after auth = %d\n%s\n%s; want DS data with the saved token", r.code, r.stdout, r.stderr)
	}
}

func TestSandboxCommandServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var errb bytes.Buffer
		done <- run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, &errb, func(string) string { return "" })
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	var addr string
	if _, err := fmt.Sscanf(line[strings.Index(line, "http://"):], "http://%s", &addr); err != nil {
		t.Fatalf("first line %q: no address", line)
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET / on the sandbox = %d; want 200", resp.StatusCode)
	}
	// A client pointed at it with --gateway works.
	r := aliscout(t, nil, "", "--gateway", "http://"+addr, "search", "--json", "case")
	if r.code != 0 || !strings.Contains(r.stderr, "http://"+addr) {
		t.Errorf("search against the sandbox command = %d %q", r.code, r.stderr)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("sandbox exit code after SIGINT-like cancel = %d; want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox did not stop when its context ended")
	}
}

func TestAuthRefreshGoesOnlyToTheIssuingGateway(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	other := sandbox.NewServer(sandbox.Options{})
	defer other.Close()
	env := map[string]string{"ALISCOUT_DATA_DIR": t.TempDir()}
	redirect := "http://127.0.0.1:8080/auth/callback"
	// --code takes the whole callback URL too, as the prompt says.
	r := aliscout(t, env, "", "--gateway", sb.URL, "auth", "--code", redirect+"?code="+sb.AuthorizeCode(redirect)+"&state=aliscout")
	if r.code != 0 {
		t.Fatalf("auth --code <callback URL> = %d: %s", r.code, r.stderr)
	}
	before := len(other.Calls())
	r = aliscout(t, env, "", "--gateway", other.URL, "auth", "--refresh")
	if r.code != 2 || !strings.Contains(r.stderr, "--gateway "+sb.URL) {
		t.Errorf("refresh against another gateway = %d %q; want a refusal naming the issuing gateway", r.code, r.stderr)
	}
	if len(other.Calls()) != before {
		t.Error("the refresh token was sent to a gateway that did not issue it")
	}
}

func TestAuthRefreshOnTheInProcessSimulator(t *testing.T) {
	r := aliscout(t, nil, "", "auth", "--refresh")
	if r.code != 2 || !strings.Contains(r.stderr, "aliscout sandbox") {
		t.Errorf("auth --refresh on the in-process simulator = %d %q; want advice to run aliscout sandbox", r.code, r.stderr)
	}
}

func TestSortValuesAreChecked(t *testing.T) {
	r := aliscout(t, nil, "", "search", "--sort", "cheapest", "case")
	if r.code != 2 || !strings.Contains(r.stderr, "price-asc") || !strings.Contains(r.stderr, "discount-desc") {
		t.Errorf("search --sort cheapest = %d %q; want a usage error listing the sorts", r.code, r.stderr)
	}
}

func TestHostileTitleReachesTheTerminalClean(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	for _, id := range sb.HostileProductIDs() {
		r := aliscout(t, nil, "", "--gateway", sb.URL, "product", fmt.Sprint(id))
		if r.code != 0 {
			t.Fatalf("product %d = %d: %s", id, r.code, r.stderr)
		}
		for _, line := range strings.Split(r.stdout, "\n") {
			if strings.ContainsAny(line, "\x1b\u202e\u2066\u2069\r\t") {
				t.Errorf("product %d printed a line with control or bidi characters: %q", id, line)
			}
		}
	}
}
