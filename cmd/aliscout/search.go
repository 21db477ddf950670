package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/web"
)

// cliSortNames are the sort orders as the command line spells them ("price-asc").
func cliSortNames() []string {
	names := catalog.Sorts()
	for i, s := range names {
		names[i] = strings.ReplaceAll(s, "_", "-")
	}
	return names
}

// runSearch searches products with the same filters, cache and behaviour as the web app: AliExpress
// applies what it can, aliscout the rest.
func runSearch(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "search", "[flags] QUERY...")
	minPrice := fs.String("min-price", "", "lowest sale price, e.g. 5.00, in --currency")
	maxPrice := fs.String("max-price", "", "highest sale price, in --currency")
	sort := fs.String("sort", "", strings.Join(cliSortNames(), ", ")+" (default: best match)")
	page := fs.Int("page", 1, "page number")
	pageSize := fs.Int("page-size", catalog.DefaultPageSize, "products per page, 1 to 50")
	category := fs.String("category", "", "a category ID (see `aliscout categories`)")
	shipTo := fs.String("ship-to", catalog.DefaultShipTo, "destination country (two letters)")
	currency := fs.String("currency", catalog.DefaultCurrency, "currency of the prices")
	language := fs.String("language", catalog.DefaultLanguage, "language of the titles")
	deliveryDays := fs.Int("delivery-days", 0, "only products delivered within this many days")
	minRating := fs.String("min-rating", "", "lowest rating, 0 to 5")
	minOrders := fs.Int("min-orders", catalog.DefaultMinOrders, "fewest orders in the last 30 days")
	minDiscount := fs.Int("min-discount", 0, "smallest discount, percent")
	freeShipping := fs.Bool("free-shipping", false, "only products that ship free to --ship-to")
	shipRule := fs.String("ship-rule", catalog.DefaultShipRule, "the shipping method shown: tracked (the cheapest tracked), cheapest, fastest or service:CODE")
	asJSON := fs.Bool("json", false, "print JSON (the same as GET /api/search)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	query := strings.TrimSpace(strings.Join(rest, " "))
	if query == "" && *category == "" {
		return fmt.Errorf("%w: give a search query, e.g. aliscout search \"phone case\"", errUsage)
	}
	v := url.Values{"q": {query}, "min_price": {*minPrice}, "max_price": {*maxPrice}, "category": {*category},
		"ship_to": {*shipTo}, "currency": {*currency}, "language": {*language}, "min_rating": {*minRating},
		"page": {strconv.Itoa(*page)}, "page_size": {strconv.Itoa(*pageSize)}, "min_orders": {strconv.Itoa(*minOrders)},
		"min_discount": {strconv.Itoa(*minDiscount)}, "max_delivery_days": {strconv.Itoa(*deliveryDays)},
		"free_shipping": {strconv.FormatBool(*freeShipping)}, "ship_rule": {*shipRule}}
	if *sort != "" {
		if !slices.Contains(cliSortNames(), strings.ToLower(*sort)) {
			return fmt.Errorf("%w: --sort %q: want one of %s", errUsage, *sort, strings.Join(cliSortNames(), ", "))
		}
		v.Set("sort", strings.ReplaceAll(strings.ToLower(*sort), "-", "_"))
	}
	f, err := catalog.ParseFilters(v)
	if err != nil {
		return fmt.Errorf("%w: %s", errUsage, flagErrors(err))
	}
	b, err := connectBackend(e)
	if err != nil {
		return err
	}
	defer b.close()
	svc, _, done, err := newService(e, b, discardLogger())
	if err != nil {
		return err
	}
	defer done()
	res, err := svc.Search(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, web.NewSearchJSON(f, &res))
	}
	if len(res.Products) == 0 {
		fmt.Fprintln(e.stdout, "no products found")
		return nil
	}
	t := newTable(e.stdout, "ID", "PRICE", "WAS", "OFF", "ORDERS", "RATING", "SHIPPING", "COMMISSION", "TITLE")
	for i := range res.Products {
		p := &res.Products[i]
		t.row(strconv.FormatInt(p.ID, 10), money(p.Price), money(p.OriginalPrice), percent(float64(p.DiscountPercent)),
			count(int64(p.Orders30d)), stars(p.Stars()), shippingCell(p, f.Shipping()), percent(p.CommissionRate), clean(p.Title, 60))
	}
	if err := t.flush(); err != nil {
		return err
	}
	total := strconv.Itoa(res.Total)
	if res.TotalIsEstimate {
		total = "about " + total
	}
	if res.PastEnd {
		fmt.Fprintf(e.stdout, "there is no page %d; this is the last page\n", f.Page)
	}
	pages := strconv.Itoa(res.LastPage)
	if res.LastPage == 0 {
		pages = "more"
	}
	fmt.Fprintf(e.stdout, "page %d of %s (%s products)\n", res.Page, pages, total)
	if res.Stale {
		fmt.Fprintf(e.stderr, "aliscout: %s\n", orDash(res.StaleReason))
	}
	return nil
}

// flagErrors writes the input errors of err with the flags the command line calls them by.
func flagErrors(err error) string {
	var parts []string
	for _, e := range catalog.InvalidErrors(err) {
		name := "--" + strings.ReplaceAll(e.Field, "_", "-")
		switch e.Field {
		case "q":
			name = "QUERY"
		case "max_delivery_days":
			name = "--delivery-days"
		}
		parts = append(parts, name+": "+e.Message)
	}
	if len(parts) == 0 {
		return err.Error()
	}
	return strings.Join(parts, "; ")
}

// shippingCell is the shipping of p that rule chooses, for a table.
func shippingCell(p *catalog.Product, rule catalog.ShipRule) string {
	o, ok := rule.Choose(p.Shipping)
	switch {
	case p.Shipping == nil:
		return "-"
	case !ok:
		return "no"
	case o.Free:
		return "free " + days(o.MinDays, o.MaxDays)
	}
	return money(o.Fee) + " " + days(o.MinDays, o.MaxDays)
}

func stars(f float64) string {
	if f == 0 {
		return "-"
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}
