package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/aliexpress"
)

// sortNames are the sort orders product.query takes, by the names the command line uses.
var sortNames = map[string]aliexpress.ProductSort{
	"price-asc": aliexpress.SortSalePriceAsc, "price-desc": aliexpress.SortSalePriceDesc,
	"orders-desc": aliexpress.SortLastVolumeDesc, "orders-asc": aliexpress.SortLastVolumeAsc,
}

// runSearch searches products with aliexpress.affiliate.product.query.
func runSearch(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "search", "[flags] QUERY...")
	minPrice := fs.String("min-price", "", "lowest sale price, e.g. 5.00, in --currency")
	maxPrice := fs.String("max-price", "", "highest sale price, in --currency")
	sort := fs.String("sort", "", "price-asc, price-desc, orders-desc, orders-asc (default: best match)")
	page := fs.Int("page", 1, "page number")
	pageSize := fs.Int("page-size", 20, "products per page, 1 to 50")
	category := fs.String("category", "", "category IDs, comma-separated (see `aliscout categories`)")
	shipTo := fs.String("ship-to", "US", "destination country (two letters)")
	currency := fs.String("currency", "USD", "currency of the prices")
	language := fs.String("language", "EN", "language of the titles")
	deliveryDays := fs.Int("delivery-days", 0, "only products delivered within 3, 5, 7 or 10 days")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	query := strings.TrimSpace(strings.Join(rest, " "))
	if query == "" && *category == "" {
		return fmt.Errorf("%w: give a search query, e.g. aliscout search \"phone case\"", errUsage)
	}
	q := &aliexpress.ProductQuery{Keywords: query, PageNo: *page, PageSize: *pageSize,
		TargetCurrency: strings.ToUpper(*currency), TargetLanguage: strings.ToUpper(*language),
		ShipToCountry: strings.ToUpper(*shipTo), DeliveryDays: *deliveryDays}
	if *sort != "" {
		s, ok := sortNames[strings.ToLower(*sort)]
		if !ok {
			return fmt.Errorf("%w: --sort %q: want price-asc, price-desc, orders-desc or orders-asc", errUsage, *sort)
		}
		q.Sort = s
	}
	for name, p := range map[string]struct {
		in  string
		out *aliexpress.Money
	}{"--min-price": {*minPrice, &q.MinSalePrice}, "--max-price": {*maxPrice, &q.MaxSalePrice}} {
		if p.in == "" {
			continue
		}
		m, err := aliexpress.ParseMoney(p.in, q.TargetCurrency)
		if err != nil {
			return fmt.Errorf("%w: %s %q is not a price (write it like 12.50)", errUsage, name, p.in)
		}
		*p.out = m
	}
	if *category != "" {
		for _, s := range strings.Split(*category, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("%w: --category %q is not a list of category IDs", errUsage, *category)
			}
			q.CategoryIDs = append(q.CategoryIDs, id)
		}
	}
	b, err := connect(e)
	if err != nil {
		return err
	}
	defer b.close()
	pg, _, err := b.client.Affiliate.QueryProducts(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, pg)
	}
	if len(pg.Products) == 0 {
		fmt.Fprintln(e.stdout, "no products found")
		return nil
	}
	t := newTable(e.stdout, "ID", "PRICE", "WAS", "OFF", "ORDERS", "POSITIVE", "COMMISSION", "TITLE")
	for _, p := range pg.Products {
		price, was := p.TargetSalePrice, p.TargetOriginalPrice
		if price.IsZero() {
			price, was = p.SalePrice, p.OriginalPrice
		}
		t.row(strconv.FormatInt(p.ID, 10), money(price), money(was), percent(p.DiscountPercent), count(p.Volume),
			percent(p.PositiveRate), percent(p.CommissionRate), clean(p.Title, 60))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "page %d of %d (%d products)\n", max(pg.CurrentPage, *page), pg.TotalPages, pg.TotalRecords)
	return nil
}
