package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/export"
	"github.com/aliscout/aliscout/internal/store"
)

// Orders checks, places and follows supplier orders (the orders package, wired in cmd/aliscout).
// Errors: store.ErrNotFound for an order that is not the user's, store.ErrConflict for one that is
// being placed or was placed, store.ErrInvalid (with the reason in the text) for bad input; any
// other error is AliExpress or the store failing, and its text is only logged.
type Orders interface {
	// Create stores a store order; a repeat of one the user has is returned with created false.
	Create(ctx context.Context, o store.Order) (store.Order, bool, error)
	// Check runs the pre-flight and records its problems.
	Check(ctx context.Context, userID, id int64) (store.Order, error)
	// Place checks and places the order; with problems it returns the order with them and an error.
	// confirm accepts the problems the user may accept (OrderProblem.Confirm: a low margin).
	Place(ctx context.Context, userID, id int64, confirm bool) (store.Order, error)
	// DryRun checks the order and returns the request placing it would send, sending nothing.
	DryRun(ctx context.Context, userID, id int64) (OrderDryRun, error)
	// PlaceAll queues the placement of the user's orders (all checked ones when ids is nil), paced,
	// and records the batch so that its progress can be shown.
	PlaceAll(ctx context.Context, userID int64, ids []int64) (store.OrderBatch, error)
	// SaveMapping remembers a store variant's AliExpress product and applies it to the orders not
	// placed yet; it returns how many orders changed.
	SaveMapping(ctx context.Context, m store.VariantMapping) (int, error)
	// Update changes the address (when not nil) and the lines (when not nil) of an order not placed
	// yet, which goes back to new; store.ErrConflict when it is being placed or was placed.
	Update(ctx context.Context, userID, id int64, address *store.OrderAddress, lines []store.OrderLine) (store.Order, error)
	// SetAliExpressOrders records the AliExpress order numbers of an order AliExpress placed
	// without telling them; store.ErrConflict when they are known or the order was never sent.
	SetAliExpressOrders(ctx context.Context, userID, id int64, aeIDs []int64) (store.Order, error)
	// Import reads a Shopify or WooCommerce orders CSV and stores its orders under storeName.
	Import(ctx context.Context, userID int64, storeName string, csv io.Reader) (orders []store.Order, created int, err error)
	// Poke makes the order that holds an AliExpress order id due for a check now.
	Poke(ctx context.Context, aeOrderID int64) error
}

// orderRoutes registers the orders API and the AliExpress webhook, when orders are wired.
func (s *Server) orderRoutes(mux *http.ServeMux) {
	if s.cfg.Orders == nil || s.cfg.Accounts == nil {
		return
	}
	mux.HandleFunc("GET /api/orders", s.apiOrders)
	mux.HandleFunc("POST /api/orders", s.apiCreateOrder)
	mux.HandleFunc("POST /api/orders/import", s.apiImportOrders)
	mux.HandleFunc("GET /api/orders/tracking", s.apiOrdersTracking)
	mux.HandleFunc("GET /api/orders/{id}", s.apiOrder)
	mux.HandleFunc("PATCH /api/orders/{id}", s.apiUpdateOrder)
	mux.HandleFunc("POST /api/orders/{id}/check", s.apiCheckOrder)
	mux.HandleFunc("POST /api/orders/{id}/place", s.apiPlaceOrder)
	mux.HandleFunc("POST /api/orders/{id}/dry-run", s.apiDryRunOrder)
	mux.HandleFunc("POST /api/orders/{id}/aliexpress-orders", s.apiSetAliExpressOrders)
	mux.HandleFunc("POST /api/orders/place", s.apiPlaceOrders)
	mux.HandleFunc("GET /api/orders/batches/{id}", s.apiOrderBatch)
	mux.HandleFunc("GET /api/orders/settings", s.apiOrderSettings)
	mux.HandleFunc("PUT /api/orders/settings", s.apiSaveOrderSettings)
	mux.HandleFunc("GET /api/orders/mappings", s.apiVariantMappings)
	mux.HandleFunc("POST /api/orders/mappings", s.apiSaveVariantMapping)
	mux.HandleFunc("POST /webhooks/aliexpress", s.aliexpressWebhook)
	s.orderPageRoutes(mux)
}

type orderLineJSON struct {
	ProductID        string `json:"product_id"`
	SKUAttr          string `json:"sku_attr"`
	StoreSKU         string `json:"store_sku,omitempty"`
	Quantity         int    `json:"quantity"`
	StorePrice       string `json:"store_price"`
	Currency         string `json:"currency"`
	Title            string `json:"title,omitempty"`
	LogisticsService string `json:"logistics_service,omitempty"`
	UnitCost         string `json:"unit_cost,omitempty"`     // what AliExpress charges now for one unit, at the last check
	ShippingCost     string `json:"shipping_cost,omitempty"` // and for shipping the line
	CostCurrency     string `json:"cost_currency,omitempty"`
}

// orderReportJSON is where the report of the order's sale to AliExpress stands.
type orderReportJSON struct {
	State  string     `json:"state"` // none (not paid yet), pending, sent or failed
	Error  string     `json:"error,omitempty"`
	SentAt *time.Time `json:"sent_at,omitempty"`
}

// marginJSON is an order's margin at today's AliExpress cost.
type marginJSON struct {
	Paid     string  `json:"paid"`
	Cost     string  `json:"cost"`
	Currency string  `json:"currency"`
	Percent  float64 `json:"percent"`
}

type trackingJSON struct {
	AEOrderID   string     `json:"ae_order_id"`
	Carrier     string     `json:"carrier"`
	Number      string     `json:"number"`
	LastEvent   string     `json:"last_event,omitempty"`
	LastEventAt *time.Time `json:"last_event_at,omitempty"`
}

type orderJSON struct {
	ID           int64                `json:"id"`
	Store        string               `json:"store"`
	StoreOrderID string               `json:"store_order_id"`
	State        string               `json:"state"`
	Lines        []orderLineJSON      `json:"lines"`
	Address      store.OrderAddress   `json:"address"`
	Problems     []store.OrderProblem `json:"problems"`
	OutOrderID   string               `json:"out_order_id,omitempty"`
	AEOrderIDs   []string             `json:"aliexpress_order_ids"`
	AEStatus     string               `json:"aliexpress_status,omitempty"`
	Message      string               `json:"message,omitempty"`
	Tracking     []trackingJSON       `json:"tracking"`
	Paid         bool                 `json:"paid"`
	Margin       *marginJSON          `json:"margin,omitempty"`
	Flags        []store.OrderFlag    `json:"flags"`
	Report       orderReportJSON      `json:"report"`
	CreatedAt    time.Time            `json:"created_at"`
	UpdatedAt    time.Time            `json:"updated_at"`
}

func newOrderJSON(o store.Order) orderJSON {
	out := orderJSON{ID: o.ID, Store: o.Store, StoreOrderID: o.StoreOrderID, State: string(o.State), Address: o.Address,
		Problems: o.Problems, OutOrderID: o.OutOrderID, AEOrderIDs: []string{}, AEStatus: o.AEStatus, Message: o.Message,
		Tracking: []trackingJSON{}, Paid: !o.PaidAt.IsZero(), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	if out.Problems == nil {
		out.Problems = []store.OrderProblem{}
	}
	out.Flags = o.Flags
	if out.Flags == nil {
		out.Flags = []store.OrderFlag{}
	}
	out.Report = orderReportJSON{State: o.Report.State, Error: o.Report.Error}
	if out.Report.State == "" {
		out.Report.State = "none"
	}
	if !o.Report.SentAt.IsZero() {
		at := o.Report.SentAt
		out.Report.SentAt = &at
	}
	for _, l := range o.Lines {
		lj := orderLineJSON{ProductID: l.ProductID, SKUAttr: l.SKUAttr, StoreSKU: l.StoreSKU, Quantity: l.Quantity,
			StorePrice: formatMinor(l.StorePrice), Currency: l.StorePrice.Currency, Title: l.Title, LogisticsService: l.LogisticsService}
		if !l.UnitCost.IsZero() {
			lj.UnitCost, lj.ShippingCost, lj.CostCurrency = formatMinor(l.UnitCost), formatMinor(l.ShippingCost), l.UnitCost.Currency
		}
		out.Lines = append(out.Lines, lj)
	}
	if m, ok := o.Margin(); ok {
		out.Margin = &marginJSON{Paid: formatMinor(m.Paid), Cost: formatMinor(m.Cost), Currency: m.Paid.Currency, Percent: math.Round(m.Percent*10) / 10}
	}
	for _, id := range o.AEOrderIDs {
		out.AEOrderIDs = append(out.AEOrderIDs, strconv.FormatInt(id, 10))
	}
	for _, t := range o.Tracking {
		tj := trackingJSON{AEOrderID: strconv.FormatInt(t.AEOrderID, 10), Carrier: t.Carrier, Number: t.Number, LastEvent: t.LastEvent}
		if !t.LastEventAt.IsZero() {
			at := t.LastEventAt
			tj.LastEventAt = &at
		}
		out.Tracking = append(out.Tracking, tj)
	}
	return out
}

// formatMinor writes minor units as a decimal amount ("12.99").
func formatMinor(m catalog.Money) string {
	d := catalog.MinorUnits(m.Currency)
	if d == 0 {
		return strconv.FormatInt(m.Amount, 10)
	}
	return strconv.FormatFloat(float64(m.Amount)/math.Pow10(d), 'f', d, 64)
}

// parsePrice reads a decimal amount in currency into minor units.
func parsePrice(field, amount, currency string) (catalog.Money, error) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	if len(currency) != 3 {
		return catalog.Money{}, invalid(field+".currency", "give the currency as its three-letter code, e.g. USD")
	}
	amount = strings.TrimSpace(amount)
	whole, frac, _ := strings.Cut(amount, ".")
	d := catalog.MinorUnits(currency)
	if amount == "" || len(frac) > d || strings.HasPrefix(amount, "-") {
		return catalog.Money{}, invalid(field+".store_price", "give the price paid as a decimal amount with at most %d decimals, e.g. \"12.99\"", d)
	}
	frac += strings.Repeat("0", d-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || v > 1e12 {
		return catalog.Money{}, invalid(field+".store_price", "give the price paid as a decimal amount, e.g. \"12.99\"")
	}
	return catalog.Money{Amount: v, Currency: currency}, nil
}

// createOrderJSON is the body of POST /api/orders.
type createOrderJSON struct {
	Store        string             `json:"store"`
	StoreOrderID string             `json:"store_order_id"`
	Lines        []orderLineJSON    `json:"lines"`
	Address      store.OrderAddress `json:"address"`
}

func (b createOrderJSON) order(userID int64) (store.Order, error) {
	o := store.Order{UserID: userID, Store: strings.TrimSpace(b.Store), StoreOrderID: strings.TrimSpace(b.StoreOrderID), Address: b.Address}
	switch {
	case o.Store == "":
		return o, invalid("store", "name the store the order comes from, e.g. \"myshop\"")
	case o.StoreOrderID == "":
		return o, invalid("store_order_id", "give the store's order number, e.g. \"#1001\"")
	case len(o.Store) > 100 || len(o.StoreOrderID) > 100:
		return o, invalid("store_order_id", "store and store_order_id may have at most 100 characters each")
	case len(b.Lines) == 0:
		return o, invalid("lines", "an order needs at least one line")
	case len(b.Lines) > 100:
		return o, invalid("lines", "an order may have at most 100 lines")
	}
	for i, l := range b.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		if _, err := strconv.ParseInt(strings.TrimSpace(l.ProductID), 10, 64); err != nil && (strings.TrimSpace(l.ProductID) != "" || strings.TrimSpace(l.StoreSKU) == "") {
			return o, invalid(field+".product_id", "give the AliExpress product id, a number (or the line's store_sku, to map it once to a product)")
		}
		if len(l.StoreSKU) > 100 {
			return o, invalid(field+".store_sku", "may have at most 100 characters")
		}
		if l.Quantity < 1 || l.Quantity > 10000 {
			return o, invalid(field+".quantity", "must be 1 to 10000")
		}
		price, err := parsePrice(field, l.StorePrice, l.Currency)
		if err != nil {
			return o, err
		}
		o.Lines = append(o.Lines, store.OrderLine{ProductID: strings.TrimSpace(l.ProductID), SKUAttr: strings.TrimSpace(l.SKUAttr),
			StoreSKU: strings.TrimSpace(l.StoreSKU), Quantity: l.Quantity, StorePrice: price, Title: truncateText(strings.TrimSpace(l.Title), 200)})
	}
	return o, nil
}

// orderErr turns an orders error into what the user sees.
func orderErr(err error) error {
	var ce *catalog.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return err
	case errors.Is(err, store.ErrNotFound):
		return &catalog.Error{Code: catalog.ENotFound, Message: "There is no such order of yours."}
	case errors.Is(err, store.ErrInvalid):
		msg := err.Error()
		if _, after, ok := strings.Cut(msg, store.ErrInvalid.Error()+": "); ok {
			msg = after
		}
		return invalid("body", "%s", msg)
	}
	return err
}

func (s *Server) orderFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrConflict) {
		s.fail(w, r, problem{Status: http.StatusConflict, Code: codeConflict,
			Message: "This order is being placed or was placed already: it is never placed twice."})
		return
	}
	var ce *catalog.Error
	if errors.As(orderErr(err), &ce) {
		s.failErr(w, r, orderErr(err))
		return
	}
	if _, ok := sentinelProblem(err); ok {
		s.failErr(w, r, err)
		return
	}
	p := problem{Status: http.StatusBadGateway, Code: catalog.EUpstream,
		Message: "AliExpress or aliscout's database did not answer as expected; nothing was placed twice. Try again in a moment."}
	s.logError(r, err, p)
	s.fail(w, r, p)
}

func (s *Server) apiOrders(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	list, err := s.cfg.Store.Orders(r.Context(), v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	out := struct {
		Orders []orderJSON `json:"orders"`
	}{Orders: make([]orderJSON, 0, len(list))}
	for _, o := range list {
		out.Orders = append(out.Orders, newOrderJSON(o))
	}
	writeJSON(w, http.StatusOK, out)
}

// apiOrdersTracking answers GET /api/orders/tracking?format=shopify|woocommerce|json: the
// tracking numbers of the user's orders, to pass back to their store (one row per parcel; orders
// of another store are left out when ?store= names one).
func (s *Server) apiOrdersTracking(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	format := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("format")))
	if format == "" {
		format = export.TrackingJSON
	}
	if format != export.TrackingShopify && format != export.TrackingWooCommerce && format != export.TrackingJSON {
		s.failErr(w, r, invalid("format", "%q is not shopify, woocommerce or json", truncateText(format, 40)))
		return
	}
	list, err := s.cfg.Store.Orders(r.Context(), v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	storeName := strings.TrimSpace(r.URL.Query().Get("store"))
	var rows []export.TrackingRow
	for _, o := range list {
		if storeName != "" && o.Store != storeName {
			continue
		}
		for _, t := range o.Tracking {
			rows = append(rows, export.TrackingRow{StoreOrderID: o.StoreOrderID, Carrier: t.Carrier, Number: t.Number, LastEventAt: t.LastEventAt})
		}
	}
	var b bytes.Buffer
	if err := export.WriteTracking(&b, format, rows); err != nil {
		s.failErr(w, r, err)
		return
	}
	if format == export.TrackingJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="aliscout-tracking-%s.csv"`, format))
	}
	w.Write(b.Bytes())
}

func (s *Server) apiCreateOrder(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	var body createOrderJSON
	err := readJSON(w, r, &body)
	var o store.Order
	if err == nil {
		o, err = body.order(v.User.ID)
	}
	created := false
	if err == nil {
		o, created, err = s.cfg.Orders.Create(r.Context(), o)
	}
	if err != nil {
		s.orderFail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("Location", "/api/orders/"+strconv.FormatInt(o.ID, 10))
	writeJSON(w, status, struct {
		ID      int64 `json:"id"`
		Created bool  `json:"created"`
		orderJSON
	}{o.ID, created, newOrderJSON(o)})
}

func (s *Server) apiOrder(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	var o store.Order
	if err == nil {
		o, err = s.cfg.Store.Order(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.orderFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newOrderJSON(o))
}

// checkJSON answers POST /api/orders/{id}/check and a refused POST /api/orders/{id}/place.
type checkJSON struct {
	OK       bool                 `json:"ok"`
	Problems []store.OrderProblem `json:"problems"`
	Order    orderJSON            `json:"order"`
}

func newCheckJSON(o store.Order) checkJSON {
	j := newOrderJSON(o)
	return checkJSON{OK: len(j.Problems) == 0, Problems: j.Problems, Order: j}
}

func (s *Server) apiCheckOrder(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	var o store.Order
	if err == nil {
		o, err = s.cfg.Orders.Check(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.orderFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newCheckJSON(o))
}

func (s *Server) apiPlaceOrder(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	var body struct {
		Confirm bool `json:"confirm"`
	}
	if err == nil && r.ContentLength != 0 {
		err = readJSON(w, r, &body)
	}
	confirm := body.Confirm || r.URL.Query().Get("confirm") == "1" || r.URL.Query().Get("confirm") == "true"
	var o store.Order
	if err == nil {
		o, err = s.cfg.Orders.Place(r.Context(), v.User.ID, id, confirm)
	}
	if err != nil && len(o.Problems) > 0 && !errors.Is(err, store.ErrConflict) {
		writeJSON(w, http.StatusUnprocessableEntity, newCheckJSON(o))
		return
	}
	if err != nil {
		s.orderFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newOrderJSON(o))
}

// maxOrdersCSV caps an imported orders CSV.
const maxOrdersCSV = 4 << 20

func (s *Server) apiImportOrders(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxOrdersCSV)
	storeName := strings.TrimSpace(r.URL.Query().Get("store"))
	var body io.Reader = r.Body
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		f, _, err := r.FormFile("file")
		if err != nil {
			s.failErr(w, r, invalid("file", "attach the orders CSV as the form field \"file\""))
			return
		}
		defer f.Close()
		body = f
		if name := strings.TrimSpace(r.FormValue("store")); name != "" {
			storeName = name
		}
	}
	if storeName == "" {
		s.failErr(w, r, invalid("store", "name the store the orders come from (?store=myshop)"))
		return
	}
	list, created, err := s.cfg.Orders.Import(r.Context(), v.User.ID, storeName, body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.failErr(w, r, errTooLarge)
			return
		}
		s.orderFail(w, r, err)
		return
	}
	out := struct {
		Created  int         `json:"created"`
		Existing int         `json:"existing"`
		Orders   []orderJSON `json:"orders"`
	}{Created: created, Existing: len(list) - created, Orders: make([]orderJSON, 0, len(list))}
	for _, o := range list {
		out.Orders = append(out.Orders, newOrderJSON(o))
	}
	writeJSON(w, http.StatusOK, out)
}

// webhookJSON is AliExpress's DROPSHIPPER_ORDER_STATUS_UPDATE message (reference 6.9).
type webhookJSON struct {
	Data struct {
		OrderID     json.Number `json:"orderId"`
		OrderStatus string      `json:"orderStatus"`
	} `json:"data"`
	MessageType int `json:"message_type"`
}

// aliexpressWebhook takes the order-status message of AliExpress. It is not trusted: it only makes
// that order due for a check, which reads the order from AliExpress itself.
func (s *Server) aliexpressWebhook(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBytes)
	var msg webhookJSON
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		writeJSON(w, http.StatusBadRequest, errorJSON{Error: errorBody{Code: catalog.EInvalid, Message: "the body is not the order-status message"}})
		return
	}
	id, err := strconv.ParseInt(msg.Data.OrderID.String(), 10, 64)
	if err != nil || id <= 0 {
		writeJSON(w, http.StatusBadRequest, errorJSON{Error: errorBody{Code: catalog.EInvalid, Field: "data.orderId", Message: "data.orderId must be an order id"}})
		return
	}
	if err := s.cfg.Orders.Poke(r.Context(), id); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.logError(r, err, problem{Status: http.StatusInternalServerError})
		writeJSON(w, http.StatusServiceUnavailable, errorJSON{Error: errorBody{Code: codeUnavailable, Message: "try again later"}})
		return
	}
	// An unknown order gets the same answer: the webhook tells nothing about what aliscout holds.
	writeJSON(w, http.StatusOK, struct {
		OK bool `json:"ok"`
	}{true})
}
