package store

import (
	"context"
	"fmt"
	"time"
)

// Schedules of a watch: how often its product is checked.
const (
	ScheduleHourly = "hourly"
	Schedule6h     = "6h"
	ScheduleDaily  = "daily"
	SchedulePaused = "paused"
)

// Watch is a product a user follows: checked on Schedule for shipping to Country, with prices in
// Currency, re-priced by Rule (the pricing package's compact form, e.g. "x2.5 .99").
type Watch struct {
	ID         int64
	UserID     int64
	ProductID  int64
	Country    string // ISO 3166 alpha-2
	Currency   string // ISO 4217
	Schedule   string // one of the Schedule constants
	Rule       string // pricing rule; "" for none
	AlertRules string // the tracking package's JSON; "" for the user's defaults
	Title      string // the product's title as last seen
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// NextCheckAt is when the watch is due; paused watches keep theirs but are never due.
	NextCheckAt   time.Time
	LastCheckedAt time.Time // zero until first checked
	SeenAt        time.Time // when the user last looked at it; zero if never
	// BaselineAt is when the user last applied its price updates; zero for "since watched".
	BaselineAt time.Time
}

// CheckWatch reports what is wrong with w as an ErrInvalid.
func CheckWatch(w Watch) error {
	switch {
	case w.UserID <= 0:
		return fmt.Errorf("watch needs a user: %w", ErrInvalid)
	case w.ProductID <= 0:
		return fmt.Errorf("watch product id %d: %w", w.ProductID, ErrInvalid)
	case len(w.Country) != 2:
		return fmt.Errorf("watch country %q: %w", w.Country, ErrInvalid)
	case len(w.Currency) != 3:
		return fmt.Errorf("watch currency %q: %w", w.Currency, ErrInvalid)
	}
	switch w.Schedule {
	case ScheduleHourly, Schedule6h, ScheduleDaily, SchedulePaused:
	default:
		return fmt.Errorf("watch schedule %q: %w", w.Schedule, ErrInvalid)
	}
	return nil
}

// Snapshot is what one check of a product saw, for one country and currency. Data is the tracking
// package's encoding; the store keeps it as it is. Snapshots are shared by every watch of the same
// product, country and currency, and written only when something changed.
type Snapshot struct {
	ID        int64
	ProductID int64
	Country   string
	Currency  string
	TakenAt   time.Time
	Data      []byte
}

// Alert is a change a user is told about. Key names the change, so that the same change seen by
// two checks (or a retried job) is one alert.
type Alert struct {
	ID        int64
	UserID    int64
	WatchID   int64 // the watch that saw the change; 0 for an order's alert
	OrderID   int64 // the supplier order it is about; 0 for a watch's alert
	ProductID int64
	Kind      string
	Key       string
	Message   string
	Detail    string // JSON for scripts and webhooks
	CreatedAt time.Time
	ReadAt    time.Time // zero while unread
}

// TrackingSettings are a user's alert delivery settings.
type TrackingSettings struct {
	UserID              int64
	WebhookURL          string // "" for none
	SealedWebhookSecret string // sealed with the vault; never the secret
	EmailAlerts         bool
	AlertRules          string // the tracking package's JSON; "" for the defaults
	UpdatedAt           time.Time
}

// Watches keeps watches, product snapshots, alerts and alert settings.
type Watches interface {
	// CreateWatch stores w (UserID, ProductID, Country, Currency, Schedule, Rule, AlertRules,
	// Title, NextCheckAt). ErrConflict when the user watches that product, country and currency
	// already; ErrNotFound when the user does not exist.
	CreateWatch(ctx context.Context, w Watch) (Watch, error)
	// Watch returns one of the user's watches.
	Watch(ctx context.Context, userID, id int64) (Watch, error)
	// Watches returns the user's watches, oldest first.
	Watches(ctx context.Context, userID int64) ([]Watch, error)
	// CountWatches returns how many watches the user has.
	CountWatches(ctx context.Context, userID int64) (int, error)
	// UpdateWatch saves the Schedule, Rule, AlertRules and NextCheckAt of one of the user's
	// watches (w.UserID, w.ID).
	UpdateWatch(ctx context.Context, w Watch) (Watch, error)
	// DeleteWatch deletes one of the user's watches with its alerts.
	DeleteWatch(ctx context.Context, userID, id int64) error
	// DueWatches returns up to limit watches of any user that are not paused and due at or
	// before t, the most overdue first.
	DueWatches(ctx context.Context, t time.Time, limit int) ([]Watch, error)
	// WatchesOfProduct returns every user's watches of the product for the country and currency.
	WatchesOfProduct(ctx context.Context, productID int64, country, currency string) ([]Watch, error)
	// SetWatchChecked records a check of the watch (any user's): when it was checked, when it is
	// due next and the product's title.
	SetWatchChecked(ctx context.Context, id int64, checkedAt, next time.Time, title string) error
	// SetWatchesDue makes the user's watches (all of them when ids is nil) due at t, except paused ones.
	SetWatchesDue(ctx context.Context, userID int64, ids []int64, t time.Time) (int64, error)
	// PostponeWatches makes the watches (any user's) due at t.
	PostponeWatches(ctx context.Context, ids []int64, t time.Time) error
	// SeeWatch records that the user looked at the watch now.
	SeeWatch(ctx context.Context, userID, id int64) error
	// SetWatchBaseline records that the user applied the watch's price updates now (all of the
	// user's watches when id is 0).
	SetWatchBaseline(ctx context.Context, userID, id int64) error

	// AddSnapshot stores s (ProductID, Country, Currency, TakenAt, Data).
	AddSnapshot(ctx context.Context, s Snapshot) (Snapshot, error)
	// LatestSnapshot returns the newest snapshot of the product for the country and currency.
	LatestSnapshot(ctx context.Context, productID int64, country, currency string) (Snapshot, error)
	// Snapshots returns the product's snapshots for the country and currency taken at or after
	// since, oldest first, at most limit (the newest ones when there are more).
	Snapshots(ctx context.Context, productID int64, country, currency string, since time.Time, limit int) ([]Snapshot, error)
	// CountSnapshots returns how many snapshots the store holds, for every product.
	CountSnapshots(ctx context.Context) (int64, error)

	// AddAlert stores a (UserID, WatchID or OrderID, ProductID, Kind, Key, Message, Detail) and
	// returns it with true, or returns the alert stored before for the same watch (or order) and key
	// with false. The watch or order must be the user's: ErrNotFound otherwise.
	AddAlert(ctx context.Context, a Alert) (Alert, bool, error)
	// Alert returns an alert of any user by id, for delivery jobs.
	Alert(ctx context.Context, id int64) (Alert, error)
	// Alerts returns the user's alerts, newest first, at most limit; only unread ones if unread.
	Alerts(ctx context.Context, userID int64, unread bool, limit int) ([]Alert, error)
	// CountUnreadAlerts returns how many of the user's alerts are unread.
	CountUnreadAlerts(ctx context.Context, userID int64) (int, error)
	// MarkAlertsRead marks the user's alerts read (all of them when ids is nil) and returns how many changed.
	MarkAlertsRead(ctx context.Context, userID int64, ids []int64) (int64, error)

	// TrackingSettings returns the user's settings; a user who saved none gets the defaults
	// (email alerts on, no webhook).
	TrackingSettings(ctx context.Context, userID int64) (TrackingSettings, error)
	// SaveTrackingSettings stores s for s.UserID.
	SaveTrackingSettings(ctx context.Context, s TrackingSettings) (TrackingSettings, error)
}
