package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// startSandbox runs `aliscout sandbox` with args on a free port until the test ends, and returns
// its base URL and everything it printed first.
func startSandbox(t *testing.T, args ...string) (base, banner string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var errb bytes.Buffer
		done <- run(ctx, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), pw, &errb, func(string) string { return "" })
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("sandbox %v exit code = %d; want 0", args, code)
			}
		case <-time.After(10 * time.Second):
			t.Error("sandbox did not stop when its context ended")
		}
	})
	r := bufio.NewReader(pr)
	var lines []string
	want := 2
	if strings.Contains(strings.Join(args, " "), "--control") {
		want = 3
	}
	for range want {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("sandbox %v output: %v after %q", args, err, lines)
		}
		lines = append(lines, line)
	}
	go io.Copy(io.Discard, r)
	var addr string
	if _, err := fmt.Sscanf(lines[0][strings.Index(lines[0], "http://"):], "http://%s", &addr); err != nil {
		t.Fatalf("first line %q: no address", lines[0])
	}
	return "http://" + addr, strings.Join(lines, "")
}

// control sends one request to a test control and decodes its JSON answer.
func control(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if resp.Header.Get("Content-Type") == "application/json" {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, raw)
		}
	}
	return resp.StatusCode, out
}

func TestSandboxControlCommand(t *testing.T) {
	base, banner := startSandbox(t, "--control")
	if !strings.Contains(banner, base+"/__sandbox/") {
		t.Errorf("sandbox --control printed %q; want the controls' address", banner)
	}
	id := sandbox.New(sandbox.Options{}).SampleProductIDs(1)[0] // the command's catalog: seed 1
	path := fmt.Sprintf("%s/__sandbox/products/%d", base, id)
	env := map[string]string{"ALISCOUT_DATA_DIR": t.TempDir()}
	product := func() (result, map[string]any) {
		t.Helper()
		r := aliscout(t, env, "", "--gateway", base, "product", "--json", fmt.Sprint(id))
		var out map[string]any
		if r.code == 0 {
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("product --json: %v in %s", err, r.stdout)
			}
		}
		return r, out
	}

	// A price set through the controls is what aliscout reads.
	if r, out := product(); r.code != 0 || strings.Contains(fmt.Sprint(out["price"]), "9.99") {
		t.Fatalf("aliscout product before any override = %d, price %v\n%s; want served at another price than 9.99", r.code, out["price"], r.stderr)
	}
	if code, st := control(t, http.MethodPost, path, `{"price": "9.99"}`); code != http.StatusOK || st["sale_price"] != "9.99" {
		t.Fatalf("POST price 9.99 = %d %v", code, st)
	}
	r, out := product()
	if r.code != 0 || !strings.Contains(fmt.Sprint(out["price"]), "9.99") {
		t.Errorf("aliscout product after price 9.99 = %d, price %v\n%s; want 9.99", r.code, out["price"], r.stderr)
	}

	// The clock moves; aliscout, on the wall clock, is still served.
	code, st := control(t, http.MethodGet, base+"/__sandbox/clock", "")
	day := st["day"]
	if code != http.StatusOK || day == nil {
		t.Fatalf("GET clock = %d %v", code, st)
	}
	if code, st = control(t, http.MethodPost, base+"/__sandbox/clock", `{"advance": "48h"}`); code != http.StatusOK || st["day"] != day.(float64)+2 {
		t.Errorf("POST clock advance 48h = %d %v; want day %v + 2", code, st, day)
	}
	if r, _ := product(); r.code != 0 {
		t.Errorf("aliscout product after the clock moved 48h = %d\n%s; want it served", r.code, r.stderr)
	}

	// Gone: aliscout says the product is no longer listed.
	control(t, http.MethodPost, path, `{"gone": true}`)
	if r, _ := product(); r.code == 0 || !strings.Contains(r.stderr, "no longer") {
		t.Errorf("aliscout product of a gone product = %d\n%s; want a not-listed error", r.code, r.stderr)
	}

	code, st = control(t, http.MethodGet, base+"/__sandbox/calls", "")
	calls, _ := st["calls"].(map[string]any)
	if code != http.StatusOK || calls["aliexpress.affiliate.productdetail.get"] == nil || st["total"].(float64) < 3 {
		t.Errorf("GET calls = %d %v; want the productdetail.get calls counted", code, st)
	}
	if code, st = control(t, http.MethodGet, base+"/__sandbox/orders", ""); code != http.StatusOK || st["orders"] == nil {
		t.Errorf("GET orders = %d %v; want a list", code, st)
	}
	if code, st = control(t, http.MethodPost, base+"/__sandbox/faults", `{"method": "aliexpress.affiliate.productdetail.get", "fault": "5xx", "times": 1}`); code != http.StatusOK {
		t.Errorf("POST faults = %d %v", code, st)
	}
	// One 502 on productdetail.get: aliscout retries it and is served.
	control(t, http.MethodDelete, path, "")
	if r, _ := product(); r.code != 0 {
		t.Errorf("aliscout product after one 5xx = %d\n%s; want it served on a retry", r.code, r.stderr)
	}
	_, st = control(t, http.MethodGet, base+"/__sandbox/calls", "")
	outcomes, _ := st["outcomes"].(map[string]any)
	if pd, _ := outcomes["aliexpress.affiliate.productdetail.get"].(map[string]any); pd["http-502"] != float64(1) {
		t.Errorf("outcomes of productdetail.get = %v; want the one 502 counted", pd)
	}
	if _, st = control(t, http.MethodGet, base+"/__sandbox/faults", ""); fmt.Sprint(st["faults"]) != "[]" {
		t.Errorf("faults after the one call = %v; want none left", st["faults"])
	}
	if code, st = control(t, http.MethodPost, base+"/__sandbox/clock", `{"advance": "tomorrow"}`); code != http.StatusBadRequest || st["field"] != "advance" {
		t.Errorf("POST clock advance tomorrow = %d %v; want 400 naming advance", code, st)
	}
}

func TestSandboxWithoutControl(t *testing.T) {
	base, banner := startSandbox(t)
	if strings.Contains(banner, "__sandbox") {
		t.Errorf("sandbox without --control printed %q; want no controls mentioned", banner)
	}
	for _, tt := range []struct{ method, path, body string }{
		{http.MethodGet, "/__sandbox/", ""},
		{http.MethodGet, "/__sandbox/clock", ""},
		{http.MethodPost, "/__sandbox/clock", `{"advance": "24h"}`},
		{http.MethodPost, "/__sandbox/products/1005004025731845", `{"gone": true}`},
		{http.MethodGet, "/__sandbox/calls", ""},
		{http.MethodGet, "/__sandbox/orders", ""},
		{http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.create", "fault": "5xx"}`},
	} {
		if code, _ := control(t, tt.method, base+tt.path, tt.body); code != http.StatusNotFound {
			t.Errorf("%s %s without --control = %d; want 404", tt.method, tt.path, code)
		}
	}
}
