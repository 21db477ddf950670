package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/pricing"
	"github.com/aliscout/aliscout/internal/store"
)

// Limits of list input.
const (
	maxListForm    = 64 << 10
	maxNoteLen     = 1000 // characters
	defaultNewList = "My products"
)

// listRoutes registers the saved-list pages and API. They exist only when the app has accounts.
func (s *Server) listRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /lists", s.listsPage)
	mux.HandleFunc("POST /lists", s.createListPost)
	mux.HandleFunc("POST /lists/save", s.savePost)
	mux.HandleFunc("GET /lists/{id}", s.listPage)
	mux.HandleFunc("POST /lists/{id}/rename", s.renameListPost)
	mux.HandleFunc("POST /lists/{id}/delete", s.deleteListPost)
	mux.HandleFunc("POST /lists/{id}/export", s.exportList)
	mux.HandleFunc("POST /lists/{id}/items/{item}", s.updateItemPost)
	mux.HandleFunc("POST /lists/{id}/items/{item}/move", s.moveItemPost)
	mux.HandleFunc("POST /lists/{id}/items/{item}/delete", s.deleteItemPost)

	mux.HandleFunc("GET /api/lists", s.apiLists)
	mux.HandleFunc("POST /api/lists", s.apiCreateList)
	mux.HandleFunc("GET /api/lists/{id}", s.apiList)
	mux.HandleFunc("PATCH /api/lists/{id}", s.apiRenameList)
	mux.HandleFunc("DELETE /api/lists/{id}", s.apiDeleteList)
	mux.HandleFunc("POST /api/lists/{id}/items", s.apiSaveItem)
	mux.HandleFunc("DELETE /api/lists/{id}/items", s.apiDeleteItemByProduct)
	mux.HandleFunc("PATCH /api/lists/{id}/items/{item}", s.apiUpdateItem)
	mux.HandleFunc("DELETE /api/lists/{id}/items/{item}", s.apiDeleteItem)
	mux.HandleFunc("POST /api/lists/{id}/export", s.exportList)
}

// saveForm is the "Save to list" chooser: the user's lists, and where to go back to.
type saveForm struct {
	Lists []store.List
	Next  string
}

// listsData is the page of a user's lists.
type listsData struct {
	base
	Lists     []store.List
	Name      string
	ErrorList []*catalog.Error
	Errors    map[string]string
}

func (s *Server) listsPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	s.renderLists(w, r, v, http.StatusOK, "", nil)
}

// renderLists shows the lists page, with a refused create form when err is set.
func (s *Server) renderLists(w http.ResponseWriter, r *http.Request, v *viewer, status int, name string, err error) {
	lists, lerr := s.cfg.Store.Lists(r.Context(), v.User.ID)
	if lerr != nil {
		s.failErr(w, r, storeErr(lerr))
		return
	}
	d := listsData{base: s.base(r, "Your lists", "lists"), Lists: lists, Name: name, Errors: map[string]string{}}
	if err != nil {
		p := problemOf(err)
		s.logError(r, err, p)
		status = p.Status
		_, d.ErrorList = formProblem(err)
		if len(d.ErrorList) == 0 {
			d.ErrorList = []*catalog.Error{{Code: p.Code, Field: "name", Message: p.Message}}
		}
		d.Errors = fieldMap(d.ErrorList)
	}
	s.render(w, r, status, "lists", &d)
}

// listName reads and checks a list name.
func listName(s string) (string, error) {
	name := strings.TrimSpace(s)
	if err := checkName("name", name, store.MaxListNameLen); err != nil {
		return name, err
	}
	return name, nil
}

func (s *Server) createListPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	name, err := listName(r.PostForm.Get("name"))
	var l store.List
	if err == nil {
		l, err = s.cfg.Store.CreateList(r.Context(), v.User.ID, name)
	}
	if err != nil {
		s.renderLists(w, r, v, http.StatusBadRequest, name, storeErr(err))
		return
	}
	s.setFlash(w, r, "List “%s” created. Save products to it from a search, a product page or an import.", l.Name)
	seeOther(w, r, listURL(l.ID))
}

func listURL(id int64) string { return "/lists/" + strconv.FormatInt(id, 10) }

// ownList reads the list of the path, which must be the viewer's.
func (s *Server) ownList(r *http.Request, v *viewer) (store.List, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return store.List{}, err
	}
	l, err := s.cfg.Store.List(r.Context(), v.User.ID, id)
	return l, storeErr(err)
}

func (s *Server) renameListPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	l, err := s.ownList(r, v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	name, err := listName(r.PostForm.Get("name"))
	if err == nil {
		l, err = s.cfg.Store.RenameList(r.Context(), v.User.ID, l.ID, name)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.setFlash(w, r, "Renamed to “%s”.", l.Name)
	seeOther(w, r, listURL(l.ID))
}

func (s *Server) deleteListPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
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
	s.setFlash(w, r, "List “%s” deleted, with its %d %s.", l.Name, l.ItemCount, plural(l.ItemCount, "product", "products"))
	seeOther(w, r, "/lists")
}

// saveRequest is what to save to a list: products by ID, with the destination and pricing rule
// the user had chosen.
type saveRequest struct {
	IDs     []int64
	SKU     string
	Opts    catalog.ProductOptions
	Country string // "" for none
	Rule    string // "" for none
	Note    string
}

// check validates the fields of a save that do not need the catalog.
func (q *saveRequest) check() error {
	var errs []error
	if len(q.SKU) > store.MaxIDLen || cleanText(q.SKU) != q.SKU || strings.ContainsAny(q.SKU, " \n") {
		errs = append(errs, invalid("sku_id", "%q is not a variant ID", truncateText(q.SKU, 40)))
	}
	if q.SKU != "" && len(q.IDs) > 1 {
		errs = append(errs, invalid("sku_id", "a variant can be saved for one product at a time"))
	}
	if utf8.RuneCountInString(q.Note) > maxNoteLen || !utf8.ValidString(q.Note) {
		errs = append(errs, invalid("note", "is longer than %d characters", maxNoteLen))
	}
	if q.Rule != "" {
		if len(q.Rule) > 200 {
			errs = append(errs, invalid("rule", "is longer than 200 characters"))
		} else if _, err := pricing.ParseRule(q.Rule, q.Opts.Currency); err != nil {
			errs = append(errs, invalid("rule", "%s", pricingProblem(err)))
		}
	}
	return errors.Join(errs...)
}

// savedItem is one product saved, and what the user should know about it.
type savedItem struct {
	Item    store.ListItem
	Added   bool
	Warning string // the product data could not be had from AliExpress
}

// saveItems fetches the products of q through the catalog and saves them in the list with the
// data they have now (title, image, price), so that the list shows them when AliExpress cannot.
// When the catalog fails for a product, it is saved with what is known and a warning says so; a
// product AliExpress does not list is refused.
func (s *Server) saveItems(ctx context.Context, v *viewer, listID int64, q saveRequest) ([]savedItem, error) {
	found := s.cat.Products(ctx, q.IDs, q.Opts)
	var out []savedItem
	for _, f := range found {
		item := store.ListItem{ProductID: strconv.FormatInt(f.ID, 10), SKUID: q.SKU, Country: q.Country,
			PricingRule: q.Rule, Note: q.Note}
		var warning string
		switch {
		case f.Err == nil:
			p := &f.Product
			if err := fillItem(&item, p, s.savedImage); err != nil {
				return out, err
			}
		case catalog.ErrorCode(f.Err) == catalog.ENotFound || catalog.ErrorCode(f.Err) == catalog.EInvalid:
			return out, &catalog.Error{Code: catalog.ENotFound, Field: "product_id", Err: f.Err,
				Message: fmt.Sprintf("product %d is not (or no longer) listed on AliExpress, so it was not saved", f.ID)}
		default:
			p := problemOf(f.Err)
			warning = fmt.Sprintf("AliExpress did not answer for product %d (%s): it is saved without its title, image and price; save it again later to fill them in", f.ID, p.Message)
		}
		saved, added, err := s.cfg.Store.SaveItem(ctx, v.User.ID, listID, item)
		if err != nil {
			return out, storeErr(err)
		}
		out = append(out, savedItem{Item: saved, Added: added, Warning: warning})
	}
	return out, nil
}

// savedImage is the image a list shows and keeps for a product's or variant's picture: only an
// http(s) URL, "" otherwise. Every image of a list goes through it, so that one place applies the
// app's image policy.
func (s *Server) savedImage(u string) string { return s.san.Image(u) }

// fillItem records what a product is now in item: its title, image and price (of the item's
// variant, when it has one). image filters the pictures.
func fillItem(item *store.ListItem, p *catalog.Product, image func(string) string) error {
	item.Title = truncateText(strings.TrimSpace(p.Title), store.MaxTextLen)
	item.Price = p.Price
	if item.Price.IsZero() {
		item.Price = cheapestVariant(p).Price
	}
	if img := imageOf(image, p); len(img) <= store.MaxTextLen {
		item.ImageURL = img
	}
	if item.SKUID == "" {
		return nil
	}
	for _, vr := range p.Variants {
		if vr.SKUID == item.SKUID {
			if !vr.Price.IsZero() {
				item.Price = vr.Price
			}
			if img := image(vr.Image); img != "" && len(img) <= store.MaxTextLen {
				item.ImageURL = img
			}
			return nil
		}
	}
	return invalid("sku_id", "product %d has no variant %q", p.ID, truncateText(item.SKUID, 40))
}

// savePost saves products to a list from the search, product and import pages: a list chosen by
// id, or one named (made when it does not exist yet).
func (s *Server) savePost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	f := r.PostForm
	ids, err := parseIDs(f, "ids", s.cfg.MaxImportLines)
	if err == nil && len(ids) == 0 {
		err = invalid("ids", "choose a product to save")
	}
	opts, oerr := parseProductOptions(f, "ship_to")
	q := saveRequest{IDs: ids, SKU: strings.TrimSpace(f.Get("sku")), Opts: opts, Country: opts.ShipTo,
		Rule: strings.TrimSpace(f.Get("rule")), Note: strings.TrimSpace(f.Get("note"))}
	if err = errors.Join(err, oerr); err == nil {
		err = q.check()
	}
	var l store.List
	if err == nil {
		l, err = s.chosenList(r.Context(), v, f.Get("list"), f.Get("new_list"))
	}
	var saved []savedItem
	if err == nil {
		saved, err = s.saveItems(r.Context(), v, l.ID, q)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	added := 0
	var warnings []string
	for _, it := range saved {
		if it.Added {
			added++
		}
		if it.Warning != "" {
			warnings = append(warnings, it.Warning)
		}
	}
	what := "Saved to “" + l.Name + "”."
	if len(saved) == 1 && saved[0].Item.Title != "" {
		what = "Saved “" + truncateText(cleanText(saved[0].Item.Title), 80) + "” to “" + l.Name + "”."
	}
	if added < len(saved) {
		what += fmt.Sprintf(" %d %s already in the list: updated.", len(saved)-added, plural(len(saved)-added, "was", "were"))
	}
	s.setFlash(w, r, "%s %s", what, strings.Join(warnings, " "))
	next := localNext(f.Get("next"))
	if next == "" {
		next = listURL(l.ID)
	}
	seeOther(w, r, next)
}

// chosenList is the list a save form names: by id, or by a new name (an existing list of that
// name is used).
func (s *Server) chosenList(ctx context.Context, v *viewer, choice, newName string) (store.List, error) {
	newName = strings.TrimSpace(newName)
	if choice != "" && choice != "new" && newName == "" {
		id, err := strconv.ParseInt(choice, 10, 64)
		if err != nil || id <= 0 {
			return store.List{}, invalid("list", "choose one of your lists")
		}
		l, err := s.cfg.Store.List(ctx, v.User.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			return store.List{}, invalid("list", "choose one of your lists")
		}
		return l, storeErr(err)
	}
	if newName == "" {
		newName = defaultNewList
	}
	name, err := listName(newName)
	if err != nil {
		return store.List{}, invalid("new_list", "%s", strings.TrimPrefix(err.Error(), "name: "))
	}
	l, err := s.cfg.Store.CreateList(ctx, v.User.ID, name)
	if errors.Is(err, store.ErrConflict) {
		lists, lerr := s.cfg.Store.Lists(ctx, v.User.ID)
		if lerr != nil {
			return store.List{}, storeErr(lerr)
		}
		for _, l := range lists {
			if l.Name == name {
				return l, nil
			}
		}
	}
	return l, storeErr(err)
}

// ownItem reads the list and item of the path, which must be the viewer's.
func (s *Server) ownItem(r *http.Request, v *viewer) (store.List, store.ListItem, []store.ListItem, error) {
	l, err := s.ownList(r, v)
	if err != nil {
		return l, store.ListItem{}, nil, err
	}
	itemID, err := pathID(r, "item")
	if err != nil {
		return l, store.ListItem{}, nil, err
	}
	items, err := s.cfg.Store.Items(r.Context(), v.User.ID, l.ID)
	if err != nil {
		return l, store.ListItem{}, nil, storeErr(err)
	}
	for _, it := range items {
		if it.ID == itemID {
			return l, it, items, nil
		}
	}
	return l, store.ListItem{}, nil, fmt.Errorf("item %d: %w", itemID, store.ErrNotFound)
}

// itemChanges reads the changes to an item from a form or JSON: a note, a destination and a
// pricing rule, each left alone when absent.
func itemChanges(note, country, rule *string, currency string) (store.ItemChanges, error) {
	var c store.ItemChanges
	var errs []error
	if note != nil {
		n := strings.TrimSpace(*note)
		if utf8.RuneCountInString(n) > maxNoteLen || !utf8.ValidString(n) {
			errs = append(errs, invalid("note", "is longer than %d characters", maxNoteLen))
		}
		c.Note = &n
	}
	if country != nil {
		cc := strings.ToUpper(strings.TrimSpace(*country))
		if cc != "" {
			if _, err := parseProductOptions(url.Values{"ship_to": {cc}}, "country"); err != nil {
				errs = append(errs, err)
			}
		}
		c.Country = &cc
	}
	if rule != nil {
		rl := strings.TrimSpace(*rule)
		if rl != "" {
			if len(rl) > 200 {
				errs = append(errs, invalid("rule", "is longer than 200 characters"))
			} else if _, err := pricing.ParseRule(rl, currency); err != nil {
				errs = append(errs, invalid("rule", "%s", pricingProblem(err)))
			}
		}
		c.PricingRule = &rl
	}
	return c, errors.Join(errs...)
}

// itemCurrency is the currency an item's figures are in.
func itemCurrency(it store.ListItem) string {
	if it.Price.Currency != "" {
		return it.Price.Currency
	}
	return catalog.DefaultCurrency
}

func (s *Server) updateItemPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	l, it, _, err := s.ownItem(r, v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	f := r.PostForm
	field := func(name string) *string {
		if !f.Has(name) {
			return nil
		}
		s := f.Get(name)
		return &s
	}
	c, err := itemChanges(field("note"), field("country"), field("rule"), itemCurrency(it))
	if err == nil {
		_, err = s.cfg.Store.UpdateItem(r.Context(), v.User.ID, l.ID, it.ID, c)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.setFlash(w, r, "Saved your changes.")
	seeOther(w, r, listURL(l.ID)+"#item-"+strconv.FormatInt(it.ID, 10))
}

func (s *Server) moveItemPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
	if !ok {
		return
	}
	l, it, _, err := s.ownItem(r, v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	to := it.Position
	switch r.PostForm.Get("direction") {
	case "up":
		to--
	case "down":
		to++
	default:
		s.failErr(w, r, invalid("direction", "move up or down"))
		return
	}
	if err := s.cfg.Store.MoveItem(r.Context(), v.User.ID, l.ID, it.ID, max(to, 0)); err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	seeOther(w, r, listURL(l.ID)+"#item-"+strconv.FormatInt(it.ID, 10))
}

func (s *Server) deleteItemPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxListForm)
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
	title := cleanText(it.Title)
	if title == "" {
		title = "product " + it.ProductID
	}
	s.setFlash(w, r, "Removed “%s” from the list.", truncateText(title, 80))
	seeOther(w, r, listURL(l.ID))
}

// listRow is one saved product on a list page: what was saved, and what AliExpress says now.
type listRow struct {
	It        store.ListItem
	ID        int64
	Title     string
	Image     string
	Detail    string           // the product page, for the item's destination
	P         *catalog.Product // the product now; nil when AliExpress did not answer
	Problem   string           // why there are no figures of now
	Variant   string           // the saved variant's option values
	Q         quote
	Rule      string // the pricing rule the margin is for
	RuleIsDef bool   // the default rule, the item having none
	ShipTo    string
	SavedAgo  string
	First     bool
	Last      bool
}

// listData is a list's page.
type listData struct {
	base
	List     store.List
	Rows     []listRow
	View     string
	GridURL  string
	TableURL string
	Live     int // products AliExpress answered for
	Missing  int // products it did not
}

// liveProducts fetches the products of items as they are now, each for its item's destination
// and currency: one catalog call per destination. The answer is by item index.
func (s *Server) liveProducts(ctx context.Context, items []store.ListItem) []catalog.Found {
	type group struct {
		opts catalog.ProductOptions
		idx  []int
		ids  []int64
	}
	out := make([]catalog.Found, len(items))
	groups := map[catalog.ProductOptions]*group{}
	var order []*group
	for i, it := range items {
		id, err := strconv.ParseInt(it.ProductID, 10, 64)
		if err != nil || id <= 0 {
			out[i] = catalog.Found{Err: &catalog.Error{Code: catalog.ENotFound, Message: "not a product ID"}}
			continue
		}
		opts := catalog.ProductOptions{ShipTo: itemShipTo(it), Currency: itemCurrency(it), Language: catalog.DefaultLanguage}
		g := groups[opts]
		if g == nil {
			g = &group{opts: opts}
			groups[opts] = g
			order = append(order, g)
		}
		g.idx, g.ids = append(g.idx, i), append(g.ids, id)
	}
	for _, g := range order {
		found := s.cat.Products(ctx, g.ids, g.opts)
		for j, i := range g.idx {
			if j < len(found) {
				out[i] = found[j]
			} else {
				out[i] = catalog.Found{ID: g.ids[j], Err: &catalog.Error{Code: catalog.EUpstream, Message: "no answer"}}
			}
		}
	}
	return out
}

// itemShipTo is the destination an item's figures are for.
func itemShipTo(it store.ListItem) string {
	if it.Country != "" {
		return it.Country
	}
	return catalog.DefaultShipTo
}

// itemCalc is the calculator an item's margin is computed with: its rule (or the default) with
// the default fees, as the search page starts with.
func itemCalc(it store.ListItem) (calc, string, bool) {
	rule, isDefault := it.PricingRule, false
	if rule == "" {
		rule, isDefault = DefaultRule, true
	}
	c, err := parseCalc(url.Values{"rule": {rule}}, itemCurrency(it))
	if err != nil {
		c, _ = parseCalc(url.Values{"rule": {DefaultRule}}, itemCurrency(it))
		rule, isDefault = DefaultRule, true
	}
	return c, rule, isDefault
}

func (s *Server) listPage(w http.ResponseWriter, r *http.Request) {
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
	view, _ := parseView(r.URL.Query())
	d := listData{base: s.base(r, l.Name, "lists"), List: l, View: view,
		GridURL: listURL(l.ID), TableURL: listURL(l.ID) + "?view=table"}
	live := s.liveProducts(r.Context(), items)
	for i, it := range items {
		d.Rows = append(d.Rows, s.listRow(r, it, live[i], i == 0, i == len(items)-1))
		row := &d.Rows[i]
		if row.P != nil {
			d.Live++
			d.Stale = d.Stale || row.P.Stale
			if !row.P.FetchedAt.IsZero() && (d.FetchedAt.IsZero() || row.P.FetchedAt.Before(d.FetchedAt)) {
				d.FetchedAt = row.P.FetchedAt
			}
		} else {
			d.Missing++
		}
	}
	s.render(w, r, http.StatusOK, "list", &d)
}

// listRow lays out one item with the product as it is now (f), or as it was saved when
// AliExpress does not answer.
func (s *Server) listRow(r *http.Request, it store.ListItem, f catalog.Found, first, last bool) listRow {
	id, _ := strconv.ParseInt(it.ProductID, 10, 64)
	row := listRow{It: it, ID: id, Title: strings.TrimSpace(cleanText(it.Title)), Image: s.savedImage(it.ImageURL),
		ShipTo: itemShipTo(it), SavedAgo: s.ago(it.SavedAt), First: first, Last: last}
	c, rule, isDefault := itemCalc(it)
	row.Rule, row.RuleIsDef = rule, isDefault
	keep := productSettings(row.ShipTo, itemCurrency(it), "")
	keep.Set("rule", rule)
	row.Detail = withQuery("/products/"+it.ProductID, keep)
	if f.Err != nil {
		p := problemOf(f.Err)
		s.logError(r, f.Err, p)
		if p.Code == catalog.ENotFound {
			row.Problem = "AliExpress no longer lists this product. The figures are from when it was saved."
		} else {
			row.Problem = "AliExpress did not answer (" + p.Message + "). The figures are from when it was saved."
		}
		row.Q = quote{Variant: catalog.Variant{Price: it.Price}, Why: "No landed cost or margin without AliExpress's shipping"}
	} else {
		p := f.Product
		row.P = &p
		if row.Title == "" {
			row.Title = titleOf(&p)
		}
		if row.Image == "" {
			row.Image = imageOf(s.savedImage, &p)
		}
		row.Q = s.itemQuote(c, &p, it.SKUID, &row)
	}
	if row.Title == "" {
		row.Title = "Product " + it.ProductID
	}
	return row
}

// itemQuote prices the item's variant (or the product's headline one) shipped to its destination.
func (s *Server) itemQuote(c calc, p *catalog.Product, sku string, row *listRow) quote {
	if sku != "" {
		for i := range p.Variants {
			vr := p.Variants[i]
			if vr.SKUID != sku {
				continue
			}
			var vals []string
			for _, v := range vr.Values {
				vals = append(vals, cleanText(v))
			}
			row.Variant = strings.Join(vals, " / ")
			if p.ShippingUnknown {
				return quote{Variant: vr, Why: "Shipping unknown: no landed cost or margin yet"}
			}
			return c.quoteVariant(vr, p.ShippingFor(&vr), p.ShipTo)
		}
		row.Variant = "variant " + sku + " is no longer offered; the cheapest is shown"
	}
	return c.quoteProduct(p)
}

// exportList answers POST /lists/{id}/export and POST /api/lists/{id}/export: the whole list as a
// store file, through the same writers and checks as the export of a search. Each product is
// priced with its item's rule unless the form gives one rule for all. Products AliExpress does not
// answer for are left out, named in the X-Aliscout-Left-Out header and the log; when none can be
// had, nothing is written.
func (s *Server) exportList(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	if err := readForm(w, r, maxListForm); err != nil {
		s.failErr(w, r, err)
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
	format := strings.ToLower(strings.TrimSpace(r.Form.Get("format")))
	if _, ok := exportFormats[format]; !ok {
		s.failErr(w, r, invalid("format", "%q is not shopify, woocommerce or json", truncateText(r.Form.Get("format"), 40)))
		return
	}
	override := strings.TrimSpace(r.Form.Get("rule"))
	if override != "" {
		if len(override) > 200 {
			s.failErr(w, r, invalid("rule", "is longer than 200 characters"))
			return
		}
		if _, err := pricing.ParseRule(override, catalog.DefaultCurrency); err != nil {
			s.failErr(w, r, invalid("rule", "%s", pricingProblem(err)))
			return
		}
	}
	// One product once, with the first item's destination and rule.
	var unique []store.ListItem
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it.ProductID] {
			seen[it.ProductID] = true
			unique = append(unique, it)
		}
	}
	switch {
	case len(unique) == 0:
		s.failErr(w, r, invalid("list", "the list is empty: save products to it first"))
		return
	case len(unique) > s.cfg.MaxExport:
		s.failErr(w, r, invalid("list", "the list has %d products; one export takes at most %d", len(unique), s.cfg.MaxExport))
		return
	}
	rules := map[int64]pricing.Rule{}
	var ok2 []catalog.Found
	var left []string
	for i, f := range s.liveProducts(r.Context(), unique) {
		if f.Err != nil {
			p := problemOf(f.Err)
			s.logError(r, f.Err, p)
			s.log.Warn("list export: product left out", "list", l.ID, "product", unique[i].ProductID, "code", p.Code)
			left = append(left, unique[i].ProductID)
			continue
		}
		ruleText := override
		if ruleText == "" {
			_, ruleText, _ = itemCalc(unique[i])
		}
		rule, err := pricing.ParseRule(ruleText, f.Product.Price.Currency)
		if err != nil {
			rule, _ = pricing.ParseRule(DefaultRule, f.Product.Price.Currency)
		}
		rules[f.Product.ID] = rule
		ok2 = append(ok2, f)
	}
	if len(ok2) == 0 {
		s.fail(w, r, problem{Status: http.StatusBadGateway, Code: catalog.EUpstream,
			Message: fmt.Sprintf("None of the %d products of “%s” could be had from AliExpress just now, so nothing was exported. The list keeps them; try again in a moment.", len(unique), l.Name)})
		return
	}
	w.Header().Set("X-Aliscout-Left-Out", strings.Join(left, ","))
	ship := catalog.ShipRule{By: catalog.DefaultShipRule}
	price := func(p *catalog.Product, vr *catalog.Variant) (catalog.Money, catalog.Money, error) {
		rule := rules[p.ID]
		return priceFunc(exportRequest{rule: &rule, ship: ship})(p, vr)
	}
	products := make([]*catalog.Product, len(ok2))
	for i := range ok2 {
		products[i] = &ok2[i].Product
	}
	s.writeExport(w, r, exportRequest{format: format, price: price, ship: ship, inStock: false}, exportBatch{products: products})
}

// ago is how long ago t was, for "saved 3 days ago" next to the exact time.
func (s *Server) ago(t time.Time) string {
	d := s.now().Sub(t)
	switch {
	case t.IsZero():
		return ""
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	default:
		return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
	}
}
