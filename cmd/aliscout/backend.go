package main

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/config"
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

// connect builds the client for cfg. Without credentials it uses the simulator: the one at
// cfg.Gateway when given (with the simulator's default app key), else one started in-process. It
// says which on stderr.
func connect(e *env, opts ...aliexpress.Option) (*backend, error) {
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

// explain turns an error into one line that says what went wrong and what to do. It never
// contains a secret: SDK errors are redacted, and config errors name variables, not values.
func explain(err error, cfg *config.Config) string {
	var hint string
	switch {
	case errors.Is(err, aliexpress.ErrSignature):
		hint = "AliExpress refused the request signature: check " + config.EnvAppSecret + " (and " + config.EnvSignMethod + " if you set it)"
	case errors.Is(err, aliexpress.ErrAppKey):
		hint = "AliExpress does not know the app key: check " + config.EnvAppKey
	case errors.Is(err, aliexpress.ErrInvalidRefreshToken):
		hint = "the refresh token is invalid or expired: authorize again with `aliscout auth`"
	case errors.Is(err, aliexpress.ErrInvalidToken):
		hint = "the access token is invalid or expired: renew it with `aliscout auth --refresh`, authorize again with `aliscout auth`, or set " + config.EnvAccessToken
	case errors.Is(err, aliexpress.ErrInvalidCode):
		hint = "the authorization code is expired (3 minutes), already used or unknown: run `aliscout auth` again"
	case errors.Is(err, aliexpress.ErrPublisherNotRegistered):
		hint = "the app's account is not an approved affiliate publisher: register at portals.aliexpress.com and apply for the Affiliates API"
	case errors.Is(err, aliexpress.ErrPermission):
		hint = "the app may not call this API: check its API permissions in the AliExpress App Console"
	case errors.Is(err, aliexpress.ErrIPNotAllowed):
		hint = "this machine's IP address is not on the app's IP whitelist in the App Console"
	case errors.Is(err, aliexpress.ErrTimestamp):
		hint = "AliExpress refused the request time: check this machine's clock"
	case errors.Is(err, aliexpress.ErrBudgetExhausted):
		hint = "today's call budget is used up (" + config.EnvDailyBudget + "); it resets at midnight GMT+8"
	case errors.Is(err, aliexpress.ErrRateLimited):
		hint = "AliExpress is rate-limiting this app: wait a little and try again"
	case errors.Is(err, aliexpress.ErrUnavailable):
		gw := cfg.Gateway
		if gw == "" {
			gw = aliexpress.DefaultGateway
		}
		hint = "AliExpress could not be reached at " + redactURL(gw) + ": check the network or --gateway, then try again"
	case errors.Is(err, aliexpress.ErrItemNotFound):
		hint = "the product is not (or no longer) listed on AliExpress: check the ID or link"
	case errors.Is(err, aliexpress.ErrNotAllowedToCountry):
		hint = "the product may not be sold to that country: try another --ship-to"
	case errors.Is(err, aliexpress.ErrNoResults):
		hint = "AliExpress found nothing for that: loosen the filters or try other words"
	case errors.Is(err, aliexpress.ErrInvalidParameter):
		hint = "AliExpress refused a parameter: check the flags (see --help)"
	case errors.Is(err, aliexpress.ErrMalformedResponse):
		hint = "the gateway's answer could not be read: check --gateway / " + config.EnvGateway
	}
	msg := oneLine(err)
	if hint == "" {
		return msg
	}
	return hint + " (" + msg + ")"
}

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
