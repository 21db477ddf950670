// Package config reads aliscout's configuration once, from the environment and then flags, into one
// validated Config. It is the only package that reads the environment. Secrets are of type Secret,
// which prints as "[redacted]" however it is formatted or logged.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
)

// Environment variable names. The ALIEXPRESS_* names are the ones the common AliExpress tutorials
// use; ALISCOUT_* are aliscout's own.
const (
	EnvAppKey      = "ALIEXPRESS_APP_KEY"
	EnvAppSecret   = "ALIEXPRESS_APP_SECRET"
	EnvTrackingID  = "ALIEXPRESS_TRACKING_ID"
	EnvGateway     = "ALIEXPRESS_GATEWAY"
	EnvAccessToken = "ALIEXPRESS_ACCESS_TOKEN"
	EnvSignMethod  = "ALISCOUT_SIGN_METHOD"
	EnvDailyBudget = "ALISCOUT_DAILY_BUDGET"
	EnvAddr        = "ALISCOUT_ADDR"
	EnvDataDir     = "ALISCOUT_DATA_DIR"
	EnvCacheTTL    = "ALISCOUT_CACHE_TTL"
	EnvRedisURL    = "ALISCOUT_REDIS_URL"
	EnvLogLevel    = "ALISCOUT_LOG_LEVEL"
	EnvLogFormat   = "ALISCOUT_LOG_FORMAT"
	EnvPublicURL   = "ALISCOUT_PUBLIC_URL"
	// EnvDatabaseURL picks the store: a postgres:// URL, or a SQLite file (default: aliscout.db in
	// the data directory).
	EnvDatabaseURL = "ALISCOUT_DATABASE_URL"
	// EnvSignUp is who may create an account: open, invite (default) or closed.
	EnvSignUp = "ALISCOUT_SIGNUP"
	// EnvPublic opens the research pages without signing in on any address.
	EnvPublic = "ALISCOUT_PUBLIC"
	// EnvTrustProxy says a reverse proxy in front of serve sets X-Forwarded-For and
	// X-Forwarded-Proto, and only it.
	EnvTrustProxy = "ALISCOUT_TRUST_PROXY"
	// EnvRequestBudget bounds how long serve lets one page or API request wait for AliExpress.
	EnvRequestBudget = "ALISCOUT_REQUEST_BUDGET"
	// EnvUserShare is each user's share of the daily budget in calls; unset or 0: equal shares.
	EnvUserShare = "ALISCOUT_USER_SHARE"
	// EnvQuotaReserve is the part of the daily budget, in percent, that users past their share
	// leave to the others (default 20).
	EnvQuotaReserve = "ALISCOUT_QUOTA_RESERVE"
	// EnvHeapFloor is the heap size below which serve's garbage collector does not start a
	// collection (GOMEMLIMIT's syntax: 64MiB, 1GiB; 0 turns it off). Ignored when GOGC is set.
	EnvHeapFloor = "ALISCOUT_HEAP_FLOOR"
	// EnvCacheMemory bounds what serve's in-process cache holds (GOMEMLIMIT's syntax: 256MiB).
	EnvCacheMemory = "ALISCOUT_CACHE_MEMORY"
)

// Connected AliExpress accounts and the background jobs.
const (
	// EnvSecretKey holds the keys that seal AliExpress tokens at rest: base64 32-byte keys,
	// comma-separated, the first one sealing. Unset on the embedded default: a key file in the
	// data dir is made on first start.
	EnvSecretKey = "ALISCOUT_SECRET_KEY"
	// EnvSMTPURL is the mail server for notices: smtp://user:password@host:port (STARTTLS when
	// offered) or smtps://. Unset: notices are shown in the app only.
	EnvSMTPURL = "ALISCOUT_SMTP_URL"
	// EnvMailFrom is the From address of notices.
	EnvMailFrom = "ALISCOUT_MAIL_FROM"
)

// DefaultRequestBudget is how long a page or API request waits for AliExpress before it answers
// with what is known (saved data marked stale, shipping marked unknown).
const DefaultRequestBudget = 5 * time.Second

// DefaultHeapFloor is the heap serve lets grow before it collects garbage while its live heap is
// small: measured under load, it takes collections from about twelve a second to two, for about
// 50 MB more memory while little is cached (README, "Performance").
const DefaultHeapFloor = 64 << 20

// DefaultCacheMemory bounds serve's in-process cache of AliExpress answers; 10,000 distinct
// searches with their shipping fill it (README, "Performance").
const DefaultCacheMemory = 256 << 20

// minCacheMemory is the least in-process cache serve accepts: a few hundred answers.
const minCacheMemory = 1 << 20

// Secret is a value that must never be shown: String, GoString, MarshalText and LogValue all
// give "[redacted]". Reveal gives the value to the one place that needs it.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]", or "" for an empty secret so that "not set" stays visible.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// MarshalText keeps encoders (JSON, YAML) from writing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue keeps slog from writing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Config is everything aliscout is told, validated.
type Config struct {
	AppKey      string
	AppSecret   Secret
	TrackingID  string
	Gateway     string // base URL; "" means the default gateway (or the simulator without credentials)
	AccessToken Secret // a user's DS access token, for the command line
	SignMethod  aliexpress.SignMethod
	DailyBudget int // AliExpress calls per platform day; 0 = no cap
	// UserShare is each user's share of DailyBudget in calls a day; 0 = equal shares.
	UserShare int
	// QuotaReserve is the percent of DailyBudget users past their share leave to the others.
	QuotaReserve int

	Addr      string // serve: listen address
	PublicURL string // serve: the URL users open, "https://scout.example.com"; "" = the listen address only
	DataDir   string // serve: where aliscout keeps its files
	CacheTTL  string // serve: per-kind cache TTLs, "search=5m,product=10m,shipping=1h,categories=24h"
	RedisURL  string // serve: shared cache for several replicas; "" = in memory
	LogLevel  slog.Level
	LogFormat string // "text" or "json"
	// RequestBudget is how long serve lets one request wait for AliExpress.
	RequestBudget time.Duration
	// DatabaseURL is where aliscout keeps users and lists: postgres://... for PostgreSQL, a file
	// path (or sqlite:PATH) for SQLite; "" means aliscout.db in DataDir.
	DatabaseURL Secret
	// SignUp is who may create an account: "open", "invite" or "closed".
	SignUp string
	// Public opens the research pages without signing in whatever the listen address.
	Public bool
	// TrustProxy believes X-Forwarded-For and X-Forwarded-Proto (set by a reverse proxy).
	TrustProxy bool
	// HeapFloor is the heap goal serve's garbage collector keeps at least, in bytes; 0 = Go's own
	// pacing alone. GOGC, when set, wins (HeapFloorIgnored).
	HeapFloor uint64
	// HeapFloorIgnored says GOGC is set, so the operator's choice stands and HeapFloor is unused.
	HeapFloorIgnored bool
	// CacheMemory bounds serve's in-process cache in bytes (its keys and answers, and their
	// bookkeeping); with Redis it bounds the copy kept while Redis is down, to at most 64 MiB.
	CacheMemory uint64

	// SecretKey seals AliExpress tokens at rest; "" means the key file in DataDir.
	SecretKey Secret
	// SMTPURL and MailFrom send notices by email; both or neither.
	SMTPURL  Secret
	MailFrom string

	// Tracking caps watches and webhook addresses and shares the daily budget (tracking.go).
	Tracking Tracking
}

// Default listen address of aliscout serve.
const DefaultAddr = "127.0.0.1:8080"

// FromEnv reads the configuration from getenv (os.Getenv in main). Flags may override fields
// afterwards; call Validate once they have.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		AppKey:      strings.TrimSpace(getenv(EnvAppKey)),
		AppSecret:   Secret(strings.TrimSpace(getenv(EnvAppSecret))),
		TrackingID:  strings.TrimSpace(getenv(EnvTrackingID)),
		Gateway:     strings.TrimSpace(getenv(EnvGateway)),
		AccessToken: Secret(strings.TrimSpace(getenv(EnvAccessToken))),
		SignMethod:  aliexpress.SignMethod(strings.ToLower(strings.TrimSpace(getenv(EnvSignMethod)))),
		Addr:        strings.TrimSpace(getenv(EnvAddr)),
		PublicURL:   strings.TrimSpace(getenv(EnvPublicURL)),
		DataDir:     strings.TrimSpace(getenv(EnvDataDir)),
		CacheTTL:    strings.TrimSpace(getenv(EnvCacheTTL)),
		RedisURL:    strings.TrimSpace(getenv(EnvRedisURL)),
		LogFormat:   strings.ToLower(strings.TrimSpace(getenv(EnvLogFormat))),
		DatabaseURL: Secret(strings.TrimSpace(getenv(EnvDatabaseURL))),
		SignUp:      strings.ToLower(strings.TrimSpace(getenv(EnvSignUp))),
	}
	c.SecretKey = Secret(strings.TrimSpace(getenv(EnvSecretKey)))
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	c.SMTPURL = Secret(strings.TrimSpace(getenv(EnvSMTPURL)))
	c.MailFrom = strings.TrimSpace(getenv(EnvMailFrom))
	if c.SignUp == "" {
		c.SignUp = "invite"
	}
	if c.SignMethod == "" {
		c.SignMethod = aliexpress.SignSHA256
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.LogFormat == "" {
		c.LogFormat = "text"
	}
	c.RequestBudget = DefaultRequestBudget
	c.HeapFloor = DefaultHeapFloor
	var errs []error
	if s := strings.TrimSpace(getenv(EnvHeapFloor)); s != "" {
		n, err := parseSize(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v, or 0 for none", EnvHeapFloor, s, err))
		}
		c.HeapFloor = n
	}
	c.HeapFloorIgnored = strings.TrimSpace(getenv("GOGC")) != ""
	c.CacheMemory = DefaultCacheMemory
	if s := strings.TrimSpace(getenv(EnvCacheMemory)); s != "" {
		n, err := parseSize(s)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s=%q: %v", EnvCacheMemory, s, err))
		case n < minCacheMemory:
			errs = append(errs, fmt.Errorf("%s=%q: want at least 1MiB, such as 256MiB", EnvCacheMemory, s))
		}
		c.CacheMemory = n
	}
	for _, f := range []struct {
		name string
		dst  *bool
	}{{EnvPublic, &c.Public}, {EnvTrustProxy, &c.TrustProxy}} {
		if s := strings.TrimSpace(getenv(f.name)); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: want true or false", f.name, s))
			}
			*f.dst = b
		}
	}
	if s := strings.TrimSpace(getenv(EnvRequestBudget)); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 100*time.Millisecond || d > 5*time.Minute {
			errs = append(errs, fmt.Errorf("%s=%q: want a duration from 100ms to 5m, such as 5s", EnvRequestBudget, s))
		}
		c.RequestBudget = d
	}
	if s := strings.TrimSpace(getenv(EnvDailyBudget)); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a whole number of calls, 0 for no cap", EnvDailyBudget, s))
		}
		c.DailyBudget = n
	}
	c.QuotaReserve = 20
	for _, f := range []struct {
		name string
		dst  *int
		max  int
		want string
	}{
		{EnvUserShare, &c.UserShare, 1 << 40, "a whole number of calls a day, 0 for equal shares"},
		{EnvQuotaReserve, &c.QuotaReserve, 100, "a percentage of the daily budget from 0 to 100"},
	} {
		if s := strings.TrimSpace(getenv(f.name)); s != "" {
			n, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
			if err != nil || n < 0 || n > f.max {
				errs = append(errs, fmt.Errorf("%s=%q: want %s", f.name, s, f.want))
			}
			*f.dst = n
		}
	}
	if s := strings.TrimSpace(getenv(EnvLogLevel)); s != "" {
		if err := c.LogLevel.UnmarshalText([]byte(s)); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want debug, info, warn or error", EnvLogLevel, s))
		}
	}
	var terrs []error
	c.Tracking, terrs = trackingFromEnv(getenv)
	errs = append(errs, terrs...)
	return c, errors.Join(errs...)
}

// maxSize keeps a mistyped size (64GiB for 64MiB) from letting the heap or the cache take the
// machine.
const maxSize = 16 << 30

// parseSize reads a size in bytes as GOMEMLIMIT writes it: a whole number with an optional unit,
// B, KiB, MiB, GiB or TiB ("64MiB", "1GiB", "0"), up to 16GiB.
func parseSize(s string) (uint64, error) {
	const want = "want a size such as 64MiB or 1GiB (units B, KiB, MiB, GiB), up to 16GiB"
	num := strings.TrimRight(s, "BKMGTi")
	unit := s[len(num):]
	var shift uint
	switch unit {
	case "", "B":
	case "KiB":
		shift = 10
	case "MiB":
		shift = 20
	case "GiB":
		shift = 30
	case "TiB":
		shift = 40
	default:
		return 0, errors.New(want)
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || n > maxSize>>shift {
		return 0, errors.New(want)
	}
	return n << shift, nil
}

// Simulated reports whether no AliExpress credentials are configured, so aliscout runs on its
// built-in simulator.
func (c *Config) Simulated() bool {
	return c.AppKey == "" && c.AppSecret == ""
}

// Validate checks the configuration and names every field that is wrong.
func (c *Config) Validate() error {
	var errs []error
	switch {
	case c.AppKey != "" && c.AppSecret == "":
		errs = append(errs, fmt.Errorf("%s is set but %s is not: set both, or neither to use the simulator", EnvAppKey, EnvAppSecret))
	case c.AppKey == "" && c.AppSecret != "":
		errs = append(errs, fmt.Errorf("%s is set but %s is not: set both, or neither to use the simulator", EnvAppSecret, EnvAppKey))
	}
	if c.Gateway != "" {
		u, err := url.Parse(c.Gateway)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("gateway %q: want an http(s) URL such as %s", redactURL(c.Gateway), aliexpress.DefaultGateway))
		}
	}
	if !c.SignMethod.Valid() {
		errs = append(errs, fmt.Errorf("%s=%q: want sha256, md5 or hmac", EnvSignMethod, string(c.SignMethod)))
	}
	if c.DailyBudget < 0 {
		errs = append(errs, fmt.Errorf("daily budget %d: want 0 or more", c.DailyBudget))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("%s=%q: want text or json", EnvLogFormat, c.LogFormat))
	}
	switch c.SignUp {
	case "open", "invite", "closed":
	default:
		errs = append(errs, fmt.Errorf("%s=%q: want open, invite or closed", EnvSignUp, c.SignUp))
	}
	if c.RequestBudget < 0 {
		errs = append(errs, fmt.Errorf("request budget %s: want a positive duration such as 5s", c.RequestBudget))
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			errs = append(errs, fmt.Errorf("%s: want a redis:// or rediss:// URL", EnvRedisURL))
		}
	}
	if c.PublicURL != "" {
		if _, err := PublicOrigin(c.PublicURL); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", EnvPublicURL, redactURL(c.PublicURL), err))
		}
	}
	switch {
	case c.SMTPURL != "" && c.MailFrom == "":
		errs = append(errs, fmt.Errorf("%s is set but %s is not: set both to send notices by email", EnvSMTPURL, EnvMailFrom))
	case c.SMTPURL == "" && c.MailFrom != "":
		errs = append(errs, fmt.Errorf("%s is set but %s is not: set both to send notices by email", EnvMailFrom, EnvSMTPURL))
	case c.SMTPURL != "":
		if u, err := url.Parse(c.SMTPURL.Reveal()); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			errs = append(errs, fmt.Errorf("%s: want smtp://user:password@host:port or smtps://", EnvSMTPURL))
		}
	}
	return errors.Join(errs...)
}

// PublicOrigin checks a public URL (ALISCOUT_PUBLIC_URL) and returns its origin: an absolute
// http(s) URL with a host, and no user, path, query or fragment, since it names where the whole
// app is served ("https://scout.example.com", "http://10.0.0.5:8080").
func PublicOrigin(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil, u.Scheme != "http" && u.Scheme != "https", u.Host == "" || u.Hostname() == "":
		return nil, errors.New("want an absolute http(s) URL such as https://scout.example.com")
	case u.User != nil:
		return nil, errors.New("want no user name or password in it")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.Opaque != "":
		return nil, errors.New("want no path, query or fragment: aliscout is served at the root")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %q is not a port", p)
		}
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}

// ResolveDataDir fills DataDir with the default, a folder under the user's data directory
// ($XDG_DATA_HOME/aliscout or ~/.local/share/aliscout), when it is empty.
func (c *Config) ResolveDataDir(getenv func(string) string) error {
	if c.DataDir != "" {
		return nil
	}
	if x := getenv("XDG_DATA_HOME"); x != "" {
		c.DataDir = filepath.Join(x, "aliscout")
		return nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return fmt.Errorf("no data directory: set %s or --data: %w", EnvDataDir, err)
	}
	c.DataDir = filepath.Join(home, ".local", "share", "aliscout")
	return nil
}

// redactURL drops credentials and the query from a URL so it can be shown.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}
