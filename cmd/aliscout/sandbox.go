package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// runSandbox serves the AliExpress simulator until ctx ends (SIGINT/SIGTERM).
func runSandbox(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sandbox", "[flags]")
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	appKey := fs.String("app-key", sandbox.DefaultAppKey, "the app key the simulator accepts")
	appSecret := fs.String("app-secret", sandbox.DefaultAppSecret, "the app secret requests must be signed with")
	seed := fs.Int64("seed", 1, "catalog seed: the same seed gives the same products")
	launched := fs.Bool("launched", false, "give launched-app token lifetimes (30/60 days) instead of test-app ones (1/2 days)")
	quota := fs.Int("daily-quota", 0, "calls per day before ApiCallLimit (0 = unlimited)")
	control := fs.Bool("control", false, "serve the test controls under /__sandbox/ (clock, product overrides, call counts, orders, faults, webhook); for tests only")
	webhook := fs.String("webhook-url", "", "send the order-status webhook (DROPSHIPPER_ORDER_STATUS_UPDATE) to this URL, e.g. http://127.0.0.1:8080/webhooks/aliexpress")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *appKey == "" || *appSecret == "" {
		return fmt.Errorf("%w: --app-key and --app-secret must not be empty", errUsage)
	}
	if u, err := url.Parse(*webhook); *webhook != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return fmt.Errorf("%w: --webhook-url %q is not an http or https URL", errUsage, *webhook)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: e.cfg.LogLevel}))
	sb := sandbox.New(sandbox.Options{AppKey: *appKey, AppSecret: *appSecret, Seed: *seed, LaunchedApp: *launched,
		DailyQuota: *quota, Logger: log, Control: *control, WebhookURL: *webhook})
	defer sb.StopWebhooks()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(e.stdout, "AliExpress simulator listening on http://%s (app key %s)\n", ln.Addr(), *appKey)
	fmt.Fprintf(e.stdout, "point a client at it: aliscout --gateway http://%s search \"phone case\"\n", ln.Addr())
	if *control {
		fmt.Fprintf(e.stdout, "test controls on: http://%s%s lists them (anyone who can reach this address can use them)\n", ln.Addr(), sandbox.ControlPath)
	}
	if *webhook != "" {
		fmt.Fprintf(e.stdout, "order-status webhooks go to %s\n", *webhook)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("sandbox: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Connections a client dialled but never used count as active for five seconds: close
		// them rather than fail a clean stop.
		err = srv.Close()
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sandbox: shutdown: %w", err)
	}
	return nil
}
