package main

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/config"
	"github.com/aliscout/aliscout/internal/redis"
	"github.com/aliscout/aliscout/internal/sourcing"
)

// backend is the AliExpress platform a command talks to: the real one, a gateway given by
// --gateway, or the simulator running in this process.
type backend struct {
	client    *aliexpress.Client
	token     string // a DS access token, when there is one
	simulated bool
	close     func()
}

// sandboxTrackingID is the tracking ID used against the simulator when none is configured.
const sandboxTrackingID = "aliscout-sandbox"

// connectBackend builds the client for cfg. Without credentials it uses the simulator: the one at
// cfg.Gateway when given (with the simulator's default app key), else one started in-process. It
// says which on stderr.
func connectBackend(e *env, opts ...aliexpress.Option) (*backend, error) {
	cfg := &e.cfg
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &backend{close: func() {}}
	key, secret := cfg.AppKey, cfg.AppSecret.Reveal()
	gateway := cfg.Gateway
	tracking := cfg.TrackingID
	token := cfg.AccessToken.Reveal()
	if cfg.Simulated() {
		b.simulated = true
		key, secret = sandbox.DefaultAppKey, sandbox.DefaultAppSecret
		if tracking == "" {
			tracking = sandboxTrackingID
		}
		if gateway == "" {
			srv := sandbox.NewServer(sandbox.Options{Logger: slog.New(slog.DiscardHandler)})
			gateway = srv.URL
			b.close = srv.Close
			if token == "" {
				token, _ = srv.IssueToken(sandbox.DefaultUserNick)
			}
			fmt.Fprintf(e.stderr, "aliscout: no AliExpress credentials (%s, %s): using the built-in simulator with sandbox data\n",
				config.EnvAppKey, config.EnvAppSecret)
		} else {
			fmt.Fprintf(e.stderr, "aliscout: no AliExpress credentials: using the simulator's default app key against %s\n", redactURL(gateway))
		}
	}
	all := []aliexpress.Option{
		aliexpress.WithSignMethod(cfg.SignMethod),
		aliexpress.WithTrackingID(tracking),
		aliexpress.WithDailyBudget(cfg.DailyBudget),
	}
	if gateway != "" {
		all = append(all, aliexpress.WithGateway(gateway))
	}
	c, err := aliexpress.NewClient(key, secret, append(all, opts...)...)
	if err != nil {
		b.close()
		return nil, err
	}
	b.client = c
	if token == "" {
		token = savedAccessToken(e, c.Gateway())
	}
	b.token = token
	return b, nil
}

// savedAccessToken returns the token `aliscout auth` saved for this gateway, if it is still valid.
func savedAccessToken(e *env, gateway string) string {
	if err := e.cfg.ResolveDataDir(e.getenv); err != nil {
		return ""
	}
	t, err := loadToken(filepath.Join(e.cfg.DataDir, tokenFile))
	if err != nil || t.Gateway != gateway || !t.ExpiresAt.After(time.Now()) {
		return ""
	}
	return t.AccessToken
}

// explain turns an error into one line that says what went wrong and what to do, in the words
// the web app uses too (sourcing.Translate). It never contains a secret: SDK errors are redacted,
// and config errors name variables, not values.
func explain(err error, cfg *config.Config) string {
	var ae *aliexpress.Error
	var ce *catalog.Error
	if !errors.As(err, &ae) && !errors.As(err, &ce) {
		return oneLine(err)
	}
	if !errors.As(sourcing.Translate(err), &ce) {
		return oneLine(err)
	}
	msg := ce.Error()
	if ce.Reason == "unavailable" || ce.Reason == "timeout" {
		gw := cfg.Gateway
		if gw == "" {
			gw = aliexpress.DefaultGateway
		}
		msg += " (gateway " + redactURL(gw) + "; --gateway or " + config.EnvGateway + " picks another)"
	}
	if ce.Err != nil {
		if detail := oneLine(ce.Err); detail != "" && !strings.Contains(msg, detail) {
			msg += " (" + detail + ")"
		}
	}
	return msg
}

// memoryCache is the cache store held in this process, bounded by ALISCOUT_CACHE_MEMORY. Beside
// Redis it keeps only what is cached while Redis is down, in at most 64 MiB.
func memoryCache(cfg *config.Config) *cache.MemoryStore {
	bound := int64(cfg.CacheMemory)
	if cfg.RedisURL != "" {
		bound = min(bound, 64<<20)
	}
	return cache.NewMemoryStore(cache.MemoryOptions{MaxBytes: bound})
}

// newService builds the service every command reads AliExpress through, so that the command line
// has the web app's filters, cache and behaviour: the cache lives in memory, or in Redis when
// ALISCOUT_REDIS_URL (--redis) is set, with the lifetimes of ALISCOUT_CACHE_TTL (--cache-ttl).
// done releases what it opened; tune, if any, adjusts the service's options.
func newService(e *env, b *backend, log *slog.Logger, tune ...func(*sourcing.ServiceOptions)) (svc *sourcing.Service, ch *cache.Cache, done func(), err error) {
	cfg := &e.cfg
	ttls := sourcing.DefaultTTLs()
	if cfg.CacheTTL != "" {
		if ttls, err = sourcing.ParseTTLs(cfg.CacheTTL); err != nil {
			return nil, nil, nil, fmt.Errorf("%w: --cache-ttl: %v", errUsage, err)
		}
	}
	done = func() {}
	var store cache.Store
	if cfg.RedisURL != "" {
		opt, err := goredis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w: --redis: not a redis URL (want redis://host:6379/0)", errUsage)
		}
		// Respect each call's deadline, and fail fast while Redis is down: the cache then lives in
		// this process until Redis answers again.
		opt.ContextTimeoutEnabled = true
		opt.DialTimeout = time.Second
		redis.RouteLogs(log)
		rc := goredis.NewClient(opt)
		done = func() { rc.Close() }
		store = redis.NewCacheStore(rc, redis.CacheOptions{Prefix: "aliscout:cache:", Logger: log,
			Fallback: memoryCache(cfg)})
	} else {
		store = memoryCache(cfg)
	}
	ch = cache.New(store, cache.Options{LoadTimeout: serveLoadTimeout})
	client := b.client
	ds := b.token != ""
	if ds {
		client = client.WithAccessToken(b.token)
	}
	opts := sourcing.ServiceOptions{TTLs: ttls, DS: ds, Simulated: b.simulated, Logger: log}
	if b.simulated {
		// The simulator's affiliate links are its own: follow them there, and nowhere else.
		if opts.LinkClient, err = sandbox.ShortLinkClient(b.client.Gateway()); err != nil {
			done()
			return nil, nil, nil, err
		}
	}
	for _, f := range tune {
		f(&opts)
	}
	svc = sourcing.NewService(client, ch, opts)
	return svc, ch, done, nil
}

// discardLogger is the logger of the one-shot commands, whose errors reach the user directly.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func redactURL(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		if at := strings.Index(raw[i+3:], "@"); at >= 0 {
			raw = raw[:i+3] + raw[i+3+at+1:]
		}
	}
	if q := strings.IndexByte(raw, '?'); q >= 0 {
		raw = raw[:q]
	}
	return raw
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
