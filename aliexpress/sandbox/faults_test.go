package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
)

func TestQPSLimit(t *testing.T) {
	e := newEnv(t, Options{})
	const m = "aliexpress.ds.address.get" // published limit: 4 per second
	args := map[string]string{"countryCode": "US"}
	for i := range 4 {
		if got := e.errCode(m, args); got != "" {
			t.Fatalf("call %d within the limit = %q; want success", i+1, got)
		}
	}
	v := e.call(m, args)
	if str(at(v, "error_response.code")) != "ApiCallLimit" ||
		str(at(v, "error_response.msg")) != "Api access frequency exceeds the limit. this ban will last 1 seconds" {
		t.Fatalf("5th call in a second = %v; want ApiCallLimit with the 1-second ban", v)
	}
	e.clock.Advance(500 * time.Millisecond)
	if got := e.errCode(m, args); got != "ApiCallLimit" {
		t.Errorf("call during the ban = %q; want ApiCallLimit", got)
	}
	e.clock.Advance(600 * time.Millisecond)
	if got := e.errCode(m, args); got != "" {
		t.Errorf("call after the ban = %q; want success", got)
	}
	// Other APIs are not affected, and overrides apply.
	if got := e.errCode("aliexpress.ds.feedname.get", nil); got != "" {
		t.Errorf("another API = %q; want success", got)
	}
	e = newEnv(t, Options{QPS: map[string]int{m: -1}, DefaultQPS: 2})
	for range 10 {
		if got := e.errCode(m, args); got != "" {
			t.Fatalf("unlimited override = %q; want success", got)
		}
	}
	e.errCode("aliexpress.affiliate.category.get", nil)
	e.errCode("aliexpress.affiliate.category.get", nil)
	if got := e.errCode("aliexpress.affiliate.category.get", nil); got != "ApiCallLimit" {
		t.Errorf("3rd call with DefaultQPS 2 = %q; want ApiCallLimit", got)
	}
}

func TestDailyQuota(t *testing.T) {
	e := newEnv(t, Options{DailyQuota: 3})
	for i := range 3 {
		if got := e.errCode("aliexpress.affiliate.category.get", nil); got != "" {
			t.Fatalf("call %d = %q; want success", i+1, got)
		}
		e.clock.Advance(time.Second)
	}
	v := e.call("aliexpress.affiliate.category.get", nil)
	// testEpoch is 12:00 GMT+8; midnight is 12 hours minus the 3 seconds gone by.
	if msg := str(at(v, "error_response.msg")); str(at(v, "error_response.code")) != "ApiCallLimit" || !strings.HasSuffix(msg, "this ban will last 43197 seconds") {
		t.Fatalf("call past the quota = %v; want ApiCallLimit until GMT+8 midnight", v)
	}
	e.clock.Advance(12 * time.Hour)
	if got := e.errCode("aliexpress.affiliate.category.get", nil); got != "" {
		t.Errorf("call the next GMT+8 day = %q; want success", got)
	}
}

func TestFaultBurstAndMethods(t *testing.T) {
	e := newEnv(t, Options{})
	e.sb.SetFaults(Faults{RateLimitBurst: 2, Methods: []string{"aliexpress.affiliate.category.get"}})
	if got := e.errCode("aliexpress.ds.feedname.get", nil); got != "" {
		t.Errorf("API outside Faults.Methods = %q; want success", got)
	}
	for i := range 2 {
		if got := e.errCode("aliexpress.affiliate.category.get", nil); got != "ApiCallLimit" {
			t.Errorf("burst call %d = %q; want ApiCallLimit", i+1, got)
		}
	}
	if got := e.errCode("aliexpress.affiliate.category.get", nil); got != "" {
		t.Errorf("call after the burst = %q; want success", got)
	}
}

// TestFaultsOverHTTP runs each fault kind through a real server and client.
func TestFaultsOverHTTP(t *testing.T) {
	srv := NewServer(Options{Now: func() time.Time { return testEpoch }})
	defer srv.Close()
	do := func(ctx context.Context) (*http.Response, []byte, error) {
		p := map[string]string{"app_key": DefaultAppKey, "sign_method": "sha256", "method": "aliexpress.affiliate.category.get",
			"timestamp": strconv.FormatInt(testEpoch.UnixMilli(), 10)}
		p["sign"], _ = aliexpress.Sign(aliexpress.SignSHA256, DefaultAppSecret, "", p)
		v := url.Values{}
		for k, x := range p {
			v.Set(k, x)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/sync", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}
	ctx := context.Background()

	resp, body, err := do(ctx)
	if err != nil || resp.StatusCode != 200 || !json.Valid(body) {
		t.Fatalf("call without faults = %v, %v; want 200 JSON", resp, err)
	}

	srv.SetFaults(Faults{ErrorRate: 1})
	statuses := map[int]bool{}
	for range 20 {
		resp, body, err := do(ctx)
		if err != nil || resp.StatusCode < 500 || !strings.Contains(string(body), "<html>") {
			t.Fatalf("ErrorRate 1: %v, %v; want a 5xx HTML page", resp, err)
		}
		statuses[resp.StatusCode] = true
	}
	if len(statuses) < 2 {
		t.Errorf("ErrorRate 1 gave statuses %v; want a mix of 500, 502, 503", statuses)
	}

	srv.SetFaults(Faults{MalformedRate: 1})
	for range 6 {
		resp, body, err := do(ctx)
		if err != nil || resp.StatusCode != 200 || json.Valid(body) {
			t.Fatalf("MalformedRate 1: %v, %v, valid JSON %v; want 200 with a broken body", resp, err, json.Valid(body))
		}
	}

	srv.ResetCalls()
	srv.SetFaults(Faults{DropRate: 1})
	if _, _, err := do(ctx); err == nil {
		t.Fatal("DropRate 1: the call got an answer; want a dropped connection")
	}
	if calls := srv.Calls(); len(calls) == 0 || calls[0].Fault != "drop" || calls[0].Code != "0" {
		t.Errorf("Calls() after a drop = %+v; want the handled call marked drop", calls)
	}

	srv.SetFaults(Faults{Latency: time.Hour})
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, _, err := do(cctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Latency 1h with a 50ms deadline: err = %v; want the deadline", err)
	}

	// Draws are repeatable: the same seed and calls give the same faults.
	pattern := func() string {
		srv.SetFaults(Faults{ErrorRate: 0.5, Seed: 7})
		var b strings.Builder
		for range 16 {
			resp, _, err := do(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(strconv.Itoa(resp.StatusCode) + " ")
		}
		return b.String()
	}
	if a, b := pattern(), pattern(); a != b || !strings.Contains(a, "200") || a == strings.Repeat("200 ", 16) {
		t.Errorf("fault patterns with one seed = %q and %q; want equal mixes", a, b)
	}
	srv.SetFaults(Faults{})
}

func TestCallLog(t *testing.T) {
	e := newEnv(t, Options{})
	e.ok("aliexpress.affiliate.category.get", nil)
	e.errCode("aliexpress.ds.feedname.get", map[string]string{"session": "bad"})
	e.ok("aliexpress.affiliate.category.get", nil)
	calls := e.sb.Calls()
	if len(calls) != 3 {
		t.Fatalf("Calls() = %d entries; want 3", len(calls))
	}
	if c := calls[1]; c.Method != "aliexpress.ds.feedname.get" || c.Code != "IllegalAccessToken" || c.AppKey != DefaultAppKey || !c.Time.Equal(testEpoch) {
		t.Errorf("Calls()[1] = %+v; want the refused feedname call", c)
	}
	if c := calls[0]; c.Code != "0" || c.HTTPStatus != 200 || c.User != "" {
		t.Errorf("Calls()[0] = %+v; want a success without user", c)
	}
	if n := e.sb.CallCount("aliexpress.affiliate.category.get"); n != 2 {
		t.Errorf("CallCount(category.get) = %d; want 2", n)
	}
	e.sb.ResetCalls()
	if n := len(e.sb.Calls()); n != 0 {
		t.Errorf("Calls() after ResetCalls = %d entries; want 0", n)
	}
}

// TestConcurrentUse runs many clients at once (for -race) against one sandbox.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, Options{QPS: map[string]int{"aliexpress.ds.order.create": -1}})
	p := e.fixture("US")
	v := p.Variants[0]
	opt := e.sb.cat.Shipping(p, v.SKUID, "US", 1)[0]
	order := orderJSON(t, "SAME-ID", p, v, opt.Code, 1, nil)
	var wg sync.WaitGroup
	results := make(chan string, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 4 {
			case 0:
				r := e.createOrder(order, "")
				results <- str(at(r, "result.is_success"))
			case 1:
				e.ok("aliexpress.affiliate.product.query", map[string]string{"page_size": "3"})
			case 2:
				e.sb.SetFaults(Faults{})
				e.sb.Calls()
			case 3:
				e.rest("/auth/token/create", map[string]string{"code": e.sb.AuthorizeCode("https://x.example/")})
			}
		}()
	}
	wg.Wait()
	close(results)
	won := 0
	for r := range results {
		if r == "true" {
			won++
		}
	}
	if won != 1 {
		t.Errorf("4 concurrent orders with one out_order_id: %d succeeded; want exactly 1", won)
	}
}

// TestServerClose checks that Close ends every goroutine the server started, even with a request
// still waiting on injected latency.
func TestServerClose(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := NewServer(Options{})
	srv.SetFaults(Faults{Latency: time.Hour})
	tr := &http.Transport{}
	client := &http.Client{Transport: tr}
	done := make(chan error, 1)
	go func() {
		resp, err := client.Post(srv.URL+"/sync", "application/x-www-form-urlencoded", nil)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	for srv.CallCount("") == 0 && runtime.NumGoroutine() < before+4 {
		time.Sleep(time.Millisecond)
	}
	srv.Close()
	if err := <-done; err == nil {
		t.Error("request waiting on latency got an answer after Close; want a closed connection")
	}
	tr.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines after Close = %d; want at most %d", n, before)
	}
}
