package web

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/tracking"
)

// Pages of watches, alerts and price updates.

// maxWatchForm caps the body of a watch or alert form.
const maxWatchForm = 16 << 10

// unreadAlerts is the count the navigation shows; 0 when there is no one signed in or the store
// does not answer (the page works without it).
func (s *Server) unreadAlerts(r *http.Request, b *base) {
	if b.Me == nil || s.cfg.Store == nil {
		return
	}
	n, err := s.cfg.Store.CountUnreadAlerts(r.Context(), b.Me.User.ID)
	if err != nil {
		s.log.Error("unread alerts", "path", logPath(r), "err", err)
		return
	}
	b.UnreadAlerts = n
}

// watchesData is the watches page.
type watchesData struct {
	base
	Watches []watchRow
	Sort    string
	Max     int
}

type watchRow struct {
	watchJSON
	Spark template.HTML
}

func (s *Server) watchesPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	list, err := s.cfg.Store.Watches(r.Context(), v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	d := watchesData{base: s.base(r, "Watched products", "watches"), Sort: r.URL.Query().Get("sort"), Max: s.maxWatches()}
	for _, wa := range list {
		j, err := s.describe(r.Context(), wa)
		if err != nil {
			s.failErr(w, r, storeErr(err))
			return
		}
		d.Watches = append(d.Watches, watchRow{watchJSON: j, Spark: sparkline(j.summary.Prices)})
	}
	switch d.Sort {
	case "velocity":
		slices.SortStableFunc(d.Watches, func(a, b watchRow) int {
			switch {
			case a.Velocity > b.Velocity:
				return -1
			case a.Velocity < b.Velocity:
				return 1
			}
			return 0
		})
	case "changes":
		slices.SortStableFunc(d.Watches, func(a, b watchRow) int { return b.Changes - a.Changes })
	default:
		d.Sort = ""
	}
	s.render(w, r, http.StatusOK, "watches", &d)
}

// watchPost watches the products of a search or product page form (ids, ship_to, currency,
// rule), and goes back to the page.
func (s *Server) watchPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxWatchForm)
	if !ok {
		return
	}
	f := r.PostForm
	ids, err := parseIDs(f, "ids", 100)
	if err == nil && len(ids) == 0 {
		err = invalid("ids", "choose a product to watch")
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	added, msgs := s.watchMany(r, v, ids, f.Get("ship_to"), f.Get("currency"), f.Get("rule"), f.Get("schedule"))
	s.setFlash(w, r, "Watching %d more %s. %s", added, plural(added, "product", "products"), strings.Join(msgs, " "))
	next := localNext(f.Get("next"))
	if next == "" {
		next = "/watches"
	}
	seeOther(w, r, next)
}

// watchMany watches ids; products watched already or refused are said in msgs.
func (s *Server) watchMany(r *http.Request, v *viewer, ids []int64, country, currency, rule, schedule string) (int, []string) {
	added := 0
	var msgs []string
	for _, id := range ids {
		pid := productIDJSON(id)
		b := watchBody{ProductID: &pid}
		if country = strings.TrimSpace(country); country != "" {
			b.Country = &country
		}
		if currency = strings.TrimSpace(currency); currency != "" {
			b.Currency = &currency
		}
		if rule = strings.TrimSpace(rule); rule != "" {
			b.Rule = &rule
		}
		if schedule != "" {
			b.Schedule = &schedule
		}
		_, err := s.createWatch(r.Context(), v.User.ID, b)
		var ce *catalog.Error
		switch {
		case err == nil:
			added++
		case errors.As(err, &ce):
			msgs = append(msgs, ce.Error()+".")
		default:
			msgs = append(msgs, "aliscout's database is not answering; try again.")
			return added, msgs
		}
		if len(msgs) > 3 {
			break
		}
	}
	return added, msgs
}

// watchListPost watches every product of one of the user's lists, each for the country and
// pricing rule it was saved with.
func (s *Server) watchListPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxWatchForm)
	if !ok {
		return
	}
	l, err := s.ownList(r, v)
	var items []store.ListItem
	if err == nil {
		items, err = s.cfg.Store.Items(r.Context(), v.User.ID, l.ID)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	added := 0
	var msgs []string
	seen := map[string]bool{}
	for _, it := range items {
		id, err := strconv.ParseInt(it.ProductID, 10, 64)
		if err != nil || seen[it.ProductID+it.Country] {
			continue
		}
		seen[it.ProductID+it.Country] = true
		currency := it.Price.Currency
		n, m := s.watchMany(r, v, []int64{id}, it.Country, currency, it.PricingRule, r.PostForm.Get("schedule"))
		added += n
		if len(msgs) < 3 {
			msgs = append(msgs, m...)
		}
	}
	s.setFlash(w, r, "Watching %d more %s of “%s”. %s", added, plural(added, "product", "products"), l.Name, strings.Join(msgs, " "))
	seeOther(w, r, "/watches")
}

// watchData is the page of one watch.
type watchData struct {
	base
	W          watchJSON
	PriceChart template.HTML
	StockChart template.HTML
	Rows       []historyRow
	Alerts     []store.Alert
	Rules      tracking.Rules
	Schedules  []string
}

type historyRow struct {
	Time      string
	Available bool
	Label     string
	Price     catalog.Money
	Stock     int
	Changed   bool
}

func (s *Server) watchPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	wa, err := s.ownWatch(r, v)
	var j watchJSON
	if err == nil {
		j, err = s.describe(r.Context(), wa)
	}
	var alerts []store.Alert
	if err == nil {
		alerts, err = s.cfg.Store.Alerts(r.Context(), v.User.ID, false, 200)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	title := j.Title
	if title == "" {
		title = "Product " + strconv.FormatInt(j.ProductID, 10)
	}
	d := watchData{base: s.base(r, cleanText(title), "watches"), W: j,
		Schedules: []string{store.ScheduleHourly, store.Schedule6h, store.ScheduleDaily, store.SchedulePaused}}
	d.Rules = tracking.DefaultRules()
	if j.Alerts != nil {
		d.Rules = *j.Alerts
	}
	series := variantSeries(j.snaps)
	d.PriceChart = historyChart(series, j.snaps, wa.Currency, false, s.now())
	d.StockChart = historyChart(series, j.snaps, wa.Currency, true, s.now())
	for i := len(j.snaps) - 1; i >= 0; i-- {
		sn := j.snaps[i]
		var prev tracking.Snapshot
		if i > 0 {
			prev = j.snaps[i-1]
		}
		if len(sn.Variants) == 0 {
			d.Rows = append(d.Rows, historyRow{Time: sn.Time.UTC().Format("2006-01-02 15:04"), Available: sn.Available, Label: "—", Stock: 0, Changed: true})
		}
		for _, vr := range sn.Variants {
			label := strings.Join(vr.Values, " / ")
			if label == "" {
				label = vr.SKU
			}
			pv, had := prev.Variant(vr.SKU)
			d.Rows = append(d.Rows, historyRow{Time: sn.Time.UTC().Format("2006-01-02 15:04"), Available: sn.Available, Label: label,
				Price: catalog.Money{Amount: vr.Price, Currency: sn.Currency}, Stock: vr.Stock,
				Changed: i > 0 && (!had || pv.Price != vr.Price || pv.Stock != vr.Stock)})
		}
	}
	for _, a := range alerts {
		if a.WatchID == wa.ID {
			d.Alerts = append(d.Alerts, a)
		}
	}
	// The user looked: "changes since" counts from now on.
	if err := s.cfg.Store.SeeWatch(r.Context(), v.User.ID, wa.ID); err != nil {
		s.log.Error("see watch", "watch", wa.ID, "err", err)
	}
	s.render(w, r, http.StatusOK, "watch", &d)
}

func (s *Server) updateWatchPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxWatchForm)
	if !ok {
		return
	}
	wa, err := s.ownWatch(r, v)
	if err == nil {
		f := r.PostForm
		sched, rule := f.Get("schedule"), f.Get("rule")
		b := watchBody{Schedule: &sched, Rule: &rule}
		if f.Has("low_stock") {
			rules := tracking.DefaultRules()
			rules.PricePct, _ = strconv.ParseFloat(strings.TrimSpace(f.Get("price_pct")), 64)
			rules.LowStock, _ = strconv.Atoi(strings.TrimSpace(f.Get("low_stock")))
			rules.ShippingDays, _ = strconv.Atoi(strings.TrimSpace(f.Get("shipping_days")))
			rules.MinMarginPct, _ = strconv.ParseFloat(strings.TrimSpace(f.Get("min_margin_pct")), 64)
			b.Alerts = &rules
		}
		err = s.updateWatch(r.Context(), &wa, b)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.setFlash(w, r, "Watch saved.")
	seeOther(w, r, "/watches/"+strconv.FormatInt(wa.ID, 10))
}

func (s *Server) deleteWatchPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxWatchForm)
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
	s.setFlash(w, r, "No longer watching product %d.", wa.ProductID)
	seeOther(w, r, "/watches")
}

func (s *Server) checkWatchPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxWatchForm)
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
	msg := "Checked now: no change."
	switch {
	case rep.Message != "":
		msg = rep.Message
	case rep.Snapshots > 0:
		msg = "Checked now: a change was recorded, " + strconv.Itoa(rep.Alerts) + " " + plural(rep.Alerts, "alert", "alerts") + "."
	}
	s.setFlash(w, r, "%s", msg)
	seeOther(w, r, "/watches/"+strconv.FormatInt(wa.ID, 10))
}

// alertsData is the alerts inbox.
type alertsData struct {
	base
	Alerts   []store.Alert
	Settings alertSettingsJSON
	Secret   string
}

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	list, err := s.cfg.Store.Alerts(r.Context(), v.User.ID, false, 500)
	var set alertSettingsJSON
	if err == nil {
		set, err = s.alertSettings(r.Context(), v.User.ID)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.render(w, r, http.StatusOK, "alerts", &alertsData{base: s.base(r, "Alerts", "alerts"), Alerts: list, Settings: set})
}

func (s *Server) readAlertsPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxWatchForm)
	if !ok {
		return
	}
	var ids []int64
	if id := r.PostForm.Get("id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			s.failErr(w, r, invalid("id", "not an alert"))
			return
		}
		ids = []int64{n}
	}
	if _, err := s.cfg.Store.MarkAlertsRead(r.Context(), v.User.ID, ids); err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	seeOther(w, r, "/alerts")
}

func (s *Server) alertSettingsPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxWatchForm)
	if !ok {
		return
	}
	url := strings.TrimSpace(r.PostForm.Get("webhook_url"))
	email := r.PostForm.Get("email") == "on"
	secret, err := s.saveAlertSettings(r.Context(), v.User.ID, alertSettingsJSON{WebhookURL: &url, Email: &email})
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	if secret != "" {
		list, _ := s.cfg.Store.Alerts(r.Context(), v.User.ID, false, 500)
		set, _ := s.alertSettings(r.Context(), v.User.ID)
		s.render(w, r, http.StatusOK, "alerts", &alertsData{base: s.base(r, "Alerts", "alerts"), Alerts: list, Settings: set, Secret: secret})
		return
	}
	s.setFlash(w, r, "Alert settings saved.")
	seeOther(w, r, "/alerts")
}

// priceUpdatesData is the price updates page.
type priceUpdatesData struct {
	base
	Updates []tracking.PriceUpdate
}

func (s *Server) priceUpdatesPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	ups, err := tracking.PriceUpdates(r.Context(), s.cfg.Store, v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.render(w, r, http.StatusOK, "priceupdates", &priceUpdatesData{base: s.base(r, "Price updates", "price-updates"), Updates: ups})
}

func (s *Server) appliedPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxWatchForm)
	if !ok {
		return
	}
	if err := s.cfg.Store.SetWatchBaseline(r.Context(), v.User.ID, 0); err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.setFlash(w, r, "Marked as applied: new price updates start from today's supplier prices.")
	seeOther(w, r, "/price-updates")
}
