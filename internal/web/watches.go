package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/export"
	"github.com/aliscout/aliscout/internal/pricing"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/tracking"
)

// Tracker checks watches now and keeps webhook settings; cmd/aliscout wires *tracking.Tracker
// and *tracking.Alerts behind it.
type Tracker interface {
	// CheckNow checks the user's watches (all when ids is nil) now.
	CheckNow(ctx context.Context, userID int64, ids []int64) (tracking.CycleReport, error)
	// SetWebhook saves the user's webhook URL with a new secret and returns the secret ("" for
	// no URL); a bad URL is a catalog field error.
	SetWebhook(ctx context.Context, userID int64, url string) (string, error)
}

// defaultMaxWatches is the watches per user when Config.MaxWatches is 0.
const defaultMaxWatches = 500

// watchRoutes registers the watches, alerts and price updates, with accounts.
func (s *Server) watchRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /watches", s.watchesPage)
	mux.HandleFunc("POST /watches", s.watchPost)
	mux.HandleFunc("POST /lists/{id}/watch", s.watchListPost)
	mux.HandleFunc("GET /watches/{id}", s.watchPage)
	mux.HandleFunc("POST /watches/{id}", s.updateWatchPost)
	mux.HandleFunc("POST /watches/{id}/delete", s.deleteWatchPost)
	mux.HandleFunc("POST /watches/{id}/check", s.checkWatchPost)
	mux.HandleFunc("GET /alerts", s.alertsPage)
	mux.HandleFunc("POST /alerts/read", s.readAlertsPost)
	mux.HandleFunc("POST /alerts/settings", s.alertSettingsPost)
	mux.HandleFunc("GET /price-updates", s.priceUpdatesPage)
	mux.HandleFunc("POST /price-updates/applied", s.appliedPost)

	mux.HandleFunc("GET /api/watches", s.apiWatches)
	mux.HandleFunc("POST /api/watches", s.apiCreateWatch)
	mux.HandleFunc("POST /api/watches/check", s.apiCheckWatches)
	mux.HandleFunc("GET /api/watches/{id}", s.apiWatch)
	mux.HandleFunc("PATCH /api/watches/{id}", s.apiUpdateWatch)
	mux.HandleFunc("DELETE /api/watches/{id}", s.apiDeleteWatch)
	mux.HandleFunc("GET /api/watches/{id}/history", s.apiWatchHistory)
	mux.HandleFunc("POST /api/watches/{id}/check", s.apiCheckWatch)
	mux.HandleFunc("GET /api/alerts", s.apiAlerts)
	mux.HandleFunc("POST /api/alerts/read", s.apiReadAlerts)
	mux.HandleFunc("GET /api/alerts/settings", s.apiAlertSettings)
	mux.HandleFunc("PUT /api/alerts/settings", s.apiSaveAlertSettings)
	mux.HandleFunc("GET /api/price-updates", s.apiPriceUpdates)
	mux.HandleFunc("POST /api/price-updates/applied", s.apiPriceUpdatesApplied)
}

// watchJSON is a watch in the API.
type watchJSON struct {
	ID            int64               `json:"id"`
	ProductID     int64               `json:"product_id"`
	Title         string              `json:"title"`
	Country       string              `json:"country"`
	Currency      string              `json:"currency"`
	Schedule      string              `json:"schedule"`
	Rule          string              `json:"rule"`
	Alerts        *tracking.Rules     `json:"alerts,omitempty"` // nil: the user's defaults
	CreatedAt     time.Time           `json:"created_at"`
	LastCheckedAt *time.Time          `json:"last_checked_at"`
	NextCheckAt   *time.Time          `json:"next_check_at"`
	Available     *bool               `json:"available,omitempty"`
	Price         *moneyJSON          `json:"price,omitempty"` // the lowest variant price last seen
	Velocity      float64             `json:"orders_per_day"`
	Changes       int                 `json:"changes_since_seen"`
	Latest        *snapshotJSON       `json:"latest,omitempty"`
	summary       watchSummary        `json:"-"`
	watch         store.Watch         `json:"-"`
	snaps         []tracking.Snapshot `json:"-"`
}

// watchSummary is what the watches page shows of a watch's history.
type watchSummary struct {
	Prices  []int64 // the lowest price of each snapshot, for the sparkline
	Since   int     // snapshots since the user last looked
	Delta   int64   // price change since the user last looked
	Percent float64
}

// snapshotJSON is a snapshot in the API.
type snapshotJSON struct {
	Time      time.Time         `json:"time"`
	Available bool              `json:"available"`
	Variants  []snapVariantJSON `json:"variants"`
	Shipping  *snapShippingJSON `json:"shipping"`
	Orders    int               `json:"orders"`
}

type snapVariantJSON struct {
	SKU    string     `json:"sku"`
	Values []string   `json:"values,omitempty"`
	Price  *moneyJSON `json:"price"`
	Stock  int        `json:"stock"`
}

type snapShippingJSON struct {
	Cost    *moneyJSON `json:"cost"`
	MinDays int        `json:"min_days"`
	MaxDays int        `json:"max_days"`
}

func newSnapshotJSON(s tracking.Snapshot) snapshotJSON {
	out := snapshotJSON{Time: s.Time.UTC(), Available: s.Available, Orders: s.Orders, Variants: []snapVariantJSON{}}
	for _, v := range s.Variants {
		out.Variants = append(out.Variants, snapVariantJSON{SKU: v.SKU, Values: v.Values,
			Price: money(catalog.Money{Amount: v.Price, Currency: s.Currency}), Stock: v.Stock})
	}
	if s.Shipping != nil {
		out.Shipping = &snapShippingJSON{Cost: money(catalog.Money{Amount: s.Shipping.Cost, Currency: s.Currency}),
			MinDays: s.Shipping.MinDays, MaxDays: s.Shipping.MaxDays}
	}
	return out
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// history returns the watch's snapshots, oldest first.
func (s *Server) history(ctx context.Context, w store.Watch) ([]tracking.Snapshot, error) {
	list, err := s.cfg.Store.Snapshots(ctx, w.ProductID, w.Country, w.Currency, time.Time{}, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]tracking.Snapshot, 0, len(list))
	for _, sn := range list {
		d, err := tracking.Decode(sn.ID, sn.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// describe reads a watch's history into its API form.
func (s *Server) describe(ctx context.Context, w store.Watch) (watchJSON, error) {
	out := watchJSON{ID: w.ID, ProductID: w.ProductID, Title: w.Title, Country: w.Country, Currency: w.Currency,
		Schedule: w.Schedule, Rule: w.Rule, CreatedAt: w.CreatedAt.UTC(), LastCheckedAt: timePtr(w.LastCheckedAt), watch: w}
	if w.Schedule != store.SchedulePaused {
		out.NextCheckAt = timePtr(w.NextCheckAt)
	}
	if w.AlertRules != "" {
		if r, err := tracking.ParseRules(w.AlertRules); err == nil {
			out.Alerts = &r
		}
	}
	snaps, err := s.history(ctx, w)
	if err != nil {
		return out, err
	}
	out.snaps = snaps
	if len(snaps) == 0 {
		return out, nil
	}
	last := snaps[len(snaps)-1]
	lj := newSnapshotJSON(last)
	out.Latest, out.Available = &lj, &last.Available
	if last.Available {
		out.Price = money(catalog.Money{Amount: last.MinPrice(), Currency: last.Currency})
	}
	// Velocity over the last 30 days of history.
	first := snaps[0]
	for _, sn := range snaps {
		if last.Time.Sub(sn.Time) <= 30*24*time.Hour {
			first = sn
			break
		}
	}
	out.Velocity = tracking.Velocity(first, last)
	var seenPrice int64 = -1
	for _, sn := range snaps {
		out.summary.Prices = append(out.summary.Prices, sn.MinPrice())
		if !w.SeenAt.IsZero() && sn.Time.After(w.SeenAt) {
			out.summary.Since++
		} else {
			seenPrice = sn.MinPrice()
		}
	}
	if w.SeenAt.IsZero() {
		out.summary.Since = 0
	}
	if seenPrice >= 0 && last.Available {
		out.summary.Delta = last.MinPrice() - seenPrice
		if seenPrice > 0 {
			out.summary.Percent = float64(out.summary.Delta) * 100 / float64(seenPrice)
		}
	}
	out.Changes = out.summary.Since
	return out, nil
}

// ownWatch is the signed-in user's watch named in the path.
func (s *Server) ownWatch(r *http.Request, v *viewer) (store.Watch, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return store.Watch{}, err
	}
	return s.cfg.Store.Watch(r.Context(), v.User.ID, id)
}

// watchBody is the body of POST and PATCH /api/watches.
type watchBody struct {
	ProductID *productIDJSON  `json:"product_id"`
	Country   *string         `json:"country"`
	Currency  *string         `json:"currency"`
	Schedule  *string         `json:"schedule"`
	Rule      *string         `json:"rule"`
	Alerts    *tracking.Rules `json:"alerts"`
}

// apply checks the body's fields and sets them on w.
func (b watchBody) apply(w *store.Watch) error {
	if b.Country != nil {
		c := strings.ToUpper(strings.TrimSpace(*b.Country))
		if !catalog.IsCountry(c) {
			return invalid("country", "%q is not a two-letter country code", truncateText(*b.Country, 20))
		}
		w.Country = c
	}
	if b.Currency != nil {
		c := strings.ToUpper(strings.TrimSpace(*b.Currency))
		if !catalog.IsCurrency(c) {
			return invalid("currency", "%q is not a currency AliExpress offers", truncateText(*b.Currency, 20))
		}
		w.Currency = c
	}
	if b.Schedule != nil {
		switch *b.Schedule {
		case store.ScheduleHourly, store.Schedule6h, store.ScheduleDaily, store.SchedulePaused:
			w.Schedule = *b.Schedule
		default:
			return invalid("schedule", "%q is not a schedule: use hourly, 6h, daily or paused", truncateText(*b.Schedule, 20))
		}
	}
	if b.Rule != nil {
		rule := strings.TrimSpace(*b.Rule)
		if rule != "" {
			r, err := pricing.ParseRule(rule, w.Currency)
			if err != nil {
				var re *pricing.RuleError
				if errors.As(err, &re) {
					return invalid("rule", "%s", re.Message())
				}
				return invalid("rule", "%v", err)
			}
			rule = r.String()
		}
		w.Rule = rule
	}
	if b.Alerts != nil {
		if err := b.Alerts.Validate(); err != nil {
			return err
		}
		w.AlertRules = b.Alerts.String()
	}
	return nil
}

func (s *Server) maxWatches() int {
	if s.cfg.MaxWatches > 0 {
		return s.cfg.MaxWatches
	}
	return defaultMaxWatches
}

// createWatch watches a product for the user, within the operator's cap.
func (s *Server) createWatch(ctx context.Context, userID int64, b watchBody) (store.Watch, error) {
	if b.ProductID == nil {
		return store.Watch{}, invalid("product_id", "give the product to watch: {\"product_id\": 1005006123456789}")
	}
	w := store.Watch{UserID: userID, ProductID: int64(*b.ProductID), Country: catalog.DefaultShipTo,
		Currency: catalog.DefaultCurrency, Schedule: store.ScheduleDaily, NextCheckAt: s.now()}
	if err := b.apply(&w); err != nil {
		return store.Watch{}, err
	}
	n, err := s.cfg.Store.CountWatches(ctx, userID)
	if err != nil {
		return store.Watch{}, storeErr(err)
	}
	if n >= s.maxWatches() {
		return store.Watch{}, invalid("product_id", "you watch %d products, the most this aliscout allows (ALISCOUT_MAX_WATCHES): stop watching one first", n)
	}
	w, err = s.cfg.Store.CreateWatch(ctx, w)
	if errors.Is(err, store.ErrConflict) {
		return store.Watch{}, &catalog.Error{Code: catalog.EInvalid, Field: "product_id",
			Message: fmt.Sprintf("you watch product %d for %s in %s already", *b.ProductID, w.Country, w.Currency)}
	}
	return w, storeErr(err)
}

func (s *Server) apiWatches(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	list, err := s.cfg.Store.Watches(r.Context(), v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	out := struct {
		Watches []watchJSON `json:"watches"`
	}{Watches: []watchJSON{}}
	for _, wa := range list {
		d, err := s.describe(r.Context(), wa)
		if err != nil {
			s.failErr(w, r, storeErr(err))
			return
		}
		d.Latest = nil
		out.Watches = append(out.Watches, d)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiCreateWatch(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	var body watchBody
	err := readJSON(w, r, &body)
	var wa store.Watch
	if err == nil {
		wa, err = s.createWatch(r.Context(), v.User.ID, body)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d, _ := s.describe(r.Context(), wa)
	w.Header().Set("Location", "/api/watches/"+strconv.FormatInt(wa.ID, 10))
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) apiWatch(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	wa, err := s.ownWatch(r, v)
	var d watchJSON
	if err == nil {
		d, err = s.describe(r.Context(), wa)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiUpdateWatch(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	wa, err := s.ownWatch(r, v)
	var body watchBody
	if err == nil {
		err = readJSON(w, r, &body)
	}
	if err == nil && (body.ProductID != nil || body.Country != nil || body.Currency != nil) {
		err = invalid("product_id", "a watch's product, country and currency stay: watch it again for another")
	}
	if err == nil {
		err = s.updateWatch(r.Context(), &wa, body)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	d, _ := s.describe(r.Context(), wa)
	writeJSON(w, http.StatusOK, d)
}

// updateWatch saves the body's schedule, rule and alert rules; a watch taken off pause is due now.
func (s *Server) updateWatch(ctx context.Context, wa *store.Watch, body watchBody) error {
	was := wa.Schedule
	if err := body.apply(wa); err != nil {
		return err
	}
	if was == store.SchedulePaused && wa.Schedule != store.SchedulePaused {
		wa.NextCheckAt = s.now()
	}
	if was != wa.Schedule && !wa.LastCheckedAt.IsZero() && wa.Schedule != store.SchedulePaused {
		wa.NextCheckAt = wa.LastCheckedAt.Add(tracking.Interval(wa.Schedule))
	}
	saved, err := s.cfg.Store.UpdateWatch(ctx, *wa)
	if err != nil {
		return err
	}
	*wa = saved
	return nil
}

func (s *Server) apiDeleteWatch(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	wa, err := s.ownWatch(r, v)
	if err == nil {
		err = s.cfg.Store.DeleteWatch(r.Context(), v.User.ID, wa.ID)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// historyCSVHeader is the header of GET /api/watches/{id}/history?format=csv: one row per
// variant per snapshot.
var historyCSVHeader = []string{"time", "available", "sku", "values", "price", "currency", "stock",
	"shipping_cost", "shipping_max_days", "orders"}

func (s *Server) apiWatchHistory(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		s.failErr(w, r, invalid("format", "%q is not a format: use json or csv", truncateText(format, 20)))
		return
	}
	wa, err := s.ownWatch(r, v)
	var snaps []tracking.Snapshot
	if err == nil {
		snaps, err = s.history(r.Context(), wa)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	if format == "csv" {
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		cw.Write(historyCSVHeader)
		for _, sn := range snaps {
			ship, days := "", ""
			if sn.Shipping != nil {
				ship = catalog.Money{Amount: sn.Shipping.Cost, Currency: sn.Currency}.Decimal()
				days = strconv.Itoa(sn.Shipping.MaxDays)
			}
			base := []string{sn.Time.UTC().Format(time.RFC3339), strconv.FormatBool(sn.Available)}
			if len(sn.Variants) == 0 {
				cw.Write(append(base, "", "", "", sn.Currency, "", ship, days, strconv.Itoa(sn.Orders)))
			}
			for _, vr := range sn.Variants {
				cw.Write(append(slices.Clone(base), csvCell(vr.SKU), csvCell(strings.Join(vr.Values, " / ")),
					catalog.Money{Amount: vr.Price, Currency: sn.Currency}.Decimal(), sn.Currency, strconv.Itoa(vr.Stock),
					ship, days, strconv.Itoa(sn.Orders)))
			}
		}
		cw.Flush()
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="watch-%d-history.csv"`, wa.ID))
		w.Write(buf.Bytes())
		return
	}
	out := struct {
		WatchID   int64          `json:"watch_id"`
		ProductID int64          `json:"product_id"`
		Snapshots []snapshotJSON `json:"snapshots"`
	}{WatchID: wa.ID, ProductID: wa.ProductID, Snapshots: []snapshotJSON{}}
	for _, sn := range snaps {
		out.Snapshots = append(out.Snapshots, newSnapshotJSON(sn))
	}
	writeJSON(w, http.StatusOK, out)
}

// csvCell neutralizes a spreadsheet formula at the start of untrusted text.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// checkReportJSON is what a check now did.
type checkReportJSON struct {
	Checked   int    `json:"checked"`
	Snapshots int    `json:"snapshots"`
	Alerts    int    `json:"alerts"`
	Postponed int    `json:"postponed"`
	Message   string `json:"message,omitempty"`
}

// checkNow checks the user's watches now; a postponed check is no failure, it says so.
func (s *Server) checkNow(ctx context.Context, userID int64, ids []int64) (checkReportJSON, error) {
	if s.cfg.Tracker == nil {
		return checkReportJSON{}, &catalog.Error{Code: catalog.EConfig, Message: "tracking is not running on this aliscout"}
	}
	rep, err := s.cfg.Tracker.CheckNow(ctx, userID, ids)
	out := checkReportJSON{Checked: rep.Products, Snapshots: rep.Snapshots, Alerts: rep.Alerts, Postponed: rep.Postponed}
	if errors.Is(err, tracking.ErrPostponed) {
		out.Message = fmt.Sprintf("AliExpress is busy or tracking's share of today's calls is used: %d watches are checked again in %s.",
			rep.Postponed, rep.Retry.Round(time.Minute))
		return out, nil
	}
	return out, err
}

func (s *Server) apiCheckWatches(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	rep, err := s.checkNow(r.Context(), v.User.ID, nil)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) apiCheckWatch(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	wa, err := s.ownWatch(r, v)
	var rep checkReportJSON
	if err == nil {
		rep, err = s.checkNow(r.Context(), v.User.ID, []int64{wa.ID})
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// alertJSON is an alert in the API.
type alertJSON struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"kind"`
	ProductID int64           `json:"product_id"`
	WatchID   int64           `json:"watch_id,omitempty"`
	OrderID   int64           `json:"order_id,omitempty"`
	Message   string          `json:"message"`
	Detail    json.RawMessage `json:"detail,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	Read      bool            `json:"read"`
}

func newAlertJSON(a store.Alert) alertJSON {
	out := alertJSON{ID: a.ID, Kind: a.Kind, ProductID: a.ProductID, WatchID: a.WatchID, OrderID: a.OrderID, Message: a.Message,
		CreatedAt: a.CreatedAt.UTC(), Read: !a.ReadAt.IsZero()}
	if json.Valid([]byte(a.Detail)) {
		out.Detail = json.RawMessage(a.Detail)
	}
	return out
}

func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	unread := r.URL.Query().Get("unread")
	list, err := s.cfg.Store.Alerts(r.Context(), v.User.ID, unread == "1" || unread == "true", 500)
	var n int
	if err == nil {
		n, err = s.cfg.Store.CountUnreadAlerts(r.Context(), v.User.ID)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	out := struct {
		Alerts []alertJSON `json:"alerts"`
		Unread int         `json:"unread"`
	}{Alerts: []alertJSON{}, Unread: n}
	for _, a := range list {
		out.Alerts = append(out.Alerts, newAlertJSON(a))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiReadAlerts(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	var body struct {
		IDs []int64 `json:"ids"`
	}
	err := readJSON(w, r, &body)
	var n int64
	if err == nil {
		n, err = s.cfg.Store.MarkAlertsRead(r.Context(), v.User.ID, body.IDs)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"marked": n})
}

// alertSettingsJSON is GET and PUT /api/alerts/settings. The webhook secret is in the answer to
// the PUT that set the URL, and never again.
type alertSettingsJSON struct {
	WebhookURL    *string         `json:"webhook_url"`
	WebhookSecret string          `json:"webhook_secret,omitempty"`
	Email         *bool           `json:"email"`
	Rules         *tracking.Rules `json:"rules"`
}

func (s *Server) alertSettings(ctx context.Context, userID int64) (alertSettingsJSON, error) {
	set, err := s.cfg.Store.TrackingSettings(ctx, userID)
	if err != nil {
		return alertSettingsJSON{}, err
	}
	rules, err := tracking.ParseRules(set.AlertRules)
	if err != nil {
		rules = tracking.DefaultRules()
	}
	return alertSettingsJSON{WebhookURL: &set.WebhookURL, Email: &set.EmailAlerts, Rules: &rules}, nil
}

func (s *Server) apiAlertSettings(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	out, err := s.alertSettings(r.Context(), v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// saveAlertSettings saves what body sets and returns the new webhook secret when the URL changed.
func (s *Server) saveAlertSettings(ctx context.Context, userID int64, body alertSettingsJSON) (string, error) {
	set, err := s.cfg.Store.TrackingSettings(ctx, userID)
	if err != nil {
		return "", err
	}
	if body.Rules != nil {
		if err := body.Rules.Validate(); err != nil {
			return "", err
		}
		set.AlertRules = body.Rules.String()
	}
	if body.Email != nil {
		set.EmailAlerts = *body.Email
	}
	if body.Rules != nil || body.Email != nil {
		if _, err := s.cfg.Store.SaveTrackingSettings(ctx, set); err != nil {
			return "", err
		}
	}
	if body.WebhookURL == nil || *body.WebhookURL == set.WebhookURL {
		return "", nil
	}
	if s.cfg.Tracker == nil {
		return "", &catalog.Error{Code: catalog.EConfig, Message: "tracking is not running on this aliscout"}
	}
	return s.cfg.Tracker.SetWebhook(ctx, userID, strings.TrimSpace(*body.WebhookURL))
}

func (s *Server) apiSaveAlertSettings(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	var body alertSettingsJSON
	err := readJSON(w, r, &body)
	secret := ""
	if err == nil {
		secret, err = s.saveAlertSettings(r.Context(), v.User.ID, body)
	}
	var out alertSettingsJSON
	if err == nil {
		out, err = s.alertSettings(r.Context(), v.User.ID)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	out.WebhookSecret = secret
	writeJSON(w, http.StatusOK, out)
}

// priceUpdates returns the user's price updates as export updates.
func exportUpdates(ups []tracking.PriceUpdate) []export.Update {
	out := make([]export.Update, 0, len(ups))
	for _, u := range ups {
		out = append(out, export.Update{ProductID: u.ProductID, Title: u.Title, SKUID: u.SKU, Options: u.Options,
			Values: u.Values, Price: u.NewPrice, CompareAt: u.NewCompareAt, Stock: u.Stock})
	}
	return out
}

func (s *Server) apiPriceUpdates(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != export.FormatShopify && format != export.FormatWooCommerce {
		s.failErr(w, r, invalid("format", "%q is not a format: use shopify, woocommerce or json", truncateText(format, 20)))
		return
	}
	ups, err := tracking.PriceUpdates(r.Context(), s.cfg.Store, v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.writePriceUpdates(w, r, format, ups)
}

// writePriceUpdates answers the updates in format, checked by the validator before they go out.
func (s *Server) writePriceUpdates(w http.ResponseWriter, r *http.Request, format string, ups []tracking.PriceUpdate) {
	if format == "json" {
		if ups == nil {
			ups = []tracking.PriceUpdate{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"updates": ups})
		return
	}
	var buf bytes.Buffer
	var err error
	if format == export.FormatShopify {
		if err = export.WriteShopifyUpdates(&buf, exportUpdates(ups)); err == nil {
			err = export.ValidateShopifyUpdates(bytes.NewReader(buf.Bytes()))
		}
	} else {
		if err = export.WriteWooUpdates(&buf, exportUpdates(ups)); err == nil {
			err = export.ValidateWooUpdates(bytes.NewReader(buf.Bytes()))
		}
	}
	if err != nil {
		s.failErr(w, r, fmt.Errorf("price updates: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="aliscout-price-updates-%s.csv"`, format))
	w.Write(buf.Bytes())
}

func (s *Server) apiPriceUpdatesApplied(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	if err := s.cfg.Store.SetWatchBaseline(r.Context(), v.User.ID, 0); err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
