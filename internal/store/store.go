// Package store is the persistence contract of aliscout: the records it keeps (users, invitations,
// sessions, API tokens, sign-in throttles, saved lists, connected AliExpress accounts with their
// sealed tokens, expiry notices, the email outbox, OAuth states) and the Store interface that every engine
// implements. The engines live in store/sqlite (the embedded default) and store/postgres (for several
// replicas); both pass the behaviour suite in store/storetest, so code above the store never asks
// which one it has.
//
// Rules every engine keeps:
//   - A record that does not exist, or that belongs to someone else, is ErrNotFound; a unique key
//     taken already is ErrConflict; bad input is ErrInvalid. Check them with errors.Is.
//   - Every method that reads or writes something a user owns takes the owner's id and scopes the
//     query by it, so one user can never see another's lists by guessing ids.
//   - Times come from Options.Now, are stored to the microsecond and returned in UTC.
//   - Money is integer minor units plus an ISO 4217 code.
//   - A method that returned nil has committed its write durably.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// Errors that every engine returns, wrapped with context; test with errors.Is.
var (
	// ErrNotFound: no such record, or it belongs to another user, or it has expired.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the write would break a unique rule (an email taken, a list name used twice).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input breaks a rule that the store checks before writing.
	ErrInvalid = errors.New("invalid")
)

// Options are what every engine's Open takes besides where the data lives.
type Options struct {
	// Now is the clock for created, last-seen and expiry times. Nil means time.Now.
	Now func() time.Time
	// SkipMigrations opens the database without migrating it, for `aliscout migrate status`.
	// The schema may then be older or newer than this binary expects.
	SkipMigrations bool
}

// Clock returns o.Now, or time.Now when it is nil.
func (o Options) Clock() func() time.Time {
	if o.Now != nil {
		return o.Now
	}
	return time.Now
}

// Store is everything aliscout keeps. The engines' *DB types implement it.
type Store interface {
	Users
	Invitations
	Sessions
	APITokens
	Throttles
	Lists
	ConnectedAccounts
	ExpiryNotices
	Outbox
	OAuthStates
	Quota
	OperatorNotices
	Orders
	Fulfilment
	Watches

	// WithTx runs fn in one transaction and commits when fn returns nil; any error (or a panic)
	// rolls back every write fn made, so a failure halfway leaves nothing behind. fn must use the
	// Store it is given, never the outer one: with SQLite's single writer the outer one would wait
	// for the transaction forever. A WithTx inside fn is a savepoint: its failure undoes its own
	// writes and leaves the outer transaction usable. After any other method fails inside fn, return
	// the error: on PostgreSQL the transaction can do nothing more.
	WithTx(ctx context.Context, fn func(tx Store) error) error
}

// Role is what a user may do. Operators run the instance; members use it.
type Role string

// Roles.
const (
	RoleOperator Role = "operator"
	RoleMember   Role = "member"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r == RoleOperator || r == RoleMember }

// User is an account.
type User struct {
	ID           int64
	Email        string // as the user typed it; unique case-insensitively (see EmailKey)
	PasswordHash string // in the accounts package's PHC form; never the password
	Role         Role
	Disabled     bool // a disabled user cannot sign in and their sessions and tokens stop working
	CreatedAt    time.Time
}

// Users keeps accounts.
type Users interface {
	// CreateUser stores u (Email, PasswordHash, Role, Disabled) and returns it with its ID and
	// CreatedAt. ErrConflict when another user has the same email in any case.
	CreateUser(ctx context.Context, u User) (User, error)
	// CreateFirstUser stores u as an operator if the store has no user yet, and returns
	// ErrConflict otherwise. Of many concurrent callers on an empty store exactly one wins.
	CreateFirstUser(ctx context.Context, u User) (User, error)
	// User returns the user with the id.
	User(ctx context.Context, id int64) (User, error)
	// UserByEmail returns the user whose email matches in any case.
	UserByEmail(ctx context.Context, email string) (User, error)
	// Users returns every user, oldest first.
	Users(ctx context.Context) ([]User, error)
	// CountUsers returns how many users there are.
	CountUsers(ctx context.Context) (int, error)
	// SetPasswordHash replaces the user's password hash.
	SetPasswordHash(ctx context.Context, id int64, hash string) error
	// SetRole changes the user's role.
	SetRole(ctx context.Context, id int64, role Role) error
	// SetDisabled disables or re-enables the user.
	SetDisabled(ctx context.Context, id int64, disabled bool) error
	// DeleteUser deletes the user with their sessions, tokens and lists.
	DeleteUser(ctx context.Context, id int64) error
}

// EmailKey is the form in which emails are compared: trimmed and lower-cased.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Invitation lets someone sign up when sign-ups are by invitation. Only the SHA-256 hash of its
// token is kept.
type Invitation struct {
	ID        int64
	TokenHash []byte
	Email     string // if set, only this address may accept it
	Role      Role   // the role the new user gets
	CreatedBy int64  // 0 once that user is deleted
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero while unused
	UsedBy    int64     // 0 while unused or once that user is deleted
}

// Usable reports whether the invitation can still be accepted at now.
func (inv Invitation) Usable(now time.Time) bool {
	return inv.UsedAt.IsZero() && now.Before(inv.ExpiresAt)
}

// Invitations keeps invitations.
type Invitations interface {
	// CreateInvitation stores inv (TokenHash, Email, Role, CreatedBy, ExpiresAt).
	CreateInvitation(ctx context.Context, inv Invitation) (Invitation, error)
	// InvitationByTokenHash returns the invitation with the token hash, used or expired too.
	InvitationByTokenHash(ctx context.Context, hash []byte) (Invitation, error)
	// UseInvitation marks the invitation used by userID. ErrNotFound if it is unknown, used
	// already or expired: of two concurrent uses one fails.
	UseInvitation(ctx context.Context, id, userID int64) (Invitation, error)
	// Invitations returns every invitation, newest first.
	Invitations(ctx context.Context) ([]Invitation, error)
	// DeleteInvitation deletes the invitation.
	DeleteInvitation(ctx context.Context, id int64) error
}

// Session is a signed-in browser. Only the SHA-256 hash of its cookie token is kept. A session
// ends at ExpiresAt whatever happens, and earlier when it is not used for IdleTimeout.
type Session struct {
	ID            int64
	TokenHash     []byte
	UserID        int64
	CreatedAt     time.Time
	LastSeenAt    time.Time
	IdleTimeout   time.Duration
	IdleExpiresAt time.Time // LastSeenAt + IdleTimeout, never after ExpiresAt
	ExpiresAt     time.Time // the absolute end
	UserAgent     string    // for the "your sessions" list
	ClientAddr    string    // for the "your sessions" list
}

// NewSession is what CreateSession needs; the store's clock sets the times.
type NewSession struct {
	TokenHash   []byte
	UserID      int64
	IdleTimeout time.Duration
	MaxAge      time.Duration // from creation to the absolute end
	UserAgent   string
	ClientAddr  string
}

// Sessions keeps server-side sessions. Expired sessions are never returned.
type Sessions interface {
	// CreateSession starts a session. ErrNotFound if the user does not exist.
	CreateSession(ctx context.Context, s NewSession) (Session, error)
	// SessionByTokenHash returns the live session with the token hash.
	SessionByTokenHash(ctx context.Context, hash []byte) (Session, error)
	// Sessions returns the user's live sessions, most recently seen first.
	Sessions(ctx context.Context, userID int64) ([]Session, error)
	// TouchSession records that the session was used now, which pushes its idle expiry back.
	// ErrNotFound if it has expired or ended.
	TouchSession(ctx context.Context, id int64) (Session, error)
	// DeleteSession ends one of the user's sessions.
	DeleteSession(ctx context.Context, userID, id int64) error
	// DeleteSessions ends all the user's sessions but the one with id except (0: all), and
	// returns how many it ended.
	DeleteSessions(ctx context.Context, userID, except int64) (int64, error)
	// DeleteExpiredSessions removes sessions that have expired, and returns how many.
	DeleteExpiredSessions(ctx context.Context) (int64, error)
}

// APIToken lets scripts call the JSON API as a user. Only the SHA-256 hash of the token is kept.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string // unique among the user's tokens that are not revoked
	TokenHash  []byte
	Hint       string // a few characters of the token, to tell tokens apart in a list
	CreatedAt  time.Time
	LastUsedAt time.Time // zero if never used
	RevokedAt  time.Time // zero while active
}

// APITokens keeps API tokens.
type APITokens interface {
	// CreateAPIToken stores t (UserID, Name, TokenHash, Hint). ErrConflict when the user has an
	// active token of the same name.
	CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error)
	// APITokenByHash returns the active token with the hash.
	APITokenByHash(ctx context.Context, hash []byte) (APIToken, error)
	// APITokens returns the user's tokens, revoked ones too, newest first.
	APITokens(ctx context.Context, userID int64) ([]APIToken, error)
	// TouchAPIToken records that the token was used now.
	TouchAPIToken(ctx context.Context, id int64) error
	// RevokeAPIToken revokes one of the user's tokens; revoking a revoked token does nothing.
	RevokeAPIToken(ctx context.Context, userID, id int64) error
}

// Throttle counts failed sign-ins for one key (an account or a client address). It lives in the
// store so that every replica sees the same counts.
type Throttle struct {
	Key         string
	Failures    int       // failures since WindowStart
	WindowStart time.Time // zero when there are none
	LockedUntil time.Time // zero or past when not locked
}

// Locked reports whether the key is locked out at now.
func (t Throttle) Locked(now time.Time) bool { return now.Before(t.LockedUntil) }

// Throttles keeps sign-in failure counts.
type Throttles interface {
	// Throttle returns the key's counts; a key with no failures has zero counts, not ErrNotFound.
	Throttle(ctx context.Context, key string) (Throttle, error)
	// AddThrottleFailure counts one failure for key and returns the new counts. Failures older
	// than window no longer count: a failure after the window starts a new one. Concurrent calls
	// each count.
	AddThrottleFailure(ctx context.Context, key string, window time.Duration) (Throttle, error)
	// LockThrottle locks key out until until (or keeps a later lock) and starts its count afresh.
	LockThrottle(ctx context.Context, key string, until time.Time) (Throttle, error)
	// ResetThrottle forgets key's failures and lock.
	ResetThrottle(ctx context.Context, key string) error
	// DeleteStaleThrottles forgets keys whose window started and whose lock ended before before.
	DeleteStaleThrottles(ctx context.Context, before time.Time) (int64, error)
}

// List is a user's named list of saved products.
type List struct {
	ID        int64
	OwnerID   int64
	Name      string // unique among the owner's lists
	ItemCount int
	CreatedAt time.Time
	UpdatedAt time.Time // the last change to the list or its items
}

// ListItem is a product (or one SKU of it) saved in a list, with the product data as it was when
// saved, so the list shows without asking AliExpress.
type ListItem struct {
	ID          int64
	ListID      int64
	ProductID   string
	SKUID       string // "" for the product as a whole
	Country     string // ship-to country (ISO 3166 alpha-2) the price was for; "" for none
	PricingRule string // a pricing rule in its text form (pricing.ParseRule); "" for none
	Note        string
	Position    int // 0 for the first; the positions of a list are always 0..n-1
	Title       string
	ImageURL    string
	Price       catalog.Money // minor units and currency
	SavedAt     time.Time
}

// ItemChanges are the fields of a list item that UpdateItem changes; nil leaves a field alone.
type ItemChanges struct {
	Country     *string
	PricingRule *string
	Note        *string
}

// Lists keeps saved lists. Every method is scoped by the owner: another user's list is ErrNotFound.
type Lists interface {
	// CreateList creates a list. ErrConflict if the owner has a list of that name.
	CreateList(ctx context.Context, ownerID int64, name string) (List, error)
	// List returns one of the owner's lists.
	List(ctx context.Context, ownerID, listID int64) (List, error)
	// Lists returns the owner's lists, most recently changed first.
	Lists(ctx context.Context, ownerID int64) ([]List, error)
	// RenameList renames one of the owner's lists.
	RenameList(ctx context.Context, ownerID, listID int64, name string) (List, error)
	// DeleteList deletes one of the owner's lists and its items.
	DeleteList(ctx context.Context, ownerID, listID int64) error

	// SaveItem adds item to the end of the list, or, when the list has the same ProductID and
	// SKUID already, updates that item in place: its product data (title, image, price, saved
	// time) is replaced, Country, PricingRule and Note are replaced when item's are not empty, and
	// its position stays. The second return is true when a new item was added.
	SaveItem(ctx context.Context, ownerID, listID int64, item ListItem) (ListItem, bool, error)
	// Items returns the list's items in position order.
	Items(ctx context.Context, ownerID, listID int64) ([]ListItem, error)
	// UpdateItem changes an item's user fields.
	UpdateItem(ctx context.Context, ownerID, listID, itemID int64, c ItemChanges) (ListItem, error)
	// MoveItem moves an item to position (clamped to the list), shifting the items between.
	MoveItem(ctx context.Context, ownerID, listID, itemID int64, position int) error
	// DeleteItem removes an item; the items after it move up one place.
	DeleteItem(ctx context.Context, ownerID, listID, itemID int64) error
}

// SchemaStatus says where a database's schema stands against this binary.
type SchemaStatus struct {
	Current int64       // the version the database is at; 0 for a new one
	Latest  int64       // the newest version this binary knows
	Pending []Migration // known migrations not applied yet, oldest first
}

// Migration is one numbered schema change.
type Migration struct {
	Version int64
	Name    string // the file it comes from
}

// SchemaTooNewError is returned by Open when the database was migrated by a newer aliscout.
type SchemaTooNewError struct {
	Database int64 // the database's version
	Binary   int64 // the newest version this binary knows
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this aliscout (%d); upgrade aliscout", e.Database, e.Binary)
}

// ConnectedAccount is an AliExpress buyer account that a user connected to aliscout through the
// platform's OAuth, so that aliscout can call the DS API as that account. A user may connect
// several and picks a default. Its tokens are kept sealed by the token vault (accounts/vault):
// the store never sees them in clear.
type ConnectedAccount struct {
	ID       int64
	UserID   int64
	AEUserID string // the platform's user_id; unique per user, so reconnecting replaces the tokens
	Nick     string // user_nick
	Email    string // the platform's "account", when it says; often an email address
	// SealedAccess and SealedRefresh are the access and refresh tokens sealed with the key KeyID.
	SealedAccess     string
	SealedRefresh    string
	KeyID            string
	AccessExpiresAt  time.Time // as the token answer said; zero if it did not
	RefreshExpiresAt time.Time // likewise; refreshing does not move it
	IsDefault        bool      // the account DS calls use unless told another; one per user
	NeedsReconnect   bool      // the refresh token is dead: only a new authorization helps
	StoreURL         string    // the user's own store, reported to the platform (ds.add.info)
	ReportState      ReportState
	ReportMessage    string    // the platform's answer when the report failed
	ReportedAt       time.Time // the last report attempt that ended; zero before
	CreatedAt        time.Time
	UpdatedAt        time.Time
	// RefreshLeaseUntil is set while one replica refreshes the tokens; others wait for it.
	RefreshLeaseUntil time.Time
}

// ReportState is where the report of an account's store to the platform stands.
type ReportState string

// Report states.
const (
	ReportNone     ReportState = "none"     // no store URL to report
	ReportPending  ReportState = "pending"  // to be reported
	ReportReported ReportState = "reported" // the platform took it
	ReportFailed   ReportState = "failed"   // the platform refused it; ReportMessage says why
)

// Valid reports whether s is one of the states.
func (s ReportState) Valid() bool {
	switch s {
	case ReportNone, ReportPending, ReportReported, ReportFailed:
		return true
	}
	return false
}

// TokenUpdate is a new token pair for a connected account.
type TokenUpdate struct {
	SealedAccess     string
	SealedRefresh    string
	KeyID            string
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time
}

// ConnectedAccounts keeps connected AliExpress accounts. The methods that take a user id are
// scoped by it (another user's account is ErrNotFound); the others are for background jobs,
// which act for every user.
type ConnectedAccounts interface {
	// SaveConnectedAccount stores a newly authorized account or, when the user has connected the
	// same AEUserID before, replaces that account's tokens, expiries, names, store URL and report
	// state, clears NeedsReconnect and forgets the expiry notices sent for the old tokens. The
	// user's first account becomes the default. IsDefault, CreatedAt and the lease are ignored.
	SaveConnectedAccount(ctx context.Context, a ConnectedAccount) (ConnectedAccount, error)
	// ConnectedAccount returns one of the user's accounts.
	ConnectedAccount(ctx context.Context, userID, id int64) (ConnectedAccount, error)
	// ConnectedAccounts returns the user's accounts, the default first, then oldest first.
	ConnectedAccounts(ctx context.Context, userID int64) ([]ConnectedAccount, error)
	// DefaultConnectedAccount returns the user's default account; ErrNotFound when they have none.
	DefaultConnectedAccount(ctx context.Context, userID int64) (ConnectedAccount, error)
	// SetDefaultConnectedAccount makes one of the user's accounts the default.
	SetDefaultConnectedAccount(ctx context.Context, userID, id int64) error
	// DeleteConnectedAccount deletes one of the user's accounts with its tokens and notices. When
	// it was the default, the user's oldest remaining account becomes the default.
	DeleteConnectedAccount(ctx context.Context, userID, id int64) error

	// ConnectedAccountByID returns any user's account: for background jobs only.
	ConnectedAccountByID(ctx context.Context, id int64) (ConnectedAccount, error)
	// ConnectedAccountsPage returns up to limit accounts with ids above afterID, in id order.
	ConnectedAccountsPage(ctx context.Context, afterID int64, limit int) ([]ConnectedAccount, error)
	// ConnectedAccountsAccessEndingBefore returns the accounts not marked NeedsReconnect whose
	// access token ends before t, soonest first, at most limit.
	ConnectedAccountsAccessEndingBefore(ctx context.Context, t time.Time, limit int) ([]ConnectedAccount, error)
	// ConnectedAccountsRefreshEndingBefore returns the accounts whose refresh token ends (or
	// ended) before t, soonest first, at most limit, leaving out those that have had the
	// NoticeEnded notice: nothing more is to be said about them.
	ConnectedAccountsRefreshEndingBefore(ctx context.Context, t time.Time, limit int) ([]ConnectedAccount, error)
	// ConnectedAccountsByReportState returns up to limit accounts whose report is in state,
	// oldest first.
	ConnectedAccountsByReportState(ctx context.Context, state ReportState, limit int) ([]ConnectedAccount, error)
	// ConnectedAccountKeyIDs returns the distinct ids of the keys that sealed the stored tokens.
	ConnectedAccountKeyIDs(ctx context.Context) ([]string, error)

	// LeaseConnectedAccountRefresh takes the right to refresh the account's tokens until until,
	// and returns the account as it is then. ErrConflict while another holder's lease runs.
	LeaseConnectedAccountRefresh(ctx context.Context, id int64, until time.Time) (ConnectedAccount, error)
	// ReleaseConnectedAccountRefresh gives the lease up without changing the tokens.
	ReleaseConnectedAccountRefresh(ctx context.Context, id int64) error
	// UpdateConnectedAccountTokens writes a refreshed token pair, both tokens in one write,
	// clears NeedsReconnect and releases the lease.
	UpdateConnectedAccountTokens(ctx context.Context, id int64, u TokenUpdate) (ConnectedAccount, error)
	// ResealConnectedAccount replaces the sealed tokens with the same tokens sealed by another
	// key, unless the tokens changed since they were read (oldSealedRefresh): ErrConflict then.
	ResealConnectedAccount(ctx context.Context, id int64, oldSealedRefresh string, access, refresh, keyID string) error
	// MarkConnectedAccountNeedsReconnect records that the refresh token is dead, and releases
	// the lease.
	MarkConnectedAccountNeedsReconnect(ctx context.Context, id int64) error
	// SetConnectedAccountReport records how the report of the account's store ended (now).
	SetConnectedAccountReport(ctx context.Context, id int64, state ReportState, message string) error
	// SetConnectedAccountStoreURL changes the store URL of one of the user's accounts and sets
	// its report state to ReportPending (ReportNone for an empty URL), clearing the last report's
	// message: the new store is to be reported.
	SetConnectedAccountStoreURL(ctx context.Context, userID, id int64, storeURL string) (ConnectedAccount, error)
}

// Expiry notice thresholds: the refresh token ends within 7 days, within 1 day, has ended.
const (
	Notice7Days = "7d"
	Notice1Day  = "1d"
	NoticeEnded = "ended"
)

// ExpiryNotice records that the user was told that an account's authorization is ending.
type ExpiryNotice struct {
	AccountID int64
	Threshold string // Notice7Days, Notice1Day or NoticeEnded
	SentAt    time.Time
}

// ExpiryNotices keeps the notices sent, so that each is sent once per account and threshold
// whichever replica gets there, and however often it restarts.
type ExpiryNotices interface {
	// RecordExpiryNotice records the notice and returns true, or returns false when it was
	// recorded before. ErrNotFound when the account does not exist.
	RecordExpiryNotice(ctx context.Context, accountID int64, threshold string) (bool, error)
	// ExpiryNotices returns the notices recorded for one of the user's accounts, oldest first.
	ExpiryNotices(ctx context.Context, userID, accountID int64) ([]ExpiryNotice, error)
}

// Email is a message in the outbox, sent by a background job.
type Email struct {
	ID            int64
	To            string
	Subject       string
	Body          string // plain text
	CreatedAt     time.Time
	SentAt        time.Time // zero until sent
	Attempts      int       // failed attempts so far
	LastError     string
	NextAttemptAt time.Time // not tried again before this
}

// Outbox keeps emails until they are sent: a mail server that is down delays them, and loses none.
type Outbox interface {
	// EnqueueEmail adds a message (To, Subject, Body) to send now.
	EnqueueEmail(ctx context.Context, e Email) (Email, error)
	// ClaimEmails returns up to limit unsent messages due now, oldest first, and holds them for
	// lease: no other claim returns them meanwhile.
	ClaimEmails(ctx context.Context, limit int, lease time.Duration) ([]Email, error)
	// MarkEmailSent records that the message was sent.
	MarkEmailSent(ctx context.Context, id int64) error
	// MarkEmailFailed counts a failed attempt, keeps its error and waits until retryAt.
	MarkEmailFailed(ctx context.Context, id int64, lastError string, retryAt time.Time) error
	// Emails returns the most recent messages, newest first, at most limit.
	Emails(ctx context.Context, limit int) ([]Email, error)
}

// OAuthState binds an authorization request to the user and the session that started it, so
// that the callback takes no code that this browser did not ask for. Only the SHA-256 hash of
// the state is kept.
type OAuthState struct {
	ID     int64
	Hash   []byte
	UserID int64
	// SessionID is the session that started the authorization; 0 when a script started it with
	// an API token, when any session of the user may finish it.
	SessionID int64
	StoreURL  string // what the user asked to report with the account
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero while unused
}

// OAuthStates keeps authorization states.
type OAuthStates interface {
	// CreateOAuthState stores s (Hash, UserID, SessionID, StoreURL, ExpiresAt). ErrNotFound if
	// the session (or, with SessionID 0, the user) does not exist.
	CreateOAuthState(ctx context.Context, s OAuthState) (OAuthState, error)
	// UseOAuthState marks the state used and returns it, if it has the hash, belongs to the
	// user and the session (or to the user alone, for a state made with SessionID 0), is unused
	// and has not expired; otherwise ErrNotFound. Of two concurrent uses one fails.
	UseOAuthState(ctx context.Context, hash []byte, userID, sessionID int64) (OAuthState, error)
	// DeleteExpiredOAuthStates removes states that have expired or were used, and returns how many.
	DeleteExpiredOAuthStates(ctx context.Context) (int64, error)
}
