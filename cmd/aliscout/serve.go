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
	"time"

	"github.com/aliscout/aliscout/aliexpress"
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
	fs.StringVar(&e.cfg.DataDir, "data", e.cfg.DataDir, "data directory (default ~/.local/share/aliscout)")
	fs.StringVar(&e.cfg.CacheTTL, "cache-ttl", e.cfg.CacheTTL, "cache lifetimes, e.g. search=5m,product=10m,shipping=1h,categories=24h")
	fs.StringVar(&e.cfg.RedisURL, "redis", e.cfg.RedisURL, "share the cache between replicas through this Redis (redis://host:6379/0)")
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
	var handler slog.Handler = slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: cfg.LogLevel})
	if cfg.LogFormat == "json" {
		handler = slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: cfg.LogLevel})
	}
	log := slog.New(handler)

	m := metrics.New()
	// A page should not wait on a hanging gateway for long when saved data can be shown: each
	// attempt gets serveAttemptTimeout and one upstream load serveLoadTimeout, retries included.
	observe := func(ci aliexpress.CallInfo) { m.ObserveUpstream(ci.Method, sourcing.Reason(ci.Err), ci.Duration) }
	b, err := connect(e, aliexpress.WithObserver(observe), aliexpress.WithLogger(log),
		aliexpress.WithTimeout(serveAttemptTimeout))
	if err != nil {
		return err
	}
	defer b.close()
	if b.simulated {
		fmt.Fprintln(e.stdout, "aliscout: no AliExpress credentials: serving sandbox data from the built-in simulator "+
			"(set ALIEXPRESS_APP_KEY and ALIEXPRESS_APP_SECRET to search the real platform)")
	}
	svc, ch, done, err := newService(e, b, log)
	if err != nil {
		return err
	}
	defer done()
	m.ObserveCache(func() metrics.CacheStats {
		s := ch.Stats()
		return metrics.CacheStats{Hits: s.Hits, Misses: s.Misses, Stale: s.Stale, Loads: s.Loads, LoadErrors: s.LoadErrors}
	})
	// The simulator serves its product pictures itself, at its own origin: pages may show them.
	var imageOrigins []string
	if b.simulated {
		if u, err := url.Parse(b.client.Gateway()); err == nil && u.Host != "" {
			imageOrigins = append(imageOrigins, u.Scheme+"://"+u.Host)
		}
	}
	app := web.New(web.Config{
		Simulated:      b.simulated,
		Logger:         log,
		Metrics:        m,
		MetricsHandler: m.Handler(),
		ImageOrigins:   imageOrigins,
	}, svc)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (use --addr to pick another address)", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           app.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	fmt.Fprintf(e.stdout, "aliscout: listening on http://%s\n", ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "gateway", b.client.Gateway(), "simulated", b.simulated, "ds", b.token != "", "data", cfg.DataDir)
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
