package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// addressField is one field of the address form, with what the last check said of it.
type addressField struct {
	Name, Label, Value, Autocomplete, Problem string
	Required                                  bool
	// Checkbox marks the one yes-or-no field (is_foreigner); Checked is its value.
	Checkbox, Checked bool
}

// foreignerLabel is the is_foreigner checkbox's label.
const foreignerLabel = "The recipient is a foreigner, not a local (Israel and Argentina ask; the tax number is then the foreign one)"

// addressFields are the address's fields as the form shows them, in order.
var addressFields = []struct {
	name, label, autocomplete string
	required                  bool
	get                       func(*store.OrderAddress) *string
}{
	{"full_name", "Full name", "name", true, func(a *store.OrderAddress) *string { return &a.FullName }},
	{"address", "Address", "address-line1", true, func(a *store.OrderAddress) *string { return &a.Address }},
	{"address2", "Address line 2", "address-line2", false, func(a *store.OrderAddress) *string { return &a.Address2 }},
	{"city", "City", "address-level2", true, func(a *store.OrderAddress) *string { return &a.City }},
	{"province", "Province or state", "address-level1", true, func(a *store.OrderAddress) *string { return &a.Province }},
	{"zip", "ZIP or postal code", "postal-code", false, func(a *store.OrderAddress) *string { return &a.Zip }},
	{"country", "Country (two letters)", "country", true, func(a *store.OrderAddress) *string { return &a.Country }},
	{"phone", "Phone", "tel-national", false, func(a *store.OrderAddress) *string { return &a.Phone }},
	{"phone_country", "Phone country code", "tel-country-code", false, func(a *store.OrderAddress) *string { return &a.PhoneCountry }},
	{"cpf", "CPF (Brazil)", "off", false, func(a *store.OrderAddress) *string { return &a.CPF }},
	{"tax_number", "Tax ID (Israel: 9-digit ID number; Argentina: CUIT or CUIL)", "off", false, func(a *store.OrderAddress) *string { return &a.TaxNumber }},
	{"rut_no", "RUT (Chile)", "off", false, func(a *store.OrderAddress) *string { return &a.RutNo }},
	{"passport_no", "Passport number", "off", false, func(a *store.OrderAddress) *string { return &a.PassportNo }},
	{"nat_addr", "National short address (Saudi Arabia)", "off", false, func(a *store.OrderAddress) *string { return &a.NatAddr }},
}

// formAddress lays out a for the form, with the problems the last check named.
func formAddress(a store.OrderAddress, problems []store.OrderProblem) []addressField {
	byField := map[string]string{}
	for _, p := range problems {
		if name, ok := strings.CutPrefix(p.Field, "address."); ok {
			byField[name] = p.Message
		}
	}
	out := make([]addressField, 0, len(addressFields)+1)
	for _, f := range addressFields {
		out = append(out, addressField{Name: f.name, Label: f.label, Value: *f.get(&a), Autocomplete: f.autocomplete,
			Problem: byField[f.name], Required: f.required})
	}
	return append(out, addressField{Name: "is_foreigner", Label: foreignerLabel, Problem: byField["is_foreigner"],
		Checkbox: true, Checked: a.IsForeigner})
}

// readAddress reads the address fields of a form, or of a JSON body's values.
func readAddress(get func(name string) string) store.OrderAddress {
	var a store.OrderAddress
	for _, f := range addressFields {
		*f.get(&a) = strings.TrimSpace(get(f.name))
	}
	a.IsForeigner = get("is_foreigner") == "true" // the box's value
	return a
}

// checkAddressInput refuses what no address may hold, naming the field; the country rules are the
// check's (they name the fix).
func checkAddressInput(a store.OrderAddress) error {
	for _, f := range addressFields {
		v := *f.get(&a)
		switch {
		case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
			return invalid("address."+f.name, "holds characters no address has")
		case utf8.RuneCountInString(v) > 200:
			return invalid("address."+f.name, "at most 200 characters")
		}
	}
	if c := strings.ToUpper(a.Country); c != "" && (len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
		return invalid("address.country", "give the country as its two-letter code, e.g. US")
	}
	return nil
}

// editConflict is the answer to editing an order that is being placed or was placed.
var editConflict = problem{Status: http.StatusConflict, Code: codeConflict,
	Message: "This order is being placed or was placed already: its address and lines can no longer be changed here."}

// apiUpdateOrder answers PATCH /api/orders/{id}: {"address": {...}, "lines": [...]}, either left
// out to keep it. The order goes back to new and must be checked again.
func (s *Server) apiUpdateOrder(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	var body struct {
		Address *store.OrderAddress `json:"address"`
		Lines   []orderLineJSON     `json:"lines"`
	}
	if err == nil {
		err = readJSON(w, r, &body)
	}
	if err == nil && body.Address == nil && body.Lines == nil {
		err = invalid("body", "give the address or the lines to change")
	}
	if err == nil && body.Address != nil {
		err = checkAddressInput(*body.Address)
	}
	var lines []store.OrderLine
	if err == nil && body.Lines != nil {
		var o store.Order
		if o, err = (createOrderJSON{Store: "-", StoreOrderID: "-", Lines: body.Lines}).order(v.User.ID); err == nil {
			lines = o.Lines
		}
	}
	var o store.Order
	if err == nil {
		o, err = s.cfg.Orders.Update(r.Context(), v.User.ID, id, body.Address, lines)
	}
	if errors.Is(err, store.ErrConflict) {
		s.fail(w, r, editConflict)
		return
	}
	if err != nil {
		s.orderFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newOrderJSON(o))
}

// orderAddressPost saves the address form of the order page; on a mistake the page comes back with
// what was typed and the field named.
func (s *Server) orderAddressPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.failErr(w, r, orderErr(err))
		return
	}
	a := readAddress(r.PostFormValue)
	err = checkAddressInput(a)
	if err == nil {
		_, err = s.cfg.Orders.Update(r.Context(), v.User.ID, id, &a, nil)
	}
	if err == nil {
		s.setFlash(w, r, "Address saved. Check the order again before placing it.")
		seeOther(w, r, "/orders/"+strconv.FormatInt(id, 10)+"#order-problems")
		return
	}
	o, oerr := s.cfg.Store.Order(r.Context(), v.User.ID, id)
	if oerr != nil {
		s.failErr(w, r, orderErr(oerr))
		return
	}
	status, ce := http.StatusBadRequest, &catalog.Error{}
	switch {
	case errors.Is(err, store.ErrConflict):
		status, ce = editConflict.Status, &catalog.Error{Code: catalog.EInvalid, Message: editConflict.Message}
	case errors.As(orderErr(err), &ce):
	default:
		p := problemOf(orderErr(err))
		s.logError(r, err, p)
		status, ce = p.Status, &catalog.Error{Code: p.Code, Message: p.Message}
	}
	typed := o
	typed.Address = a // what was typed stays in the form
	if ce.Field != "" {
		typed.Problems = append([]store.OrderProblem{{Field: ce.Field, Message: ce.Message}}, o.Problems...)
	}
	s.renderOrderFull(w, r, v, status, o, typed, []*catalog.Error{ce}, "")
}

// productRef reads an AliExpress product id, or the id in a product link.
var productRef = regexp.MustCompile(`^(?:\d{6,19}|https?://[^/]*aliexpress\.[a-z.]+/item/(\d{6,19})\.html(?:[?#].*)?)$`)

// newOrderPost creates one order typed in the orders page.
func (s *Server) newOrderPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	f := r.PostFormValue
	product := strings.TrimSpace(f("product"))
	var err error
	if m := productRef.FindStringSubmatch(product); m == nil {
		err = invalid("lines[0].product_id", "give the AliExpress product id or its link (https://www.aliexpress.com/item/<id>.html)")
	} else if m[1] != "" {
		product = m[1]
	}
	qty, qerr := strconv.Atoi(strings.TrimSpace(f("quantity")))
	if err == nil && qerr != nil {
		err = invalid("lines[0].quantity", "give the quantity as a whole number")
	}
	var o store.Order
	if err == nil {
		o, err = createOrderJSON{Store: f("store"), StoreOrderID: f("store_order_id"), Address: readAddress(f),
			Lines: []orderLineJSON{{ProductID: product, SKUAttr: f("sku_attr"), Quantity: qty, StorePrice: f("store_price"), Currency: f("currency")}},
		}.order(v.User.ID)
	}
	if err == nil {
		err = checkAddressInput(o.Address)
	}
	created := false
	if err == nil {
		o, created, err = s.cfg.Orders.Create(r.Context(), o)
	}
	if err != nil {
		s.renderOrdersForm(w, r, v, http.StatusBadRequest, "", err, r.PostForm)
		return
	}
	if created {
		s.setFlash(w, r, "Order %s added: check it, then place it.", o.StoreOrderID)
	} else {
		s.setFlash(w, r, "Order %s of %s was there already: here it is.", o.StoreOrderID, o.Store)
	}
	seeOther(w, r, fmt.Sprintf("/orders/%d", o.ID))
}
