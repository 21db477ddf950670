package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"
)

// phase sets up a fresh world (database, Redis, simulator, gateway hop, replicas, load balancer),
// runs the mix for o.duration and tears everything down.
func phase(ctx context.Context, o options, replicas int, kill bool) (*results, error) {
	dbURL, dropDB, err := freshDatabase(ctx)
	if err != nil {
		return nil, err
	}
	defer dropDB()
	redisURL, err := freshRedis(ctx)
	if err != nil {
		return nil, err
	}

	simAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	sim, err := start(ctx, o.bin, nil, "sandbox", "--addr", simAddr, "--control")
	if err != nil {
		// An older binary has no --control: the simulator then answers without its test routes.
		sim, err = start(ctx, o.bin, nil, "sandbox", "--addr", simAddr)
		if err != nil {
			return nil, err
		}
	}
	defer sim.stop()
	if err := waitHTTP(ctx, "http://"+simAddr+"/", 30*time.Second); err != nil {
		return nil, fmt.Errorf("simulator: %w\n%s", err, sim.logs.String())
	}
	gw, err := newGateway("http://"+simAddr, o.latency)
	if err != nil {
		return nil, err
	}
	defer gw.close()

	secret := make([]byte, 32)
	rand.Read(secret)
	lbAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	env := map[string]string{
		"ALISCOUT_DATABASE_URL": dbURL,
		"ALISCOUT_REDIS_URL":    redisURL,
		"ALIEXPRESS_GATEWAY":    gw.url,
		"ALISCOUT_SECRET_KEY":   base64.StdEncoding.EncodeToString(secret),
		"ALISCOUT_SIGNUP":       "open",
		"ALISCOUT_PUBLIC_URL":   "http://" + lbAddr,
		"ALISCOUT_TRUST_PROXY":  "true",
		"ALISCOUT_DAILY_BUDGET": fmt.Sprint(o.budget),
		"ALISCOUT_LOG_LEVEL":    "warn",
		"ALISCOUT_DATA_DIR":     os.TempDir(),
	}
	var backends []*backend
	for i := range replicas {
		addr, err := freePort()
		if err != nil {
			return nil, err
		}
		b := &backend{name: fmt.Sprintf("replica-%d", i+1), addr: addr}
		if err := b.start(ctx, o.bin, env); err != nil {
			return nil, err
		}
		defer b.stop(o.verbose)
		backends = append(backends, b)
	}
	lb, err := newBalancer(lbAddr, backends)
	if err != nil {
		return nil, err
	}
	defer lb.close()
	for _, b := range backends {
		if err := waitHTTP(ctx, "http://"+b.addr+"/readyz", 60*time.Second); err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", b.name, err, b.logs())
		}
	}
	time.Sleep(time.Second) // the balancer's first health checks

	log.Printf("%d replicas ready behind %s; signing up %d users", replicas, lb.url, o.users)
	res := newResults()
	users, err := signUp(ctx, lb.url, o.users, o.connectEvery)
	if err != nil {
		return nil, err
	}
	feat := probe(ctx, users[0])
	log.Printf("running the mix for %s (watches: %v, orders: %v)", o.duration, feat.watches, feat.orders)

	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var wg sync.WaitGroup
	gw.resetMinutes()
	res.start = time.Now()
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u.loop(runCtx, int64(i), o.think, feat, res)
		}()
	}
	if kill && len(backends) > 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.kill = killAndRestart(runCtx, o, backends[len(backends)-1], lb, env)
		}()
	}
	wg.Wait()
	res.end = time.Now()
	res.upstream = gw.minutes()
	res.budget = o.budget
	res.calls = simulatorCalls("http://" + simAddr)
	res.sessionsLost = countSessionLosses(users)
	res.jobs = jobStates(ctx, dbURL)
	res.orders, res.ordersTwice = simulatorOrders("http://" + simAddr)
	return res, nil
}

// killAndRestart kills b at 40% of the run, watches the balancer take it out of the rotation,
// starts it again 15 s later and watches it come back.
func killAndRestart(ctx context.Context, o options, b *backend, lb *balancer, env map[string]string) *killReport {
	r := &killReport{replica: b.name}
	select {
	case <-time.After(o.duration * 4 / 10):
	case <-ctx.Done():
		return nil
	}
	r.killedAt = time.Now()
	b.kill()
	log.Printf("killed %s (SIGKILL)", b.name)
	r.unreadyAfter = lb.waitState(ctx, b, false)
	select {
	case <-time.After(15 * time.Second):
	case <-ctx.Done():
		return r
	}
	r.restartedAt = time.Now()
	if err := b.start(context.WithoutCancel(ctx), o.bin, env); err != nil {
		r.err = err.Error()
		return r
	}
	log.Printf("restarted %s", b.name)
	if lb.waitState(ctx, b, true) >= 0 {
		r.readyAfter = time.Since(r.restartedAt)
	} else {
		r.readyAfter = -1
	}
	return r
}

type killReport struct {
	replica      string
	killedAt     time.Time
	unreadyAfter time.Duration // from the kill until the balancer took it out
	restartedAt  time.Time
	readyAfter   time.Duration // from the restart (exec) until the balancer took it back
	err          string
}

// backend is one `aliscout serve` replica on a fixed address, so that a restart comes back where
// the balancer looks for it.
type backend struct {
	name, addr string
	mu         sync.Mutex
	proc       *proc
	old        []string
}

func (b *backend) start(ctx context.Context, bin string, env map[string]string) error {
	p, err := start(ctx, bin, env, "serve", "--addr", b.addr)
	if err != nil {
		return err
	}
	b.mu.Lock()
	if b.proc != nil {
		b.old = append(b.old, b.proc.logs.String())
	}
	b.proc = p
	b.mu.Unlock()
	return nil
}

func (b *backend) kill() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.proc.cmd.Process.Signal(syscall.SIGKILL)
	<-b.proc.done
}

func (b *backend) logs() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(append(b.old, b.proc.logs.String()), "\n--- restarted ---\n")
}

func (b *backend) stop(verbose bool) {
	b.mu.Lock()
	p := b.proc
	b.mu.Unlock()
	p.stop()
	if verbose {
		fmt.Fprintf(os.Stderr, "=== %s\n%s\n", b.name, b.logs())
	}
}

// proc is a running aliscout command.
type proc struct {
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
}

func start(ctx context.Context, bin string, env map[string]string, args ...string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs := &lockedBuffer{}
	cmd.Stdout = logs
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, logs: logs, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	select {
	case <-p.done:
		return nil, fmt.Errorf("aliscout %s exited at once:\n%s", strings.Join(args, " "), logs.String())
	case <-time.After(300 * time.Millisecond):
	case <-ctx.Done():
	}
	return p, nil
}

func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // keep the last megabyte or so
		rest := l.b.Bytes()[l.b.Len()/2:]
		l.b = *bytes.NewBuffer(append([]byte(nil), rest...))
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitHTTP(ctx context.Context, target string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(target)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
			err = fmt.Errorf("%s answers %s", target, resp.Status)
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// freshDatabase creates a database of its own on the test server and returns its URL and a func
// that drops it.
func freshDatabase(ctx context.Context) (string, func(), error) {
	admin := os.Getenv("ALISCOUT_TEST_DATABASE_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", redact(admin), err)
	}
	name := fmt.Sprintf("aliscout_cluster_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	drop := func() {
		c := context.Background()
		conn.Exec(c, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		conn.Close(c)
	}
	return u.String(), drop, nil
}

func freshRedis(ctx context.Context) (string, error) {
	u := os.Getenv("ALISCOUT_TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/13"
	}
	opt, err := goredis.ParseURL(u)
	if err != nil {
		return "", err
	}
	c := goredis.NewClient(opt)
	defer c.Close()
	if err := c.FlushDB(ctx).Err(); err != nil {
		return "", fmt.Errorf("cannot reach Redis at %s: %w", redact(u), err)
	}
	return u, nil
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(bad URL)"
	}
	return u.Redacted()
}

// simulatorCalls reads the simulator's per-method call counts (its --control routes), if it has
// them, with the ApiCallLimit answers among them.
func simulatorCalls(base string) string {
	resp, err := http.Get(base + "/__sandbox/calls")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	var c struct {
		Calls    map[string]int
		Outcomes map[string]map[string]int
		Total    int
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&c); err != nil {
		return ""
	}
	methods := slices.Sorted(maps.Keys(c.Calls))
	var parts []string
	limited := 0
	for _, m := range methods {
		parts = append(parts, fmt.Sprintf("%s %d", strings.TrimPrefix(m, "aliexpress."), c.Calls[m]))
		limited += c.Outcomes[m]["ApiCallLimit"]
	}
	return fmt.Sprintf("%s; ApiCallLimit answers: %d", strings.Join(parts, ", "), limited)
}

// jobStates counts the background jobs of the run by kind and state (River's table).
func jobStates(ctx context.Context, dbURL string) string {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err.Error()
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT kind, state, count(*) FROM river_job GROUP BY kind, state ORDER BY kind, state")
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var kind, state string
		var n int
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return err.Error()
		}
		parts = append(parts, fmt.Sprintf("%s %s: %d", kind, state, n))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// simulatorOrders counts the orders the simulator holds and those whose out_order_id (the store
// order aliscout placed them for) was placed more than once.
func simulatorOrders(base string) (total, twice int) {
	resp, err := http.Get(base + "/__sandbox/orders")
	if err != nil {
		return -1, -1
	}
	defer resp.Body.Close()
	var o struct {
		Orders []struct {
			OrderID    json.Number `json:"order_id"`
			OutOrderID string      `json:"out_order_id"`
			ShopID     json.Number `json:"shop_id"`
		}
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&o) != nil {
		return -1, -1
	}
	seen := map[string]int{}
	for _, x := range o.Orders {
		// One out_order_id may hold several AliExpress orders when the platform splits it per
		// seller; the same seller twice is an order placed twice.
		seen[x.OutOrderID+"/"+x.ShopID.String()]++
	}
	for _, n := range seen {
		if n > 1 {
			twice++
		}
	}
	return len(o.Orders), twice
}
