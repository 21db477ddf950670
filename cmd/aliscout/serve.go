package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/config"
	"github.com/aliscout/aliscout/internal/heapfloor"
	"github.com/aliscout/aliscout/internal/metrics"
	"github.com/aliscout/aliscout/internal/sourcing"
	"github.com/aliscout/aliscout/internal/web"
)

// Bounds on waiting for AliExpress while a user waits for a page.
const (
	serveAttemptTimeout = 10 * time.Second
	serveLoadTimeout    = 20 * time.Second
)

// runServe runs the web app and JSON API until ctx ends (SIGINT/SIGTERM), then drains requests.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "[flags]")
	fs.StringVar(&e.cfg.Addr, "addr", e.cfg.Addr, "listen address")
	fs.StringVar(&e.cfg.PublicURL, "public-url", e.cfg.PublicURL, "the URL users open aliscout at, e.g. https://scout.example.com (other host names are refused)")
	fs.StringVar(&e.cfg.DataDir, "data", e.cfg.DataDir, "data directory (default ~/.local/share/aliscout)")
	databaseFlag(e, fs)
	fs.StringVar(&e.cfg.SignUp, "signup", e.cfg.SignUp, "who may create an account: open, invite or closed")
	fs.BoolVar(&e.cfg.Public, "public", e.cfg.Public, "open the research pages without signing in on any address")
	fs.BoolVar(&e.cfg.TrustProxy, "trust-proxy", e.cfg.TrustProxy, "believe X-Forwarded-For/-Proto from a reverse proxy in front")
	fs.StringVar(&e.cfg.CacheTTL, "cache-ttl", e.cfg.CacheTTL, "cache lifetimes, e.g. search=5m,product=10m,shipping=1h,categories=24h")
	fs.StringVar(&e.cfg.RedisURL, "redis", e.cfg.RedisURL, "share the cache between replicas through this Redis (redis://host:6379/0)")
	fs.DurationVar(&e.cfg.RequestBudget, "request-budget", e.cfg.RequestBudget, "how long a page or API request waits for AliExpress before answering with what is known")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := &e.cfg
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := cfg.ResolveDataDir(e.getenv); err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	log := newLogger(e)
	// A small live heap under many requests would otherwise be collected many times a second,
	// each collection taking a share of the cores while requests wait.
	switch {
	case cfg.HeapFloorIgnored:
		log.Info("GOGC is set: the garbage collector paces as it says, without a heap floor")
	case cfg.HeapFloor > 0:
		floor := heapfloor.Start(cfg.HeapFloor, 100)
		defer floor.Stop()
	}

	// The store first: a database that does not answer, or whose schema is newer than this
	// binary, stops serve with a clear message before anything listens.
	db, dbName, err := openDatabase(ctx, e, false)
	if err != nil {
		if schemaTooNew(err) {
			return fmt.Errorf("%w (the database %s was migrated by a newer aliscout)", err, dbName)
		}
		return err
	}
	defer db.Close()
	acc, err := accounts.New(db, accounts.Config{Mode: accounts.SignUpMode(cfg.SignUp)})
	if err != nil {
		return err
	}
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() { defer close(swept); sweepExpired(sweepCtx, db, log) }()
	defer func() { stopSweep(); <-swept }() // before the store closes

	m := metrics.New()
	// A page should not wait on a hanging gateway for long when saved data can be shown: each
	// attempt gets serveAttemptTimeout and one upstream load serveLoadTimeout, retries included.
	// Every replica spends one daily budget and one QPS per method, shared fairly by the users.
	qs, err := newSharedQuota(e, db, log)
	if err != nil {
		return err
	}
	defer qs.close()
	observe := func(ci aliexpress.CallInfo) {
		m.ObserveUpstream(ci.Method, sourcing.Reason(ci.Err), ci.Duration)
		qs.observe(ci)
	}
	b, err := connectBackend(e, append(qs.clientOptions(), aliexpress.WithObserver(observe), aliexpress.WithLogger(log),
		aliexpress.WithTimeout(serveAttemptTimeout))...)
	if err != nil {
		return err
	}
	defer b.close()
	if b.simulated {
		from := "the built-in simulator"
		if e.cfg.Gateway != "" {
			from = "the simulator at " + redactURL(e.cfg.Gateway)
		}
		fmt.Fprintln(e.stdout, "aliscout: no AliExpress credentials: serving sandbox data from "+from+
			" (set ALIEXPRESS_APP_KEY and ALIEXPRESS_APP_SECRET to search the real platform)")
	}
	// Listening first gives the real port (--addr may say :0), which the Host check and the
	// OAuth callback URL need.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (use --addr to pick another address)", cfg.Addr, err)
	}
	defer ln.Close()
	hosts, err := allowedHosts(ln.Addr(), cfg.PublicURL, net.InterfaceAddrs)
	if err != nil {
		return err
	}
	// Work that outlives a request (token refresh, expiry notices, email, DS reports) runs as
	// jobs in this process too; `aliscout worker` runs more of them apart from the web replicas.
	bg, err := startBackground(ctx, e, db, b.client, log, true, publicURL(cfg.PublicURL, ln.Addr()))
	if err != nil {
		return err
	}
	defer bg.close()
	// A search page asks for its products' shipping as it loads (GET /api/shipping), so that
	// it answers after one AliExpress call instead of one per product.
	svc, ch, done, err := newService(e, b, log, func(o *sourcing.ServiceOptions) { o.LazyShipping = true })
	if err != nil {
		return err
	}
	defer done()
	bg.tracking.startTracking(e, svc, bg.connect, b.client, bg.queue, publicURL(cfg.PublicURL, ln.Addr()), log)
	m.ObserveCache(func() metrics.CacheStats {
		s := ch.Stats()
		return metrics.CacheStats{Hits: s.Hits, Misses: s.Misses, Stale: s.Stale, Loads: s.Loads, LoadErrors: s.LoadErrors}
	})
	var trusted []string
	if cfg.PublicURL != "" {
		o, _ := config.PublicOrigin(cfg.PublicURL) // checked by Validate
		trusted = append(trusted, o.String())
	}
	// The simulator serves its product pictures itself, on a loopback port that the browsers of
	// users on other machines cannot reach: the app serves them from its own origin.
	var imageProxy string
	if b.simulated {
		if u, err := url.Parse(b.client.Gateway()); err == nil && u.Host != "" {
			imageProxy = u.Scheme + "://" + u.Host + sandbox.ImagePath
		}
	}
	console, err := newConsole(db, qs, ch, m, bg.queue, publicURL(cfg.PublicURL, ln.Addr()), log)
	if err != nil {
		return err
	}
	ready, stopReady := readiness(db, cfg.RedisURL)
	defer stopReady()
	app := web.New(web.Config{
		Simulated:      b.simulated,
		Logger:         log,
		Metrics:        m,
		MetricsHandler: m.Handler(),
		RequestBudget:  cfg.RequestBudget,
		Ready:          ready,
		ImageProxy:     imageProxy,
		AllowedHosts:   hosts,
		TrustedOrigins: trusted,
		Accounts:       acc,
		Store:          db,
		// Research is open to anyone who can reach a loopback address (this machine's user), or
		// everywhere with ALISCOUT_PUBLIC=true; lists and accounts always need a sign-in.
		OpenResearch:  cfg.Public || isLoopback(ln.Addr()),
		MetricsOpen:   true,
		SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"),
		TrustProxy:    cfg.TrustProxy,
		// Users connect their AliExpress accounts; DS data on their pages comes from their
		// default account. Everyone else keeps the server-wide DS token, if there is one.
		Connections:   webConnections{svc: bg.connect, returnToOrigin: b.simulated && cfg.PublicURL == ""},
		ConnectOrigin: gatewayOrigin(b.client.Gateway()),
		UserCatalog:   userCatalog(bg.connect, svc),
		Console:       console,
		Orders:        webOrders{svc: bg.orders, db: db, queue: bg.queue},
		Tracker:       bg.tracking,
		MaxWatches:    cfg.Tracking.MaxWatches,
	}, svc)
	srv := &http.Server{
		Handler:           app.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(e.stdout, "aliscout: listening on http://%s\n", ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "hosts", hosts, "database", dbName, "gateway", b.client.Gateway(), "simulated", b.simulated, "ds", b.token != "", "data", cfg.DataDir,
		"oauth_callback", bg.connect.CallbackURL())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// sweepExpired deletes ended sessions and stale sign-in throttles every hour until ctx ends.
func sweepExpired(ctx context.Context, db database, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := db.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("deleting ended sessions", "err", err)
		}
		if _, err := db.DeleteStaleThrottles(ctx, time.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
			log.Warn("deleting stale sign-in throttles", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// allowedHosts returns the Host header values serve answers, from the address it listens on and
// the public URL (ALISCOUT_PUBLIC_URL): the public URL's host; the listen address's host:port;
// on a loopback or unspecified address also localhost, 127.0.0.1 and [::1] with the port; on an
// unspecified address (0.0.0.0, ::) also every address of the machine's interfaces with the port,
// since it listens on each. On port 80 each name is also allowed without the port, and the public
// URL's host also with its scheme's default port, as browsers and other clients differ there.
func allowedHosts(listen net.Addr, publicURL string, ifaceAddrs func() ([]net.Addr, error)) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(h string) {
		if h = strings.ToLower(h); !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	if publicURL != "" {
		o, err := config.PublicOrigin(publicURL)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", config.EnvPublicURL, err)
		}
		add(o.Host)
		if o.Port() == "" {
			def := "443"
			if o.Scheme == "http" {
				def = "80"
			}
			add(net.JoinHostPort(o.Hostname(), def))
		}
	}
	host, port, err := net.SplitHostPort(listen.String())
	if err != nil {
		return nil, fmt.Errorf("listen address %s: %w", listen, err)
	}
	addHost := func(h string) {
		add(net.JoinHostPort(h, port))
		if port == "80" {
			if strings.Contains(h, ":") {
				h = "[" + h + "]" // an IPv6 address, bracketed as in a Host header
			}
			add(h)
		}
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsUnspecified() {
		addHost(host)
	}
	if ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		addHost("localhost")
		addHost("127.0.0.1")
		addHost("::1")
	}
	if ip != nil && ip.IsUnspecified() && ifaceAddrs != nil {
		addrs, _ := ifaceAddrs() // without them, the names above and the public URL still work
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLinkLocalUnicast() {
				addHost(n.IP.String())
			}
		}
	}
	return out, nil
}

// publicURL is where users reach serve: ALISCOUT_PUBLIC_URL, or else the address it listens on
// (localhost on an unspecified address, such as 0.0.0.0). The OAuth callback is under it, so
// a deployment reached by any other name must set ALISCOUT_PUBLIC_URL.
func publicURL(configured string, listen net.Addr) string {
	if configured != "" {
		return configured
	}
	host, port, err := net.SplitHostPort(listen.String())
	if err != nil {
		return "http://" + listen.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// isLoopback reports whether a listens on a loopback address only.
func isLoopback(a net.Addr) bool {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newLogger is the log of the long-running commands: text or JSON on stderr at the configured level.
func newLogger(e *env) *slog.Logger {
	var handler slog.Handler = slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: e.cfg.LogLevel})
	if e.cfg.LogFormat == "json" {
		handler = slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: e.cfg.LogLevel})
	}
	return slog.New(handler)
}

// readiness is what /readyz checks: the store answers, and Redis when one is configured. The
// errors name what does not answer, never a URL with its password. stop closes its Redis client.
func readiness(db database, redisURL string) (ready func(ctx context.Context) error, stop func()) {
	var rc *goredis.Client
	stop = func() {}
	if redisURL != "" {
		if opt, err := goredis.ParseURL(redisURL); err == nil {
			opt.ContextTimeoutEnabled, opt.MaxRetries = true, -1
			rc = goredis.NewClient(opt)
			stop = func() { rc.Close() }
		}
	}
	return func(ctx context.Context) error {
		if _, err := db.CountUsers(ctx); err != nil {
			return errors.New("the database does not answer")
		}
		if rc != nil {
			if err := rc.Ping(ctx).Err(); err != nil {
				return errors.New("redis does not answer")
			}
		}
		return nil
	}, stop
}
