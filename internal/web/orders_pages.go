package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// ordersData is the page of a user's supplier orders.
type ordersData struct {
	base
	Orders    []store.Order
	Store     string
	ErrorList []*catalog.Error
	Settings  store.OrderSettings
	Checked   int        // orders ready to place
	Batch     *batchJSON // the latest "place all checked orders", while it is news
	// Typed is what was typed in the "add an order by hand" form when it came back with a mistake
	// (the form is then open); NewAddress its address fields.
	Typed      url.Values
	NewAddress []addressField
}

// orderData is the page of one supplier order.
type orderData struct {
	base
	Order     store.Order
	ErrorList []*catalog.Error
	Settings  store.OrderSettings
	DryRun    string // the request a dry run showed, as indented JSON
	// ConfirmNeeded: the only problems left are ones the user may accept by confirming.
	ConfirmNeeded bool
	Margin        *store.OrderMargin // at the last check's cost; nil when not known
	// NeedsNumbers: AliExpress placed the order without telling its numbers, or never confirmed
	// it and it is too late to ask: the user types the numbers in.
	NeedsNumbers bool
	// AddressForm is the address as the form shows it: the order's, or what was typed when it came
	// back with a mistake, with the problems named per field. Editable says the form may be sent.
	AddressForm []addressField
	Editable    bool
}

// orderPageRoutes registers the order pages (called by orderRoutes).
func (s *Server) orderPageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /orders", s.ordersPage)
	mux.HandleFunc("POST /orders/import", s.importOrdersPost)
	mux.HandleFunc("GET /orders/{id}", s.orderPage)
	mux.HandleFunc("POST /orders/{id}/check", s.checkOrderPost)
	mux.HandleFunc("POST /orders/{id}/place", s.placeOrderPost)
	mux.HandleFunc("POST /orders/{id}/dry-run", s.dryRunOrderPost)
	mux.HandleFunc("POST /orders/{id}/map", s.mapLinePost)
	mux.HandleFunc("POST /orders/{id}/aliexpress-orders", s.setAliExpressOrdersPost)
	mux.HandleFunc("POST /orders/place-all", s.placeAllPost)
	mux.HandleFunc("POST /orders/settings", s.orderSettingsPost)
	mux.HandleFunc("POST /orders/new", s.newOrderPost)
	mux.HandleFunc("POST /orders/{id}/address", s.orderAddressPost)
}

func (s *Server) ordersPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	s.renderOrders(w, r, v, http.StatusOK, "", nil)
}

func (s *Server) renderOrders(w http.ResponseWriter, r *http.Request, v *viewer, status int, storeName string, err error) {
	s.renderOrdersForm(w, r, v, status, storeName, err, nil)
}

// renderOrdersForm shows the orders page, with the typed order's form filled when typed is set.
func (s *Server) renderOrdersForm(w http.ResponseWriter, r *http.Request, v *viewer, status int, storeName string, err error, typed url.Values) {
	list, lerr := s.cfg.Store.Orders(r.Context(), v.User.ID)
	if lerr != nil {
		s.failErr(w, r, storeErr(lerr))
		return
	}
	d := ordersData{base: s.base(r, "Supplier orders", "orders"), Orders: list, Store: storeName, Typed: typed,
		NewAddress: formAddress(readAddress(typed.Get), nil)}
	if d.Settings, lerr = s.cfg.Store.OrderSettings(r.Context(), v.User.ID); lerr != nil {
		s.failErr(w, r, storeErr(lerr))
		return
	}
	for _, o := range list {
		if o.State == store.OrderChecked && len(o.Problems) == 0 {
			d.Checked++
		}
	}
	if b, berr := s.cfg.Store.LatestOrderBatch(r.Context(), v.User.ID); berr == nil {
		if p, perr := s.batchProgress(r, v.User.ID, b); perr == nil && (!p.Finished || s.now().Sub(b.CreatedAt) < 24*time.Hour) {
			d.Batch = &p
		}
	}
	if err != nil {
		p := problemOf(orderErr(err))
		s.logError(r, err, p)
		status = p.Status
		d.ErrorList = []*catalog.Error{{Code: p.Code, Field: p.Field, Message: p.Message}}
	}
	s.render(w, r, status, "orders", &d)
}

func (s *Server) importOrdersPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxOrdersCSV)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		s.renderOrders(w, r, v, http.StatusBadRequest, "", invalid("file", "choose the orders CSV file to import (at most 4 MB)"))
		return
	}
	storeName := strings.TrimSpace(r.FormValue("store"))
	f, _, err := r.FormFile("file")
	if err != nil || storeName == "" {
		s.renderOrders(w, r, v, http.StatusBadRequest, storeName, invalid("file", "name the store and choose the orders CSV file to import"))
		return
	}
	defer f.Close()
	list, created, err := s.cfg.Orders.Import(r.Context(), v.User.ID, storeName, f)
	if err != nil {
		s.renderOrders(w, r, v, http.StatusBadRequest, storeName, err)
		return
	}
	s.setFlash(w, r, "%d orders read: %d new, %d imported before.", len(list), created, len(list)-created)
	seeOther(w, r, "/orders")
}

func (s *Server) orderPage(w http.ResponseWriter, r *http.Request) {
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
		s.failErr(w, r, orderErr(err))
		return
	}
	s.renderOrder(w, r, v, http.StatusOK, o, nil, "")
}

// renderOrder shows the order page with the user's settings, errors and a dry run's request.
func (s *Server) renderOrder(w http.ResponseWriter, r *http.Request, v *viewer, status int, o store.Order, errs []*catalog.Error, dryRun string) {
	s.renderOrderFull(w, r, v, status, o, o, errs, dryRun)
}

// renderOrderFull shows the order page with the address form holding typed's address and problems
// (o's, or what was typed when it came back with a mistake).
func (s *Server) renderOrderFull(w http.ResponseWriter, r *http.Request, v *viewer, status int, o, typed store.Order, errs []*catalog.Error, dryRun string) {
	st, err := s.cfg.Store.OrderSettings(r.Context(), v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	d := orderData{base: s.base(r, "Order "+o.StoreOrderID, "orders"), Order: o, ErrorList: errs, Settings: st, DryRun: dryRun}
	d.ConfirmNeeded = onlyConfirm(o.Problems)
	d.AddressForm = formAddress(typed.Address, typed.Problems)
	d.Editable = o.State == store.OrderNew || o.State == store.OrderChecked || o.State == store.OrderNeedsAttention
	if m, ok := o.Margin(); ok {
		d.Margin = &m
	}
	d.NeedsNumbers = (o.State == store.OrderPlaced && len(o.AEOrderIDs) == 0) ||
		o.PastRetryWindow(s.now())
	s.render(w, r, status, "order", &d)
}

// orderAction runs check or place from the order page and shows the order again.
func (s *Server) orderAction(w http.ResponseWriter, r *http.Request, place bool) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.failErr(w, r, orderErr(err))
		return
	}
	var o store.Order
	if place {
		o, err = s.cfg.Orders.Place(r.Context(), v.User.ID, id, r.PostFormValue("confirm") == "1")
	} else {
		o, err = s.cfg.Orders.Check(r.Context(), v.User.ID, id)
	}
	switch {
	case err == nil:
		if place {
			s.setFlash(w, r, "Order %s sent to AliExpress: %s", o.StoreOrderID, o.State)
		}
		seeOther(w, r, "/orders/"+strconv.FormatInt(id, 10))
		return
	case errors.Is(err, store.ErrNotFound):
		s.failErr(w, r, orderErr(err))
		return
	}
	if o.ID == 0 {
		o, _ = s.cfg.Store.Order(r.Context(), v.User.ID, id)
	}
	msg := "AliExpress or aliscout's database did not answer as expected; nothing was placed twice. Try again in a moment."
	status := http.StatusBadGateway
	switch {
	case errors.Is(err, store.ErrConflict):
		msg, status = "This order is being placed or was placed already: it is never placed twice.", http.StatusConflict
	case len(o.Problems) > 0:
		msg, status = "Fix the problems below, then place the order.", http.StatusUnprocessableEntity
		if onlyConfirm(o.Problems) {
			msg = "The margin is below your floor: tick the confirmation and place the order again, or leave it."
		}
	default:
		var ce *catalog.Error
		if errors.As(orderErr(err), &ce) {
			msg = problemOf(ce).Message
		}
		s.logError(r, err, problem{Status: status})
	}
	s.renderOrder(w, r, v, status, o, []*catalog.Error{{Code: catalog.EInvalid, Message: msg}}, "")
}

func (s *Server) checkOrderPost(w http.ResponseWriter, r *http.Request) { s.orderAction(w, r, false) }

func (s *Server) placeOrderPost(w http.ResponseWriter, r *http.Request) { s.orderAction(w, r, true) }

// onlyConfirm reports whether every problem is one the user may accept by confirming.
func onlyConfirm(ps []store.OrderProblem) bool {
	for _, p := range ps {
		if !p.Confirm {
			return false
		}
	}
	return len(ps) > 0
}

// dryRunOrderPost shows the order with the request placing it would send.
func (s *Server) dryRunOrderPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	var d OrderDryRun
	if err == nil {
		d, err = s.cfg.Orders.DryRun(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.orderPageFail(w, r, v, id, err)
		return
	}
	body, _ := json.MarshalIndent(newDryRunJSON(d), "", "  ")
	s.renderOrder(w, r, v, http.StatusOK, d.Order, nil, string(body))
}

// orderPageFail shows the order page with what went wrong (or the error page when the order is
// not the user's).
func (s *Server) orderPageFail(w http.ResponseWriter, r *http.Request, v *viewer, id int64, err error) {
	o, oerr := s.cfg.Store.Order(r.Context(), v.User.ID, id)
	if oerr != nil || errors.Is(err, store.ErrNotFound) {
		s.failErr(w, r, orderErr(err))
		return
	}
	p := problemOf(orderErr(err))
	if errors.Is(err, store.ErrConflict) {
		p = problem{Status: http.StatusConflict, Code: codeConflict, Message: "This order is being placed or was placed already: it is never placed twice."}
	} else if p.Status >= 500 {
		p.Message = "AliExpress or aliscout's database did not answer as expected; nothing was placed twice. Try again in a moment."
		s.logError(r, err, p)
	}
	s.renderOrder(w, r, v, p.Status, o, []*catalog.Error{{Code: p.Code, Field: p.Field, Message: p.Message}}, "")
}

// mapLinePost maps a line's store variant to an AliExpress product, for this order and the later
// ones of the same store.
func (s *Server) mapLinePost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	var o store.Order
	if err == nil {
		o, err = s.cfg.Store.Order(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.failErr(w, r, orderErr(err))
		return
	}
	m, err := mappingJSON{Store: o.Store, StoreSKU: r.PostFormValue("store_sku"), ProductID: r.PostFormValue("product_id"),
		SKUAttr: r.PostFormValue("sku_attr")}.mapping(v.User.ID)
	n := 0
	if err == nil {
		n, err = s.cfg.Orders.SaveMapping(r.Context(), m)
	}
	if err != nil {
		s.orderPageFail(w, r, v, id, err)
		return
	}
	s.setFlash(w, r, "Store SKU %s is bought as AliExpress product %s from now on (%d orders not placed yet updated). Check the order again.", m.StoreSKU, m.ProductID, n)
	seeOther(w, r, "/orders/"+strconv.FormatInt(id, 10))
}

// setAliExpressOrdersPost records the AliExpress order numbers the user found for an order
// AliExpress placed without telling them.
func (s *Server) setAliExpressOrdersPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	var ids []int64
	if err == nil {
		ids, err = parseAEOrderIDs(r.PostFormValue("aliexpress_order_ids"))
	}
	if err == nil {
		_, err = s.cfg.Orders.SetAliExpressOrders(r.Context(), v.User.ID, id, ids)
	}
	if err != nil {
		s.orderPageFail(w, r, v, id, err)
		return
	}
	s.setFlash(w, r, "AliExpress order numbers saved: aliscout follows them from now.")
	seeOther(w, r, "/orders/"+strconv.FormatInt(id, 10))
}

// placeAllPost queues the placement of every checked order.
func (s *Server) placeAllPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	b, err := s.cfg.Orders.PlaceAll(r.Context(), v.User.ID, nil)
	if err != nil {
		s.renderOrders(w, r, v, http.StatusBadGateway, "", err)
		return
	}
	if len(b.OrderIDs) == 0 {
		s.setFlash(w, r, "No checked order to place: check your orders first.")
	} else {
		s.setFlash(w, r, "%d orders are being placed, one after another; their progress shows below.", len(b.OrderIDs))
	}
	seeOther(w, r, "/orders#batch")
}

// orderSettingsPost saves the user's order settings.
func (s *Server) orderSettingsPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	j := orderSettingsJSON{AutoPay: r.PostFormValue("auto_pay") == "1"}
	var err error
	if f := strings.TrimSpace(r.PostFormValue("margin_floor_pct")); f != "" {
		if j.MarginFloorPct, err = strconv.ParseFloat(strings.TrimSuffix(f, "%"), 64); err != nil {
			err = invalid("margin_floor_pct", "give the margin floor as a number of percent, e.g. 15")
		}
	}
	if d := strings.TrimSpace(r.PostFormValue("max_delivery_days")); d != "" && err == nil {
		if j.MaxDeliveryDays, err = strconv.Atoi(d); err != nil {
			err = invalid("max_delivery_days", "give the longest delivery as a whole number of days, or 0 for any")
		}
	}
	var st store.OrderSettings
	if err == nil {
		st, err = j.settings(v.User.ID)
	}
	if err == nil {
		_, err = s.cfg.Store.SaveOrderSettings(r.Context(), st)
	}
	if err != nil {
		s.renderOrders(w, r, v, http.StatusBadRequest, "", err)
		return
	}
	s.setFlash(w, r, "Order settings saved.")
	seeOther(w, r, "/orders#order-settings")
}
