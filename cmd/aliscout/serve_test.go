package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServe runs `aliscout serve` on a free port and returns its base URL and a stop function
// that cancels it like SIGTERM and returns its exit code and output.
func startServe(t *testing.T, env map[string]string, args ...string) (string, func() (int, string)) {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	env["ALISCOUT_DATA_DIR"] = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb safeBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), pw, &errb, func(k string) string { return env[k] })
		pw.Close()
	}()
	var stdout strings.Builder
	sc := bufio.NewScanner(pr)
	base := ""
	for sc.Scan() {
		line := sc.Text()
		stdout.WriteString(line + "\n")
		if i := strings.Index(line, "listening on "); i >= 0 {
			base = strings.TrimSpace(line[i+len("listening on "):])
			break
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("serve did not start: stdout %q stderr %q", stdout.String(), errb.String())
	}
	go io.Copy(io.Discard, pr)
	return base, func() (int, string) {
		cancel()
		select {
		case code := <-done:
			return code, stdout.String()
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop after its context ended")
			return -1, ""
		}
	}
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *safeBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func get(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestServeOnTheBuiltInSimulator(t *testing.T) {
	base, stop := startServe(t, nil)
	if code, _, body := get(t, base+"/healthz"); code != 200 {
		t.Errorf("GET /healthz = %d %s; want 200", code, body)
	}
	code, _, body := get(t, base+"/api/search?q=phone+case")
	if code != 200 {
		t.Fatalf("GET /api/search = %d %s", code, body)
	}
	var res struct {
		Products []struct {
			ID    int64 `json:"id"`
			Price struct {
				Amount   string `json:"amount"`
				Currency string `json:"currency"`
			} `json:"price"`
		} `json:"products"`
		Total int  `json:"total"`
		Page  int  `json:"page"`
		Stale bool `json:"stale"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("/api/search body is not the documented shape: %v\n%s", err, body)
	}
	if len(res.Products) == 0 || res.Total == 0 || res.Page != 1 || res.Stale {
		t.Errorf("/api/search = %d products, total %d, page %d, stale %v; want products on page 1", len(res.Products), res.Total, res.Page, res.Stale)
	}
	if res.Products[0].Price.Currency != "USD" || res.Products[0].Price.Amount == "" {
		t.Errorf("price = %+v; want an exact decimal string and a currency", res.Products[0].Price)
	}
	code, _, body = get(t, base+"/search?q=phone+case")
	if code != 200 || !bytes.Contains(bytes.ToLower(body), []byte("sandbox")) {
		t.Errorf("GET /search = %d; want the page with the sandbox banner", code)
	}
	if bytes.Contains(body, []byte("<script>alert")) {
		t.Error("the search page carries a hostile title unescaped")
	}
	code, _, body = get(t, fmt.Sprintf("%s/api/products/%d", base, res.Products[0].ID))
	if code != 200 {
		t.Errorf("GET /api/products/%d = %d %s", res.Products[0].ID, code, body)
	}
	code, _, body = get(t, base+"/api/search?sort=cheapest")
	if code != 400 || !bytes.Contains(body, []byte(`"code"`)) || !bytes.Contains(body, []byte("sort")) {
		t.Errorf("GET /api/search?sort=cheapest = %d %s; want a 400 JSON error naming sort", code, body)
	}
	code, _, body = get(t, base+"/api/health")
	if code != 200 || !bytes.Contains(body, []byte(`"simulated"`)) || bytes.Contains(body, []byte("sandbox-secret")) {
		t.Errorf("GET /api/health = %d %s; want the status without the secret", code, body)
	}
	code, _, body = get(t, base+"/metrics")
	if code != 200 || !bytes.Contains(body, []byte("aliscout_upstream_calls_total")) {
		t.Errorf("GET /metrics = %d; want upstream call counters:\n%.500s", code, body)
	}
	exit, stdout := stop()
	if exit != 0 {
		t.Errorf("serve exit code after SIGTERM-like cancel = %d; want 0", exit)
	}
	if !strings.Contains(stdout, "sandbox data from the built-in simulator") {
		t.Errorf("stdout = %q; want it to say the built-in simulator serves sandbox data", stdout)
	}
}

func TestServeWithWrongSecretStartsAndSaysWhy(t *testing.T) {
	// A real-looking configuration pointed at a simulator that will refuse the secret.
	sbBase, stopSandbox := startSandboxCommand(t)
	defer stopSandbox()
	const secret = "wrong-secret-value"
	base, stop := startServe(t, map[string]string{"ALIEXPRESS_APP_KEY": "500000", "ALIEXPRESS_APP_SECRET": secret}, "--gateway", sbBase)
	defer stop()
	code, _, body := get(t, base+"/api/health")
	if code != 200 || !bytes.Contains(body, []byte("ALIEXPRESS_APP_SECRET")) || bytes.Contains(body, []byte(secret)) {
		t.Errorf("GET /api/health = %d %s; want not ok, naming ALIEXPRESS_APP_SECRET, without the secret", code, body)
	}
	code, _, body = get(t, base+"/search?q=case")
	if bytes.Contains(body, []byte(secret)) {
		t.Error("the search page shows the secret")
	}
	if !bytes.Contains(body, []byte("ALIEXPRESS_APP_SECRET")) {
		t.Errorf("GET /search with a wrong secret = %d; want a card saying what is wrong", code)
	}
	code, _, body = get(t, base+"/api/search?q=case")
	if code < 400 || bytes.Contains(body, []byte(secret)) {
		t.Errorf("GET /api/search with a wrong secret = %d %s; want an error without the secret", code, body)
	}
}

// startSandboxCommand runs `aliscout sandbox` on a free port.
func startSandboxCommand(t *testing.T) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, io.Discard, func(string) string { return "" })
		pw.Close()
		close(done)
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	i := strings.Index(line, "http://")
	j := strings.Index(line[i:], " ")
	return line[i : i+j], func() { cancel(); <-done }
}

func TestServeAgainstAGatewayGivenByFlag(t *testing.T) {
	sbBase, stopSandbox := startSandboxCommand(t)
	defer stopSandbox()
	base, stop := startServe(t, nil, "--gateway", sbBase)
	code, _, body := get(t, base+"/api/search?q=phone+case")
	if code != 200 || !bytes.Contains(body, []byte(`"products"`)) {
		t.Errorf("GET /api/search through --gateway %s = %d %.300s", sbBase, code, body)
	}
	code, _, body = get(t, base+"/api/health")
	if code != 200 || !bytes.Contains(body, []byte(strings.TrimPrefix(sbBase, "http://"))) {
		t.Errorf("GET /api/health = %d %s; want the gateway given by --gateway", code, body)
	}
	exit, stdout := stop()
	if exit != 0 {
		t.Errorf("serve exit = %d; want 0", exit)
	}
	if want := "sandbox data from the simulator at " + sbBase; !strings.Contains(stdout, want) || strings.Contains(stdout, "built-in") {
		t.Errorf("stdout = %q; want %q, not the built-in simulator", stdout, want)
	}
}

func TestServeWithRedisCache(t *testing.T) {
	conn, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
	if err != nil {
		if os.Getenv("ALISCOUT_REQUIRE_REDIS") == "1" {
			t.Fatalf("ALISCOUT_REQUIRE_REDIS=1 but Redis is not reachable on 127.0.0.1:6379: %v", err)
		}
		t.Skip("no Redis on 127.0.0.1:6379; ALISCOUT_REQUIRE_REDIS=1 makes this a failure")
	}
	conn.Close()
	base, stop := startServe(t, nil, "--redis", "redis://127.0.0.1:6379/0")
	for i := 0; i < 2; i++ {
		if code, _, body := get(t, base+"/api/search?q=lamp"); code != 200 {
			t.Fatalf("GET /api/search with the Redis cache = %d %.200s", code, body)
		}
	}
	_, _, metrics := get(t, base+"/metrics")
	if !bytes.Contains(metrics, []byte("aliscout_cache_hits_total")) {
		t.Errorf("/metrics lacks the cache counters:\n%.400s", metrics)
	}
	if exit, _ := stop(); exit != 0 {
		t.Errorf("serve exit = %d; want 0", exit)
	}
	r := aliscout(t, nil, "", "serve", "--redis", "http://not-redis")
	if r.code == 0 || !strings.Contains(r.stderr, "ALISCOUT_REDIS_URL") {
		t.Errorf("serve --redis http://not-redis = %d %q; want an error naming the setting", r.code, r.stderr)
	}
}

// TestServeRefusesOtherHosts: serve answered any Host header, so a page on evil.example whose
// name an attacker pointed at the server (DNS rebinding) was served as its own and passed the
// cross-origin guard with a matching Origin.
func TestServeRefusesOtherHosts(t *testing.T) {
	base, stop := startServe(t, map[string]string{"ALISCOUT_PUBLIC_URL": "https://scout.example.com"})
	defer stop()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	do := func(method, path, host, origin string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(`{"urls":["https://www.aliexpress.com/item/1005001234567890.html"]}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, host := range []string{"evil.example", "evil.example:" + port, "scout.example.com.evil.example"} {
		if code, body := do("GET", "/search?q=case", host, ""); code != http.StatusMisdirectedRequest || !strings.Contains(body, "ALISCOUT_PUBLIC_URL") {
			t.Errorf("GET /search with Host %q = %d %q; want 421 naming ALISCOUT_PUBLIC_URL", host, code, body)
		}
	}
	if code, _ := do("POST", "/api/links", "evil.example:"+port, "http://evil.example:"+port); code != http.StatusMisdirectedRequest {
		t.Errorf("POST /api/links from a rebound evil.example = %d; want 421", code)
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, "scout.example.com", "scout.example.com:443"} {
		if code, body := do("GET", "/api/health", host, ""); code != 200 {
			t.Errorf("GET /api/health with Host %q = %d %.200s; want 200", host, code, body)
		}
	}
	// Behind the public URL's proxy, a browser's POST carries the public origin.
	if code, body := do("POST", "/api/links", "scout.example.com", "https://scout.example.com"); code != 200 {
		t.Errorf("POST /api/links from the public URL = %d %.200s; want 200", code, body)
	}
	if code, _ := do("GET", "/healthz", "10.1.2.3:"+port, ""); code != 200 {
		t.Errorf("GET /healthz by IP = %d; want 200 (load balancers call it so)", code)
	}

	r := aliscout(t, nil, "", "serve", "--public-url", "https://scout.example.com/app")
	if r.code == 0 || !strings.Contains(r.stderr, "ALISCOUT_PUBLIC_URL") {
		t.Errorf("serve --public-url with a path = %d %q; want an error naming the setting", r.code, r.stderr)
	}
}

func TestAllowedHosts(t *testing.T) {
	ifaces := func() ([]net.Addr, error) {
		return []net.Addr{&net.IPNet{IP: net.ParseIP("192.168.1.5"), Mask: net.CIDRMask(24, 32)},
			&net.IPNet{IP: net.ParseIP("fe80::1"), Mask: net.CIDRMask(64, 128)},
			&net.IPNet{IP: net.ParseIP("2001:db8::5"), Mask: net.CIDRMask(64, 128)}}, nil
	}
	tcp := func(s string) net.Addr {
		a, err := net.ResolveTCPAddr("tcp", s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	cases := []struct {
		listen, public string
		want           []string
	}{
		{"127.0.0.1:8080", "", []string{"127.0.0.1:8080", "localhost:8080", "[::1]:8080"}},
		{"127.0.0.1:8080", "https://Scout.Example.com", []string{"scout.example.com", "scout.example.com:443", "127.0.0.1:8080", "localhost:8080", "[::1]:8080"}},
		{"127.0.0.1:8080", "http://10.0.0.5:9000", []string{"10.0.0.5:9000", "127.0.0.1:8080", "localhost:8080", "[::1]:8080"}},
		{"10.0.0.5:8080", "", []string{"10.0.0.5:8080"}},
		{"[::1]:8080", "", []string{"[::1]:8080", "localhost:8080", "127.0.0.1:8080"}},
		{"0.0.0.0:8080", "", []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080", "192.168.1.5:8080", "[2001:db8::5]:8080"}},
		{"127.0.0.1:80", "", []string{"127.0.0.1:80", "127.0.0.1", "localhost:80", "localhost", "[::1]:80", "[::1]"}},
	}
	for _, c := range cases {
		got, err := allowedHosts(tcp(c.listen), c.public, ifaces)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("allowedHosts(%s, %q) = %q, %v; want %q", c.listen, c.public, got, err, c.want)
		}
	}
}
