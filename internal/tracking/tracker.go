package tracking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/pricing"
	"github.com/aliscout/aliscout/internal/store"
)

// Source is how the tracker reads AliExpress, uncached: cmd/aliscout implements it with the
// sourcing service.
type Source interface {
	// BatchSize is the most product IDs one Details call takes.
	BatchSize() int
	// Details returns the affiliate data of up to BatchSize products for the country and
	// currency in one call (affiliate productdetail.get). A product it leaves out is not listed
	// for that country.
	Details(ctx context.Context, ids []int64, country, currency string) (map[int64]catalog.Product, error)
	// Variants returns a product's variants, stock and shipping through the user's connected
	// account (ds.product.get). A catalog.ENotFound error means the product is gone,
	// catalog.ENotShipped that it does not ship to the country, catalog.EConfig that the user has
	// no usable account.
	Variants(ctx context.Context, userID, productID int64, country, currency string) (catalog.Product, error)
}

// Budget is the platform's daily call budget as the SDK keeps it.
type Budget interface {
	// Used returns the calls made in the platform day of now and the day's limit (0: none).
	Used(ctx context.Context, now time.Time) (used, limit int, err error)
}

// Notifier delivers new alerts beyond the inbox (email, webhook).
type Notifier interface {
	// AlertRaised is called in the check's transaction for each new alert: what it writes to
	// tx (an email in the outbox) is kept only if the check is.
	AlertRaised(ctx context.Context, tx store.Store, a store.Alert) error
	// AlertsCommitted is called after the check's transaction committed, with its new alerts,
	// to start their background deliveries. It must not be called inside the transaction: with
	// SQLite the job queue writes to the same file, and would wait for the transaction forever.
	AlertsCommitted(ctx context.Context, st store.Store, alerts []store.Alert)
}

// Options configure a Tracker.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	// Budget, when set, stops checks once tracking used BudgetShare of the day's budget, so that
	// interactive searches keep the rest; the remaining watches wait for the next platform day.
	Budget      Budget
	BudgetShare float64 // default 0.5
	// MaxPerCycle is the most due watches one cycle takes (default 5000); the rest wait for the
	// next cycle, the most overdue first.
	MaxPerCycle int
	// Backoff is how long watches wait after a rate limit or outage (default 5 minutes).
	Backoff time.Duration
	// Notifier delivers alerts; nil keeps them in the inbox only.
	Notifier Notifier
}

// Tracker checks watched products.
type Tracker struct {
	st   store.Store
	src  Source
	opts Options
}

// New returns a Tracker over the store and source.
func New(st store.Store, src Source, opts Options) *Tracker {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.BudgetShare <= 0 || opts.BudgetShare > 1 {
		opts.BudgetShare = 0.5
	}
	if opts.MaxPerCycle <= 0 {
		opts.MaxPerCycle = 5000
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 5 * time.Minute
	}
	return &Tracker{st: st, src: src, opts: opts}
}

// Interval is how long a schedule waits between checks; 0 for paused.
func Interval(schedule string) time.Duration {
	switch schedule {
	case store.ScheduleHourly:
		return time.Hour
	case store.Schedule6h:
		return 6 * time.Hour
	case store.ScheduleDaily:
		return 24 * time.Hour
	}
	return 0
}

// CycleReport says what one cycle did.
type CycleReport struct {
	Due            int // watches due
	Products       int // distinct products (per country and currency) checked
	AffiliateCalls int
	DSCalls        int
	Snapshots      int // written, because something changed
	Alerts         int // new
	Gone           int
	Postponed      int           // watches left for later (rate limit, outage, budget)
	Retry          time.Duration // when Postponed, how long they wait
}

// group is the due watches of one product for one country and currency.
type group struct {
	productID         int64
	country, currency string
	watches           []store.Watch
}

// ErrPostponed is wrapped by Cycle's error when a rate limit or outage stopped it; the watches
// not checked are due again after the backoff.
var ErrPostponed = errors.New("tracking: checks postponed")

// Cycle checks every due watch: two watches of the same product cost one check, one Details call
// checks up to BatchSize products, and Variants is asked only for products whose price moved, that
// have variants, or that were never seen. A rate limit, an outage or the budget share ends the
// cycle: the watches not yet checked are postponed (never skipped), the ones checked stay checked.
func (t *Tracker) Cycle(ctx context.Context) (CycleReport, error) {
	now := t.opts.Now().UTC()
	due, err := t.st.DueWatches(ctx, now, t.opts.MaxPerCycle)
	if err != nil {
		return CycleReport{}, err
	}
	return t.check(ctx, now, due)
}

// CheckNow makes the user's watches (all when ids is nil) due now and runs a cycle.
func (t *Tracker) CheckNow(ctx context.Context, userID int64, ids []int64) (CycleReport, error) {
	now := t.opts.Now().UTC()
	if _, err := t.st.SetWatchesDue(ctx, userID, ids, now); err != nil {
		return CycleReport{}, err
	}
	return t.Cycle(ctx)
}

func (t *Tracker) check(ctx context.Context, now time.Time, due []store.Watch) (CycleReport, error) {
	rep := CycleReport{Due: len(due)}
	groups := map[string]*group{}
	var order []*group
	for _, w := range due {
		k := fmt.Sprintf("%d|%s|%s", w.ProductID, w.Country, w.Currency)
		g := groups[k]
		if g == nil {
			g = &group{productID: w.ProductID, country: w.Country, currency: w.Currency}
			groups[k] = g
			order = append(order, g)
		}
		g.watches = append(g.watches, w)
	}
	// Batches share a country and currency: productdetail.get takes one of each.
	slices.SortStableFunc(order, func(a, b *group) int {
		return strings.Compare(a.country+a.currency, b.country+b.currency)
	})
	batch := t.src.BatchSize()
	if batch <= 0 {
		batch = 1
	}
	postpone := func(rest []*group, wait time.Duration, cause error) (CycleReport, error) {
		var ids []int64
		for _, g := range rest {
			for _, w := range g.watches {
				ids = append(ids, w.ID)
			}
		}
		if err := t.st.PostponeWatches(ctx, ids, now.Add(wait)); err != nil {
			return rep, err
		}
		rep.Postponed, rep.Retry = len(ids), wait
		t.opts.Logger.Info("tracking: checks postponed", "watches", len(ids), "wait", wait, "cause", cause)
		return rep, fmt.Errorf("%w for %s: %v", ErrPostponed, wait, cause)
	}
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && j-i < batch && order[j].country == order[i].country && order[j].currency == order[i].currency {
			j++
		}
		if wait, over := t.overBudget(ctx, now); over {
			return postpone(order[i:], wait, errors.New("tracking's share of the daily budget is used"))
		}
		chunk := order[i:j]
		ids := make([]int64, len(chunk))
		for k, g := range chunk {
			ids[k] = g.productID
		}
		rep.AffiliateCalls++
		found, err := t.src.Details(ctx, ids, chunk[0].country, chunk[0].currency)
		if err != nil {
			if transient(err) {
				return postpone(order[i:], t.opts.Backoff, err)
			}
			return rep, fmt.Errorf("tracking: details of %d products: %w", len(ids), err)
		}
		for k, g := range chunk {
			done, err := t.checkProduct(ctx, now, g, found, &rep)
			if err != nil {
				if transient(err) {
					return postpone(order[i+k:], t.opts.Backoff, err)
				}
				return rep, err
			}
			if done {
				rep.Products++
			}
		}
		i = j
	}
	return rep, nil
}

// overBudget says tracking used its share of the day's budget, and how long until the next
// platform day (midnight GMT+8).
func (t *Tracker) overBudget(ctx context.Context, now time.Time) (time.Duration, bool) {
	if t.opts.Budget == nil {
		return 0, false
	}
	used, limit, err := t.opts.Budget.Used(ctx, now)
	if err != nil || limit <= 0 || float64(used) < float64(limit)*t.opts.BudgetShare {
		return 0, false
	}
	gmt8 := time.FixedZone("GMT+8", 8*3600)
	local := now.In(gmt8)
	next := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, gmt8)
	return next.Sub(now), true
}

func transient(err error) bool {
	switch catalog.ErrorCode(err) {
	case catalog.ERateLimited, catalog.EUpstream:
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// checkProduct reads one product's state, writes a snapshot if it changed, raises the alerts of
// every watch of it and records the check on its due watches, in one transaction.
func (t *Tracker) checkProduct(ctx context.Context, now time.Time, g *group, found map[int64]catalog.Product, rep *CycleReport) (bool, error) {
	var last Snapshot
	hasLast := false
	if s, err := t.st.LatestSnapshot(ctx, g.productID, g.country, g.currency); err == nil {
		if last, err = Decode(s.ID, s.Data); err != nil {
			return false, err
		}
		hasLast = true
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}

	var cur Snapshot
	aff, listed := found[g.productID]
	needDS := !listed || !hasLast || !last.Available || len(last.Variants) > 1 ||
		aff.Price.Amount != last.MinPrice()
	switch {
	case needDS:
		p, err := t.variants(ctx, g, rep)
		switch code := catalog.ErrorCode(err); {
		case err == nil:
			if listed {
				p.Orders30d = max(p.Orders30d, aff.Orders30d)
				if p.Title == "" {
					p.Title = aff.Title
				}
			}
			cur = SnapshotOf(p, now)
		case code == catalog.ENotFound:
			cur = Gone(now, last)
		case code == catalog.ENotShipped && listed:
			cur = SnapshotOf(aff, now)
			cur.Shipping = nil
		case code == catalog.EConfig || code == catalog.ENotShipped:
			// No account to ask: the affiliate data is what there is.
			if !listed {
				cur = Gone(now, last)
			} else {
				cur = SnapshotOf(aff, now)
				if hasLast && last.Available {
					cur.Variants, cur.Shipping = slices.Clone(last.Variants), last.Shipping
					for i := range cur.Variants {
						cur.Variants[i].Price += aff.Price.Amount - last.MinPrice()
					}
				}
			}
		default:
			return false, err
		}
	default:
		cur = last // nothing moved at the product level and there are no variants to look at
		cur.Time, cur.Orders = now, aff.Orders30d
		if aff.Title != "" {
			cur.Title = aff.Title
		}
	}
	if !cur.Available && (!hasLast || last.Available) {
		rep.Gone++
	}

	var raised []store.Alert
	err := t.st.WithTx(ctx, func(tx store.Store) error {
		raised = raised[:0]
		if !hasLast || !Same(last, cur) {
			s, err := tx.AddSnapshot(ctx, store.Snapshot{ProductID: g.productID, Country: g.country, Currency: g.currency,
				TakenAt: now, Data: cur.Encode()})
			if err != nil {
				return err
			}
			cur.ID = s.ID
			rep.Snapshots++
			if hasLast {
				if err := t.raise(ctx, tx, g, last, cur, rep, &raised); err != nil {
					return err
				}
			}
		}
		for _, w := range g.watches {
			next := now.Add(Interval(w.Schedule))
			if err := tx.SetWatchChecked(ctx, w.ID, now, next, cur.Title); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err // a watch deleted meanwhile is no error
			}
		}
		return nil
	})
	if err == nil && len(raised) > 0 && t.opts.Notifier != nil {
		t.opts.Notifier.AlertsCommitted(ctx, t.st, raised)
	}
	return err == nil, err
}

// variants asks ds.product.get with the connected account of one of the product's watchers,
// trying the next watcher when one has no usable account.
func (t *Tracker) variants(ctx context.Context, g *group, rep *CycleReport) (catalog.Product, error) {
	var err error
	tried := map[int64]bool{}
	for _, w := range g.watches {
		if tried[w.UserID] {
			continue
		}
		tried[w.UserID] = true
		rep.DSCalls++
		var p catalog.Product
		p, err = t.src.Variants(ctx, w.UserID, g.productID, g.country, g.currency)
		if catalog.ErrorCode(err) != catalog.EConfig {
			return p, err
		}
		rep.DSCalls-- // no account: no call was made
	}
	return catalog.Product{}, err
}

// raise stores the alerts that the change from last to cur raises for every watch of the product
// (not only the due ones: the snapshot is theirs too) and hands the new ones to the notifier.
func (t *Tracker) raise(ctx context.Context, tx store.Store, g *group, last, cur Snapshot, rep *CycleReport, raised *[]store.Alert) error {
	watches, err := tx.WatchesOfProduct(ctx, g.productID, g.country, g.currency)
	if err != nil {
		return err
	}
	settings := map[int64]store.TrackingSettings{}
	for _, w := range watches {
		rules, err := t.rulesOf(ctx, tx, w, settings)
		if err != nil {
			t.opts.Logger.Warn("tracking: bad alert rules, using the defaults", "watch", w.ID, "err", err)
			rules = DefaultRules()
		}
		var rule *pricing.Rule
		base := last
		if w.Rule != "" && rules.MinMarginPct > 0 {
			if r, err := pricing.ParseRule(w.Rule, w.Currency); err == nil {
				rule = &r
				if b, err := baseline(ctx, tx, w); err == nil {
					base = b
				}
			}
		}
		for _, a := range rules.Evaluate(last, cur, rule, base) {
			stored, isNew, err := tx.AddAlert(ctx, store.Alert{UserID: w.UserID, WatchID: w.ID, ProductID: w.ProductID,
				Kind: a.Kind, Key: a.Key, Message: a.Message, Detail: alertDetail(w, a, cur)})
			if err != nil {
				return err
			}
			if !isNew {
				continue
			}
			rep.Alerts++
			*raised = append(*raised, stored)
			if t.opts.Notifier != nil {
				if err := t.opts.Notifier.AlertRaised(ctx, tx, stored); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (t *Tracker) rulesOf(ctx context.Context, st store.Store, w store.Watch, cache map[int64]store.TrackingSettings) (Rules, error) {
	if w.AlertRules != "" {
		return ParseRules(w.AlertRules)
	}
	s, ok := cache[w.UserID]
	if !ok {
		var err error
		if s, err = st.TrackingSettings(ctx, w.UserID); err != nil {
			return Rules{}, err
		}
		cache[w.UserID] = s
	}
	return ParseRules(s.AlertRules)
}
