package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// maxJSONBytes caps the body of a JSON API request.
const maxJSONBytes = 64 << 10

// readJSON decodes the JSON body of r into v: at most maxJSONBytes, no field v does not have,
// nothing after the value. Refusals name the field at fault.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return invalid("body", "send JSON, with Content-Type: application/json")
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return invalid("body", "there is more after the JSON object: send one object")
	}
	return nil
}

// jsonProblem says what is wrong with a JSON body, naming the field when there is one.
func jsonProblem(err error) error {
	var mbe *http.MaxBytesError
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &mbe):
		return errTooLarge
	case errors.Is(err, io.EOF):
		return invalid("body", "the body is empty: send a JSON object")
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return invalid("body", "the body must be a JSON object")
		}
		return invalid(field, "must be %s", jsonKind(te.Type.Kind().String()))
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("body", "the body is not valid JSON")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return invalid(truncateText(name, 40), "is not a field of this request")
	}
	var ce *catalog.Error
	if errors.As(err, &ce) {
		return ce
	}
	return invalid("body", "the body is not the JSON this request takes")
}

func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	}
	return "of another type"
}

// productIDJSON reads a product ID written as a number or as a string of digits.
type productIDJSON int64

// UnmarshalJSON accepts 1005006123456789 and "1005006123456789".
func (p *productIDJSON) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	id, err := parseID("product_id", s)
	if err != nil {
		return err
	}
	*p = productIDJSON(id)
	return nil
}

// listJSON is a saved list in the API.
type listJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	ItemCount int       `json:"item_count"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// listItemsJSON is a list with its items, as GET /api/lists/{id} and the data export write it.
type listItemsJSON struct {
	listJSON
	Items []itemJSON `json:"items"`
}

// itemJSON is a saved product in the API, with the data it was saved with.
type itemJSON struct {
	ID        int64      `json:"id"`
	ProductID int64      `json:"product_id"`
	SKUID     string     `json:"sku_id"`
	Country   string     `json:"country"`
	Rule      string     `json:"rule"`
	Note      string     `json:"note"`
	Position  int        `json:"position"`
	Title     string     `json:"title"`
	Image     string     `json:"image"`
	Price     *moneyJSON `json:"price"`
	SavedAt   time.Time  `json:"saved_at"`
}

func newListJSON(l store.List) listJSON {
	return listJSON{ID: l.ID, Name: l.Name, ItemCount: l.ItemCount, CreatedAt: l.CreatedAt.UTC(), UpdatedAt: l.UpdatedAt.UTC()}
}

func newListItemsJSON(l store.List, items []store.ListItem) listItemsJSON {
	out := listItemsJSON{listJSON: newListJSON(l), Items: make([]itemJSON, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, newItemJSON(it))
	}
	out.ItemCount = len(items)
	return out
}

// newItemJSON is it in the API. Its image passed the app's image policy when it was saved.
func newItemJSON(it store.ListItem) itemJSON {
	id, _ := strconv.ParseInt(it.ProductID, 10, 64)
	return itemJSON{ID: it.ID, ProductID: id, SKUID: it.SKUID, Country: it.Country, Rule: it.PricingRule, Note: it.Note,
		Position: it.Position, Title: it.Title, Image: httpURL(it.ImageURL), Price: money(it.Price), SavedAt: it.SavedAt.UTC()}
}

func (s *Server) apiLists(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	lists, err := s.cfg.Store.Lists(r.Context(), v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	out := struct {
		Lists []listJSON `json:"lists"`
	}{Lists: make([]listJSON, 0, len(lists))}
	for _, l := range lists {
		out.Lists = append(out.Lists, newListJSON(l))
	}
	writeJSON(w, http.StatusOK, out)
}

// listNameJSON is the body of POST /api/lists and PATCH /api/lists/{id}.
type listNameJSON struct {
	Name *string `json:"name"`
}

func (b listNameJSON) name() (string, error) {
	if b.Name == nil {
		return "", invalid("name", "give the list a name: {\"name\": \"...\"}")
	}
	return listName(*b.Name)
}

func (s *Server) apiCreateList(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	var body listNameJSON
	err := readJSON(w, r, &body)
	var name string
	if err == nil {
		name, err = body.name()
	}
	var l store.List
	if err == nil {
		l, err = s.cfg.Store.CreateList(r.Context(), v.User.ID, name)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	w.Header().Set("Location", "/api/lists/"+strconv.FormatInt(l.ID, 10))
	writeJSON(w, http.StatusCreated, newListJSON(l))
}

func (s *Server) apiList(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
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
	writeJSON(w, http.StatusOK, newListItemsJSON(l, items))
}

func (s *Server) apiRenameList(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	l, err := s.ownList(r, v)
	var body listNameJSON
	if err == nil {
		err = readJSON(w, r, &body)
	}
	var name string
	if err == nil {
		name, err = body.name()
	}
	if err == nil {
		l, err = s.cfg.Store.RenameList(r.Context(), v.User.ID, l.ID, name)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, newListJSON(l))
}

func (s *Server) apiDeleteList(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	l, err := s.ownList(r, v)
	if err == nil {
		err = storeErr(s.cfg.Store.DeleteList(r.Context(), v.User.ID, l.ID))
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// saveItemJSON is the body of POST /api/lists/{id}/items.
type saveItemJSON struct {
	ProductID *productIDJSON `json:"product_id"`
	SKUID     string         `json:"sku_id"`
	Country   string         `json:"country"`
	Currency  string         `json:"currency"`
	Rule      string         `json:"rule"`
	Note      string         `json:"note"`
}

// savedItemJSON is the answer of POST /api/lists/{id}/items: the item, whether it is new, and
// what to know when AliExpress could not be asked.
type savedItemJSON struct {
	itemJSON
	Added   bool   `json:"added"`
	Warning string `json:"warning,omitempty"`
}

func (s *Server) apiSaveItem(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	l, err := s.ownList(r, v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	var body saveItemJSON
	if err := readJSON(w, r, &body); err != nil {
		s.failErr(w, r, err)
		return
	}
	if body.ProductID == nil {
		s.failErr(w, r, invalid("product_id", "give the product to save: {\"product_id\": 1005006123456789}"))
		return
	}
	country := strings.ToUpper(strings.TrimSpace(body.Country))
	vals := map[string][]string{}
	if country != "" {
		vals["country"] = []string{country}
	}
	if c := strings.TrimSpace(body.Currency); c != "" {
		vals["currency"] = []string{c}
	}
	opts, err := parseProductOptions(vals, "country")
	q := saveRequest{IDs: []int64{int64(*body.ProductID)}, SKU: strings.TrimSpace(body.SKUID), Opts: opts, Country: country,
		Rule: strings.TrimSpace(body.Rule), Note: strings.TrimSpace(body.Note)}
	if err == nil {
		err = q.check()
	}
	var saved []savedItem
	if err == nil {
		saved, err = s.saveItems(r.Context(), v, l.ID, q)
	}
	if err == nil && len(saved) != 1 {
		err = fmt.Errorf("web: saved %d items for one product", len(saved))
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	it := saved[0]
	status := http.StatusOK
	if it.Added {
		status = http.StatusCreated
	}
	writeJSON(w, status, savedItemJSON{itemJSON: newItemJSON(it.Item), Added: it.Added, Warning: it.Warning})
}

// deleteItemJSON is the body of DELETE /api/lists/{id}/items.
type deleteItemJSON struct {
	ProductID *productIDJSON `json:"product_id"`
	SKUID     string         `json:"sku_id"`
}

func (s *Server) apiDeleteItemByProduct(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	l, err := s.ownList(r, v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	var body deleteItemJSON
	if err := readJSON(w, r, &body); err != nil {
		s.failErr(w, r, err)
		return
	}
	if body.ProductID == nil {
		s.failErr(w, r, invalid("product_id", "name the product to remove: {\"product_id\": 1005006123456789, \"sku_id\": \"\"}"))
		return
	}
	items, err := s.cfg.Store.Items(r.Context(), v.User.ID, l.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	pid, sku := strconv.FormatInt(int64(*body.ProductID), 10), strings.TrimSpace(body.SKUID)
	for _, it := range items {
		if it.ProductID == pid && it.SKUID == sku {
			if err := s.cfg.Store.DeleteItem(r.Context(), v.User.ID, l.ID, it.ID); err != nil {
				s.failErr(w, r, storeErr(err))
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	s.fail(w, r, problem{Status: http.StatusNotFound, Code: catalog.ENotFound, Field: "product_id",
		Message: fmt.Sprintf("product %s (variant %q) is not in this list", pid, sku)})
}

// updateItemJSON is the body of PATCH /api/lists/{id}/items/{item}; absent fields stay as they are.
type updateItemJSON struct {
	Note     *string `json:"note"`
	Country  *string `json:"country"`
	Rule     *string `json:"rule"`
	Position *int    `json:"position"`
}

func (s *Server) apiUpdateItem(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	l, it, _, err := s.ownItem(r, v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	var body updateItemJSON
	if err := readJSON(w, r, &body); err != nil {
		s.failErr(w, r, err)
		return
	}
	c, err := itemChanges(body.Note, body.Country, body.Rule, itemCurrency(it))
	if err == nil && body.Position != nil && *body.Position < 0 {
		err = invalid("position", "must be 0 (the first) or more")
	}
	if err == nil && (c.Note != nil || c.Country != nil || c.PricingRule != nil) {
		_, err = s.cfg.Store.UpdateItem(r.Context(), v.User.ID, l.ID, it.ID, c)
	}
	if err == nil && body.Position != nil {
		err = s.cfg.Store.MoveItem(r.Context(), v.User.ID, l.ID, it.ID, *body.Position)
	}
	var items []store.ListItem
	if err == nil {
		items, err = s.cfg.Store.Items(r.Context(), v.User.ID, l.ID)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	for _, x := range items {
		if x.ID == it.ID {
			writeJSON(w, http.StatusOK, newItemJSON(x))
			return
		}
	}
	s.failErr(w, r, store.ErrNotFound)
}

func (s *Server) apiDeleteItem(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	l, it, _, err := s.ownItem(r, v)
	if err == nil {
		err = storeErr(s.cfg.Store.DeleteItem(r.Context(), v.User.ID, l.ID, it.ID))
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
