package orders

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// The orders CSV exports aliscout reads (samples in testdata/):
//
//   - Shopify's orders export (Orders → Export): one row per line item; the order's columns are
//     filled on its first row. Read: Name, Currency, Lineitem quantity, Lineitem name, Lineitem
//     price, Lineitem sku, Shipping Name, Shipping Address1, Shipping Address2, Shipping City,
//     Shipping Zip, Shipping Province (or Shipping Province Name when present), Shipping Country,
//     Shipping Phone.
//   - WooCommerce's orders export by the "Order Export & Order Import for WooCommerce" plugin (the
//     usual one; WooCommerce has none built in): one row per order, line items in line_item_1,
//     line_item_2, ... as "name:...|product_id:...|sku:...|quantity:...|total:...". Read:
//     order_number, order_currency, shipping_first_name, shipping_last_name, shipping_address_1,
//     shipping_address_2, shipping_city, shipping_state, shipping_postcode, shipping_country,
//     shipping_phone (or billing_phone), line_item_N.
//
// A line whose SKU is one aliscout's exports write (AE-<product id> or AE-<product id>-<sku id>)
// is bought as that product and variant. A line with another SKU is kept with its store SKU, to be
// bought as the product the user maps that SKU to (once per store variant; see
// Service.SaveMapping). Lines without a SKU, and Shopify lines that need no shipping (a gift
// card), are left out; an order with no line left is not imported.

// MaxImportOrders caps the orders of one import.
const MaxImportOrders = 1000

// ParseOrdersCSV reads a Shopify or WooCommerce orders export into orders for userID and storeName.
// Errors wrap store.ErrInvalid and name the row.
func ParseOrdersCSV(r io.Reader, userID int64, storeName string) ([]store.Order, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: the file is not a CSV with a header row", store.ErrInvalid)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	_, shopify := col["Lineitem sku"]
	_, woo := col["order_number"]
	if !shopify && !woo {
		return nil, fmt.Errorf("%w: this is not a Shopify orders export (no \"Lineitem sku\" column) nor a WooCommerce one (no \"order_number\" column)", store.ErrInvalid)
	}
	var out []store.Order
	byNumber := map[string]int{}
	currencies := map[string]string{}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: row %d: %v", store.ErrInvalid, row, err)
		}
		var number string
		var lines []store.OrderLine
		var addr store.OrderAddress
		if shopify {
			number = get(rec, "Name")
			// The order's columns are on its first row only.
			currency := get(rec, "Currency")
			if currency == "" {
				currency = currencies[number]
			}
			currencies[number] = currency
			l, ok, err := aeLine(get(rec, "Lineitem sku"), get(rec, "Lineitem quantity"), get(rec, "Lineitem price"), currency, get(rec, "Lineitem name"), false)
			if err != nil {
				return nil, fmt.Errorf("%w: row %d: %v", store.ErrInvalid, row, err)
			}
			if ok && !strings.EqualFold(get(rec, "Lineitem requires shipping"), "false") {
				lines = append(lines, l)
			}
			province := get(rec, "Shipping Province Name")
			if province == "" {
				province = get(rec, "Shipping Province")
			}
			addr = store.OrderAddress{FullName: get(rec, "Shipping Name"), Address: get(rec, "Shipping Address1"), Address2: get(rec, "Shipping Address2"),
				City: get(rec, "Shipping City"), Province: province, Zip: get(rec, "Shipping Zip"), Country: strings.ToUpper(get(rec, "Shipping Country")),
				Phone: get(rec, "Shipping Phone")}
		} else {
			number = get(rec, "order_number")
			phone := get(rec, "shipping_phone")
			if phone == "" {
				phone = get(rec, "billing_phone")
			}
			addr = store.OrderAddress{FullName: strings.TrimSpace(get(rec, "shipping_first_name") + " " + get(rec, "shipping_last_name")),
				Address: get(rec, "shipping_address_1"), Address2: get(rec, "shipping_address_2"), City: get(rec, "shipping_city"),
				Province: get(rec, "shipping_state"), Zip: get(rec, "shipping_postcode"), Country: strings.ToUpper(get(rec, "shipping_country")), Phone: phone}
			for n := 1; ; n++ {
				i, ok := col["line_item_"+strconv.Itoa(n)]
				if !ok {
					break
				}
				if i >= len(rec) || strings.TrimSpace(rec[i]) == "" {
					continue
				}
				f := map[string]string{}
				for part := range strings.SplitSeq(rec[i], "|") {
					k, v, _ := strings.Cut(part, ":")
					f[strings.TrimSpace(k)] = strings.TrimSpace(v)
				}
				l, ok, err := aeLine(f["sku"], f["quantity"], f["total"], get(rec, "order_currency"), f["name"], true)
				if err != nil {
					return nil, fmt.Errorf("%w: row %d, line_item_%d: %v", store.ErrInvalid, row, n, err)
				}
				if ok {
					lines = append(lines, l)
				}
			}
		}
		if number == "" {
			return nil, fmt.Errorf("%w: row %d has no order number", store.ErrInvalid, row)
		}
		if i, ok := byNumber[number]; ok {
			out[i].Lines = append(out[i].Lines, lines...)
			continue
		}
		if len(out) >= MaxImportOrders {
			return nil, fmt.Errorf("%w: at most %d orders per import", store.ErrInvalid, MaxImportOrders)
		}
		byNumber[number] = len(out)
		out = append(out, store.Order{UserID: userID, Store: storeName, StoreOrderID: number, Lines: lines, Address: addr})
	}
	kept := out[:0]
	for _, o := range out {
		if len(o.Lines) > 0 {
			kept = append(kept, o)
		}
	}
	return kept, nil
}

// aeLine reads one store line; ok is false when it has no SKU. A SKU not of aliscout's gives a
// line known by its StoreSKU only. total says price is the line's total rather than one unit's.
func aeLine(sku, quantity, price, currency, title string, total bool) (store.OrderLine, bool, error) {
	sku = strings.TrimSpace(sku)
	if sku == "" {
		return store.OrderLine{}, false, nil
	}
	pid, skuID, storeSKU := "", "", ""
	if rest, found := strings.CutPrefix(sku, "AE-"); found {
		pid, skuID, _ = strings.Cut(rest, "-")
		if _, err := strconv.ParseInt(pid, 10, 64); err != nil {
			return store.OrderLine{}, false, fmt.Errorf("SKU %q does not hold an AliExpress product id", sku)
		}
	} else {
		storeSKU = sku
	}
	q, err := strconv.Atoi(quantity)
	if err != nil || q < 1 {
		return store.OrderLine{}, false, fmt.Errorf("quantity %q is not a number of 1 or more", quantity)
	}
	currency = strings.ToUpper(currency)
	if len(currency) != 3 {
		return store.OrderLine{}, false, fmt.Errorf("currency %q is not a three-letter code", currency)
	}
	f, err := strconv.ParseFloat(price, 64)
	if err != nil || f < 0 {
		return store.OrderLine{}, false, fmt.Errorf("price %q is not an amount", price)
	}
	if total {
		f /= float64(q)
	}
	minor := f
	for range catalog.MinorUnits(currency) {
		minor *= 10
	}
	return store.OrderLine{ProductID: pid, SKUID: skuID, StoreSKU: storeSKU, Quantity: q, Title: title,
		StorePrice: catalog.Money{Amount: int64(minor + 0.5), Currency: currency}}, true, nil
}

// Import stores the orders of a Shopify or WooCommerce orders CSV; the orders the user has already
// are returned as they are. created counts the new ones.
func (s *Service) Import(ctx context.Context, userID int64, storeName string, r io.Reader) ([]store.Order, int, error) {
	parsed, err := ParseOrdersCSV(r, userID, strings.TrimSpace(storeName))
	if err != nil {
		return nil, 0, err
	}
	var out []store.Order
	created := 0
	for _, o := range parsed {
		got, isNew, err := s.Create(ctx, o)
		if err != nil {
			return nil, 0, fmt.Errorf("order %s: %w", o.StoreOrderID, err)
		}
		if isNew {
			created++
		}
		out = append(out, got)
	}
	return out, created, nil
}
