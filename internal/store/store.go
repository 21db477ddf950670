// Package store is the persistence contract of aliscout: the records it keeps (users, invitations,
// sessions, API tokens, sign-in throttles, saved lists) and the Store interface that every engine
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
