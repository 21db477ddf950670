package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/config"
	"github.com/aliscout/aliscout/internal/web"
)

// runProduct shows one product as the web app's product page does: variants, stock and shipping
// from the DS API when an access token is given, the affiliate product data otherwise.
func runProduct(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "product", "[flags] URL|ID")
	shipTo := fs.String("ship-to", catalog.DefaultShipTo, "destination country (two letters) for prices and shipping")
	currency := fs.String("currency", catalog.DefaultCurrency, "currency of the prices")
	language := fs.String("language", catalog.DefaultLanguage, "language of the texts")
	token := fs.String("token", "", "a dropshipping access token (default $ALIEXPRESS_ACCESS_TOKEN)")
	asJSON := fs.Bool("json", false, "print JSON (the same as GET /api/products/{id})")
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
	opts := catalog.ProductOptions{ShipTo: strings.ToUpper(strings.TrimSpace(*shipTo)),
		Currency: strings.ToUpper(strings.TrimSpace(*currency)), Language: strings.ToUpper(strings.TrimSpace(*language))}
	switch {
	case !catalog.IsCountry(opts.ShipTo):
		return fmt.Errorf("%w: --ship-to %q is not a two-letter country code", errUsage, *shipTo)
	case !catalog.IsCurrency(opts.Currency):
		return fmt.Errorf("%w: --currency %q is not one of %s", errUsage, *currency, strings.Join(catalog.Currencies(), ", "))
	case !catalog.IsLanguage(opts.Language):
		return fmt.Errorf("%w: --language %q is not one of %s", errUsage, *language, strings.Join(catalog.Languages(), ", "))
	}
	b, err := connectBackend(e)
	if err != nil {
		return err
	}
	defer b.close()
	id, err := aliexpress.ResolveProductID(ctx, b.client.HTTPClient(), rest[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	svc, _, done, err := newService(e, b, discardLogger())
	if err != nil {
		return err
	}
	defer done()
	p, err := svc.Product(ctx, id, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, web.NewProductJSON(&p))
	}
	fmt.Fprintf(e.stdout, "%d  %s\n", p.ID, clean(p.Title, 100))
	fmt.Fprintf(e.stdout, "price %s (was %s, %s off), rating %s, %s orders in 30 days, commission %s\n",
		money(p.Price), money(p.OriginalPrice), percent(float64(p.DiscountPercent)), stars(p.Stars()),
		count(int64(p.Orders30d)), percent(p.CommissionRate))
	fmt.Fprintf(e.stdout, "category %s, shop %s (%s)\n", clean(orDash(p.Category.Name), 60), clean(orDash(p.Shop.Name), 50), orDash(p.Shop.Country))
	fmt.Fprintf(e.stdout, "url %s\naffiliate link %s\n\n", orDash(p.URL), orDash(p.AffiliateURL))
	if p.Source == catalog.SourceDS {
		t := newTable(e.stdout, "SKU", "VARIANT", "PRICE", "WAS", "STOCK", "IMPORT CHARGES")
		for _, v := range p.Variants {
			var names []string
			for i, val := range v.Values {
				if i < len(p.Options) && val != "" {
					names = append(names, p.Options[i].Name+": "+val)
				}
			}
			stock := strconv.Itoa(v.Stock)
			switch {
			case v.Stock == 0:
				stock = "sold out"
			case v.Stock < 0:
				stock = "-"
			}
			imp := "included"
			if !v.ImportCharge.IsZero() && v.ImportCharge.Amount > 0 {
				imp = money(v.ImportCharge)
			}
			t.row(v.SKUID, clean(orDash(strings.Join(names, ", ")), 50), money(v.Price), money(v.ListPrice), stock, imp)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "\nshipping to %s:\n", opts.ShipTo)
	if len(p.Shipping) == 0 {
		fmt.Fprintf(e.stdout, "  does not ship to %s\n", opts.ShipTo)
	} else {
		st := newTable(e.stdout, "SERVICE", "CARRIER", "FEE", "DELIVERY", "TRACKING", "FROM")
		for _, o := range p.Shipping {
			fee := money(o.Fee)
			if o.Free {
				fee = "free"
			}
			tracking := "no"
			if o.Tracking {
				tracking = "yes"
			}
			st.row(clean(o.Code, 30), clean(o.Company, 40), fee, days(o.MinDays, o.MaxDays), tracking, orDash(o.ShipFrom))
		}
		if err := st.flush(); err != nil {
			return err
		}
	}
	if p.Stale {
		fmt.Fprintln(e.stderr, "aliscout: AliExpress is not answering; some of this is from earlier")
	}
	if p.Source != catalog.SourceDS {
		fmt.Fprintln(e.stderr, "aliscout: affiliate data only; give a dropshipping access token (--token or ALIEXPRESS_ACCESS_TOKEN) for variants, stock and shipping")
	}
	return nil
}
