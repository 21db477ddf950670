package web

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// OrderDryRun is what placing an order would send to AliExpress, without sending it.
type OrderDryRun struct {
	Order    store.Order
	Method   string            // aliexpress.ds.order.create
	Params   map[string]string // the business parameters; never a credential (the app key, the token and the signature are added when sending)
	AutoPay  bool
	Problems []store.OrderProblem // what stops the placement now
}

// dryRunJSON answers POST /api/orders/{id}/dry-run.
type dryRunJSON struct {
	OK       bool                       `json:"ok"`
	Method   string                     `json:"method"`
	Params   map[string]json.RawMessage `json:"params"`
	AutoPay  bool                       `json:"auto_pay"`
	Problems []store.OrderProblem       `json:"problems"`
	Order    orderJSON                  `json:"order"`
}

func newDryRunJSON(d OrderDryRun) dryRunJSON {
	out := dryRunJSON{OK: len(d.Problems) == 0, Method: d.Method, Params: map[string]json.RawMessage{}, AutoPay: d.AutoPay,
		Problems: d.Problems, Order: newOrderJSON(d.Order)}
	if out.Problems == nil {
		out.Problems = []store.OrderProblem{}
	}
	for k, v := range d.Params {
		// The platform takes JSON objects as text; shown as the objects they are.
		if json.Valid([]byte(v)) && strings.HasPrefix(strings.TrimSpace(v), "{") {
			out.Params[k] = json.RawMessage(v)
		} else {
			b, _ := json.Marshal(v)
			out.Params[k] = b
		}
	}
	return out
}

func (s *Server) apiDryRunOrder(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	var d OrderDryRun
	if err == nil {
		d, err = s.cfg.Orders.DryRun(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.orderFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newDryRunJSON(d))
}

func (s *Server) apiSetAliExpressOrders(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	var body struct {
		IDs []string `json:"aliexpress_order_ids"`
	}
	if err == nil {
		err = readJSON(w, r, &body)
	}
	var ids []int64
	if err == nil {
		ids, err = parseAEOrderIDs(strings.Join(body.IDs, " "))
	}
	var o store.Order
	if err == nil {
		o, err = s.cfg.Orders.SetAliExpressOrders(r.Context(), v.User.ID, id, ids)
	}
	if errors.Is(err, store.ErrConflict) {
		s.fail(w, r, problem{Status: http.StatusConflict, Code: codeConflict, Field: "aliexpress_order_ids",
			Message: "This order's AliExpress orders are known already, or it was never sent: there is nothing to type in."})
		return
	}
	if err != nil {
		s.orderFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newOrderJSON(o))
}

// parseAEOrderIDs reads AliExpress order numbers separated by spaces or commas.
func parseAEOrderIDs(text string) ([]int64, error) {
	var ids []int64
	for f := range strings.FieldsFuncSeq(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == ';' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 || len(f) < 8 {
			return nil, invalid("aliexpress_order_ids", "%q is not an AliExpress order number (a number of 8 to 19 digits)", truncateText(f, 30))
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 || len(ids) > 20 {
		return nil, invalid("aliexpress_order_ids", "give the AliExpress order numbers of this order (1 to 20), as AliExpress shows them in your orders")
	}
	return ids, nil
}

// batchJSON is the progress of a bulk placement.
type batchJSON struct {
	ID       int64            `json:"id"`
	Total    int              `json:"total"`
	Done     int              `json:"done"`    // sent, refused, or waiting for the user
	Placed   int              `json:"placed"`  // placed on AliExpress (shipped and delivered count too)
	Waiting  int              `json:"waiting"` // not placed: problems to fix or refused, see each order
	Pending  int              `json:"pending"` // queued or being placed
	Orders   []batchOrderJSON `json:"orders"`
	Finished bool             `json:"finished"`
}

// batchOrderJSON is one order of a bulk placement as it stands.
type batchOrderJSON struct {
	ID           int64  `json:"id"`
	StoreOrderID string `json:"store_order_id"`
	State        string `json:"state"`
	Message      string `json:"message,omitempty"`
}

// batchProgress reads the state of every order of a bulk placement.
func (s *Server) batchProgress(r *http.Request, userID int64, b store.OrderBatch) (batchJSON, error) {
	out := batchJSON{ID: b.ID, Total: len(b.OrderIDs)}
	out.Orders = make([]batchOrderJSON, 0, len(b.OrderIDs))
	for _, id := range b.OrderIDs {
		o, err := s.cfg.Store.Order(r.Context(), userID, id)
		if errors.Is(err, store.ErrNotFound) {
			out.Total--
			continue
		}
		if err != nil {
			return out, err
		}
		switch o.State {
		case store.OrderPlaced, store.OrderShipped, store.OrderDelivered:
			out.Placed++
		case store.OrderNeedsAttention, store.OrderCancelled:
			out.Waiting++
		default: // new, checked (queued), placing (sent, answer not known yet)
			out.Pending++
		}
		out.Orders = append(out.Orders, batchOrderJSON{o.ID, o.StoreOrderID, string(o.State), o.Message})
	}
	out.Done = out.Placed + out.Waiting
	out.Finished = out.Pending == 0
	return out, nil
}

func (s *Server) apiPlaceOrders(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	var body struct {
		IDs []int64 `json:"ids"`
	}
	var err error
	if r.ContentLength != 0 {
		err = readJSON(w, r, &body)
	}
	if err == nil && len(body.IDs) > 1000 {
		err = invalid("ids", "at most 1000 orders per placement")
	}
	var b store.OrderBatch
	if err == nil {
		b, err = s.cfg.Orders.PlaceAll(r.Context(), v.User.ID, body.IDs)
	}
	if err != nil {
		s.orderFail(w, r, err)
		return
	}
	p, err := s.batchProgress(r, v.User.ID, b)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	w.Header().Set("Location", "/api/orders/batches/"+strconv.FormatInt(b.ID, 10))
	writeJSON(w, http.StatusAccepted, p)
}

func (s *Server) apiOrderBatch(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	var b store.OrderBatch
	if err == nil {
		b, err = s.cfg.Store.OrderBatch(r.Context(), v.User.ID, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		s.failErr(w, r, &catalog.Error{Code: catalog.ENotFound, Message: "There is no such placement of yours."})
		return
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	p, err := s.batchProgress(r, v.User.ID, b)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// orderSettingsJSON is GET and PUT /api/orders/settings.
type orderSettingsJSON struct {
	AutoPay         bool    `json:"auto_pay"`
	MarginFloorPct  float64 `json:"margin_floor_pct"`
	MaxDeliveryDays int     `json:"max_delivery_days"`
}

func (j orderSettingsJSON) settings(userID int64) (store.OrderSettings, error) {
	switch {
	case math.IsNaN(j.MarginFloorPct) || j.MarginFloorPct < -100 || j.MarginFloorPct > 100:
		return store.OrderSettings{}, invalid("margin_floor_pct", "give the lowest margin to place without asking, in percent from -100 to 100")
	case j.MaxDeliveryDays < 0 || j.MaxDeliveryDays > 120:
		return store.OrderSettings{}, invalid("max_delivery_days", "give the longest delivery to accept, 1 to 120 days, or 0 for any")
	}
	return store.OrderSettings{UserID: userID, AutoPay: j.AutoPay, MarginFloorPct: j.MarginFloorPct, MaxDeliveryDays: j.MaxDeliveryDays}, nil
}

func (s *Server) apiOrderSettings(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	st, err := s.cfg.Store.OrderSettings(r.Context(), v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, orderSettingsJSON{AutoPay: st.AutoPay, MarginFloorPct: st.MarginFloorPct, MaxDeliveryDays: st.MaxDeliveryDays})
}

func (s *Server) apiSaveOrderSettings(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	cur, err := s.cfg.Store.OrderSettings(r.Context(), v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	// Fields left out keep their value.
	body := orderSettingsJSON{AutoPay: cur.AutoPay, MarginFloorPct: cur.MarginFloorPct, MaxDeliveryDays: cur.MaxDeliveryDays}
	err = readJSON(w, r, &body)
	var st store.OrderSettings
	if err == nil {
		st, err = body.settings(v.User.ID)
	}
	if err == nil {
		st, err = s.cfg.Store.SaveOrderSettings(r.Context(), st)
	}
	if err != nil {
		s.orderFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orderSettingsJSON{AutoPay: st.AutoPay, MarginFloorPct: st.MarginFloorPct, MaxDeliveryDays: st.MaxDeliveryDays})
}

// mappingJSON is a store variant mapped to an AliExpress product.
type mappingJSON struct {
	Store     string `json:"store"`
	StoreSKU  string `json:"store_sku"`
	ProductID string `json:"product_id"`
	SKUAttr   string `json:"sku_attr"`
}

func (s *Server) apiVariantMappings(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	storeName := strings.TrimSpace(r.URL.Query().Get("store"))
	if storeName == "" {
		s.failErr(w, r, invalid("store", "name the store whose mappings to list"))
		return
	}
	ms, err := s.cfg.Store.VariantMappings(r.Context(), v.User.ID, storeName)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	out := struct {
		Mappings []mappingJSON `json:"mappings"`
	}{Mappings: make([]mappingJSON, 0, len(ms))}
	for _, m := range ms {
		out.Mappings = append(out.Mappings, mappingJSON{Store: m.Store, StoreSKU: m.StoreSKU, ProductID: m.ProductID, SKUAttr: m.SKUAttr})
	}
	writeJSON(w, http.StatusOK, out)
}

func (j mappingJSON) mapping(userID int64) (store.VariantMapping, error) {
	m := store.VariantMapping{UserID: userID, Store: strings.TrimSpace(j.Store), StoreSKU: strings.TrimSpace(j.StoreSKU),
		ProductID: strings.TrimSpace(j.ProductID), SKUAttr: strings.TrimSpace(j.SKUAttr)}
	switch {
	case m.Store == "" || len(m.Store) > 100:
		return m, invalid("store", "name the store (at most 100 characters)")
	case m.StoreSKU == "" || len(m.StoreSKU) > 100:
		return m, invalid("store_sku", "give the store variant's SKU (at most 100 characters)")
	case m.ProductID == "":
		return m, invalid("product_id", "give the AliExpress product id or link to buy this store variant as")
	case len(m.SKUAttr) > 500:
		return m, invalid("sku_attr", "at most 500 characters")
	}
	return m, nil
}

func (s *Server) apiSaveVariantMapping(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	var body mappingJSON
	err := readJSON(w, r, &body)
	var m store.VariantMapping
	if err == nil {
		m, err = body.mapping(v.User.ID)
	}
	n := 0
	if err == nil {
		n, err = s.cfg.Orders.SaveMapping(r.Context(), m)
	}
	if err != nil {
		s.orderFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Mapping       mappingJSON `json:"mapping"`
		OrdersChanged int         `json:"orders_changed"`
	}{body, n})
}
