package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/config"
)

// runProduct shows one product: variants, stock and shipping from the DS API when an access token
// is given (ds.product.get, ds.freight.query), the affiliate product data otherwise
// (productdetail.get).
func runProduct(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "product", "[flags] URL|ID")
	shipTo := fs.String("ship-to", "US", "destination country (two letters) for prices and shipping")
	currency := fs.String("currency", "USD", "currency of the prices")
	language := fs.String("language", "EN", "language of the texts")
	token := fs.String("token", "", "a dropshipping access token (default $ALIEXPRESS_ACCESS_TOKEN)")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: give one product URL or ID, e.g. aliscout product https://www.aliexpress.com/item/1005001234567890.html", errUsage)
	}
	if *token != "" {
		e.cfg.AccessToken = config.Secret(*token)
	}
	country := strings.ToUpper(strings.TrimSpace(*shipTo))
	if len(country) != 2 {
		return fmt.Errorf("%w: --ship-to %q is not a two-letter country code", errUsage, *shipTo)
	}
	b, err := connect(e)
	if err != nil {
		return err
	}
	defer b.close()
	id, err := aliexpress.ResolveProductID(ctx, b.client.HTTPClient(), rest[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if b.token != "" {
		return dsProduct(ctx, e, b, id, country, strings.ToUpper(*currency), strings.ToLower(*language), *asJSON)
	}
	// productdetail.get leaves out products that do not ship to the country; ask again without it
	// to tell "does not ship there" from "not listed".
	var ps []aliexpress.Product
	shipsThere := true
	for _, c := range []string{country, ""} {
		ps, _, err = b.client.Affiliate.ProductDetails(ctx, []int64{id}, &aliexpress.ProductDetailsOptions{
			TargetCurrency: strings.ToUpper(*currency), TargetLanguage: strings.ToUpper(*language), Country: c})
		if err != nil {
			return err
		}
		if len(ps) > 0 {
			shipsThere = c != ""
			break
		}
	}
	if len(ps) == 0 {
		return fmt.Errorf("product %d is not (or no longer) listed on AliExpress", id)
	}
	p := ps[0]
	if *asJSON {
		return writeJSON(e.stdout, p)
	}
	price, was := p.TargetSalePrice, p.TargetOriginalPrice
	if price.IsZero() {
		price, was = p.SalePrice, p.OriginalPrice
	}
	t := newTable(e.stdout, "FIELD", "VALUE")
	t.row("id", strconv.FormatInt(p.ID, 10))
	t.row("title", clean(p.Title, 100))
	t.row("price", money(price))
	t.row("was", money(was))
	t.row("discount", percent(p.DiscountPercent))
	t.row("orders (30 days)", count(p.Volume))
	t.row("positive feedback", percent(p.PositiveRate))
	t.row("commission", percent(p.CommissionRate))
	t.row("category", clean(orDash(p.FirstLevelCategoryName)+" > "+orDash(p.SecondLevelCategoryName), 80))
	t.row("shop", clean(orDash(p.ShopName), 60))
	t.row("url", orDash(p.DetailURL))
	t.row("affiliate link", orDash(p.PromotionLink))
	if !shipsThere {
		t.row("ships to "+country, "no")
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "aliscout: affiliate data only; give a dropshipping access token (--token or ALIEXPRESS_ACCESS_TOKEN) for variants, stock and shipping")
	return nil
}

func dsProduct(ctx context.Context, e *env, b *backend, id int64, country, currency, language string, asJSON bool) error {
	c := b.client.WithAccessToken(b.token)
	p, _, err := c.DS.Product(ctx, id, &aliexpress.DSProductOptions{ShipTo: country, Currency: currency, Language: language})
	if err != nil {
		return err
	}
	// Shipping is quoted for the first variant in stock (the cheapest to ship is the same SKU's).
	var options []aliexpress.DeliveryOption
	var shipErr error
	var quoted *aliexpress.DSVariant
	for i := range p.Variants {
		if p.Variants[i].Stock > 0 {
			quoted = &p.Variants[i]
			break
		}
	}
	if quoted == nil && len(p.Variants) > 0 {
		quoted = &p.Variants[0]
	}
	if quoted != nil {
		options, _, shipErr = c.DS.Freight(ctx, &aliexpress.FreightQuery{ProductID: id, SKUID: quoted.SKUID, Quantity: 1, ShipTo: country, Currency: currency})
		if errors.Is(shipErr, aliexpress.ErrDeliveryUnavailable) {
			shipErr = nil
		}
	}
	if asJSON {
		out := struct {
			Product       *aliexpress.DSProduct       `json:"product"`
			ShipTo        string                      `json:"ship_to"`
			Shipping      []aliexpress.DeliveryOption `json:"shipping"`
			ShippingError string                      `json:"shipping_error,omitempty"`
		}{Product: p, ShipTo: country, Shipping: options}
		if shipErr != nil {
			out.ShippingError = explain(shipErr, &e.cfg)
		}
		return writeJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "%d  %s\n", p.ID, clean(p.Title, 100))
	fmt.Fprintf(e.stdout, "rating %.1f (%d reviews), sold %s, store %s (%s)\n\n", p.Rating, p.EvaluationCount, orDash(p.SalesCount),
		clean(orDash(p.Store.Name), 50), orDash(p.Store.Country))
	t := newTable(e.stdout, "SKU", "VARIANT", "PRICE", "WAS", "STOCK", "IMPORT CHARGES")
	for _, v := range p.Variants {
		var names []string
		for _, prop := range v.Properties {
			val := prop.DefinitionName
			if val == "" {
				val = prop.Value
			}
			names = append(names, prop.Name+": "+val)
		}
		stock := strconv.Itoa(v.Stock)
		if v.Stock == 0 {
			stock = "sold out"
		}
		imp := "included"
		if v.EstimatedImportCharges != nil {
			imp = money(*v.EstimatedImportCharges)
		}
		t.row(v.SKUID, clean(orDash(strings.Join(names, ", ")), 50), money(v.SalePrice), money(v.Price), stock, imp)
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nshipping to %s:\n", country)
	if shipErr != nil {
		fmt.Fprintf(e.stdout, "  could not be fetched: %s\n", explain(shipErr, &e.cfg))
		return nil
	}
	if len(options) == 0 {
		fmt.Fprintf(e.stdout, "  does not ship to %s\n", country)
		return nil
	}
	st := newTable(e.stdout, "SERVICE", "CARRIER", "FEE", "DELIVERY", "TRACKING", "FROM")
	for _, o := range options {
		fee := money(o.FeeFor(quoted.SalePrice))
		if o.FreeFor(quoted.SalePrice) {
			fee = "free"
		}
		tracking := "no"
		if o.Tracking {
			tracking = "yes"
		}
		st.row(o.Code, clean(o.Company, 40), fee, days(o.MinDays, o.MaxDays), tracking, orDash(o.ShipFrom))
	}
	return st.flush()
}
