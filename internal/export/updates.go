package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/aliscout/aliscout/internal/catalog"
)

// Store update files: the variants whose price or stock should change, with only the columns an
// import needs to find them (the URL handle or SKU) and the price, compare-at price and inventory.
// Shopify blanks a column that is present but empty, so nothing else is present.

// ShopifyUpdateHeader is the header of a Shopify price and stock update: Shopify's 2024 column
// names, the ones an update needs (Title and URL handle to find the product, the options and
// SKU to find the variant).
var ShopifyUpdateHeader = []string{
	"Title", "URL handle", "SKU",
	"Option1 name", "Option1 value", "Option2 name", "Option2 value", "Option3 name", "Option3 value",
	"Price", "Compare-at price", "Inventory quantity",
}

// WooUpdateHeader is the header of a WooCommerce price and stock update; the importer's "Update
// existing products" finds each variation by its SKU.
var WooUpdateHeader = []string{"Type", "SKU", "Parent", "Regular price", "Sale price", "In stock?", "Stock"}

// Update is one variant's new store price and stock.
type Update struct {
	ProductID int64
	Title     string
	SKUID     string   // AliExpress SKU id; "" for a single-SKU product
	Options   []string // option names
	Values    []string // the variant's value per option
	Price     catalog.Money
	CompareAt catalog.Money // zero for none
	Stock     int           // -1 unknown
}

// WriteShopifyUpdates writes a Shopify update CSV of us and checks it as it goes: the file is
// refused (nothing more is written) at the first update that breaks a rule.
func WriteShopifyUpdates(w io.Writer, us []Update) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ShopifyUpdateHeader); err != nil {
		return err
	}
	handles := newHandles()
	byProduct := map[int64]string{}
	for _, u := range us {
		if err := checkUpdate(u); err != nil {
			return err
		}
		h, ok := byProduct[u.ProductID]
		if !ok {
			h = handles.assign(Handle(u.Title, u.ProductID))
			byProduct[u.ProductID] = h
		}
		row := make([]string, len(ShopifyUpdateHeader))
		row[0], row[1], row[2] = cleanText(u.Title), h, sku(u.ProductID, u.SKUID)
		if len(u.Options) == 0 || len(u.Values) == 0 {
			row[3], row[4] = "Title", "Default Title"
		}
		for i := 0; i < len(u.Options) && i < 3 && i < len(u.Values); i++ {
			row[3+2*i], row[4+2*i] = cleanValue(u.Options[i]), cleanValue(u.Values[i])
		}
		row[9] = u.Price.Decimal()
		if !u.CompareAt.IsZero() {
			row[10] = u.CompareAt.Decimal()
		}
		if u.Stock >= 0 {
			row[11] = strconv.Itoa(u.Stock)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteWooUpdates writes a WooCommerce update CSV of us: one variation row per variant (or a
// simple row for a single-SKU product), found by its SKU, with the compare-at price as the
// regular price and the price as the sale price, as the product export writes them.
func WriteWooUpdates(w io.Writer, us []Update) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(WooUpdateHeader); err != nil {
		return err
	}
	for _, u := range us {
		if err := checkUpdate(u); err != nil {
			return err
		}
		row := make([]string, len(WooUpdateHeader))
		row[0], row[1], row[2] = "variation", sku(u.ProductID, u.SKUID), sku(u.ProductID, "")
		if u.SKUID == "" {
			row[0], row[2] = "simple", ""
		}
		if u.CompareAt.IsZero() {
			row[3] = u.Price.Decimal()
		} else {
			row[3], row[4] = u.CompareAt.Decimal(), u.Price.Decimal()
		}
		row[5] = boolDigit(u.Stock != 0)
		if u.Stock >= 0 {
			row[6] = strconv.Itoa(u.Stock)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func checkUpdate(u Update) error {
	switch {
	case u.ProductID <= 0:
		return fmt.Errorf("export: update of product %d: not a product ID", u.ProductID)
	case u.Price.Amount < 0 || u.Price.Currency == "":
		return fmt.Errorf("export: update of product %d: price %v is not an amount", u.ProductID, u.Price)
	case !u.CompareAt.IsZero() && u.CompareAt.Amount <= u.Price.Amount:
		return fmt.Errorf("export: update of product %d: compare-at price %s is not above the price %s",
			u.ProductID, u.CompareAt.Decimal(), u.Price.Decimal())
	}
	return nil
}

// ValidateShopifyUpdates checks a Shopify update CSV: the header is ShopifyUpdateHeader; no
// formula cells; URL handles valid; SKUs unique; prices decimals ≥ 0 with the compare-at price
// above the price; inventory a whole number ≥ 0 or empty.
func ValidateShopifyUpdates(r io.Reader) error {
	return validateUpdates(r, "shopify update", ShopifyUpdateHeader, func(ps *problems, line int, rec []string) {
		if !isHandle(rec[1]) {
			ps.add(line, "URL handle", "%q is not a handle of lowercase letters, digits and hyphens", rec[1])
		}
		checkPrices(ps, line, rec[9], rec[10], "Price", "Compare-at price")
		if rec[11] != "" && !isUint(rec[11]) {
			ps.add(line, "Inventory quantity", "%q is not a whole number of units", rec[11])
		}
	}, 2)
}

// ValidateWooUpdates checks a WooCommerce update CSV: the header is WooUpdateHeader; types
// simple or variation; SKUs unique; regular and sale prices decimals with the sale price below
// the regular one; In stock? 1 or 0; Stock a whole number ≥ 0 or empty.
func ValidateWooUpdates(r io.Reader) error {
	return validateUpdates(r, "woocommerce update", WooUpdateHeader, func(ps *problems, line int, rec []string) {
		if rec[0] != "simple" && rec[0] != "variation" {
			ps.add(line, "Type", "%q is not simple or variation", rec[0])
		}
		if rec[0] == "variation" && rec[2] == "" {
			ps.add(line, "Parent", "a variation names its parent's SKU")
		}
		checkPrices(ps, line, rec[4], rec[3], "Sale price", "Regular price")
		if rec[5] != "1" && rec[5] != "0" {
			ps.add(line, "In stock?", "%q is not 1 or 0", rec[5])
		}
		if rec[6] != "" && !isUint(rec[6]) {
			ps.add(line, "Stock", "%q is not a whole number of units", rec[6])
		}
	}, 1)
}

// checkPrices checks a price and a higher list price; either may be empty when the other is set.
func checkPrices(ps *problems, line int, price, list, priceCol, listCol string) {
	if price == "" && list == "" {
		ps.add(line, priceCol, "no price")
	}
	if price != "" && !isDecimal(price) {
		ps.add(line, priceCol, "%q is not a decimal amount", price)
	}
	if list != "" && !isDecimal(list) {
		ps.add(line, listCol, "%q is not a decimal amount", list)
	}
	if price != "" && list != "" && isDecimal(price) && isDecimal(list) && cmpDecimal(list, price) <= 0 {
		ps.add(line, listCol, "%s is not above the %s %s", list, priceCol, price)
	}
}

func validateUpdates(r io.Reader, format string, header []string, row func(ps *problems, line int, rec []string), skuCol int) error {
	ps := &problems{format: format}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(header)
	rec, err := cr.Read()
	if err != nil {
		ps.add(1, "", "no header: %v", err)
		return ps.err()
	}
	if !checkHeader(ps, header, rec) {
		return ps.err()
	}
	skus := map[string]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			ps.add(line, "", "%v", err)
			break
		}
		for i, cell := range rec {
			if formulaStart(cell) {
				ps.add(line, header[i], "%q starts like a spreadsheet formula", cell)
			}
		}
		if s := rec[skuCol]; s == "" || skus[s] {
			ps.add(line, "SKU", "%q is empty or repeated", s)
		} else {
			skus[s] = true
		}
		row(ps, line, rec)
	}
	return ps.err()
}
