package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// ControlPath is the path below which a Sandbox with Options.Control serves its test controls.
const ControlPath = "/__sandbox/"

// controlRoutes registers the test controls' JSON routes. Each route checks its own method, so that
// a wrong one is answered in JSON like every other mistake.
func (s *Sandbox) controlRoutes() {
	s.mux.HandleFunc(ControlPath+"{$}", s.ctlIndex)
	s.mux.HandleFunc(ControlPath+"clock", s.ctlClock)
	s.mux.HandleFunc(ControlPath+"products/{id}", s.ctlProduct)
	s.mux.HandleFunc(ControlPath+"calls", s.ctlCalls)
	s.mux.HandleFunc(ControlPath+"orders", s.ctlOrders)
	s.mux.HandleFunc(ControlPath+"faults", s.ctlFaults)
	s.mux.HandleFunc(ControlPath+"webhook", s.ctlWebhook)
	s.mux.HandleFunc(ControlPath, func(w http.ResponseWriter, r *http.Request) {
		ctlError(w, http.StatusNotFound, "", "no test control at "+r.URL.Path+"; GET "+ControlPath+" lists them")
	})
}

var controlIndex = []string{
	"GET  " + ControlPath + "clock             the simulator's time and catalog day",
	"POST " + ControlPath + "clock             {\"advance\": \"24h\"} or {\"set\": \"2026-03-01T00:00:00Z\"}",
	"GET  " + ControlPath + "products/{id}     a product's figures now and its override",
	"POST " + ControlPath + "products/{id}     {\"price\": \"9.99\", \"stock\": 0, \"gone\": true} (each optional), {\"reset\": true}",
	"DELETE " + ControlPath + "products/{id}   remove the override",
	"GET  " + ControlPath + "calls             calls per API method since start; DELETE resets",
	"GET  " + ControlPath + "orders            the Dropshipping orders held (?out_order_id=, ?user=)",
	"GET  " + ControlPath + "faults            the faults armed and the calls left to each",
	"POST " + ControlPath + "faults            {\"method\": \"aliexpress.ds.order.create\", \"fault\": \"drop-answer|timeout|5xx|rate-limit\", \"times\": 1}",
	"DELETE " + ControlPath + "faults          disarm all (?method= one API's)",
	"GET  " + ControlPath + "webhook           where the order-status webhook goes and the deliveries made",
	"POST " + ControlPath + "webhook           {\"url\": \"http://127.0.0.1:8080/webhooks/aliexpress\"} (\"\" stops it)",
}

func (s *Sandbox) ctlIndex(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet) {
		return
	}
	ctlJSON(w, http.StatusOK, map[string]any{"controls": controlIndex})
}

// --- clock ------------------------------------------------------------------------------------

type ctlClockJSON struct {
	Now   string `json:"now"`
	Day   int    `json:"day"`   // catalog day: products, prices and stock are those of this day
	Moved string `json:"moved"` // how far the controls moved the clock, as a Go duration
}

func (s *Sandbox) clockState() ctlClockJSON {
	now, moved := s.clock()
	return ctlClockJSON{Now: now.UTC().Format(time.RFC3339Nano), Day: world.Day(now), Moved: moved.String()}
}

func (s *Sandbox) ctlClock(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	if r.Method == http.MethodGet {
		ctlJSON(w, http.StatusOK, s.clockState())
		return
	}
	var in struct {
		Advance *string `json:"advance"`
		Set     *string `json:"set"`
	}
	if !decodeControl(w, r, &in) {
		return
	}
	switch {
	case in.Advance != nil && in.Set != nil:
		ctlError(w, http.StatusBadRequest, "advance", "give advance or set, not both")
		return
	case in.Advance != nil:
		d, err := time.ParseDuration(strings.TrimSpace(*in.Advance))
		if err != nil {
			ctlError(w, http.StatusBadRequest, "advance", fmt.Sprintf("%q is not a Go duration such as \"24h\" or \"90m\"", *in.Advance))
			return
		}
		if d < 0 {
			ctlError(w, http.StatusBadRequest, "advance", "the clock only advances; use set to go back")
			return
		}
		s.Advance(d)
	case in.Set != nil:
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(*in.Set))
		if err != nil {
			ctlError(w, http.StatusBadRequest, "set", fmt.Sprintf("%q is not an RFC 3339 time such as \"2026-03-01T00:00:00Z\"", *in.Set))
			return
		}
		s.SetTime(t)
	default:
		ctlError(w, http.StatusBadRequest, "advance", "give advance (a Go duration) or set (an RFC 3339 time)")
		return
	}
	ctlJSON(w, http.StatusOK, s.clockState())
}

// --- products ---------------------------------------------------------------------------------

type ctlOverrideJSON struct {
	Price string `json:"price,omitempty"`
	Stock *int   `json:"stock,omitempty"`
	Gone  bool   `json:"gone"`
}

type ctlVariantJSON struct {
	SKUID     string `json:"sku_id"`
	SKUAttr   string `json:"sku_attr"`
	Price     string `json:"price"`      // list price, USD
	SalePrice string `json:"sale_price"` // USD
	Stock     int    `json:"stock"`
}

type ctlProductStateJSON struct {
	ProductID     int64            `json:"product_id"`
	Listed        bool             `json:"listed"` // false: the platform answers it as not found today
	Override      *ctlOverrideJSON `json:"override"`
	OriginalPrice string           `json:"original_price,omitempty"`
	SalePrice     string           `json:"sale_price,omitempty"`
	Currency      string           `json:"currency"`
	Variants      []ctlVariantJSON `json:"variants,omitempty"`
}

func (s *Sandbox) productState(id int64) ctlProductStateJSON {
	out := ctlProductStateJSON{ProductID: id, Currency: "USD"}
	if o, ok := s.Override(id); ok {
		oj := &ctlOverrideJSON{Stock: o.Stock, Gone: o.Gone}
		if o.Price > 0 {
			oj.Price = money(o.Price, "USD")
		}
		out.Override = oj
	}
	p, ok := s.cat.Product(id, world.Day(s.Now()))
	if !ok {
		return out
	}
	out.Listed = true
	out.OriginalPrice, out.SalePrice = money(p.OriginalPrice, "USD"), money(p.SalePrice, "USD")
	for _, v := range p.Variants {
		out.Variants = append(out.Variants, ctlVariantJSON{SKUID: v.SKUID, SKUAttr: v.Attr,
			Price: money(v.Price, "USD"), SalePrice: money(v.SalePrice, "USD"), Stock: v.Stock})
	}
	return out
}

func (s *Sandbox) ctlProduct(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodPost, http.MethodDelete) {
		return
	}
	raw := r.PathValue("id")
	id, perr := parseID("id", raw)
	if perr != nil {
		ctlError(w, http.StatusBadRequest, "id", fmt.Sprintf("%q is not a product ID", raw))
		return
	}
	if !s.cat.Exists(id) {
		ctlError(w, http.StatusNotFound, "id", fmt.Sprintf("product %d is not in the simulator's catalog", id))
		return
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodDelete:
		s.ClearProduct(id)
	case http.MethodPost:
		var in struct {
			Price json.RawMessage `json:"price"`
			Stock *int            `json:"stock"`
			Gone  *bool           `json:"gone"`
			Reset bool            `json:"reset"`
		}
		if !decodeControl(w, r, &in) {
			return
		}
		var price int64
		if len(in.Price) > 0 && string(in.Price) != "null" {
			var ok bool
			if price, ok = parseUSD(in.Price); !ok {
				ctlError(w, http.StatusBadRequest, "price", fmt.Sprintf("%s is not a price in USD above zero such as \"9.99\"", in.Price))
				return
			}
		}
		if in.Stock != nil && (*in.Stock < 0 || *in.Stock > 9999999) {
			ctlError(w, http.StatusBadRequest, "stock", fmt.Sprintf("%d: want 0 to 9999999 units", *in.Stock))
			return
		}
		if in.Reset && (price > 0 || in.Stock != nil || in.Gone != nil) {
			ctlError(w, http.StatusBadRequest, "reset", "reset removes the override; give it alone")
			return
		}
		if in.Reset {
			s.ClearProduct(id)
			break
		}
		if price == 0 && in.Stock == nil && in.Gone == nil {
			ctlError(w, http.StatusBadRequest, "", "give price, stock or gone (or reset)")
			return
		}
		// What the body leaves out keeps its earlier override. The lock makes two concurrent
		// changes of one product both count.
		s.ctl.prodMu.Lock()
		o, _ := s.Override(id)
		if price > 0 {
			o.Price = price
		}
		if in.Stock != nil {
			o.Stock = in.Stock
		}
		if in.Gone != nil {
			o.Gone = *in.Gone
		}
		var err error
		if o == (ProductOverride{}) {
			s.ClearProduct(id) // {"gone": false} on a product with nothing else overridden
		} else {
			err = s.SetProduct(id, o)
		}
		s.ctl.prodMu.Unlock()
		if err != nil {
			ctlError(w, http.StatusBadRequest, "", err.Error())
			return
		}
	}
	ctlJSON(w, http.StatusOK, s.productState(id))
}

// parseUSD reads a price in USD, as a JSON string ("9.99") or number (9.99), into cents. It takes at
// most two decimals and refuses zero, negative and absurd amounts.
func parseUSD(raw json.RawMessage) (int64, bool) {
	v := string(bytes.TrimSpace(raw))
	if uq, err := strconv.Unquote(v); err == nil {
		v = strings.TrimSpace(uq)
	}
	whole, frac, _ := strings.Cut(v, ".")
	if !allDigits(whole) || len(whole) > 7 || len(frac) > 2 || (frac != "" && !allDigits(frac)) {
		return 0, false
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	cents := w*100 + f
	return cents, cents > 0
}

// --- calls ------------------------------------------------------------------------------------

func (s *Sandbox) ctlCalls(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodDelete) {
		return
	}
	if r.Method == http.MethodDelete {
		s.ResetCallStats()
	}
	st := s.CallStats()
	ctlJSON(w, http.StatusOK, map[string]any{"calls": st.Methods, "outcomes": st.Outcomes, "total": st.Total})
}

// --- orders -----------------------------------------------------------------------------------

type ctlOrderLineJSON struct {
	ProductID int64  `json:"product_id"`
	SKUID     string `json:"sku_id"`
	SKUAttr   string `json:"sku_attr"`
	Quantity  int    `json:"quantity"`
	Amount    string `json:"amount"`
	Shipping  string `json:"shipping"`
}

type ctlOrderJSON struct {
	OrderID         int64              `json:"order_id"`
	OutOrderID      string             `json:"out_order_id"`
	Status          string             `json:"status"`
	LogisticsStatus string             `json:"logistics_status"`
	User            string             `json:"user"`
	Created         string             `json:"created"`
	Paid            bool               `json:"paid"`
	Country         string             `json:"country"`
	ShopID          int64              `json:"shop_id"`
	Products        []ctlOrderLineJSON `json:"products"`
	Amount          string             `json:"amount"`
	Currency        string             `json:"currency"`
}

func (s *Sandbox) ctlOrders(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	for name := range q {
		if name != "out_order_id" && name != "user" {
			ctlError(w, http.StatusBadRequest, name, "unknown filter; orders take out_order_id and user")
			return
		}
	}
	outID, user := q.Get("out_order_id"), q.Get("user")
	list := []ctlOrderJSON{}
	for _, o := range s.Orders() {
		if (q.Has("out_order_id") && o.OutOrderID != outID) || (q.Has("user") && o.User != user) {
			continue
		}
		oj := ctlOrderJSON{OrderID: o.ID, OutOrderID: o.OutOrderID, Status: o.Status, LogisticsStatus: o.LogisticsStatus,
			User: o.User, Created: o.Created.UTC().Format(time.RFC3339), Paid: o.Paid, Country: o.Country,
			ShopID: o.ShopID, Products: []ctlOrderLineJSON{}, Amount: money(o.Amount, "USD"), Currency: "USD"}
		for _, l := range o.Lines {
			oj.Products = append(oj.Products, ctlOrderLineJSON{ProductID: l.ProductID, SKUID: l.SKUID, SKUAttr: l.SKUAttr,
				Quantity: l.Quantity, Amount: money(l.Amount, "USD"), Shipping: money(l.Shipping, "USD")})
		}
		list = append(list, oj)
	}
	ctlJSON(w, http.StatusOK, map[string]any{"orders": list})
}

// --- webhook ----------------------------------------------------------------------------------

// ctlWebhook answers GET /__sandbox/webhook with where the order-status webhook goes and the
// deliveries made, and takes POST {"url": "..."} ("" stops it).
func (s *Sandbox) ctlWebhook(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	if r.Method == http.MethodPost {
		var in struct {
			URL *string `json:"url"`
		}
		if !decodeControl(w, r, &in) {
			return
		}
		if in.URL == nil {
			ctlError(w, http.StatusBadRequest, "url", "give the URL to send the order-status webhook to, or \"\" to stop it")
			return
		}
		if err := s.SetWebhookURL(strings.TrimSpace(*in.URL)); err != nil {
			ctlError(w, http.StatusBadRequest, "url", err.Error())
			return
		}
	}
	type deliveryJSON struct {
		URL        string `json:"url"`
		OrderID    int64  `json:"order_id"`
		Status     string `json:"order_status"`
		HTTPStatus int    `json:"http_status"`
		Attempts   int    `json:"attempts"`
		Error      string `json:"error,omitempty"`
		At         string `json:"at"`
	}
	out := struct {
		URL        string         `json:"url"`
		Deliveries []deliveryJSON `json:"deliveries"`
	}{URL: s.WebhookURL(), Deliveries: []deliveryJSON{}}
	for _, d := range s.WebhookDeliveries() {
		out.Deliveries = append(out.Deliveries, deliveryJSON{URL: d.URL, OrderID: d.OrderID, Status: d.Status, HTTPStatus: d.HTTPStatus,
			Attempts: d.Attempts, Error: d.Error, At: d.At.UTC().Format(time.RFC3339)})
	}
	ctlJSON(w, http.StatusOK, out)
}

// --- faults -----------------------------------------------------------------------------------

type ctlFaultJSON struct {
	Method string `json:"method"`
	Fault  string `json:"fault"`
	Times  int    `json:"times"`
	Hold   string `json:"hold,omitempty"`
}

func (s *Sandbox) armedJSON() map[string]any {
	list := []ctlFaultJSON{}
	for _, f := range s.ArmedFaults() {
		fj := ctlFaultJSON{Method: f.Method, Fault: string(f.Fault), Times: f.Times}
		if f.Fault == FaultTimeout {
			fj.Hold = f.Hold.String()
		}
		list = append(list, fj)
	}
	return map[string]any{"faults": list}
}

func (s *Sandbox) ctlFaults(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet, http.MethodPost, http.MethodDelete) {
		return
	}
	switch r.Method {
	case http.MethodDelete:
		m := r.URL.Query().Get("method")
		if _, ok := s.methods[m]; m != "" && !ok {
			ctlError(w, http.StatusBadRequest, "method", fmt.Sprintf("%q is not an API the simulator serves", m))
			return
		}
		s.DisarmFaults(m)
	case http.MethodPost:
		var in struct {
			Method string `json:"method"`
			Fault  string `json:"fault"`
			Times  *int   `json:"times"`
			Hold   string `json:"hold"`
		}
		if !decodeControl(w, r, &in) {
			return
		}
		f := CountedFault{Method: strings.TrimSpace(in.Method), Fault: FaultKind(strings.TrimSpace(in.Fault)), Times: 1}
		if _, ok := s.methods[f.Method]; !ok {
			ctlError(w, http.StatusBadRequest, "method", fmt.Sprintf("%q is not an API the simulator serves", in.Method))
			return
		}
		if !slices.Contains(FaultKinds(), f.Fault) {
			ctlError(w, http.StatusBadRequest, "fault", fmt.Sprintf("%q: want one of drop-answer, timeout, 5xx, rate-limit", in.Fault))
			return
		}
		if in.Times != nil {
			f.Times = *in.Times
		}
		if f.Times < 1 || f.Times > 1000000 {
			ctlError(w, http.StatusBadRequest, "times", fmt.Sprintf("%d: want 1 to 1000000 calls", f.Times))
			return
		}
		if in.Hold != "" {
			d, err := time.ParseDuration(in.Hold)
			if err != nil || f.Fault != FaultTimeout || d <= 0 || d > MaxFaultHold {
				ctlError(w, http.StatusBadRequest, "hold", fmt.Sprintf("%q: the timeout fault takes a Go duration above 0 and up to %s", in.Hold, MaxFaultHold))
				return
			}
			f.Hold = d
		}
		if err := s.ArmFault(f); err != nil {
			ctlError(w, http.StatusBadRequest, "", err.Error())
			return
		}
	}
	ctlJSON(w, http.StatusOK, s.armedJSON())
}

// --- JSON plumbing ----------------------------------------------------------------------------

// allow answers 405 in JSON unless the request's method is one of methods.
func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	ctlError(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("%s %s: want %s", r.Method, r.URL.Path, strings.Join(methods, " or ")))
	return false
}

// decodeControl reads a control's JSON body into v, answering 400 with the field at fault when it
// cannot.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		ctlError(w, http.StatusBadRequest, "", "the body cannot be read (at most 64 KiB)")
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		ctlError(w, http.StatusBadRequest, "", "the body is empty; want a JSON object")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		field, msg := "", "the body is not a JSON object of this control: "+err.Error()
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			field, msg = te.Field, fmt.Sprintf("%s: want a JSON %s, not %s", te.Field, te.Type, te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			msg = fmt.Sprintf("unknown field %q", field)
		}
		ctlError(w, http.StatusBadRequest, field, msg)
		return false
	}
	if dec.More() {
		ctlError(w, http.StatusBadRequest, "", "the body holds more than one JSON value")
		return false
	}
	return true
}

func ctlJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "sandbox: encode answer", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// ctlError answers {"error": msg, "field": field}; field names the part of the request at fault,
// when there is one.
func ctlError(w http.ResponseWriter, status int, field, msg string) {
	body := map[string]string{"error": msg}
	if field != "" {
		body["field"] = field
	}
	ctlJSON(w, status, body)
}
