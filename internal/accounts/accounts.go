// Package accounts is who may use aliscout and how they prove it: sign-up (open, by invitation, or
// closed), sign-in with per-account and per-address throttling, server-side sessions with idle
// and absolute expiry, API tokens for scripts, invitations, and roles. It keeps everything in a
// store.Store, so every replica sees the same sessions and the same failure counts.
//
// Passwords are hashed with argon2id (PHC strings with their parameters inside). Session, API and
// invitation tokens are 32 random bytes shown to their owner once and kept only as SHA-256
// hashes, so a copy of the database lets no one in.
package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aliscout/aliscout/internal/store"
)

// SignUpMode says who may create an account.
type SignUpMode string

// Sign-up modes. Whatever the mode, the first account on an empty store may sign up and becomes
// the operator; to be sure nobody else claims a fresh instance exposed to the internet, create the
// operator with CreateUser (the command line) before exposing it.
const (
	SignUpOpen   SignUpMode = "open"   // anyone; an invitation gives its role
	SignUpInvite SignUpMode = "invite" // only with an invitation
	SignUpClosed SignUpMode = "closed" // nobody; operators create accounts with CreateUser
)

// ParseSignUpMode reads a mode from configuration.
func ParseSignUpMode(s string) (SignUpMode, error) {
	switch m := SignUpMode(strings.ToLower(strings.TrimSpace(s))); m {
	case SignUpOpen, SignUpInvite, SignUpClosed:
		return m, nil
	}
	return "", fmt.Errorf("accounts: sign-up mode %q: want open, invite or closed", s)
}

// Limit is a throttling rule: Failures failed sign-ins within Window lock the key out for Lockout.
type Limit struct {
	Failures int
	Window   time.Duration
	Lockout  time.Duration
}

// Config configures a Service. Zero fields take the defaults named.
type Config struct {
	Mode SignUpMode // default SignUpInvite
	// Password is the argon2id cost for new hashes; default DefaultParams. Tests use tiny ones.
	Password          Params
	MinPasswordLength int // characters; default 8
	// SessionIdle ends a session not used for this long; default 7 days.
	SessionIdle time.Duration
	// SessionMaxAge ends a session this long after sign-in, however used; default 30 days.
	SessionMaxAge time.Duration
	// TouchEvery is how stale a session's or token's last-seen time may get before a request
	// writes it again; default 1 minute. It spares a write per request.
	TouchEvery time.Duration
	// AccountLimit throttles failed sign-ins per email; default 5 in 15 minutes locks 15 minutes.
	AccountLimit Limit
	// AddressLimit throttles failed sign-ins per client address (IPv6 per /64); default 50 in 15
	// minutes locks 15 minutes.
	AddressLimit Limit
	// InvitationTTL is how long an invitation can be accepted; default 7 days.
	InvitationTTL time.Duration
	// MaxConcurrentHashes bounds the argon2 computations at once (each takes Params.Memory);
	// default GOMAXPROCS.
	MaxConcurrentHashes int
	Now                 func() time.Time // default time.Now
	Rand                io.Reader        // default crypto/rand.Reader
}

func (c *Config) setDefaults() error {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Mode == "" {
		c.Mode = SignUpInvite
	}
	if _, err := ParseSignUpMode(string(c.Mode)); err != nil {
		return err
	}
	if c.Password == (Params{}) {
		c.Password = DefaultParams
	}
	if err := c.Password.check(); err != nil {
		return fmt.Errorf("accounts: argon2 parameters: %w", err)
	}
	if c.MinPasswordLength == 0 {
		c.MinPasswordLength = 8
	}
	def(&c.SessionIdle, 7*24*time.Hour)
	def(&c.SessionMaxAge, 30*24*time.Hour)
	def(&c.TouchEvery, time.Minute)
	def(&c.InvitationTTL, 7*24*time.Hour)
	if c.AccountLimit == (Limit{}) {
		c.AccountLimit = Limit{Failures: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
	}
	if c.AddressLimit == (Limit{}) {
		c.AddressLimit = Limit{Failures: 50, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
	}
	for _, l := range []Limit{c.AccountLimit, c.AddressLimit} {
		if l.Failures < 1 || l.Window <= 0 || l.Lockout <= 0 {
			return fmt.Errorf("accounts: throttle limit %+v: want failures, window and lockout above zero", l)
		}
	}
	if c.SessionIdle < 0 || c.SessionMaxAge < 0 || c.TouchEvery < 0 || c.InvitationTTL < 0 {
		return errors.New("accounts: negative duration in config")
	}
	if c.MaxConcurrentHashes == 0 {
		c.MaxConcurrentHashes = runtime.GOMAXPROCS(0)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return nil
}

// maxPasswordBytes bounds what is fed to argon2.
const maxPasswordBytes = 1024

// Service is the accounts API the web app and the command line use. It is safe for concurrent use.
type Service struct {
	st      store.Store
	cfg     Config
	hashing chan struct{} // a slot per argon2 computation at once
	// dummy is a hash of nothing anyone knows, checked when the email is unknown so that the
	// answer takes as long as for a wrong password.
	dummy func() (string, error)
}

// New returns a Service on st.
func New(st store.Store, cfg Config) (*Service, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	s := &Service{st: st, cfg: cfg, hashing: make(chan struct{}, cfg.MaxConcurrentHashes)}
	s.dummy = sync.OnceValues(func() (string, error) {
		return HashPassword("aliscout: no such user", cfg.Password, cfg.Rand)
	})
	return s, nil
}

// Mode returns the sign-up mode the service runs with, for pages that say who may sign up.
func (s *Service) Mode() SignUpMode { return s.cfg.Mode }

// SignedIn is the result of a sign-up or sign-in: Token is the session cookie's value, shown
// this once and kept only as a hash.
type SignedIn struct {
	Token   string
	Session store.Session
	User    store.User
}

// Client is what a sign-in records about the browser, for the "your sessions" list and for
// throttling by address.
type Client struct {
	UserAgent string
	Addr      string // the client's IP address, with or without a port
}

// SignUp creates an account and signs it in. The first account on an empty store becomes the
// operator whatever the mode. After that: SignUpOpen makes members (or the invitation's role),
// SignUpInvite needs invitation, SignUpClosed refuses.
func (s *Service) SignUp(ctx context.Context, email, password, invitation string, c Client) (SignedIn, error) {
	email = strings.TrimSpace(email)
	if err := checkEmail(email); err != nil {
		return SignedIn{}, err
	}
	if err := s.checkPassword(password); err != nil {
		return SignedIn{}, err
	}
	// Refuse before hashing when the mode surely refuses, so that a closed instance spends no
	// argon2 time on sign-up attempts. The decision below stands on its own under races.
	if s.cfg.Mode != SignUpOpen && (s.cfg.Mode == SignUpClosed || invitation == "") {
		n, err := s.st.CountUsers(ctx)
		if err != nil {
			return SignedIn{}, fmt.Errorf("accounts: sign up: %w", err)
		}
		if n > 0 && s.cfg.Mode == SignUpClosed {
			return SignedIn{}, ErrSignUpClosed
		}
		if n > 0 {
			return SignedIn{}, ErrInvitationRequired
		}
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return SignedIn{}, err
	}
	u := store.User{Email: email, PasswordHash: hash, Role: store.RoleMember}

	user, err := s.st.CreateFirstUser(ctx, u)
	switch {
	case err == nil:
	case !errors.Is(err, store.ErrConflict):
		return SignedIn{}, fmt.Errorf("accounts: sign up: %w", err)
	case s.cfg.Mode == SignUpClosed:
		return SignedIn{}, ErrSignUpClosed
	case invitation != "":
		if user, err = s.acceptInvitation(ctx, u, invitation); err != nil {
			return SignedIn{}, err
		}
	case s.cfg.Mode == SignUpInvite:
		return SignedIn{}, ErrInvitationRequired
	default:
		if user, err = s.st.CreateUser(ctx, u); err != nil {
			return SignedIn{}, userErr("sign up", err)
		}
	}
	return s.startSession(ctx, user, c)
}

func (s *Service) acceptInvitation(ctx context.Context, u store.User, token string) (store.User, error) {
	var user store.User
	err := s.st.WithTx(ctx, func(tx store.Store) error {
		inv, err := tx.InvitationByTokenHash(ctx, HashToken(token))
		if errors.Is(err, store.ErrNotFound) {
			return ErrInvitationInvalid
		}
		if err != nil {
			return fmt.Errorf("accounts: sign up: %w", err)
		}
		if !inv.Usable(s.cfg.Now()) || (inv.Email != "" && store.EmailKey(inv.Email) != store.EmailKey(u.Email)) {
			return ErrInvitationInvalid
		}
		u.Role = inv.Role
		if user, err = tx.CreateUser(ctx, u); err != nil {
			return userErr("sign up", err)
		}
		// Marking it used last means that of two people accepting one invitation at once, the
		// second's whole sign-up rolls back.
		if _, err := tx.UseInvitation(ctx, inv.ID, user.ID); errors.Is(err, store.ErrNotFound) {
			return ErrInvitationInvalid
		} else if err != nil {
			return fmt.Errorf("accounts: sign up: %w", err)
		}
		return nil
	})
	return user, err
}

// CreateUser creates an account whatever the sign-up mode, for operators and the command line.
// It starts no session.
func (s *Service) CreateUser(ctx context.Context, email, password string, role store.Role) (store.User, error) {
	email = strings.TrimSpace(email)
	if err := checkEmail(email); err != nil {
		return store.User{}, err
	}
	if err := s.checkPassword(password); err != nil {
		return store.User{}, err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return store.User{}, err
	}
	u, err := s.st.CreateUser(ctx, store.User{Email: email, PasswordHash: hash, Role: role})
	if err != nil {
		return store.User{}, userErr("create user", err)
	}
	return u, nil
}

func userErr(op string, err error) error {
	switch {
	case errors.Is(err, store.ErrConflict):
		return ErrEmailTaken
	case errors.Is(err, store.ErrInvalid):
		return fmt.Errorf("%w: %v", ErrInvalidEmail, err)
	}
	return fmt.Errorf("accounts: %s: %w", op, err)
}

// SignIn checks an email and password and starts a session. Wrong credentials are
// ErrInvalidCredentials, whether or not the email exists. Too many failures for the email or from
// the address are a *ThrottledError saying when to try again; while locked out, even the right
// password is refused.
func (s *Service) SignIn(ctx context.Context, email, password string, c Client) (SignedIn, error) {
	keys := s.throttleKeys(email, c.Addr)
	now := s.cfg.Now()
	var until time.Time
	for _, k := range keys {
		th, err := s.st.Throttle(ctx, k.key)
		if err != nil {
			return SignedIn{}, fmt.Errorf("accounts: sign in: %w", err)
		}
		if th.Locked(now) && th.LockedUntil.After(until) {
			until = th.LockedUntil
		}
	}
	if !until.IsZero() {
		return SignedIn{}, &ThrottledError{Until: until}
	}

	user, err := s.st.UserByEmail(ctx, email)
	hash := user.PasswordHash
	switch {
	case errors.Is(err, store.ErrNotFound):
		if hash, err = s.dummy(); err != nil {
			return SignedIn{}, fmt.Errorf("accounts: sign in: %w", err)
		}
	case err != nil:
		return SignedIn{}, fmt.Errorf("accounts: sign in: %w", err)
	}
	ok, err := s.verify(ctx, hash, password)
	if err != nil {
		return SignedIn{}, fmt.Errorf("accounts: sign in: %w", err)
	}
	if !ok || user.ID == 0 {
		return SignedIn{}, s.failed(ctx, keys)
	}
	if user.Disabled {
		return SignedIn{}, ErrAccountDisabled
	}
	if err := s.st.ResetThrottle(ctx, keys[0].key); err != nil {
		return SignedIn{}, fmt.Errorf("accounts: sign in: %w", err)
	}
	if NeedsRehash(user.PasswordHash, s.cfg.Password) {
		// Upgrade the hash to the current cost while the password is at hand. Failing to is
		// no reason to refuse the sign-in: the next one tries again.
		if h, err := s.hash(ctx, password); err == nil {
			if err := s.st.SetPasswordHash(ctx, user.ID, h); err == nil {
				user.PasswordHash = h
			}
		}
	}
	return s.startSession(ctx, user, c)
}

type throttleKey struct {
	key   string
	limit Limit
}

// throttleKeys returns the keys a sign-in counts against: the account first, then the address.
func (s *Service) throttleKeys(email, addr string) []throttleKey {
	keys := []throttleKey{{"account:" + store.EmailKey(email), s.cfg.AccountLimit}}
	if a := addressKey(addr); a != "" {
		keys = append(keys, throttleKey{"addr:" + a, s.cfg.AddressLimit})
	}
	return keys
}

// addressKey is the client address a throttle counts: the IP without a port, and for IPv6 its
// /64, since one host is given a whole /64.
func addressKey(addr string) string {
	addr = strings.TrimSpace(addr)
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		addr = ap.Addr().String()
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// failed counts a failed sign-in against every key and locks out those over their limit.
func (s *Service) failed(ctx context.Context, keys []throttleKey) error {
	var until time.Time
	for _, k := range keys {
		th, err := s.st.AddThrottleFailure(ctx, k.key, k.limit.Window)
		if err != nil {
			return fmt.Errorf("accounts: sign in: %w", err)
		}
		if th.Failures >= k.limit.Failures {
			th, err = s.st.LockThrottle(ctx, k.key, s.cfg.Now().Add(k.limit.Lockout))
			if err != nil {
				return fmt.Errorf("accounts: sign in: %w", err)
			}
			if th.LockedUntil.After(until) {
				until = th.LockedUntil
			}
		}
	}
	if !until.IsZero() {
		return &ThrottledError{Until: until}
	}
	return ErrInvalidCredentials
}

func (s *Service) startSession(ctx context.Context, user store.User, c Client) (SignedIn, error) {
	token, hash, err := newToken(s.cfg.Rand, "")
	if err != nil {
		return SignedIn{}, err
	}
	sess, err := s.st.CreateSession(ctx, store.NewSession{
		TokenHash:   hash,
		UserID:      user.ID,
		IdleTimeout: s.cfg.SessionIdle,
		MaxAge:      s.cfg.SessionMaxAge,
		UserAgent:   truncate(c.UserAgent, 512),
		ClientAddr:  truncate(c.Addr, 128),
	})
	if err != nil {
		return SignedIn{}, fmt.Errorf("accounts: start session: %w", err)
	}
	return SignedIn{Token: token, Session: sess, User: user}, nil
}

// Session returns the user and session for a session cookie's value, and records the use (at
// most every TouchEvery), which pushes the idle expiry back. An unknown or expired session, or a
// disabled user, is ErrUnauthenticated.
func (s *Service) Session(ctx context.Context, token string) (store.User, store.Session, error) {
	if !validTokenShape(token, "") {
		return store.User{}, store.Session{}, ErrUnauthenticated
	}
	sess, err := s.st.SessionByTokenHash(ctx, HashToken(token))
	if err != nil {
		return store.User{}, store.Session{}, authErr(err)
	}
	user, err := s.st.User(ctx, sess.UserID)
	if err != nil {
		return store.User{}, store.Session{}, authErr(err)
	}
	if user.Disabled {
		return store.User{}, store.Session{}, ErrUnauthenticated
	}
	if s.cfg.Now().Sub(sess.LastSeenAt) >= s.cfg.TouchEvery {
		if sess, err = s.st.TouchSession(ctx, sess.ID); err != nil {
			return store.User{}, store.Session{}, authErr(err)
		}
	}
	return user, sess, nil
}

func authErr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrUnauthenticated
	}
	return fmt.Errorf("accounts: %w", err)
}

// SignOut ends the session with the token. Ending one that has ended already is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if !validTokenShape(token, "") {
		return nil
	}
	sess, err := s.st.SessionByTokenHash(ctx, HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("accounts: sign out: %w", err)
	}
	if err := s.st.DeleteSession(ctx, sess.UserID, sess.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("accounts: sign out: %w", err)
	}
	return nil
}

// SignOutOthers ends all the user's sessions but keep, and returns how many it ended.
func (s *Service) SignOutOthers(ctx context.Context, userID, keep int64) (int64, error) {
	n, err := s.st.DeleteSessions(ctx, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("accounts: sign out others: %w", err)
	}
	return n, nil
}

// Sessions returns the user's live sessions, for the "your sessions" page.
func (s *Service) Sessions(ctx context.Context, userID int64) ([]store.Session, error) {
	list, err := s.st.Sessions(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("accounts: sessions: %w", err)
	}
	return list, nil
}

// EndSession ends one of the user's sessions, from the "your sessions" page. Another user's
// session is store.ErrNotFound.
func (s *Service) EndSession(ctx context.Context, userID, sessionID int64) error {
	if err := s.st.DeleteSession(ctx, userID, sessionID); err != nil {
		return fmt.Errorf("accounts: end session: %w", err)
	}
	return nil
}

// ChangePassword replaces the user's password after checking the current one, and ends every
// other session of theirs (keep is the one making the change). A wrong current password is
// ErrInvalidCredentials and counts against the account's throttle, so a stolen session cannot
// guess the password freely.
func (s *Service) ChangePassword(ctx context.Context, userID, keep int64, current, next string) error {
	user, err := s.st.User(ctx, userID)
	if err != nil {
		return fmt.Errorf("accounts: change password: %w", err)
	}
	key := s.throttleKeys(user.Email, "")
	th, err := s.st.Throttle(ctx, key[0].key)
	if err != nil {
		return fmt.Errorf("accounts: change password: %w", err)
	}
	if th.Locked(s.cfg.Now()) {
		return &ThrottledError{Until: th.LockedUntil}
	}
	ok, err := s.verify(ctx, user.PasswordHash, current)
	if err != nil {
		return fmt.Errorf("accounts: change password: %w", err)
	}
	if !ok {
		return s.failed(ctx, key)
	}
	if err := s.checkPassword(next); err != nil {
		return err
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}
	return s.st.WithTx(ctx, func(tx store.Store) error {
		if err := tx.SetPasswordHash(ctx, userID, hash); err != nil {
			return fmt.Errorf("accounts: change password: %w", err)
		}
		if _, err := tx.DeleteSessions(ctx, userID, keep); err != nil {
			return fmt.Errorf("accounts: change password: %w", err)
		}
		return nil
	})
}

// SetDisabled disables or re-enables a user; disabling ends their sessions at once. Their API
// tokens stop working while they are disabled.
func (s *Service) SetDisabled(ctx context.Context, userID int64, disabled bool) error {
	return s.st.WithTx(ctx, func(tx store.Store) error {
		if err := tx.SetDisabled(ctx, userID, disabled); err != nil {
			return fmt.Errorf("accounts: set disabled: %w", err)
		}
		if disabled {
			if _, err := tx.DeleteSessions(ctx, userID, 0); err != nil {
				return fmt.Errorf("accounts: set disabled: %w", err)
			}
		}
		return nil
	})
}

// CreateAPIToken makes an API token for the user and returns it in clear, this once, with its
// record. The name tells the user's tokens apart; an active token of the same name is
// ErrTokenNameTaken.
func (s *Service) CreateAPIToken(ctx context.Context, userID int64, name string) (string, store.APIToken, error) {
	token, hash, err := newToken(s.cfg.Rand, APITokenPrefix)
	if err != nil {
		return "", store.APIToken{}, err
	}
	t, err := s.st.CreateAPIToken(ctx, store.APIToken{UserID: userID, Name: name, TokenHash: hash, Hint: "…" + token[len(token)-4:]})
	switch {
	case errors.Is(err, store.ErrConflict):
		return "", store.APIToken{}, ErrTokenNameTaken
	case err != nil:
		return "", store.APIToken{}, fmt.Errorf("accounts: create api token: %w", err)
	}
	return token, t, nil
}

// APITokens returns the user's tokens (never their values), revoked ones too.
func (s *Service) APITokens(ctx context.Context, userID int64) ([]store.APIToken, error) {
	list, err := s.st.APITokens(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("accounts: api tokens: %w", err)
	}
	return list, nil
}

// RevokeAPIToken revokes one of the user's tokens; another user's is store.ErrNotFound.
func (s *Service) RevokeAPIToken(ctx context.Context, userID, tokenID int64) error {
	if err := s.st.RevokeAPIToken(ctx, userID, tokenID); err != nil {
		return fmt.Errorf("accounts: revoke api token: %w", err)
	}
	return nil
}

// AuthenticateToken returns the user and token for an API token from a request, and records
// its use (at most every TouchEvery). An unknown or revoked token, or a disabled user, is
// ErrUnauthenticated.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (store.User, store.APIToken, error) {
	if !validTokenShape(token, APITokenPrefix) {
		return store.User{}, store.APIToken{}, ErrUnauthenticated
	}
	t, err := s.st.APITokenByHash(ctx, HashToken(token))
	if err != nil {
		return store.User{}, store.APIToken{}, authErr(err)
	}
	user, err := s.st.User(ctx, t.UserID)
	if err != nil {
		return store.User{}, store.APIToken{}, authErr(err)
	}
	if user.Disabled {
		return store.User{}, store.APIToken{}, ErrUnauthenticated
	}
	now := s.cfg.Now()
	if now.Sub(t.LastUsedAt) >= s.cfg.TouchEvery {
		if err := s.st.TouchAPIToken(ctx, t.ID); err != nil {
			return store.User{}, store.APIToken{}, authErr(err)
		}
		t.LastUsedAt = now.UTC().Truncate(time.Microsecond)
	}
	return user, t, nil
}

// Invite creates an invitation from an operator and returns its token in clear, this once, to
// be sent to the invitee. email, if not empty, is the only address that may accept it.
func (s *Service) Invite(ctx context.Context, byUserID int64, email string, role store.Role) (string, store.Invitation, error) {
	by, err := s.st.User(ctx, byUserID)
	if err != nil {
		return "", store.Invitation{}, fmt.Errorf("accounts: invite: %w", err)
	}
	if by.Role != store.RoleOperator || by.Disabled {
		return "", store.Invitation{}, ErrForbidden
	}
	if email = strings.TrimSpace(email); email != "" {
		if err := checkEmail(email); err != nil {
			return "", store.Invitation{}, err
		}
	}
	token, hash, err := newToken(s.cfg.Rand, "")
	if err != nil {
		return "", store.Invitation{}, err
	}
	inv, err := s.st.CreateInvitation(ctx, store.Invitation{TokenHash: hash, Email: email, Role: role, CreatedBy: by.ID,
		ExpiresAt: s.cfg.Now().Add(s.cfg.InvitationTTL)})
	if err != nil {
		return "", store.Invitation{}, fmt.Errorf("accounts: invite: %w", err)
	}
	return token, inv, nil
}

// Invitations returns every invitation, newest first.
func (s *Service) Invitations(ctx context.Context) ([]store.Invitation, error) {
	list, err := s.st.Invitations(ctx)
	if err != nil {
		return nil, fmt.Errorf("accounts: invitations: %w", err)
	}
	return list, nil
}

// RevokeInvitation deletes an invitation so it can no longer be accepted.
func (s *Service) RevokeInvitation(ctx context.Context, id int64) error {
	if err := s.st.DeleteInvitation(ctx, id); err != nil {
		return fmt.Errorf("accounts: revoke invitation: %w", err)
	}
	return nil
}

func checkEmail(email string) error {
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 || len(email) > store.MaxEmailLen || strings.ContainsAny(email, " \t\r\n<>") {
		return ErrInvalidEmail
	}
	return nil
}

func (s *Service) checkPassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < s.cfg.MinPasswordLength:
		return &PasswordError{Reason: fmt.Sprintf("at least %d characters", s.cfg.MinPasswordLength)}
	case len(password) > maxPasswordBytes:
		return &PasswordError{Reason: fmt.Sprintf("at most %d bytes", maxPasswordBytes)}
	}
	return nil
}

// hash hashes a password, waiting for a hashing slot.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashing }()
	return HashPassword(password, s.cfg.Password, s.cfg.Rand)
}

// verify checks a password, waiting for a hashing slot.
func (s *Service) verify(ctx context.Context, hash, password string) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.hashing }()
	return VerifyPassword(hash, password)
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
