package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aliscout/aliscout/internal/store/postgres/pgtest"
)

// builtDir is where builtBinary put the binary, removed when the tests end; "" when none was built.
var builtDir string

// builtBinary builds aliscout once per test run, for tests that need real processes (killed with
// SIGKILL, several replicas).
var builtBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "aliscout-bin-")
	if err != nil {
		return "", err
	}
	builtDir = dir
	bin := filepath.Join(dir, "aliscout")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// process is a running `aliscout serve`.
type process struct {
	cmd  *exec.Cmd
	base string
	logs *safeBuffer
}

// startProcess runs `aliscout serve` as its own process with env (added to this one's), and waits
// until it listens. It is killed when the test ends.
func startProcess(t *testing.T, env map[string]string, args ...string) *process {
	t.Helper()
	bin, err := builtBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs := &safeBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, logs: logs}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(60 * time.Second)
	for p.base == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited before listening:\n%s", logs.String())
			}
			if i := strings.Index(line, "listening on "); i >= 0 {
				p.base = strings.TrimSpace(line[i+len("listening on "):])
			}
		case <-deadline:
			t.Fatalf("serve did not listen within a minute:\n%s", logs.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	return p
}

// user is a browser-like client of one or several replicas, with a cookie jar shared by all.
type user struct {
	t      *testing.T
	client *http.Client
}

func newUser(t *testing.T) *user {
	jar, _ := cookiejar.New(nil)
	return &user{t: t, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// share makes the cookies the user got from one replica count for another (a load balancer
// in front of both serves them under one name).
func (u *user) share(from, to string) {
	f, _ := url.Parse(from)
	tu, _ := url.Parse(to)
	u.client.Jar.SetCookies(tu, u.client.Jar.Cookies(f))
}

func (u *user) do(method, target, contentType, body string) (int, string) {
	u.t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		u.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	base, _ := url.Parse(target)
	req.Header.Set("Origin", base.Scheme+"://"+base.Host) // a same-origin form or fetch
	resp, err := u.client.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (u *user) form(target string, v url.Values) (int, string) {
	return u.do("POST", target, "application/x-www-form-urlencoded", v.Encode())
}

func (u *user) json(method, target, body string) (int, string) {
	return u.do(method, target, "application/json", body)
}

// TestTwoReplicasShareUsersSessionsAndLists: two serve processes on one PostgreSQL database and
// one Redis, started at the same moment on a new database (the migrations run once), behave as
// one app: a user signs up on the first, their cookie works on the second, and a list saved on
// one shows on the other.
func TestTwoReplicasShareUsersSessionsAndLists(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	dbURL := pgtest.FreshDatabase(t)
	redisURL := "redis://127.0.0.1:6379/0"
	if c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second); err != nil {
		if os.Getenv("ALISCOUT_REQUIRE_REDIS") == "1" {
			t.Fatalf("redis at 127.0.0.1:6379: %v", err)
		}
		t.Skipf("redis at 127.0.0.1:6379 does not answer (%v): skipping", err)
	} else {
		c.Close()
	}
	env := func() map[string]string {
		return map[string]string{"ALISCOUT_DATABASE_URL": dbURL, "ALISCOUT_REDIS_URL": redisURL,
			"ALISCOUT_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
			"ALISCOUT_DATA_DIR":   t.TempDir(), "ALISCOUT_LOG_LEVEL": "warn"}
	}
	replicas := make([]*process, 2)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { replicas[i] = startProcess(t, env()) })
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	a, b := replicas[0].base, replicas[1].base

	// Each goose migration was applied once.
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	var applied, distinct int
	if err := conn.QueryRow(context.Background(), "SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0").Scan(&applied, &distinct); err != nil {
		t.Fatalf("read the migration log: %v", err)
	}
	conn.Close(context.Background())
	if applied == 0 || applied != distinct {
		t.Errorf("migration log has %d rows for %d versions; want each version once", applied, distinct)
	}

	ann := newUser(t)
	if code, body := ann.form(a+"/signup", url.Values{"email": {"ann@example.com"}, "password": {"a long enough pw"},
		"password_confirm": {"a long enough pw"}}); code != http.StatusSeeOther {
		t.Fatalf("sign up on replica 1 = %d\n%.400s", code, body)
	}
	ann.share(a, b)
	if code, body := ann.do("GET", b+"/api/account", "", ""); code != 200 || !strings.Contains(body, "ann@example.com") {
		t.Fatalf("GET /api/account on replica 2 with replica 1's cookie = %d %.200s; want ann", code, body)
	}
	code, body := ann.json("POST", a+"/api/lists", `{"name": "Winter"}`)
	if code != http.StatusCreated {
		t.Fatalf("POST /api/lists on replica 1 = %d %s", code, body)
	}
	var list struct{ ID int64 }
	json.Unmarshal([]byte(body), &list)
	if code, body := ann.do("GET", b+"/api/lists", "", ""); code != 200 || !strings.Contains(body, `"Winter"`) {
		t.Errorf("GET /api/lists on replica 2 = %d %s; want the list saved on replica 1", code, body)
	}
	if code, body := ann.form(b+"/signout", url.Values{}); code >= 400 {
		t.Errorf("sign out on replica 2 = %d %.200s", code, body)
	}
	ann.share(b, a)
	if code, _ := ann.do("GET", a+"/api/account", "", ""); code != http.StatusUnauthorized {
		t.Errorf("GET /api/account on replica 1 after signing out on replica 2 = %d; want 401", code)
	}
}

// TestAcknowledgedWriteSurvivesKill: a list the API answered 201 for is there after serve is
// killed with SIGKILL and started again on the same data directory.
func TestAcknowledgedWriteSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	env := map[string]string{"ALISCOUT_DATA_DIR": t.TempDir(), "ALISCOUT_LOG_LEVEL": "warn"}
	p := startProcess(t, env)
	ann := newUser(t)
	if code, body := ann.form(p.base+"/signup", url.Values{"email": {"ann@example.com"}, "password": {"a long enough pw"},
		"password_confirm": {"a long enough pw"}}); code != http.StatusSeeOther {
		t.Fatalf("sign up = %d\n%.400s", code, body)
	}
	var names []string
	for i := range 20 {
		name := fmt.Sprintf("list %d", i)
		if code, body := ann.json("POST", p.base+"/api/lists", fmt.Sprintf(`{"name": %q}`, name)); code != http.StatusCreated {
			t.Fatalf("POST /api/lists = %d %s", code, body)
		}
		names = append(names, name)
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()

	q := startProcess(t, env)
	ann.share(p.base, q.base)
	code, body := ann.do("GET", q.base+"/api/lists", "", "")
	if code != 200 {
		t.Fatalf("GET /api/lists after the restart = %d %s", code, body)
	}
	for _, n := range names {
		if !strings.Contains(body, fmt.Sprintf("%q", n)) {
			t.Errorf("after kill -9 the list %q acknowledged with 201 is gone", n)
		}
	}
}
