// Package connect is the connected AliExpress accounts of aliscout's users: connecting one
// through the platform's OAuth (Begin, Complete), listing them, choosing the default,
// disconnecting, and handing out a working access token for DS calls (AccessToken, Do).
//
// Tokens are sealed by the vault before they reach the store, and never appear in a returned
// value, an error or a log line. They are refreshed before they end by background jobs (the
// planner and the per-account refresh, see package jobs) and, when a DS call finds the access
// token refused, at once: one refresh per account at a time across every replica (a lease on the
// account row, plus a singleflight within the process), because a refresh token is spent by its
// first use and a second refresher would see it as dead. Users are warned 7 days and 1 day before
// their authorization ends, and when it has ended.
package connect

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/vault"
)

// CallbackPath is where the platform sends the user's browser back, under the public URL. The
// app's callback URL in the App Console must be PublicURL + CallbackPath.
const CallbackPath = "/connect/callback"

// StartPath starts connecting an account (the web app's GET route): the link in the expiry
// emails, under the public URL.
const StartPath = "/connect/aliexpress"

// Errors of the service; the web layer turns each into a message.
var (
	// ErrStateInvalid: the callback's state is missing, unknown, used already, expired, or was
	// made for another user or session. Start again from Begin.
	ErrStateInvalid = errors.New("connect: this authorization link is not valid any more; connect the account again")
	// ErrCodeRefused: the platform refused the authorization code (it lasts 3 minutes and works
	// once). Start again from Begin.
	ErrCodeRefused = errors.New("connect: AliExpress refused the authorization; connect the account again")
	// ErrNotConnected: the user has no connected account (or not the one asked for).
	ErrNotConnected = errors.New("connect: no AliExpress account connected")
	// ErrReconnect is wrapped by *ReconnectError.
	ErrReconnect = errors.New("connect: the AliExpress account must be connected again")
	// ErrInvalidStoreURL: the store URL is not an http(s) URL.
	ErrInvalidStoreURL = errors.New("connect: the store URL must be an http:// or https:// address")
)

// ReconnectError says that an account's authorization has ended or was revoked: only the user
// can fix it, by connecting the account again.
type ReconnectError struct {
	AccountID int64
	Nick      string
}

func (e *ReconnectError) Error() string {
	return fmt.Sprintf("connect: the AliExpress account %s must be connected again: its authorization has ended", e.Nick)
}

// Is makes errors.Is(err, ErrReconnect) true.
func (e *ReconnectError) Is(target error) bool { return target == ErrReconnect }

// Enqueuer starts background jobs; *jobs.Queue is one. Each job is unique per account.
type Enqueuer interface {
	EnqueueRefresh(ctx context.Context, accountID int64) error
	EnqueueReport(ctx context.Context, accountID int64) error
	EnqueueMail(ctx context.Context) error
}

// Config configures a Service. Zero fields take the defaults named.
type Config struct {
	Store store.Store
	Vault *vault.Vault
	// Client is the app's client, without an access token.
	Client *aliexpress.Client
	// PublicURL is where users reach aliscout, e.g. https://aliscout.example.com; the callback
	// is PublicURL + CallbackPath.
	PublicURL string
	// Jobs starts the report and mail jobs; nil leaves them to the periodic planner.
	Jobs Enqueuer
	// Mail queues expiry emails in the outbox; off when no SMTP server is configured (the notices
	// are recorded anyway, for the pages to show).
	Mail bool
	// StateTTL is how long an authorization may take, Begin to Complete; default 15 minutes.
	StateTTL time.Duration
	// RefreshMargin is how long before an access token ends it is refreshed at the latest;
	// default aliexpress.DefaultRefreshMargin (30 minutes). Each account adds its own share of
	// RefreshJitter (default 30 minutes) so that accounts connected together are not refreshed
	// together; every replica computes the same share.
	RefreshMargin time.Duration
	RefreshJitter time.Duration
	// RefreshTimeout bounds one refresh, lease included; default 1 minute.
	RefreshTimeout time.Duration
	Now            func() time.Time // default time.Now
	Rand           io.Reader        // default crypto/rand.Reader
	Logger         *slog.Logger     // default slog.Default()
}

// Service is the connected-accounts API. It is safe for concurrent use.
type Service struct {
	st       store.Store
	vault    *vault.Vault
	client   *aliexpress.Client
	callback string
	cfg      Config
	flight   singleflight.Group
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Vault == nil || cfg.Client == nil {
		return nil, errors.New("connect: Store, Vault and Client are required")
	}
	pub, err := url.Parse(strings.TrimRight(cfg.PublicURL, "/"))
	if err != nil || (pub.Scheme != "http" && pub.Scheme != "https") || pub.Host == "" {
		return nil, fmt.Errorf("connect: public URL %q: want http(s)://host", cfg.PublicURL)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.StateTTL, 15*time.Minute)
	def(&cfg.RefreshMargin, aliexpress.DefaultRefreshMargin)
	def(&cfg.RefreshJitter, 30*time.Minute)
	def(&cfg.RefreshTimeout, time.Minute)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{
		st: cfg.Store, vault: cfg.Vault, client: cfg.Client, cfg: cfg,
		callback: pub.String() + CallbackPath,
	}, nil
}

// CallbackURL is the redirect_uri the service sends: PublicURL + CallbackPath.
func (s *Service) CallbackURL() string { return s.callback }

// CheckKeys fails with a *vault.MissingKeyError when stored tokens were sealed with a key the
// vault does not hold. Run it at start: a wrong ALISCOUT_SECRET_KEY is a clear error then, not
// every account failing later.
func (s *Service) CheckKeys(ctx context.Context) error {
	ids, err := s.st.ConnectedAccountKeyIDs(ctx)
	if err != nil {
		return fmt.Errorf("connect: check keys: %w", err)
	}
	return s.vault.Check(ids)
}

// Account is a connected account as its user sees it; it holds no token.
type Account struct {
	ID               int64
	AEUserID         string
	Nick             string
	Email            string
	StoreURL         string
	IsDefault        bool
	NeedsReconnect   bool
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time // when the user must authorize again at the latest
	ReportState      store.ReportState
	ReportMessage    string
	ReportedAt       time.Time
	CreatedAt        time.Time
}

func accountFrom(a store.ConnectedAccount) Account {
	return Account{
		ID: a.ID, AEUserID: a.AEUserID, Nick: a.Nick, Email: a.Email, StoreURL: a.StoreURL,
		IsDefault: a.IsDefault, NeedsReconnect: a.NeedsReconnect,
		AccessExpiresAt: a.AccessExpiresAt, RefreshExpiresAt: a.RefreshExpiresAt,
		ReportState: a.ReportState, ReportMessage: a.ReportMessage, ReportedAt: a.ReportedAt, CreatedAt: a.CreatedAt,
	}
}

// CheckStoreURL returns ErrInvalidStoreURL unless u is empty or an absolute http(s) URL.
func CheckStoreURL(u string) error {
	if u == "" {
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(u) > 2048 {
		return ErrInvalidStoreURL
	}
	return nil
}

// Begin starts connecting an account for the signed-in user: it records a state bound to the
// user's session and returns the platform's authorization page to send the browser to. storeURL
// (may be empty) is the user's store, reported to the platform once connected. sessionID 0 (a
// script with an API token) binds the state to the user alone: any session of theirs may then
// complete it, never another user's.
func (s *Service) Begin(ctx context.Context, userID, sessionID int64, storeURL string) (string, error) {
	storeURL = strings.TrimSpace(storeURL)
	if err := CheckStoreURL(storeURL); err != nil {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("connect: state: %w", err)
	}
	state := base64.RawURLEncoding.EncodeToString(b)
	if _, err := s.st.CreateOAuthState(ctx, store.OAuthState{
		Hash: stateHash(state), UserID: userID, SessionID: sessionID, StoreURL: storeURL,
		ExpiresAt: s.cfg.Now().Add(s.cfg.StateTTL),
	}); err != nil {
		return "", fmt.Errorf("connect: begin: %w", err)
	}
	return s.client.OAuth.AuthorizeURL(s.callback, state), nil
}

func stateHash(state string) []byte {
	h := sha256.Sum256([]byte(state))
	return h[:]
}

// Complete finishes connecting: it checks that state was made by Begin for this user and session
// and is used once, exchanges the code for tokens (once: a code works once), and saves the
// account, replacing the tokens when the user had connected the same AliExpress account before.
// Then it queues the report of the user's store to the platform.
func (s *Service) Complete(ctx context.Context, userID, sessionID int64, code, state string) (Account, error) {
	if state == "" {
		return Account{}, ErrStateInvalid
	}
	st, err := s.st.UseOAuthState(ctx, stateHash(state), userID, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return Account{}, ErrStateInvalid
	}
	if err != nil {
		return Account{}, fmt.Errorf("connect: complete: %w", err)
	}
	if strings.TrimSpace(code) == "" {
		return Account{}, ErrCodeRefused
	}
	tok, _, err := s.client.OAuth.CreateToken(ctx, code)
	if errors.Is(err, aliexpress.ErrInvalidCode) {
		return Account{}, fmt.Errorf("%w (%v)", ErrCodeRefused, err)
	}
	if err != nil {
		return Account{}, fmt.Errorf("connect: exchange the code: %w", err)
	}
	aeUser := firstOf(tok.UserID, tok.UserNick, tok.AccountID, tok.HavanaID)
	if aeUser == "" {
		return Account{}, errors.New("connect: the platform's token answer names no user")
	}
	access, refresh, err := s.seal(tok)
	if err != nil {
		return Account{}, err
	}
	a := store.ConnectedAccount{
		UserID: userID, AEUserID: aeUser, Nick: firstOf(tok.UserNick, aeUser), Email: tok.Account,
		SealedAccess: access, SealedRefresh: refresh, KeyID: s.vault.SealingKeyID(),
		AccessExpiresAt: tok.ExpiresAt, RefreshExpiresAt: tok.RefreshExpiresAt,
		StoreURL: st.StoreURL, ReportState: store.ReportPending,
	}
	if a.StoreURL == "" {
		// Reconnecting without a store URL keeps the one given before, and how its report went.
		a.ReportState = store.ReportNone
		if old, err := s.byAEUser(ctx, userID, aeUser); err == nil && old.StoreURL != "" {
			a.StoreURL, a.ReportState = old.StoreURL, old.ReportState
		}
	}
	saved, err := s.st.SaveConnectedAccount(ctx, a)
	if err != nil {
		return Account{}, fmt.Errorf("connect: save the account: %w", err)
	}
	s.cfg.Logger.InfoContext(ctx, "AliExpress account connected", "user_id", userID, "account_id", saved.ID,
		"nick", saved.Nick, "access_expires_at", saved.AccessExpiresAt, "refresh_expires_at", saved.RefreshExpiresAt)
	if saved.ReportState == store.ReportPending && s.cfg.Jobs != nil {
		if err := s.cfg.Jobs.EnqueueReport(ctx, saved.ID); err != nil {
			// The planner picks pending reports up; the account is connected either way.
			s.cfg.Logger.WarnContext(ctx, "could not queue the store report", "account_id", saved.ID, "error", err)
		}
	}
	return accountFrom(saved), nil
}

func (s *Service) byAEUser(ctx context.Context, userID int64, aeUser string) (store.ConnectedAccount, error) {
	all, err := s.st.ConnectedAccounts(ctx, userID)
	if err != nil {
		return store.ConnectedAccount{}, err
	}
	for _, a := range all {
		if a.AEUserID == aeUser {
			return a, nil
		}
	}
	return store.ConnectedAccount{}, store.ErrNotFound
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func (s *Service) seal(tok *aliexpress.Token) (access, refresh string, err error) {
	if access, err = s.vault.Seal(tok.AccessToken); err == nil {
		refresh, err = s.vault.Seal(tok.RefreshToken)
	}
	if err != nil {
		return "", "", fmt.Errorf("connect: %w", err)
	}
	return access, refresh, nil
}

// SetStoreURL changes the store reported with one of the user's accounts, and reports it to the
// platform anew (a job; an empty URL reports nothing).
func (s *Service) SetStoreURL(ctx context.Context, userID, accountID int64, storeURL string) (Account, error) {
	storeURL = strings.TrimSpace(storeURL)
	if err := CheckStoreURL(storeURL); err != nil {
		return Account{}, err
	}
	a, err := s.st.SetConnectedAccountStoreURL(ctx, userID, accountID, storeURL)
	if errors.Is(err, store.ErrNotFound) {
		return Account{}, ErrNotConnected
	}
	if err != nil {
		return Account{}, fmt.Errorf("connect: set store URL: %w", err)
	}
	s.cfg.Logger.InfoContext(ctx, "store URL changed", "user_id", userID, "account_id", a.ID)
	if a.ReportState == store.ReportPending && s.cfg.Jobs != nil {
		if err := s.cfg.Jobs.EnqueueReport(ctx, a.ID); err != nil {
			// The planner picks pending reports up.
			s.cfg.Logger.WarnContext(ctx, "could not queue the store report", "account_id", a.ID, "error", err)
		}
	}
	return accountFrom(a), nil
}

// List returns the user's accounts, the default first.
func (s *Service) List(ctx context.Context, userID int64) ([]Account, error) {
	all, err := s.st.ConnectedAccounts(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("connect: list: %w", err)
	}
	out := make([]Account, 0, len(all))
	for _, a := range all {
		out = append(out, accountFrom(a))
	}
	return out, nil
}

// SetDefault makes one of the user's accounts the one DS calls use unless told another.
func (s *Service) SetDefault(ctx context.Context, userID, accountID int64) error {
	err := s.st.SetDefaultConnectedAccount(ctx, userID, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotConnected
	}
	if err != nil {
		return fmt.Errorf("connect: set default: %w", err)
	}
	return nil
}

// Disconnect deletes one of the user's accounts and its tokens. The authorization itself stays
// valid at AliExpress until it ends; the user can revoke it there.
func (s *Service) Disconnect(ctx context.Context, userID, accountID int64) error {
	err := s.st.DeleteConnectedAccount(ctx, userID, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotConnected
	}
	if err != nil {
		return fmt.Errorf("connect: disconnect: %w", err)
	}
	s.cfg.Logger.InfoContext(ctx, "AliExpress account disconnected", "user_id", userID, "account_id", accountID)
	return nil
}

// account returns one of the user's accounts, or the default when accountID is 0.
func (s *Service) account(ctx context.Context, userID, accountID int64) (store.ConnectedAccount, error) {
	var a store.ConnectedAccount
	var err error
	if accountID == 0 {
		a, err = s.st.DefaultConnectedAccount(ctx, userID)
	} else {
		a, err = s.st.ConnectedAccount(ctx, userID, accountID)
	}
	if errors.Is(err, store.ErrNotFound) {
		return a, ErrNotConnected
	}
	if err != nil {
		return a, fmt.Errorf("connect: %w", err)
	}
	return a, nil
}

// expirySkew treats an access token as ended this long before its end, for the time a call takes.
const expirySkew = time.Minute

// AccessToken returns a working access token of one of the user's accounts (the default when
// accountID is 0), refreshing it first when it has ended. Keep it in memory for the call only.
// A *ReconnectError when the authorization has ended.
func (s *Service) AccessToken(ctx context.Context, userID, accountID int64) (string, Account, error) {
	a, err := s.account(ctx, userID, accountID)
	if err != nil {
		return "", Account{}, err
	}
	if a.NeedsReconnect {
		return "", accountFrom(a), &ReconnectError{AccountID: a.ID, Nick: a.Nick}
	}
	if !a.AccessExpiresAt.IsZero() && !s.cfg.Now().Add(expirySkew).Before(a.AccessExpiresAt) {
		if a, err = s.refresh(ctx, a.ID, a.SealedAccess); err != nil {
			return "", Account{}, err
		}
	}
	tok, err := s.vault.Open(a.SealedAccess)
	if err != nil {
		return "", accountFrom(a), fmt.Errorf("connect: account %d: %w", a.ID, err)
	}
	return tok, accountFrom(a), nil
}

// Do calls fn with a client acting as one of the user's accounts (the default when accountID is
// 0). When the platform answers that the access token is invalid, the token is refreshed (once,
// for every caller at that moment) and fn is called once more.
func (s *Service) Do(ctx context.Context, userID, accountID int64, fn func(ctx context.Context, c *aliexpress.Client) error) error {
	tok, acct, err := s.AccessToken(ctx, userID, accountID)
	if err != nil {
		return err
	}
	err = fn(ctx, s.client.WithAccessToken(tok))
	if !errors.Is(err, aliexpress.ErrInvalidToken) {
		return err
	}
	if tok, _, err = s.Renew(ctx, userID, acct.ID, tok); err != nil {
		return err
	}
	return fn(ctx, s.client.WithAccessToken(tok))
}

// Renew returns a working access token of one of the user's accounts after the platform refused
// refused, the token AccessToken gave: it refreshes the tokens (once, for every caller at that
// moment, on every replica), unless someone has already, and returns the new access token. For
// callers that hold the token themselves, as Do does for its function.
func (s *Service) Renew(ctx context.Context, userID, accountID int64, refused string) (string, Account, error) {
	s.cfg.Logger.InfoContext(ctx, "access token refused; refreshing", "account_id", accountID)
	a, err := s.account(ctx, userID, accountID)
	if err != nil {
		return "", Account{}, err
	}
	// When the stored token is no longer the refused one, someone refreshed already: no stale
	// token then, and refresh only renews a token that is about to end.
	stale := ""
	if open, err := s.vault.Open(a.SealedAccess); err == nil && open == refused {
		stale = a.SealedAccess
	}
	if a, err = s.refresh(ctx, a.ID, stale); err != nil {
		return "", Account{}, err
	}
	tok, err := s.vault.Open(a.SealedAccess)
	if err != nil {
		return "", accountFrom(a), fmt.Errorf("connect: account %d: %w", a.ID, err)
	}
	return tok, accountFrom(a), nil
}

// refresh renews the account's tokens unless they have been renewed since stale (the sealed
// access token the caller found wanting) was stored, and returns the account with working
// tokens. One refresh runs per account in this process (singleflight) and across replicas (the
// lease); the others wait for its result.
func (s *Service) refresh(ctx context.Context, id int64, stale string) (store.ConnectedAccount, error) {
	ch := s.flight.DoChan(strconv.FormatInt(id, 10), func() (any, error) {
		// Not the first caller's context: its end must not fail the others.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.RefreshTimeout)
		defer cancel()
		return s.refreshLeased(ctx, id, stale)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return store.ConnectedAccount{}, r.Err
		}
		return r.Val.(store.ConnectedAccount), nil
	case <-ctx.Done():
		return store.ConnectedAccount{}, ctx.Err()
	}
}

// leasePoll is how often a caller waiting for another replica's refresh looks again.
const leasePoll = 100 * time.Millisecond

func (s *Service) refreshLeased(ctx context.Context, id int64, stale string) (store.ConnectedAccount, error) {
	for {
		a, err := s.st.LeaseConnectedAccountRefresh(ctx, id, s.cfg.Now().Add(s.cfg.RefreshTimeout))
		if errors.Is(err, store.ErrConflict) {
			// Another replica is refreshing: wait for its tokens.
			cur, err := s.st.ConnectedAccountByID(ctx, id)
			if err != nil {
				return cur, fmt.Errorf("connect: refresh: %w", err)
			}
			if cur.SealedAccess != stale && !cur.NeedsReconnect {
				return cur, nil
			}
			select {
			case <-time.After(leasePoll):
				continue
			case <-ctx.Done():
				return cur, fmt.Errorf("connect: refresh account %d: waiting for another refresh: %w", id, ctx.Err())
			}
		}
		if err != nil {
			return a, fmt.Errorf("connect: refresh: %w", err)
		}
		if a.SealedAccess != stale && !s.expiring(a) {
			// Renewed meanwhile by someone else.
			return a, s.release(ctx, a.ID)
		}
		return s.refreshHeld(ctx, a)
	}
}

func (s *Service) release(ctx context.Context, id int64) error {
	if err := s.st.ReleaseConnectedAccountRefresh(context.WithoutCancel(ctx), id); err != nil {
		return fmt.Errorf("connect: release refresh: %w", err)
	}
	return nil
}

// expiring reports whether the account's access token is within the refresh margin of its end.
func (s *Service) expiring(a store.ConnectedAccount) bool {
	return !a.AccessExpiresAt.IsZero() && !s.cfg.Now().Add(s.cfg.RefreshMargin).Before(a.AccessExpiresAt)
}

// refreshHeld refreshes the tokens of a, whose lease the caller holds.
func (s *Service) refreshHeld(ctx context.Context, a store.ConnectedAccount) (store.ConnectedAccount, error) {
	now := s.cfg.Now()
	if a.NeedsReconnect {
		return a, errors.Join(&ReconnectError{AccountID: a.ID, Nick: a.Nick}, s.release(ctx, a.ID))
	}
	if !a.RefreshExpiresAt.IsZero() && !now.Before(a.RefreshExpiresAt) {
		return a, s.dead(ctx, a, "the refresh token has ended")
	}
	rt, err := s.vault.Open(a.SealedRefresh)
	if err != nil {
		return a, errors.Join(fmt.Errorf("connect: account %d: %w", a.ID, err), s.release(ctx, a.ID))
	}
	tok, _, err := s.client.OAuth.RefreshToken(ctx, rt)
	if errors.Is(err, aliexpress.ErrInvalidRefreshToken) {
		return a, s.dead(ctx, a, err.Error())
	}
	if err != nil {
		return a, errors.Join(fmt.Errorf("connect: refresh account %d: %w", a.ID, err), s.release(ctx, a.ID))
	}
	access, refresh, err := s.seal(tok)
	if err != nil {
		return a, errors.Join(err, s.release(ctx, a.ID))
	}
	// The refresh token's end does not move; keep what is known when the answer does not say.
	refreshEnd := tok.RefreshExpiresAt
	if refreshEnd.IsZero() {
		refreshEnd = a.RefreshExpiresAt
	}
	u, err := s.st.UpdateConnectedAccountTokens(context.WithoutCancel(ctx), a.ID, store.TokenUpdate{
		SealedAccess: access, SealedRefresh: refresh, KeyID: s.vault.SealingKeyID(),
		AccessExpiresAt: tok.ExpiresAt, RefreshExpiresAt: refreshEnd,
	})
	if err != nil {
		return a, fmt.Errorf("connect: save refreshed tokens of account %d: %w", a.ID, err)
	}
	s.cfg.Logger.InfoContext(ctx, "AliExpress token refreshed", "account_id", a.ID,
		"access_expires_at", u.AccessExpiresAt, "refresh_expires_at", u.RefreshExpiresAt)
	return u, nil
}

// dead marks the account as needing a new authorization.
func (s *Service) dead(ctx context.Context, a store.ConnectedAccount, why string) error {
	s.cfg.Logger.WarnContext(ctx, "AliExpress authorization ended; the user must connect again",
		"account_id", a.ID, "user_id", a.UserID, "reason", why)
	ctx = context.WithoutCancel(ctx)
	if err := s.st.MarkConnectedAccountNeedsReconnect(ctx, a.ID); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	// Tell the user now, not when the notice job reaches the account's end.
	if queued, err := s.notice(ctx, a, store.NoticeEnded); err != nil {
		s.cfg.Logger.WarnContext(ctx, "could not record the ended notice", "account_id", a.ID, "error", err)
	} else if queued {
		s.kickMail(ctx)
	}
	return &ReconnectError{AccountID: a.ID, Nick: a.Nick}
}

// jitter is the account's share of RefreshJitter: the same on every replica.
func (s *Service) jitter(id int64) time.Duration {
	if s.cfg.RefreshJitter <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(strconv.FormatInt(id, 10)))
	return time.Duration(h.Sum64() % uint64(s.cfg.RefreshJitter))
}

// due reports whether the planner should refresh a now.
func (s *Service) due(a store.ConnectedAccount, now time.Time) bool {
	if a.NeedsReconnect || a.AccessExpiresAt.IsZero() {
		return false
	}
	return !now.Add(s.cfg.RefreshMargin + s.jitter(a.ID)).Before(a.AccessExpiresAt)
}
