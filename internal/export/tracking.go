package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// TrackingRow is one parcel of a store order, to pass back to the store.
type TrackingRow struct {
	StoreOrderID string    // the store's order number, as imported ("#1001", "4512")
	Carrier      string    // the carrier AliExpress names
	Number       string    // the tracking number
	LastEventAt  time.Time // the parcel's latest tracking event; zero when none yet
}

// Tracking export formats.
const (
	TrackingShopify     = "shopify"
	TrackingWooCommerce = "woocommerce"
	TrackingJSON        = "json"
)

// TrackingHeaders are the columns of the CSV tracking exports: Shopify's bulk fulfilment imports
// take the order name, the tracking number and the company; WooCommerce's shipment tracking
// imports (Advanced Shipment Tracking's CSV) take order_id, tracking_provider, tracking_number,
// date_shipped and status_shipped.
var TrackingHeaders = map[string][]string{
	TrackingShopify:     {"Order Name", "Tracking Number", "Tracking Company"},
	TrackingWooCommerce: {"order_id", "tracking_provider", "tracking_number", "date_shipped", "status_shipped"},
}

// WriteTracking writes rows in format: a CSV for the store to import, or JSON for scripts. Rows
// without a tracking number are left out: there is nothing to pass back yet.
func WriteTracking(w io.Writer, format string, rows []TrackingRow) error {
	var keep []TrackingRow
	for _, r := range rows {
		if r.Number != "" {
			keep = append(keep, r)
		}
	}
	switch format {
	case TrackingJSON:
		type row struct {
			StoreOrderID string     `json:"store_order_id"`
			Carrier      string     `json:"carrier"`
			Number       string     `json:"tracking_number"`
			LastEventAt  *time.Time `json:"last_event_at"`
		}
		out := struct {
			Tracking []row `json:"tracking"`
		}{Tracking: make([]row, 0, len(keep))}
		for _, r := range keep {
			x := row{StoreOrderID: r.StoreOrderID, Carrier: r.Carrier, Number: r.Number}
			if !r.LastEventAt.IsZero() {
				t := r.LastEventAt.UTC()
				x.LastEventAt = &t
			}
			out.Tracking = append(out.Tracking, x)
		}
		return json.NewEncoder(w).Encode(out)
	case TrackingShopify, TrackingWooCommerce:
	default:
		return fmt.Errorf("export: tracking format %q is not shopify, woocommerce or json", format)
	}
	cw := csv.NewWriter(w)
	cw.Write(TrackingHeaders[format])
	for _, r := range keep {
		if format == TrackingShopify {
			cw.Write([]string{neutralize(r.StoreOrderID), neutralize(r.Number), neutralize(r.Carrier)})
			continue
		}
		// date_shipped is left to the store, which takes the day of the import: AliExpress's
		// events say when the parcel moved, not when the seller handed it over.
		cw.Write([]string{neutralize(r.StoreOrderID), neutralize(r.Carrier), neutralize(r.Number), "", "1"})
	}
	cw.Flush()
	return cw.Error()
}
