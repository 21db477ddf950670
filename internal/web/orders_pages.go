package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// ordersData is the page of a user's supplier orders.
type ordersData struct {
	base
	Orders    []store.Order
	Store     string
	ErrorList []*catalog.Error
}

// orderData is the page of one supplier order.
type orderData struct {
	base
	Order     store.Order
	ErrorList []*catalog.Error
}

// orderPageRoutes registers the order pages (called by orderRoutes).
func (s *Server) orderPageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /orders", s.ordersPage)
	mux.HandleFunc("POST /orders/import", s.importOrdersPost)
	mux.HandleFunc("GET /orders/{id}", s.orderPage)
	mux.HandleFunc("POST /orders/{id}/check", s.checkOrderPost)
	mux.HandleFunc("POST /orders/{id}/place", s.placeOrderPost)
}

func (s *Server) ordersPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	s.renderOrders(w, r, v, http.StatusOK, "", nil)
}

func (s *Server) renderOrders(w http.ResponseWriter, r *http.Request, v *viewer, status int, storeName string, err error) {
	list, lerr := s.cfg.Store.Orders(r.Context(), v.User.ID)
	if lerr != nil {
		s.failErr(w, r, storeErr(lerr))
		return
	}
	d := ordersData{base: s.base(r, "Supplier orders", "orders"), Orders: list, Store: storeName}
	if err != nil {
		p := problemOf(orderErr(err))
		s.logError(r, err, p)
		status = p.Status
		d.ErrorList = []*catalog.Error{{Code: p.Code, Field: p.Field, Message: p.Message}}
	}
	s.render(w, r, status, "orders", d)
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
	s.render(w, r, http.StatusOK, "order", orderData{base: s.base(r, "Order "+o.StoreOrderID, "orders"), Order: o})
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
		o, err = s.cfg.Orders.Place(r.Context(), v.User.ID, id)
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
	default:
		var ce *catalog.Error
		if errors.As(orderErr(err), &ce) {
			msg = problemOf(ce).Message
		}
		s.logError(r, err, problem{Status: status})
	}
	d := orderData{base: s.base(r, "Order "+o.StoreOrderID, "orders"), Order: o,
		ErrorList: []*catalog.Error{{Code: catalog.EInvalid, Message: msg}}}
	s.render(w, r, status, "order", d)
}

func (s *Server) checkOrderPost(w http.ResponseWriter, r *http.Request) { s.orderAction(w, r, false) }

func (s *Server) placeOrderPost(w http.ResponseWriter, r *http.Request) { s.orderAction(w, r, true) }
